"""Peak RSS per child process of this one (the worker processes of a dask LocalCluster: its
nannies live in this process), sampled with psutil every `interval` seconds on a thread."""
import os
import threading

import psutil


class ChildRSS:
    def __init__(self, interval=0.1):
        self.interval = interval
        self.peak = {}  # pid -> max RSS bytes
        self._stop = threading.Event()
        self._me = psutil.Process(os.getpid())
        self._t = threading.Thread(target=self._run, daemon=True)

    def sample(self):
        try:
            kids = self._me.children(recursive=True)
        except psutil.Error:
            return
        for p in kids:
            try:
                rss = p.memory_info().rss
            except psutil.Error:
                continue
            self.peak[p.pid] = max(self.peak.get(p.pid, 0), rss)

    def _run(self):
        while not self._stop.wait(self.interval):
            self.sample()

    def start(self):
        self.sample()
        self._t.start()
        return self

    def stop(self):
        self._stop.set()
        self._t.join()
        self.sample()
        return self

    def biggest(self, n):
        """The n largest peaks in MB, largest first (child processes that are not workers, such
        as multiprocessing's resource tracker, stay small and fall off the end)."""
        return [v / 2**20 for v in sorted(self.peak.values(), reverse=True)[:n]]

    def processes_over(self, mb):
        """How many child processes ever went past `mb` MB (workers; restarted ones count again)."""
        return sum(1 for v in self.peak.values() if v > mb * 2**20)

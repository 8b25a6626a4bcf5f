"""Samplers for the issue 15 peers: peak RSS per child process of this one (the worker processes
of a dask LocalCluster: its nannies live in this process), and the peak disk use of a directory."""
import os
import subprocess
import threading

import psutil


class Sampler:
    """Calls self.sample() every `interval` seconds on a thread between start() and stop()."""

    def __init__(self, interval):
        self.interval = interval
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def sample(self):
        raise NotImplementedError

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


class DirPeak(Sampler):
    """Peak bytes used under `path` (du -sk: blocks really used)."""

    def __init__(self, path, interval=0.5):
        super().__init__(interval)
        self.path, self.peak = path, 0

    def sample(self):
        try:
            out = subprocess.run(["du", "-sk", self.path], capture_output=True, text=True, timeout=30).stdout
            self.peak = max(self.peak, int(out.split()[0]) * 1024)
        except Exception:
            pass


class ChildRSS(Sampler):
    def __init__(self, interval=0.1):
        super().__init__(interval)
        self.peak = {}  # pid -> max RSS bytes
        self._me = psutil.Process(os.getpid())

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

    def biggest(self, n):
        """The n largest peaks in MB, largest first (child processes that are not workers, such
        as multiprocessing's resource tracker, stay small and fall off the end)."""
        return [v / 2**20 for v in sorted(self.peak.values(), reverse=True)[:n]]

    def processes_over(self, mb):
        """How many child processes ever went past `mb` MB (workers; restarted ones count again)."""
        return sum(1 for v in self.peak.values() if v > mb * 2**20)

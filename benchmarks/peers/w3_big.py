#!/usr/bin/python3
"""Issue 15 peer of `Runner w3big`: W3 at a size whose chunks do not fit a worker,
    da.random.normal(0, 1, size=(N, N), chunks=(C, C)).mean(axis=1)
on LocalCluster(n_workers=W, threads_per_worker=1, memory_limit=LIMIT). At N=100,000, C=10,000
each chunk is 800 MB: Dask draws a whole chunk before reducing it, so on 1 GB workers expect the
nanny to restart workers past memory.terminate (0.95) and the compute to end in KilledWorker;
the JSON line then says so ("error") beside the peak RSS of each worker process.

Usage: w3_big.py [--n 100000] [--chunk 10000] [--workers 2] [--memory-limit 1GB]
(needs Debian's python3-distributed and python3-psutil). Prints one JSON line.
"""
import argparse
import json
import sys
import time

import dask
import dask.array as da
import numpy as np
from dask.distributed import Client, LocalCluster

from _rss import ChildRSS


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--chunk", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--memory-limit", default="1GB")
    args = ap.parse_args()
    rec = {"workload": "W3big", "n": args.n, "chunk": args.chunk, "workers": args.workers,
           "memory_limit": args.memory_limit, "dask_version": dask.__version__}
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      memory_limit=args.memory_limit, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        rss = ChildRSS().start()
        y = da.random.normal(0, 1, size=(args.n, args.n), chunks=(args.chunk, args.chunk)).mean(axis=1)
        t0 = time.perf_counter()
        try:
            r = y.compute()
            rec["std"] = float(np.std(r))
            rec["rows"] = int(r.shape[0])
        except Exception as e:  # KilledWorker when workers die past terminate
            rec["error"] = (type(e).__name__ + ": " + str(e))[:300].replace('"', "'")
        rec["seconds"] = time.perf_counter() - t0
        rss.stop()
        peaks = rss.biggest(args.workers)
        rec["worker_peak_rss_mb"] = " / ".join("%.0f" % v for v in peaks)
        rec["restarts"] = max(0, rss.processes_over(100) - args.workers)
    sys.stdout.write(json.dumps(rec) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()

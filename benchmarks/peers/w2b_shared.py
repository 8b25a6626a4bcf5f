#!/usr/bin/python3
"""W2b big shared input (seed 003 section 8.4): one 40,000,000-double array put in the graph
once with dask.delayed(x) / dask.delayed(value), 20 tasks each computing its mean, one compute.
Prints one JSON line like the shared peers. Usage: w2b_shared.py --scheduler processes|threads|sync
"""
import argparse
import json
import sys
import time

import numpy as np
import dask

N = 40_000_000
TASKS = 20


def mean(a, i):
    return float(np.mean(a))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scheduler", default="processes", choices=["processes", "threads", "sync"])
    args = ap.parse_args()
    x = np.random.default_rng(1).random(N)
    kw = {"scheduler": args.scheduler}
    if args.scheduler != "sync":
        kw["num_workers"] = 2
    t0 = time.perf_counter()
    xd = dask.delayed(x)  # the array enters the graph once
    parts = [dask.delayed(mean)(xd, i) for i in range(TASKS)]
    res = dask.compute(*parts, **kw)
    t1 = time.perf_counter()
    sys.stdout.write(json.dumps({"workload": "W2b", "scheduler": args.scheduler, "seconds": t1 - t0,
                                 "result": {"first": res[0], "n": len(res)}, "dask_version": dask.__version__}) + "\n")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Issue 15 peer of `Runner shuffle`: a set_index over data bigger than the cluster's memory,
    dd.read_csv(DATA/part-*.csv, blocksize=None).set_index("id", shuffle=METHOD)
      .map_partitions(summary).compute()
on LocalCluster(n_workers=W, threads_per_worker=1, memory_limit=LIMIT, local_directory=tmp).
METHOD is "p2p" (Dask's peer-to-peer shuffle, which buffers to disk) when pyarrow can be
imported (Dask 2022.12's p2p needs it), else "tasks" (spilling through the workers' SpillBuffer);
--method forces one. Reports run seconds, the peak bytes in the workers' local directories (du),
the peak RSS of each worker process, restarts, and the answer (rows, sum of x, sorted) that the
runner checks against its generator. Prints one JSON line.

Usage: shuffle_big.py --data DIR [--workers 2] [--memory-limit 256MiB] [--method auto|p2p|tasks]
(needs Debian's python3-distributed and python3-psutil).
"""
import argparse
import json
import shutil
import sys
import tempfile
import time

import dask
import dask.dataframe as dd
import pandas as pd
from dask.distributed import Client, LocalCluster

from _rss import ChildRSS, DirPeak


def summary(df):
    ids = df.index.values
    return pd.DataFrame({"rows": [len(df)], "first": [int(ids[0]) if len(ids) else 0],
                         "last": [int(ids[-1]) if len(ids) else 0],
                         "sorted": [int(bool((ids[1:] >= ids[:-1]).all()))],
                         "sum_x": [float(df["x"].sum())]})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--memory-limit", default="256MiB")
    ap.add_argument("--method", default="auto", choices=["auto", "p2p", "tasks"])
    args = ap.parse_args()
    method = args.method
    if method == "auto":
        try:
            import pyarrow  # noqa: F401
            method = "p2p"
        except ImportError:
            method = "tasks"
    rec = {"workload": "shuffle", "workers": args.workers, "memory_limit": args.memory_limit,
           "method": method if args.method != "auto" or method == "p2p" else "tasks (no pyarrow for p2p)",
           "dask_version": dask.__version__}
    local = tempfile.mkdtemp(prefix="dask-shuffle-workers")
    try:
        with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                          memory_limit=args.memory_limit, local_directory=local,
                          dashboard_address=None) as cluster, Client(cluster):
            rss, disk = ChildRSS().start(), DirPeak(local).start()
            t0 = time.perf_counter()
            try:
                df = dd.read_csv(args.data + "/part-*.csv", blocksize=None)
                meta = pd.DataFrame({"rows": pd.Series([], dtype="int64"), "first": pd.Series([], dtype="int64"),
                                     "last": pd.Series([], dtype="int64"), "sorted": pd.Series([], dtype="int64"),
                                     "sum_x": pd.Series([], dtype="float64")})
                s = df.set_index("id", shuffle=method).map_partitions(summary, meta=meta).compute()
                s = s[s["rows"] > 0]
                ok = bool(s["sorted"].all()) and bool((s["first"].values[1:] >= s["last"].values[:-1]).all())
                rec.update(rows=int(s["rows"].sum()), sum_x=float(s["sum_x"].sum()), sorted=int(ok))
            except Exception as e:  # KilledWorker when workers die past terminate
                rec["error"] = (type(e).__name__ + ": " + str(e))[:300].replace('"', "'")
            rec["seconds"] = time.perf_counter() - t0
            rss.stop()
            rec["peak_dir_bytes"] = disk.stop().peak
            rec["worker_peak_rss_mb"] = " / ".join("%.0f" % v for v in rss.biggest(args.workers))
            rec["restarts"] = max(0, rss.processes_over(100) - args.workers)
    finally:
        shutil.rmtree(local, ignore_errors=True)
    sys.stdout.write(json.dumps(rec) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()

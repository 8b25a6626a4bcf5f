#!/usr/bin/python3
"""Actor calls with dask.distributed (the peer of jdask's `Runner actors`, issue 19).

A Counter actor on a LocalCluster of 2 worker processes x 1 thread: the round trip of one call
waited for before the next (median and 99th percentile of --calls calls), and throughput: --pipelined
calls sent without waiting, then every result waited for, from one client and from 4 threads at once.
The 4 threads share this client's actor proxy (a Dask actor's calls go through the client that
holds it); jdask's runner uses 4 separate clients, each with its own connection to the worker.
Median of --reps runs. Prints one JSON line.

Usage: actors.py [--calls 2000] [--pipelined 50000] [--reps 3]   (needs python3-distributed)
"""
import argparse
import json
import statistics
import sys
import threading
import time

import dask
from dask.distributed import Client, LocalCluster


class Counter:
    n = 0

    def increment(self):
        self.n += 1
        return self.n

    def value(self):
        return self.n


def once(cluster, client, calls, pipelined):
    counter = client.submit(Counter, actor=True).result()
    lat = []
    for _ in range(calls):
        t0 = time.perf_counter()
        counter.increment().result()
        lat.append(time.perf_counter() - t0)
    lat.sort()
    t0 = time.perf_counter()
    fs = [counter.increment() for _ in range(pipelined)]
    for f in fs:
        f.result()
    cps = pipelined / (time.perf_counter() - t0)

    before = counter.value().result()
    per = pipelined // 4

    def work():
        mine = [counter.increment() for _ in range(per)]
        for f in mine:
            f.result()

    t0 = time.perf_counter()
    ts = [threading.Thread(target=work) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    cps4 = 4 * per / (time.perf_counter() - t0)
    after = counter.value().result()
    assert after - before == 4 * per, (before, after)
    return {"round_trip_median_us": lat[len(lat) // 2] * 1e6,
            "round_trip_p99_us": lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1e6,
            "calls_per_s": cps, "calls_per_s_4_clients": cps4}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--pipelined", type=int, default=50000)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        once(cluster, client, min(args.calls, 200), min(args.pipelined, 2000))  # warm-up
        runs = [once(cluster, client, args.calls, args.pipelined) for _ in range(args.reps)]
    out = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    out.update({"workload": "actors", "calls": args.calls, "pipelined": args.pipelined, "reps": args.reps,
                "dask_version": dask.__version__})
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()

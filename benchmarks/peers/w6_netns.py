#!/usr/bin/python3
"""W6's timed parts on a Dask cluster someone else started (issue 16: W6 on the namespace harness,
beside jdask's; W6Netns starts dask-scheduler and two dask-worker --nthreads 1 in network
namespaces and runs this in a fourth one). Same parts as peers/dask/w6_futures.py after start-up:
map + gather of 10,000 inc, submit(sum), scatter then gather of N arrays of 10 MB (hash=False,
bit-identical check), client.close(). Prints one line per part, "PART name seconds", plus
"READY epoch" (when both workers are up) and "CLOSING epoch" (before client.close()); the caller
adds start-up and shutdown from its own clock (same machine).

    /usr/bin/python3 w6_netns.py --scheduler tcp://HOST:PORT [--arrays 100]
"""
import argparse
import time

import numpy as np
from dask.distributed import Client

N = 10_000
ARR_LEN = 1_250_000  # 10 MB of float64


def inc(i):
    return i + 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scheduler", required=True)
    ap.add_argument("--arrays", type=int, default=100)
    a = ap.parse_args()
    arrays = [np.random.default_rng(i).random(ARR_LEN) for i in range(a.arrays)]
    client = Client(a.scheduler, timeout=120)
    client.wait_for_workers(2, timeout=120)
    print("READY %.6f" % time.time(), flush=True)

    t0 = time.perf_counter()
    futs = client.map(inc, range(N))
    res = client.gather(futs)
    print("PART map_gather %.6f" % (time.perf_counter() - t0), flush=True)
    assert res == list(range(1, N + 1))

    t0 = time.perf_counter()
    total = client.submit(sum, futs).result()
    print("PART submit_sum %.6f" % (time.perf_counter() - t0), flush=True)
    assert total == N * (N + 1) // 2

    nbytes = sum(x.nbytes for x in arrays)
    t0 = time.perf_counter()
    sfuts = client.scatter(arrays, hash=False)
    t1 = time.perf_counter()
    back = client.gather(sfuts)
    t2 = time.perf_counter()
    assert all(np.array_equal(x, y) for x, y in zip(arrays, back))
    print("PART scatter %.6f" % (t1 - t0), flush=True)
    print("PART scatter_GBps %.6f" % (nbytes / 1e9 / (t1 - t0)), flush=True)
    print("PART gather %.6f" % (t2 - t1), flush=True)
    print("PART gather_GBps %.6f" % (nbytes / 1e9 / (t2 - t1)), flush=True)
    del back, sfuts, futs
    print("CLOSING %.6f" % time.time(), flush=True)
    client.close()
    print("CLOSED %.6f" % time.time(), flush=True)


if __name__ == "__main__":
    main()

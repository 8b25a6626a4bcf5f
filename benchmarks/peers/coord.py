#!/usr/bin/python3
"""Issue 19 peer of `Runner coord`: Dask distributed's coordination round trips and tasks that
submit tasks, on a LocalCluster of 2 worker processes x 1 thread, the client over TCP like jdask's.
Prints one JSON line: microseconds per queue put+get, lock acquire+release, variable set+get
(medians of --reps runs of --n operations each), and seconds for fib(25) by tasks submitting tasks
(worker_client, which secedes). Needs Debian's python3-distributed. Run it alone on a quiet machine:

    python3 benchmarks/peers/coord.py [--n 2000] [--reps 3] [--fib 25]
"""
import argparse
import json
import statistics
import time

from distributed import Client, LocalCluster, Lock, Queue, Variable, worker_client


def fib(n, salt):
    """salt makes each run's keys new; calls within a run share keys (pure), as in jdask."""
    if n < 2:
        return n
    with worker_client() as c:  # secedes while it waits, like jdask's WorkerClient.open()
        a = c.submit(fib, n - 1, salt)
        b = c.submit(fib, n - 2, salt)
        return a.result() + b.result()


def per_op_us(fn, n):
    t0 = time.perf_counter()
    for i in range(n):
        fn(i)
    return (time.perf_counter() - t0) / n * 1e6


WARM_UP_OPS = 2000  # CoordBench.WARM_UP_OPS
TURN = 100  # CoordBench.TURN


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--fib", type=int, default=25)
    args = ap.parse_args()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster.scheduler_address) as client:
        q, lock, var = Queue("bench-q"), Lock("bench-lock"), Variable("bench-var")

        def queue_op(i):
            q.put(i)
            q.get(timeout=60)

        def lock_op(i):
            lock.acquire(timeout=60)
            lock.release()

        def var_op(i):
            var.set(i)
            var.get(timeout=60)

        ops = [("queue_put_get_us", queue_op), ("lock_acquire_release_us", lock_op), ("variable_set_get_us", var_op)]
        # as Runner coord: every operation warmed before any is measured, the reps take turns
        for _, op in ops:
            per_op_us(op, WARM_UP_OPS)
        runs = {name: [] for name, _ in ops}
        for _ in range(args.reps):
            total = {name: 0.0 for name, _ in ops}
            for done in range(0, args.n, TURN):  # the kinds take turns every TURN operations
                k = min(TURN, args.n - done)
                for name, op in ops:
                    total[name] += per_op_us(op, k) * k
            for name, _ in ops:
                runs[name].append(total[name] / args.n)
        out = {name: statistics.median(v) for name, v in runs.items()}
        times = []
        for r in range(-1, args.reps):  # run -1 warms the workers and is not counted
            t0 = time.perf_counter()
            assert client.submit(fib, args.fib, r + 1).result() > 0
            if r >= 0:
                times.append(time.perf_counter() - t0)
        out["fib_seconds"] = statistics.median(times)
        out["fib_n"] = args.fib
        print(json.dumps(out))


if __name__ == "__main__":
    main()

package org.jdask.distributed.coord;

import java.util.List;
import org.jdask.distributed.Client;
import org.jdask.distributed.Future;
import org.jdask.fn.Fn0;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;

/**
 * Inside a task: the worker's client, with the task seceded for the scope (Dask's
 * {@code worker_client()}), so waiting on the tasks it submits does not hold a worker thread:
 *
 * <pre>{@code
 * static int fib(int n) {
 *     if (n < 2) return n;
 *     try (var c = WorkerClient.open()) {
 *         Future<Integer> a = c.submit(Tasks::fib, n - 1), b = c.submit(Tasks::fib, n - 2);
 *         return a.result() + b.result();
 *     }
 * }
 * }</pre>
 *
 * Closing rejoins the worker's threads (if this scope seceded). The client itself stays open:
 * it is the worker's, shared by its tasks ({@link Client#current()} inside a task).
 */
public final class WorkerClient implements AutoCloseable {
    private final Client client;
    private final boolean seceded;

    private WorkerClient(Client client, boolean seceded) {
        this.client = client;
        this.seceded = seceded;
    }

    /**
     * Secedes the calling task and returns its worker's client.
     *
     * @throws IllegalStateException outside a task running on a distributed worker
     */
    public static WorkerClient open() {
        Client c = TaskThreads.client();
        if (c == null) {
            throw new IllegalStateException("WorkerClient.open() works only inside a task running on a distributed worker; "
                    + "elsewhere use Client.connect(...) or Client.current()");
        }
        return new WorkerClient(c, TaskThreads.secede());
    }

    /** The worker's client (every {@link Client} method). */
    public Client client() {
        return client;
    }

    public <R> Future<R> submit(Fn0<R> fn) {
        return client.submit(fn);
    }

    public <A, R> Future<R> submit(Fn1<A, R> fn, Object a) {
        return client.submit(fn, a);
    }

    public <A, B, R> Future<R> submit(Fn2<A, B, R> fn, Object a, Object b) {
        return client.submit(fn, a, b);
    }

    public <A, R> List<Future<R>> map(Fn1<A, R> fn, Iterable<?> items) {
        return client.map(fn, items);
    }

    public <T> List<T> gather(List<Future<T>> futures) {
        return client.gather(futures);
    }

    /** Rejoins the worker's threads if {@link #open()} seceded. */
    @Override
    public void close() {
        if (seceded) TaskThreads.rejoin();
    }
}

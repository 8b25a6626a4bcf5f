package org.jdask.distributed.coord;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.jdask.Config;
import org.jdask.JdaskException;
import org.jdask.distributed.Client;
import org.jdask.graph.Key;

/**
 * What a thread inside a task on a worker knows about itself: which worker runs it, whether it
 * seceded, and the worker's client (for {@code Client.current()} inside a task). The worker shell
 * {@link #enter}s and {@link #leave}s around each task; everything else reads the thread-local.
 *
 * <h2>Why waits inside tasks have a limit</h2>
 * A task that submits tasks and waits for them while it holds one of its worker's threads can
 * deadlock the cluster: with 2 workers of 1 thread, fib(3) waits on fib(2) which waits on fib(1),
 * for which no thread is left. Dask hangs there; jdask fails such a wait after config
 * {@code distributed.worker.wait-without-secede} (120 s) with an error saying what to do:
 * {@code try (var c = WorkerClient.open())} or {@code Worker.secede()}, after which the task's
 * thread no longer counts and the wait has no limit.
 */
public final class TaskThreads {
    private TaskThreads() {}

    /** The worker side of a running task (implemented by the worker shell). */
    public interface Host {
        /** The task {@code key} leaves (or, with {@code rejoin}, rejoins) the threads that count. */
        void secede(Key key, boolean rejoin);

        /** This worker's client, created on first use (one per worker). */
        Client client();

        /** e.g. {@code "tcp://10.0.0.5:40123 (1 thread)"}. */
        String describe();
    }

    private static final class Running {
        final Host host;
        final Key key;
        boolean seceded;

        Running(Host host, Key key) {
            this.host = host;
            this.key = key;
        }
    }

    private static final ThreadLocal<Running> RUNNING = new ThreadLocal<>();

    /** Worker shell: the calling thread now runs task {@code key}. */
    public static void enter(Host host, Key key) {
        RUNNING.set(new Running(host, key));
    }

    /** Worker shell: the task of the calling thread returned. */
    public static void leave() {
        RUNNING.remove();
    }

    /** The key of the task running on this thread, or null outside a task. */
    public static Key currentTask() {
        Running r = RUNNING.get();
        return r == null ? null : r.key;
    }

    /** The client of the worker running this thread's task, or null outside a task. */
    public static Client client() {
        Running r = RUNNING.get();
        return r == null ? null : r.host.client();
    }

    /** Whether this thread's task seceded (false outside a task). */
    public static boolean seceded() {
        Running r = RUNNING.get();
        return r != null && r.seceded;
    }

    /** {@code Worker.secede()}; returns false if the task had seceded already. */
    public static boolean secede() {
        Running r = require("Worker.secede()");
        if (r.seceded) return false;
        r.host.secede(r.key, false);
        r.seceded = true;
        return true;
    }

    /** {@code Worker.rejoin()}: the task's thread counts again (the worker may briefly run more than nthreads tasks). */
    public static void rejoin() {
        Running r = require("Worker.rejoin()");
        if (!r.seceded) return;
        r.host.secede(r.key, true);
        r.seceded = false;
    }

    private static Running require(String what) {
        Running r = RUNNING.get();
        if (r == null) {
            throw new IllegalStateException(what + " works only inside a task running on a distributed worker (thread "
                    + Thread.currentThread().getName() + " runs none)");
        }
        return r;
    }

    /**
     * Runs a wait of {@code asked} ms (negative: no limit) for {@code what}. Inside a task that did
     * not secede, an unlimited wait gets the {@code distributed.worker.wait-without-secede} limit,
     * and running out of it fails naming the task, the worker and the fix.
     */
    public static <T> T waiting(Object what, long asked, LongFunction<T> wait) {
        Running r = RUNNING.get();
        if (asked >= 0 || r == null || r.seceded) return wait.apply(asked);
        long limit = Config.getDuration("distributed.worker.wait-without-secede", Duration.ofSeconds(120)).toMillis();
        try {
            return wait.apply(limit);
        } catch (JdaskException e) {
            if (r.seceded || !String.valueOf(e.getMessage()).contains("not done after")) throw e;
            throw new JdaskException("task " + r.key + " on worker " + r.host.describe() + " waited " + limit + " ms for " + what
                    + " while holding one of the worker's threads: when every thread is held by a waiting task nothing can run."
                    + " Wait inside `try (var c = WorkerClient.open()) { ... }` or call Worker.secede() first (the limit is config"
                    + " distributed.worker.wait-without-secede)", e);
        }
    }

    /**
     * The worker's task threads: {@code nthreads} kept, more started on demand. The worker state
     * machine decides how many tasks run; a seceded task keeps its thread while another starts.
     */
    public static ExecutorService pool(int nthreads, ThreadFactory threads) {
        return new ThreadPoolExecutor(nthreads, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), threads);
    }
}

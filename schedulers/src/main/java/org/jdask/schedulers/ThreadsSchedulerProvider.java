package org.jdask.schedulers;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdask.graph.NamedSchedulerProvider;
import org.jdask.graph.RunOptions;
import org.jdask.graph.Scheduler;

/**
 * {@code threads}: the {@link LocalEngine} with {@code num-workers} workers (config; blank or
 * unset means the number of cores): the calling thread plus helpers from one JVM-wide pool of
 * daemon threads named {@code jdask-threads-N}.
 *
 * <p>The pool has no fixed size: it reuses idle threads and lets them go after 30 s idle. A fixed
 * pool would make concurrent and nested {@code compute()} calls queue behind each other; here
 * each run is bounded by its own worker count instead, and since the caller always works, a run
 * progresses even if its helpers start late.
 */
public final class ThreadsSchedulerProvider extends NamedSchedulerProvider {
    private static final AtomicInteger THREADS = new AtomicInteger();
    /** The shared helper pool (daemon threads, reused across runs). */
    static final ExecutorService POOL = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
            new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "jdask-threads-" + THREADS.incrementAndGet());
                t.setDaemon(true);
                return t;
            });

    public ThreadsSchedulerProvider() {
        super("threads", "threads: a shared pool of daemon threads, num-workers at a time (default: cores)");
    }

    @Override
    public Scheduler scheduler(RunOptions options) {
        return new LocalEngine(POOL, workers(options));
    }

    /** {@code num-workers} from the run's config; blank or unset means the number of cores. */
    static int workers(RunOptions options) {
        return options.numWorkers();
    }
}

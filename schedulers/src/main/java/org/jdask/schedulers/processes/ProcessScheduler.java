package org.jdask.schedulers.processes;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jdask.JdaskException;
import org.jdask.graph.IndexedGraph;
import org.jdask.graph.Key;
import org.jdask.graph.ListenerCalls;
import org.jdask.graph.Order;
import org.jdask.graph.RunOptions;
import org.jdask.graph.Scheduler;
import org.jdask.graph.SerializationCheck;
import org.jdask.graph.TaskGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code processes} scheduler for one run: checks the graph (missing keys, cycles, and
 * {@link SerializationCheck} so an unserializable capture fails before any worker is bothered),
 * takes the shared {@link ProcessPool}, and runs a {@link RemoteRun}. When a worker JVM dies
 * mid-run and {@code processes.retries} allows, the run starts over on a pool whose dead worker
 * was replaced (tasks of that run may then execute twice, as the scheduler contract allows after
 * a lost worker).
 */
final class ProcessScheduler implements Scheduler {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessScheduler.class);

    private final int workers;
    private final int retries;
    private final long drainMillis;
    private final List<String> jvmOptions;

    ProcessScheduler(int workers, int retries, long drainMillis, List<String> jvmOptions) {
        this.workers = workers;
        this.retries = retries;
        this.drainMillis = drainMillis;
        this.jvmOptions = jvmOptions;
    }

    @Override
    public List<Object> get(TaskGraph graph, List<Key> outputs, RunOptions options) {
        pool().ensureInBackground(workers); // worker JVMs start while the graph is indexed, ordered and checked
        IndexedGraph g = IndexedGraph.of(graph); // NoSuchElementException naming key and reader
        int[] priority = Order.priorities(g); // CycleException before anything runs
        int[] out = g.indicesOf(outputs);
        SerializationCheck.check(graph);
        ListenerCalls listeners = new ListenerCalls(options.listeners());
        listeners.start(graph);
        Throwable error = null;
        try {
            return runWithRetries(g, priority, out, options, listeners);
        } catch (RuntimeException e) {
            error = e;
            throw e;
        } finally {
            listeners.finish(error);
        }
    }

    private List<Object> runWithRetries(IndexedGraph g, int[] priority, int[] out, RunOptions options, ListenerCalls listeners) {
        ProcessPool pool = pool();
        ReentrantLock lock = pool.runLock();
        // (a pool closed between pool() and the lock is caught by ensure(), which refuses a closed pool)
        try {
            if (!lock.tryLock(1, TimeUnit.HOURS)) throw new JdaskException("the processes pool stayed busy for an hour");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JdaskException("interrupted while waiting for the processes pool (another run holds it)");
        }
        try {
            for (int attempt = 0; ; attempt++) {
                pool.ensureFirst(workers); // the run begins on the first JVM ready; the others join as they connect
                try {
                    return new RemoteRun(g, priority, out, pool, pool.workers(workers), options, listeners, drainMillis).execute();
                } catch (WorkerLost lost) {
                    if (attempt >= retries) throw lost.failure(retries);
                    LOG.warn("{}; starting the run again on a replacement worker (retry {} of {}, config processes.retries)",
                            lost.describe(), attempt + 1, retries);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private ProcessPool pool() {
        return ProcessPool.shared(jvmOptions);
    }
}

package org.jdask.schedulers;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jdask.Config;
import org.jdask.JdaskException;
import org.jdask.TaskFailedException;
import org.jdask.graph.Alias;
import org.jdask.graph.DataNode;
import org.jdask.graph.IndexedGraph;
import org.jdask.graph.Key;
import org.jdask.graph.ListenerCalls;
import org.jdask.graph.Node;
import org.jdask.graph.Order;
import org.jdask.graph.RunOptions;
import org.jdask.graph.Scheduler;
import org.jdask.graph.Task;
import org.jdask.graph.TaskGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one local engine behind {@code sync} and {@code threads} (Dask's {@code local.get_async}):
 * an {@link Executor} for helper workers and a worker count.
 *
 * <h2>How it works</h2>
 * A run first turns the graph into an {@link IndexedGraph} (tasks are ints, dependencies and
 * dependents are int rows), which also fails on a missing dependency naming the key and its
 * reader. One pass over int arrays counts each task's unfinished dependencies ({@code waiting})
 * and its readers ({@code remaining}). {@link Order#priorities(IndexedGraph)} gives each task a
 * static priority; its topological sweep ({@link IndexedGraph#topologicalOrder()}) rejects a cycle
 * with {@link org.jdask.CycleException} before anything runs. Tasks with no dependencies go into
 * a min-heap by priority.
 *
 * <p>The calling thread is always worker 0 (the number listeners see in {@code pretask}), and
 * {@code workers - 1} helpers (numbered 1..) are submitted to the executor. Every worker runs the same loop: under one lock, take the best ready task; unlock;
 * run it (DataNode → value, Alias → target's value, Task → {@code execute} with keys looked up
 * among its dependencies); lock again and record the completion itself — store the value, count
 * down its dependencies' {@code remaining} (releasing values nobody needs any more, outputs
 * excepted) and its dependents' {@code waiting} (pushing those that reach zero), wake idle
 * workers if more became ready. There is no central thread and no per-task future: a task costs
 * two lock round trips and a few int operations. Because the caller works too, a task that
 * calls {@code compute()} from a pool thread makes progress on its nested graph even when every
 * pool thread is busy, so nested runs cannot deadlock.
 *
 * <p>The first task failure stops the hand-out of new tasks; running siblings finish, then the
 * caller throws {@link TaskFailedException} with the user's exception as cause. Interrupting the
 * caller cancels the run at once (running tasks on helpers finish in the background, nothing new
 * starts) and throws a {@link JdaskException} with the interrupt flag restored; only the
 * caller's interrupt cancels. All state lives in {@link RunState}; every wait is a timed wait
 * re-checking it. The run's config ({@link RunOptions#config()}) is applied as a {@link
 * Config#apply} scope on every worker while it works, so tasks, and any {@code compute()} they
 * call, see the caller's settings.
 *
 * <p>Scheduler state per task: about 25 bytes in {@link RunState} plus the {@link IndexedGraph}
 * (two references, two row offsets and 8 bytes per edge) and the priorities; a million-task graph
 * runs in about a second on two cores (informal figures from {@code LocalEngineTest}).
 *
 * <p>Listeners ({@link RunOptions#listeners()}) get {@code start} before the first task, {@code
 * pretask}/{@code posttask} on the worker's thread around every node (data and aliases included),
 * and {@code finish} after the last; a listener that throws is logged (once per run with its stack)
 * and otherwise ignored, as on every scheduler ({@link ListenerCalls}).
 */
public final class LocalEngine implements Scheduler {
    private static final Logger LOG = LoggerFactory.getLogger(LocalEngine.class);
    private static final long IDLE_WAIT = RunState.millis(100);
    /** Helper loops currently inside a run, JVM-wide (for leak tests). */
    private static final AtomicInteger ACTIVE_HELPERS = new AtomicInteger();

    private final Executor executor;
    private final int workers;

    /**
     * An engine running at most {@code workers} tasks at once: the calling thread plus {@code
     * workers - 1} helpers submitted to {@code executor} per run.
     */
    public LocalEngine(Executor executor, int workers) {
        if (workers < 1) throw new IllegalArgumentException("workers must be >= 1, got " + workers);
        this.executor = Objects.requireNonNull(executor, "executor");
        this.workers = workers;
    }

    public int workers() {
        return workers;
    }

    /** Number of helper workers (JVM-wide) still inside some run's loop. */
    public static int activeHelpers() {
        return ACTIVE_HELPERS.get();
    }

    @Override
    public List<Object> get(TaskGraph graph, List<Key> outputs, RunOptions options) {
        RunState s = prepare(graph, outputs);
        ListenerCalls listeners = new ListenerCalls(options.listeners());
        listeners.start(graph);
        Throwable error = null;
        try (Config.Scope ignored = Config.apply(options.config())) {
            startHelpers(s, options, listeners);
            try {
                work(s, new Worker(s, 0, listeners, true));
            } catch (InterruptedException e) {
                throw cancelled(s);
            }
            s.lock.lock();
            try {
                if (s.cancelled) throw cancelled(s);
                if (s.error != null) {
                    awaitSiblings(s);
                    throw new TaskFailedException(s.graph.key(s.errorTask), s.error);
                }
                List<Object> out = new ArrayList<>(s.outputs.length);
                for (int i : s.outputs) out.add(s.cache[i]);
                return out;
            } finally {
                s.lock.unlock();
            }
        } catch (RuntimeException e) {
            error = e;
            throw e;
        } finally {
            listeners.finish(error);
        }
    }

    /** Validates and builds the state: missing keys, then cycles, fail here before any task runs. */
    static RunState prepare(TaskGraph graph, List<Key> outputs) {
        IndexedGraph g = IndexedGraph.of(graph); // NoSuchElementException naming key and reader
        // the cycle check is Order.priorities(g) below (IndexedGraph.topologicalOrder), before any task runs
        // outputs get one extra reader so they are never released (a repeated output counts once: DependencyCounts)
        int[] out = g.indicesOf(outputs);
        return new RunState(g, Order.priorities(g), out);
    }

    private void startHelpers(RunState s, RunOptions options, ListenerCalls listeners) {
        int helpers = Math.min(workers - 1, s.graph.size() - 1);
        for (int w = 1; w <= helpers; w++) {
            Worker worker = new Worker(s, w, listeners, false);
            try {
                executor.execute(() -> {
                    ACTIVE_HELPERS.incrementAndGet();
                    try (Config.Scope ignored = Config.apply(options.config())) {
                        work(s, worker);
                    } catch (InterruptedException e) {
                        worker.interrupted = true; // not thrown for helpers; kept for completeness
                    } finally {
                        ACTIVE_HELPERS.decrementAndGet();
                        if (worker.interrupted) Thread.currentThread().interrupt();
                    }
                });
            } catch (RejectedExecutionException e) {
                LOG.debug("executor refused helper {}; the caller works alone", w, e);
                break;
            }
        }
    }

    /** The worker loop; see the class essay. Only the caller's loop throws InterruptedException. */
    private static void work(RunState s, Worker w) throws InterruptedException {
        s.lock.lock();
        try {
            while (!s.stopped()) {
                if (w.caller && Thread.interrupted()) throw new InterruptedException();
                int t = s.take();
                if (t < 0) {
                    if (w.caller) s.await(IDLE_WAIT);
                    else awaitUninterruptibly(s, w);
                    continue;
                }
                s.lock.unlock();
                Object value = null;
                Throwable failure = null;
                try {
                    value = w.run(t);
                } catch (Throwable e) {
                    failure = e;
                } finally {
                    s.lock.lock();
                }
                if (failure == null) {
                    s.complete(t, value);
                } else if (w.caller && (failure instanceof InterruptedException || Thread.currentThread().isInterrupted())) {
                    s.running--;
                    throw new InterruptedException();
                } else {
                    s.fail(t, failure);
                }
            }
        } finally {
            s.lock.unlock();
        }
    }

    /**
     * A helper's wait. Only the caller's interrupt cancels a run: a helper that is interrupted (a
     * task interrupting its own thread, an executor shutting down) keeps working and restores the
     * flag when it leaves the run, so the executor still sees it.
     */
    private static void awaitUninterruptibly(RunState s, Worker w) {
        try {
            s.await(IDLE_WAIT);
        } catch (InterruptedException e) {
            w.interrupted = true;
        }
    }

    /** After a failure, lets running siblings finish (the caller's interrupt stops the wait). */
    private static void awaitSiblings(RunState s) {
        while (s.running > 0) {
            try {
                s.changed.awaitNanos(IDLE_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static JdaskException cancelled(RunState s) {
        s.lock.lock();
        try {
            s.cancel();
            Thread.currentThread().interrupt();
            return new JdaskException("run interrupted: cancelled with " + s.finished + " of " + s.graph.size()
                    + " tasks finished");
        } finally {
            s.lock.unlock();
        }
    }

    /** One worker of one run: runs a task with the listeners around it and looks its arguments up. */
    private static final class Worker implements Function<Key, Object> {
        private final RunState s;
        private final int id;
        private final ListenerCalls listeners;
        private final boolean caller;
        /** A helper saw an interrupt while waiting; re-asserted when it leaves the run. */
        boolean interrupted;
        private int task;
        private int cursor;
        private HashMap<Key, Integer> index;

        Worker(RunState s, int id, ListenerCalls listeners, boolean caller) {
            this.s = s;
            this.id = id;
            this.listeners = listeners;
            this.caller = caller;
        }

        Object run(int t) throws Exception {
            Key key = s.graph.key(t);
            if (!listeners.isEmpty()) listeners.pretask(key, id);
            Object v;
            try {
                v = execute(t);
            } catch (Throwable e) {
                if (!listeners.isEmpty()) listeners.posttask(key, null, id, true);
                throw e;
            }
            if (!listeners.isEmpty()) listeners.posttask(key, v, id, false);
            return v;
        }

        private Object execute(int t) throws Exception {
            Node n = s.graph.node(t);
            if (n instanceof Task task) {
                this.task = t;
                this.cursor = 0;
                this.index = null;
                return task.execute(this);
            }
            if (n instanceof DataNode d) return d.value();
            if (n instanceof Alias) return s.cache[s.graph.dependency(t, 0)]; // the target is its only dependency
            throw new IllegalStateException("unknown node type " + n.getClass().getName() + " for " + s.graph.key(t));
        }

        /** The value of dependency {@code key} of the current task: scans from the last hit, then hashes. */
        @Override
        public Object apply(Key key) {
            IndexedGraph g = s.graph;
            int t = task;
            int count = g.dependencyCount(t);
            if (index == null) {
                int limit = count <= 32 ? count : 8;
                for (int i = 0, j = cursor; i < limit; i++) {
                    int d = g.dependency(t, j);
                    if (++j == count) j = 0;
                    Key k = g.key(d);
                    if (k == key || k.equals(key)) {
                        cursor = j;
                        return s.cache[d];
                    }
                }
                if (count <= 32) throw new IllegalStateException("task " + g.key(t) + " read " + key + ", not a dependency");
                index = new HashMap<>(count * 4 / 3 + 1);
                for (int j = 0; j < count; j++) index.put(g.key(g.dependency(t, j)), g.dependency(t, j));
            }
            Integer d = index.get(key);
            if (d == null) throw new IllegalStateException("task " + g.key(t) + " read " + key + ", not a dependency");
            return s.cache[d];
        }
    }
}

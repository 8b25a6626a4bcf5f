package org.jdask.schedulers;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jdask.graph.IndexedGraph;
import org.jdask.schedulers.internal.DependencyCounts;
import org.jdask.schedulers.internal.IntHeap;

/**
 * The whole mutable state of one {@link LocalEngine} run, indexed by task number of an {@link
 * IndexedGraph}. Every field is guarded by {@link #lock} except the final arrays' identities and
 * the {@link #cache} slots of a running task's dependencies (read without the lock, see below).
 *
 * <p>A task moves {@link #WAITING} → {@link #READY} → {@link #RUNNING} → {@link #MEMORY} →
 * {@link #RELEASED}; outputs stop at {@code MEMORY}, a task that throws ends in {@link #ERRED}.
 * The ready heap ({@link IntHeap}) and the completion/release counts ({@link DependencyCounts})
 * are the ones the {@code processes} engine uses too.
 * Per task the state costs 4 ints (priority, waiting, remaining, heap slot), one reference and
 * one byte: about 25 bytes.
 *
 * <p>Memory visibility: a task's result is written to {@link #cache} under the lock before any
 * dependent becomes ready, and a worker takes a ready task under the same lock, so the worker
 * sees its dependencies' values when it reads them after unlocking. A dependency's slot is
 * cleared only when {@link #remaining} reaches zero, i.e. after every reader has finished.
 */
final class RunState {
    /** Some dependency has not finished. */
    static final byte WAITING = 0;
    /** All dependencies finished; in the {@link #ready} heap. */
    static final byte READY = 1;
    /** Taken by a worker. */
    static final byte RUNNING = 2;
    /** Finished; its value is in {@link #cache}. */
    static final byte MEMORY = 3;
    /** Finished and no longer needed: its {@link #cache} slot was cleared. */
    static final byte RELEASED = 4;
    /** Threw; its exception is {@link #error} if it was the first failure. */
    static final byte ERRED = 5;

    /** The graph being run; task {@code i} is {@code graph.key(i)}. */
    final IndexedGraph graph;
    /** Static priority per task from {@link org.jdask.graph.Order#priorities(IndexedGraph)}; lower runs first. */
    final int[] priority;
    /**
     * Per task, how many of its dependencies have not finished yet (the task is ready at zero), and
     * how many dependents have not finished yet plus one if it is an output (its value is released
     * from {@link #cache} at zero): the bookkeeping shared with the {@code processes} engine.
     */
    final DependencyCounts counts;
    /** {@code counts.waiting} and {@code counts.remaining}, for tests and diagnostics. */
    final int[] waiting, remaining;
    /** Per task, its result while some dependent or the caller needs it; null otherwise. */
    final Object[] cache;
    /** Per task, one of {@link #WAITING}..{@link #ERRED} (for diagnostics and tests). */
    final byte[] state;
    /** Task numbers of the requested outputs, in request order (repeats allowed). */
    final int[] outputs;
    /** The ready tasks, ordered by {@link #priority}. */
    final IntHeap ready;
    /** Number of tasks taken by a worker and not yet completed. */
    int running;
    /** Number of tasks finished successfully; the run is done when it reaches {@code graph.size()}. */
    int finished;
    /** Number of workers waiting on {@link #changed} for a ready task. */
    int idle;
    /** The first task failure (the user's exception), or null. */
    Throwable error;
    /** The task that raised {@link #error}, or -1. */
    int errorTask = -1;
    /** The caller was interrupted: no task starts any more. */
    boolean cancelled;
    /** Guards everything above. */
    final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a task becomes ready and when the run stops. */
    final Condition changed = lock.newCondition();

    RunState(IndexedGraph graph, int[] priority, int[] outputs) {
        int n = graph.size();
        this.outputs = outputs;
        this.graph = graph;
        this.priority = priority;
        this.counts = new DependencyCounts(graph, outputs);
        this.waiting = counts.waiting;
        this.remaining = counts.remaining;
        this.cache = new Object[n];
        this.state = new byte[n];
        this.ready = new IntHeap(n, priority);
        for (int i = 0; i < n; i++) if (waiting[i] == 0) push(i);
    }

    /** Nothing more will start: everything finished, a task failed, or the caller cancelled. */
    boolean stopped() {
        return error != null || cancelled || finished == graph.size();
    }

    /** Takes the ready task with the lowest priority, or -1 when none is ready. */
    int take() {
        if (ready.size() == 0) return -1;
        int top = ready.pop();
        state[top] = RUNNING;
        running++;
        return top;
    }

    private void push(int t) {
        ready.push(t);
        state[t] = READY;
    }

    /** What a finished task's bookkeeping does here: clear a released value, queue a task whose inputs are all done. */
    private final DependencyCounts.Moves moves = new DependencyCounts.Moves() {
        @Override
        public void released(int d) {
            cache[d] = null;
            state[d] = RELEASED;
        }

        @Override
        public void inputsDone(int u) {
            push(u);
        }
    };

    /** Task {@code t} produced {@code value}: store it, release what is no longer needed, wake dependents. */
    void complete(int t, Object value) {
        running--;
        finished++;
        cache[t] = value;
        state[t] = MEMORY;
        int before = ready.size();
        counts.finished(t, moves);
        int heapSize = ready.size();
        if (finished == graph.size() || error != null || cancelled) {
            changed.signalAll(); // done, or a caller waits for running siblings after a stop
        } else if (idle > 0 && heapSize > 0) {
            // this worker takes one ready task itself; wake others for the rest
            int wake = Math.min(idle, heapSize - (before == heapSize ? 0 : 1));
            for (int i = 0; i < wake; i++) changed.signal();
        }
    }

    /** Task {@code t} threw {@code e}: the first failure wins and stops the run. */
    void fail(int t, Throwable e) {
        running--;
        if (error == null) {
            error = e;
            errorTask = t;
        }
        state[t] = ERRED;
        changed.signalAll();
    }

    void cancel() {
        cancelled = true;
        changed.signalAll();
    }

    /** Waits (lock held) up to {@code nanos} for a change; returns the nanos left. */
    long await(long nanos) throws InterruptedException {
        idle++;
        try {
            return changed.awaitNanos(nanos);
        } finally {
            idle--;
        }
    }

    /** Per state, how many tasks are in it (index = state byte); call with the lock held. */
    int[] counts() {
        int[] c = new int[6];
        for (byte b : state) c[b]++;
        return c;
    }

    @Override
    public String toString() {
        int[] c = counts();
        return "RunState(waiting=" + c[WAITING] + ", ready=" + c[READY] + ", running=" + c[RUNNING] + ", memory="
                + c[MEMORY] + ", released=" + c[RELEASED] + ", erred=" + c[ERRED] + ", cancelled=" + cancelled + ")";
    }

    static long millis(long ms) {
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }
}

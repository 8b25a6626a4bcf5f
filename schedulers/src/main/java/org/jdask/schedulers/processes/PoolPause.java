package org.jdask.schedulers.processes;

/**
 * A {@code processes} worker JVM's pause (issue 15, Dask's {@code distributed.worker.memory.pause}):
 * past that fraction (0.8) of its heap in use after a collection, the worker tells the parent
 * ({@link Protocol#MEMORY}), which sends it no new task until it says it is back under; tasks
 * already queued on it still run. Spilling comes first ({@link ValueStore}): a worker pauses only
 * for memory spilling cannot free (values that cannot be encoded, what tasks keep outside the
 * store). A paused worker checks again after every operation the parent sends and, while idle,
 * every {@link #IDLE_CHECK_MILLIS}.
 *
 * <p>Worker side only: the parent's half is {@link RemoteRunState#paused}.
 */
final class PoolPause {
    /** While paused and idle, how often memory is looked at again. */
    static final long IDLE_CHECK_MILLIS = 100;
    /** At most one collection per this many nanoseconds to tell live data from garbage. */
    private static final long GC_INTERVAL_NANOS = 250_000_000L;

    private final long limit;
    private double pause = 0.8;
    private boolean paused;
    private long lastGc = System.nanoTime() - GC_INTERVAL_NANOS;

    /** For a JVM of {@code limit} bytes of heap. */
    PoolPause(long limit) {
        this.limit = limit;
    }

    /** A new run: its config may set {@code distributed.worker.memory.pause} (0 or false: never pause). */
    void reset() {
        pause = ValueStore.fraction("pause", 0.8);
    }

    boolean paused() {
        return paused;
    }

    /**
     * Looks at the heap: returns the new state when it changed (true: now paused), else null. A
     * reading past {@code pause} is checked after a collection, so garbage never pauses a worker;
     * a paused worker collects before each look (at most every 250 ms) to see memory fall.
     */
    Boolean check() {
        long bytes = pause <= 0 || limit <= 0 ? Long.MAX_VALUE : (long) (pause * limit);
        long used = used();
        if (!paused && used <= bytes) return null;
        long now = System.nanoTime();
        if (now - lastGc >= GC_INTERVAL_NANOS) {
            System.gc(); // live data or garbage?
            lastGc = now;
            used = used();
        }
        boolean p = used > bytes;
        if (p == paused) return null;
        paused = p;
        System.err.println((p ? "paused: heap in use " : "resumed: heap in use ") + (used >> 20) + " MB is " + (p ? "past" : "back under")
                + " pause (" + pause + " of " + (limit >> 20) + " MB, distributed.worker.memory.pause)");
        return p;
    }

    private static long used() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}

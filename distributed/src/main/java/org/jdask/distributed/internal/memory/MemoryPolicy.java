package org.jdask.distributed.internal.memory;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import org.jdask.Config;

/**
 * A worker's memory thresholds, as in Dask: bytes {@code limit} and the fractions of it past which
 * the worker spills least-recently-used data ({@code target}, by the bytes it tracks), spills by
 * process memory ({@code spill}), stops starting tasks ({@code pause}) and has its nanny restart it
 * ({@code terminate}). A fraction of {@code 0} turns that step off (Dask writes {@code false}).
 * Pure: {@link #decide} maps measurements to one {@link Action}, so every rule is unit-tested.
 */
public record MemoryPolicy(long limit, double target, double spill, double pause, double terminate) {
    /** Config keys, under {@code distributed.worker.memory.}. */
    public static final String PREFIX = "distributed.worker.memory.";

    public MemoryPolicy {
        if (limit < 0) throw new IllegalArgumentException("memory limit must be >= 0 bytes, got " + limit);
        check("target", target);
        check("spill", spill);
        check("pause", pause);
        check("terminate", terminate);
    }

    private static void check(String name, double f) {
        if (!(f >= 0 && f <= 1)) {
            throw new IllegalArgumentException("config " + PREFIX + name + " must be a fraction of the memory limit in [0, 1]"
                    + " (or false to turn it off), got " + f);
        }
    }

    /** The fractions from config {@code distributed.worker.memory.*} (Dask's defaults 0.6/0.7/0.8/0.95). */
    public static MemoryPolicy fromConfig(long limit) {
        return new MemoryPolicy(limit, fraction("target", 0.6), fraction("spill", 0.7), fraction("pause", 0.8),
                fraction("terminate", 0.95));
    }

    /**
     * {@code distributed.worker.memory.gc-thrash} (0.5): past this fraction of the last few seconds
     * spent in garbage collection a worker JVM spills every result and pauses (see {@link GcLoad}); false or 0 turns it off.
     */
    public static double gcThrash() {
        double f = fraction("gc-thrash", 0.5);
        if (!(f >= 0 && f <= 1)) {
            throw new IllegalArgumentException("config " + PREFIX + "gc-thrash must be a fraction of time in [0, 1] (or false to turn it off), got " + f);
        }
        return f;
    }

    private static double fraction(String name, double fallback) {
        Object v = Config.get(PREFIX + name);
        if (v instanceof Boolean b) {
            if (b) throw new IllegalArgumentException("config " + PREFIX + name + " must be a fraction or false, got true");
            return 0;
        }
        if (v instanceof String s && s.trim().equalsIgnoreCase("false")) return 0;
        return Config.getDouble(PREFIX + name, fallback);
    }

    /**
     * Dask's default when no limit is given: the machine's physical memory divided by the workers
     * sharing it (never unlimited); the JVM's maximum heap where the machine's size is unknown.
     */
    public static long defaultLimit(int workersOnMachine) {
        long total = physicalMemory();
        if (total <= 0) total = Runtime.getRuntime().maxMemory();
        return total / Math.max(1, workersOnMachine);
    }

    /** Total physical memory in bytes, or -1 if the JVM cannot tell. */
    public static long physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) return os.getTotalMemorySize();
        return -1;
    }

    /**
     * This policy for a process that can hold only {@code capacity} bytes of long-lived data (less
     * than {@link #limit}): {@code target}, {@code spill} and {@code pause} become the same
     * fractions of {@code capacity}, so the worker spills and pauses while a task's working set and
     * a transfer still fit beside its data. {@code terminate} and the limit stay: memory in use
     * passes the old generation for moments (young objects, direct buffers), and a restart loses
     * every result the worker holds (terminate scaled too restarted the 3x shuffle's workers in a
     * loop). Unchanged when {@code capacity} is unknown ({@code <= 0}) or not below the limit.
     */
    public MemoryPolicy within(long capacity) {
        if (capacity <= 0 || limit <= 0 || capacity >= limit) return this;
        double c = (double) capacity / limit;
        return new MemoryPolicy(limit, target * c, spill * c, pause * c, terminate);
    }

    /**
     * What this JVM's heap can hold of long-lived data: its old generation's maximum when the
     * collector has one of a fixed size (the parallel and serial collectors: two thirds of the
     * heap by default), else the whole heap. With the parallel collector a 128 MiB heap ran out of
     * memory with 85 MB live, far below {@code terminate} (0.95 of the heap, issue 15).
     */
    public static long longLivedCapacity() {
        long heap = Runtime.getRuntime().maxMemory();
        for (java.lang.management.MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            String n = p.getName();
            if (p.getType() == java.lang.management.MemoryType.HEAP && (n.endsWith("Old Gen") || n.startsWith("Tenured"))) {
                long max = p.getUsage().getMax();
                if (max > 0 && max < heap) return max;
            }
        }
        return heap;
    }

    public long targetBytes() {
        return bytes(target);
    }

    public long spillBytes() {
        return bytes(spill);
    }

    public long pauseBytes() {
        return bytes(pause);
    }

    public long terminateBytes() {
        return bytes(terminate);
    }

    /** {@code fraction * limit}, or {@code Long.MAX_VALUE} when the step is off or there is no limit. */
    private long bytes(double fraction) {
        return fraction <= 0 || limit <= 0 ? Long.MAX_VALUE : (long) (fraction * limit);
    }

    /**
     * The managed bytes a worker JVM keeps in memory while its tasks, transfers and buffers hold
     * {@code unmanagedPeak} bytes of live heap (the most seen after a collection lately): what
     * fits under {@code spill} beside them, at most {@code target}, and at least a quarter of
     * {@code target} (a worker must keep something in memory to work at all). Dask spills by
     * process memory once it is past {@code spill}; a JVM's heap cannot pass its maximum, so a
     * worker of a 128 MiB heap whose shuffle sort held 40 MB had to make the room before the
     * task, not after it (issue 15: full collections back to back, then out of memory).
     */
    public long roomForData(long unmanagedPeak) {
        long t = targetBytes(), s = spillBytes();
        if (t == Long.MAX_VALUE || s == Long.MAX_VALUE || unmanagedPeak <= 0) return t;
        return Math.max(t / 4, Math.min(t, s - unmanagedPeak));
    }

    /** Whether a single value of {@code nbytes} can never fit: it fails its task. */
    public boolean oversized(long nbytes) {
        return limit > 0 && nbytes > limit;
    }

    /** What the worker should do now. */
    public enum Action {
        /** Nothing to do (resume if paused). */
        OK,
        /** Spill managed data until the process is back under {@code target}. */
        SPILL,
        /** Spill, and start no new task nor fetch until memory falls back under {@code pause}. */
        PAUSE,
        /** The process is past {@code terminate}: exit so the nanny restarts it. */
        TERMINATE
    }

    /**
     * The action for a process using {@code processBytes} (heap live after the last collection plus
     * off-heap buffers) with {@code managedInMemory} bytes of tracked data not yet spilled.
     * Managed data past {@code target} always spills; process memory past {@code spill} spills
     * too (what the tracker underestimates), past {@code pause} pauses, past {@code terminate}
     * terminates.
     */
    public Action decide(long managedInMemory, long processBytes) {
        if (limit <= 0) return Action.OK;
        if (processBytes > terminateBytes()) return Action.TERMINATE;
        if (processBytes > pauseBytes()) return Action.PAUSE;
        if (processBytes > spillBytes() || managedInMemory > targetBytes()) return Action.SPILL;
        return Action.OK;
    }

    /**
     * How many managed bytes to spill to get back under {@code target}: past {@code target} by
     * the tracker, or by the process (spilling what the process holds above target, at most what
     * is managed).
     */
    public long toSpill(long managedInMemory, long processBytes) {
        long t = targetBytes();
        if (t == Long.MAX_VALUE) return 0;
        long byManaged = managedInMemory - t;
        long byProcess = processBytes > spillBytes() ? processBytes - t : 0;
        return Math.max(0, Math.min(managedInMemory, Math.max(byManaged, byProcess)));
    }
}

package org.jdask.distributed.internal.memory;

import com.sun.management.GcInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How much of the last few seconds this JVM spent collecting garbage, and what its last full
 * collection left live: the memory manager's early warning of a heap that is about to wedge.
 *
 * <h2>Why</h2>
 * A worker whose heap holds more live data than it can collect away does not fail at once: the
 * parallel collector runs full collection after full collection, each freeing a little, and the
 * worker's threads get a few percent of the CPU between them. Its I/O loop stops heartbeating and
 * after {@code distributed.admin.watchdog-timeout} (60 s) the watchdog ends the JVM and the nanny
 * restarts it, losing every result it held (issue 15: the 3x shuffle on 128 MiB workers). The
 * fraction of wall time spent in collections ({@code GarbageCollectorMXBean.getCollectionTime})
 * rises well before that, so the memory manager spills and pauses when it passes
 * {@code distributed.worker.memory.gc-thrash} (0.5 over {@link #WINDOW_NANOS}), while there is
 * still time to act.
 *
 * <p>The same beans say what the JVM's own last full collection left live
 * ({@link #lastFull}): when it is recent, the memory manager reads it instead of forcing a
 * collection with {@code System.gc()} (a worker in a tight heap has full collections every second
 * or two anyway, and each forced one cost 100-200 ms of a 128 MiB heap).
 *
 * <p>The windowed fraction is a pure function of the samples ({@link #add}), so it is unit-tested
 * with made-up clocks; {@link #sample} feeds it from this JVM.
 */
public final class GcLoad {
    /** The window the fraction is taken over. */
    static final long WINDOW_NANOS = 5_000_000_000L;

    private record Sample(long nanos, long gcMillis) {}

    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private final List<GarbageCollectorMXBean> beans = ManagementFactory.getGarbageCollectorMXBeans();
    /** The heap's pools (a collection's report covers metaspace and code too). */
    private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());

    /**
     * Adds a reading ({@code nanos}: a monotonic clock; {@code gcMillis}: total collection time so
     * far) and returns the fraction of the window spent collecting, 0 until the samples span at
     * least half the window (a single long pause at start-up is no trend).
     */
    double add(long nanos, long gcMillis) {
        samples.addLast(new Sample(nanos, gcMillis));
        while (samples.size() > 2 && nanos - samples.peekFirst().nanos() > WINDOW_NANOS) samples.removeFirst();
        Sample first = samples.peekFirst();
        long span = nanos - first.nanos();
        if (span < WINDOW_NANOS / 2) return 0;
        return Math.min(1.0, (gcMillis - first.gcMillis()) * 1e6 / span);
    }

    /** Reads this JVM's collection time now; the fraction of the last few seconds spent collecting. */
    public double sample() {
        long ms = 0;
        for (GarbageCollectorMXBean b : beans) ms += Math.max(0, b.getCollectionTime());
        return add(System.nanoTime(), ms);
    }

    /** What a full collection left: when it ended (ms since the JVM started) and the heap bytes still in use. */
    public record Full(long endUptimeMs, long heapUsedAfter) {}

    /**
     * The last full collection of this JVM (the collector of the old generation: "PS MarkSweep",
     * "MarkSweepCompact", "G1 Old Generation"), or null when there was none or the JVM cannot tell.
     */
    public Full lastFull() {
        for (GarbageCollectorMXBean b : beans) {
            String n = b.getName();
            boolean old = n.contains("MarkSweep") || n.contains("Old") || n.equals("G1 Full GC");
            if (!old || !(b instanceof com.sun.management.GarbageCollectorMXBean sun)) continue;
            GcInfo info = sun.getLastGcInfo();
            if (info == null) continue;
            long used = 0;
            for (Map.Entry<String, MemoryUsage> u : info.getMemoryUsageAfterGc().entrySet()) {
                if (heapPools.contains(u.getKey())) used += u.getValue().getUsed();
            }
            return new Full(info.getEndTime(), used);
        }
        return null;
    }

    /** Milliseconds since this JVM started (the clock of {@link Full#endUptimeMs}). */
    public static long uptimeMs() {
        return ManagementFactory.getRuntimeMXBean().getUptime();
    }
}

package org.jdask.distributed;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdask.Config;
import org.jdask.distributed.internal.memory.LocalDirectory;
import org.jdask.distributed.internal.memory.MemoryPolicy;
import org.slf4j.LoggerFactory;

/** What a {@link Nanny} does for its worker's memory manager. */
final class NannyMemory {
    private NannyMemory() {}

    /**
     * Flags for a worker JVM's memory manager, given the command so far: the parallel collector
     * unless one was chosen, and {@code -Djdask.distributed.worker.memory.*} for every such setting
     * in force here, so a worker JVM uses the thresholds its cluster was built with
     * ({@code Config.set} in the starting thread, or this JVM's own configuration).
     *
     * <p>Why not G1 (the JVM's default): G1 never moves a humongous object (one of half a region
     * or more: every 16 MB chunk in a small heap), so a worker that keeps, spills and reloads such
     * chunks fragments its heap and runs out of memory with a third of it free; the parallel
     * collector compacts, and it is the throughput collector batch work wants anyway. A heap of at
     * most {@link #SERIAL_HEAP} gets the serial collector instead (compacting too): its collections
     * are a few milliseconds, and two parallel collector threads per worker JVM only waited on each
     * other (issue 15, 3x shuffle on 2 x 128 MiB, 1.5x variant: young collections 0.9 s instead of
     * 2.3 s per worker, same full collections; the run 24.4-25.6 s vs 26.2 s, load ~4).
     */
    static List<String> jvmFlags(List<String> command) {
        List<String> out = new ArrayList<>();
        boolean gcChosen = false;
        long heap = -1;
        for (String f : command) {
            gcChosen |= f.startsWith("-XX:+Use") && f.endsWith("GC");
            if (f.startsWith("-Xmx")) heap = heapBytes(f.substring(4)); // the last one wins, as for the JVM
        }
        if (!gcChosen) out.add(heap > 0 && heap <= SERIAL_HEAP ? "-XX:+UseSerialGC" : "-XX:+UseParallelGC");
        for (Map.Entry<String, Object> e : config().entrySet()) out.add("-Djdask." + e.getKey() + "=" + e.getValue());
        return out;
    }

    /** Heaps up to this size get the serial collector (see {@link #jvmFlags}). */
    static final long SERIAL_HEAP = 256L << 20;

    /** An {@code -Xmx} value in bytes ({@code 134217728}, {@code 128m}, {@code 2G}); -1 if it is not one. */
    static long heapBytes(String v) {
        if (v.isEmpty()) return -1;
        char unit = Character.toLowerCase(v.charAt(v.length() - 1));
        int shift = switch (unit) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            case 't' -> 40;
            default -> 0;
        };
        try {
            return Long.parseLong(shift == 0 ? v : v.substring(0, v.length() - 1)) << shift;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The {@code distributed.worker.memory.*} settings in force on this thread. */
    static Map<String, Object> config() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : Config.snapshot().entrySet()) {
            if (e.getKey().startsWith(MemoryPolicy.PREFIX) && e.getValue() != null && !(e.getValue() instanceof Map)) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /** Deletes a dead worker JVM's directory (its spill store), which a killed JVM could not. */
    static void cleanUp(Path dir) {
        try {
            LocalDirectory.delete(dir);
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(Nanny.class).warn("cannot delete the worker directory {}: {}", dir, e.toString());
        }
    }

    /** Why a worker JVM exited, from its exit code. */
    static String explain(int code) {
        if (code == WorkerMemory.EXIT_MEMORY) return " (restarting: memory: past " + MemoryPolicy.PREFIX + "terminate)";
        if (code == WorkerMain.EXIT_OUT_OF_MEMORY) return " (restarting: memory: heap exhausted outside a task)";
        if (code == WorkerMain.EXIT_CRASHED) return " (its I/O loop crashed: see its log)";
        return "";
    }
}

package org.jdask.distributed.dashboard;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jdask.distributed.internal.Payload;

/**
 * What a worker's heartbeat tells the scheduler about its process (see PROTOCOL.md):
 * {@code memory} (resident set size in bytes from {@code /proc/self/statm}; the JVM's committed
 * heap where that file does not exist), {@code memory_limit} (the worker's limit if it has one,
 * else the JVM's maximum heap), {@code heap_used}, and {@code cpu}: the process's CPU time over
 * wall time since the previous sample, in percent of one core. Workers that are threads of one JVM
 * all report that JVM.
 */
public final class WorkerMetrics {
    private static final Path STATM = Path.of("/proc/self/statm");
    private static final long PAGE = 4096;
    private final long limit;
    private long lastCpuNanos = -1, lastWallNanos;
    /** Values fetched from peers and their bytes, since the start (the performance report's transfers). */
    private final AtomicLong transfers = new AtomicLong(),
            transferBytes = new AtomicLong();

    /** {@code memoryLimit} in bytes, or {@code <= 0} for the JVM's maximum heap. */
    public WorkerMetrics(long memoryLimit) {
        this.limit = memoryLimit > 0 ? memoryLimit : Runtime.getRuntime().maxMemory();
    }

    /** One sample (call from one thread; each call measures CPU since the previous one). */
    public Map<String, Object> sample() {
        Runtime rt = Runtime.getRuntime();
        long heapUsed = rt.totalMemory() - rt.freeMemory();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("memory", rss(rt.totalMemory()));
        m.put("memory_limit", limit);
        m.put("heap_used", heapUsed);
        m.put("cpu", cpuPercent());
        m.put("transfers", transfers.get());
        m.put("transfer_bytes", transferBytes.get());
        return m;
    }

    /** Counts values fetched from a peer (any thread). */
    public void transferred(List<Payload> values) {
        long bytes = 0;
        for (Payload p : values) bytes += Math.max(0, p.encodedSize()); // in-process values were never encoded
        transfers.addAndGet(values.size());
        transferBytes.addAndGet(bytes);
    }

    private static long rss(long fallback) {
        try {
            String[] f = Files.readString(STATM).trim().split("\\s+");
            return Long.parseLong(f[1]) * PAGE;
        } catch (IOException | RuntimeException e) {
            return fallback;
        }
    }

    private double cpuPercent() {
        long cpu = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            cpu = os.getProcessCpuTime();
        }
        long wall = System.nanoTime();
        double pct = 0;
        if (cpu >= 0 && lastCpuNanos >= 0 && wall > lastWallNanos) {
            pct = 100.0 * (cpu - lastCpuNanos) / (wall - lastWallNanos);
        }
        lastCpuNanos = cpu;
        lastWallNanos = wall;
        return Math.round(pct * 10) / 10.0;
    }
}

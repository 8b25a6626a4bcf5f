package org.jdask.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Samples the resident set ({@code VmRSS} of {@code /proc/PID/status}) of some processes every
 * {@code periodMs} on a daemon thread and keeps each one's largest sample, and reads the kernel's
 * own high-water mark ({@code VmHWM}) when closed, while the processes still run. The sampled
 * maximum can miss a peak shorter than the period; VmHWM cannot, but it is gone once the process
 * exits, which is why both are kept. The largest {@code RssAnon} (private memory: heap, direct
 * buffers) is kept too: VmRSS also counts the pages of mapped files (a worker's Chronicle Map spill
 * store), which the kernel can drop at any time. Linux only: elsewhere every figure is NaN.
 */
final class RssSampler implements AutoCloseable {
    private final List<Long> pids;
    private final Map<Long, Long> maxKb = new LinkedHashMap<>();
    private final Map<Long, Long> maxAnonKb = new LinkedHashMap<>();
    private final Map<Long, Long> hwmKb = new LinkedHashMap<>();
    private final Poll poll;

    RssSampler(List<Long> pids, long periodMs) {
        this.pids = List.copyOf(pids);
        for (long p : pids) {
            maxKb.put(p, -1L);
            maxAnonKb.put(p, -1L);
        }
        poll = new Poll("rss-sampler", periodMs, this::sample);
    }

    private synchronized void sample() {
        for (long p : pids) {
            long kb = field(p, "VmRSS:");
            if (kb > maxKb.get(p)) maxKb.put(p, kb);
            long anon = field(p, "RssAnon:");
            if (anon > maxAnonKb.get(p)) maxAnonKb.put(p, anon);
        }
    }

    /** A field of {@code /proc/PID/status} in kB, -1 when there is none. */
    static long field(long pid, String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(name)) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** Stops sampling; reads VmHWM of every process (call it before they exit). */
    @Override
    public void close() throws InterruptedException {
        poll.close();
        synchronized (this) {
            for (long p : pids) hwmKb.put(p, field(p, "VmHWM:"));
        }
    }

    /** The largest sampled VmRSS of {@code pid}, MB (NaN if never read). */
    synchronized double maxRssMb(long pid) {
        long kb = maxKb.getOrDefault(pid, -1L);
        return kb < 0 ? Double.NaN : kb / 1024.0;
    }

    /** The largest sampled RssAnon of {@code pid}, MB (NaN if never read). */
    synchronized double maxAnonMb(long pid) {
        long kb = maxAnonKb.getOrDefault(pid, -1L);
        return kb < 0 ? Double.NaN : kb / 1024.0;
    }

    /** VmHWM of {@code pid} when closed, MB (NaN if not read). */
    synchronized double hwmMb(long pid) {
        long kb = hwmKb.getOrDefault(pid, -1L);
        return kb < 0 ? Double.NaN : kb / 1024.0;
    }

    /** "max sampled VmRSS (max RssAnon) / VmHWM" in MB for every process, joined with "; ". */
    synchronized String describe() {
        StringBuilder b = new StringBuilder();
        for (long p : pids) {
            if (b.length() > 0) b.append("; ");
            b.append(String.format("%.0f (%.0f) / %.0f", maxRssMb(p), maxAnonMb(p), hwmMb(p)));
        }
        return b.toString();
    }
}

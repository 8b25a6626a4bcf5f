package org.jdask.benchmarks;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Where an actor benchmark's slow calls come from (issue 19's actor p99): every waited-for call
 * with its start (epoch ms) and latency, the garbage-collection pauses of this JVM (from the JMX
 * notifications) and of the worker JVMs (their {@code -Xlog:gc} files, which
 * {@link #workerGcOption} asks for), and for the calls at or over the 99th percentile, which of
 * them overlapped a pause and where. {@link #split} gives the p99 of a fresh actor's first calls
 * apart from the rest, so first-call costs (JIT, the actor's thread and method cache, first
 * connections) are not mistaken for steady-state ones.
 */
final class ActorLatency {
    /** A pause, epoch milliseconds. */
    record Pause(String where, double startMs, double endMs) { }

    private final Path dir;
    private final List<Pause> clientPauses = new ArrayList<>();
    private final NotificationListener listener;

    /** Records this JVM's GC pauses from now on; worker GC logs and per-call files go to {@code dir}. */
    ActorLatency(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        listener = (n, handback) -> {
            if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) return;
            GarbageCollectionNotificationInfo i = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
            if (i.getGcAction().contains("end of") && !i.getGcName().contains("Concurrent")) { // pauses, not concurrent cycles
                synchronized (clientPauses) {
                    clientPauses.add(new Pause("client " + i.getGcName(), jvmStart + i.getGcInfo().getStartTime(), jvmStart + i.getGcInfo().getEndTime()));
                }
            }
        };
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener(listener, null, null);
        }
    }

    /** The worker JVM option that writes each worker's GC pauses into {@code dir} (one file per process). */
    static String workerGcOption(Path dir) {
        return "-Xlog:gc:file=" + dir.toAbsolutePath().resolve("worker-gc-%p.log") + ":time";
    }

    /** p99 of the first {@code first} calls and of the rest, microseconds ({@code lat} in nanoseconds, in call order). */
    static double[] split(long[] lat, int first) {
        int f = Math.min(first, lat.length);
        return new double[] {p99(Arrays.copyOfRange(lat, 0, f)), p99(Arrays.copyOfRange(lat, f, lat.length))};
    }

    static double p99(long[] lat) {
        if (lat.length == 0) return Double.NaN;
        long[] s = lat.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) (s.length * 0.99))] / 1e3;
    }

    /** Writes rep {@code rep}'s calls to {@code calls-REP.csv} and prints its slow calls with the pauses they overlap. */
    void report(String rep, long[] startMs, long[] lat) throws IOException {
        StringBuilder csv = new StringBuilder("call,start_epoch_ms,latency_us\n");
        for (int i = 0; i < lat.length; i++) csv.append(i).append(',').append(startMs[i]).append(',').append(lat[i] / 1000).append('\n');
        Files.writeString(dir.resolve("calls-" + rep + ".csv"), csv);
        List<Pause> pauses = pauses();
        double limit = p99(lat) * 1e3;
        int slow = 0, inGc = 0;
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < lat.length; i++) {
            if (lat[i] < limit) continue;
            slow++;
            double s = startMs[i], e = startMs[i] + lat[i] / 1e6;
            List<String> hit = new ArrayList<>();
            for (Pause p : pauses) {
                if (p.startMs() <= e && p.endMs() >= s) hit.add(String.format("%s %.1f ms", p.where(), p.endMs() - p.startMs()));
            }
            if (!hit.isEmpty()) inGc++;
            lines.append(String.format("    call %d: %.1f ms%s%n", i, lat[i] / 1e6, hit.isEmpty() ? "" : " during GC: " + String.join(", ", hit)));
        }
        System.out.printf("  %s: %d calls at or over p99 (%.0f µs), %d of them during a GC pause (client or worker)%n%s", rep, slow, limit / 1e3, inGc, lines);
    }

    private static final Pattern WORKER_PAUSE = Pattern.compile("^\\[(\\S+)\\].*Pause.* ([0-9.]+)ms$");

    /** This JVM's pauses so far and every worker's (their logs' end time minus the pause). */
    List<Pause> pauses() throws IOException {
        List<Pause> out;
        synchronized (clientPauses) {
            out = new ArrayList<>(clientPauses);
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("worker-gc-")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    Matcher m = WORKER_PAUSE.matcher(line);
                    if (!m.find()) continue;
                    double end = java.time.OffsetDateTime.parse(m.group(1), java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ"))
                            .toInstant().toEpochMilli();
                    double ms = Double.parseDouble(m.group(2));
                    out.add(new Pause("worker " + f.getFileName().toString().replace("worker-gc-", "").replace(".log", ""), end - ms, end));
                }
            }
        }
        return out;
    }
}

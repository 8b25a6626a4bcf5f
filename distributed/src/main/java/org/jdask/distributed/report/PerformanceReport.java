package org.jdask.distributed.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdask.Config;

/**
 * Records what a cluster did while it is open and writes one self-contained HTML file when
 * closed (Dask's {@code performance_report}):
 *
 * <pre>{@code
 * try (var r = client.performanceReport(Path.of("report.html"))) {
 *     client.compute(bag.map(...).sum()).result();
 * }   // report.html: task stream, per-function counts and durations, worker memory, transfers, the code
 * }</pre>
 *
 * The file needs no network: CSS, charts (SVG) and the data are inline. What it holds:
 * <ul>
 *   <li>the task stream: every task that ended while the report was open, by worker and thread
 *       (the scheduler's dashboard records it; without a dashboard, {@code distributed.dashboard.address
 *       none}, the report says none was recorded);</li>
 *   <li>per function: count, failures, total, mean and longest duration;</li>
 *   <li>each worker's memory (managed + unmanaged) and values fetched from peers over time,
 *       sampled by this client every {@code distributed.diagnostics.report-interval} (500 ms);</li>
 *   <li>the code that ran: the frame that opened the report and, if found below the working
 *       directory, its source file.</li>
 * </ul>
 * Records are also returned as data: {@link #tasks()} and {@link #samples()} after close, or
 * {@code client.taskStream()} at any time.
 */
public final class PerformanceReport implements AutoCloseable {
    private final ReportSource source;
    private final Path file;
    private final long startMs;
    private final CallerCode code;
    private final List<WorkerSample> samples = new ArrayList<>();
    private final ScheduledExecutorService sampler;
    private volatile List<TaskRecord> tasks = List.of();
    private boolean closed;

    private PerformanceReport(ReportSource source, Path file) {
        this.source = source;
        this.file = file;
        this.code = CallerCode.find();
        this.startMs = System.currentTimeMillis();
        long every = Math.max(10, Config.getDuration("distributed.diagnostics.report-interval", Duration.ofMillis(500)).toMillis());
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jdask-performance-report");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleWithFixedDelay(this::sample, 0, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts recording; the file is written by {@link #close()}. Fails now, naming the path, when
     * its directory does not exist or is not writable (rather than after the work).
     */
    public static PerformanceReport start(ReportSource source, Path file) {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("performanceReport: the directory of " + abs + " does not exist");
        }
        if (!Files.isWritable(dir) || Files.isDirectory(abs)) {
            throw new IllegalArgumentException("performanceReport: cannot write " + abs + (Files.isDirectory(abs) ? " (a directory)" : " (directory not writable)"));
        }
        return new PerformanceReport(source, abs);
    }

    private void sample() {
        List<Map<String, Object>> ws;
        try {
            ws = source.workers();
        } catch (RuntimeException e) {
            return; // the scheduler did not answer in time: a gap in the chart, not a failed report
        }
        long t = System.currentTimeMillis();
        List<WorkerSample> out = new ArrayList<>(ws.size());
        for (Map<String, Object> w : ws) {
            out.add(new WorkerSample(t, String.valueOf(w.get("address")), num(w, "managed"), num(w, "unmanaged"), num(w, "spilled"),
                    num(w, "transfers"), num(w, "transfer_bytes")));
        }
        synchronized (samples) {
            samples.addAll(out);
        }
    }

    private static long num(Map<String, Object> m, String k) {
        return m.get(k) instanceof Number n ? n.longValue() : 0;
    }

    /** Stops recording and writes the file (once). */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        sampler.shutdownNow();
        try {
            sampler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample(); // the state at the end
        long stopMs = System.currentTimeMillis();
        Optional<List<TaskRecord>> stream = source.taskStream(startMs);
        tasks = List.copyOf(stream.orElse(List.of()));
        String html = ReportHtml.render(new ReportHtml.Data(source.schedulerAddress(), startMs, stopMs, tasks, stream.isPresent(),
                samples(), code));
        try {
            Files.writeString(file, html, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("performanceReport: cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Where the report is written. */
    public Path file() {
        return file;
    }

    /** The tasks that ended while the report was open (after {@link #close()}; empty before). */
    public List<TaskRecord> tasks() {
        return tasks;
    }

    /** The worker samples taken so far. */
    public List<WorkerSample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    /** The frame that opened the report, and its source if found. */
    public CallerCode code() {
        return code;
    }
}

package org.jdask.diagnostics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jdask.graph.Key;
import org.jdask.graph.Listeners;
import org.jdask.graph.SchedulerListener;

/**
 * Records when each task ran and where, for every local run while it is open (Dask's {@code
 * Profiler}):
 *
 * <pre>{@code
 * try (var prof = new Profiler()) {
 *     x.compute();
 *     prof.toHtml(Path.of("profile.html"));   // one row per worker, one bar per task
 * }
 * }</pre>
 *
 * <p>Registers itself with {@link Listeners#register} when built, unregisters on {@link #close()}.
 * Times are {@link System#nanoTime()} values; the files show them relative to the first start.
 * Thread-safe; recording costs two map operations per task.
 */
public final class Profiler implements SchedulerListener, AutoCloseable {
    /** One task run: its key, start and end ({@code System.nanoTime()}), worker number and thread. */
    public record TaskRecord(Key key, long startNanos, long endNanos, int worker, String thread, boolean failed) {
        public long durationNanos() {
            return endNanos - startNanos;
        }
    }

    private final ConcurrentHashMap<Key, Long> started = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<TaskRecord> records = new ConcurrentLinkedQueue<>();

    public Profiler() {
        Listeners.register(this);
    }

    @Override
    public void pretask(Key key, int worker) {
        started.put(key, System.nanoTime());
    }

    @Override
    public void posttask(Key key, Object result, int worker, boolean failed) {
        long end = System.nanoTime();
        Long start = started.remove(key);
        records.add(new TaskRecord(key, start == null ? end : start, end, worker, Thread.currentThread().getName(), failed));
    }

    /** Every finished task so far, by start time. */
    public List<TaskRecord> results() {
        List<TaskRecord> out = new ArrayList<>(records);
        out.sort(Comparator.comparingLong(TaskRecord::startNanos));
        return out;
    }

    /** Forgets what was recorded. */
    public void clear() {
        records.clear();
        started.clear();
    }

    /** Writes {@code {"tasks": [{"key": ..., "start_ns": ..., "end_ns": ..., "worker": ..., ...}]}}. */
    public Path toJson(Path file) {
        List<TaskRecord> rs = results();
        long t0 = origin(rs);
        StringBuilder b = new StringBuilder("{\"tasks\": [");
        for (int i = 0; i < rs.size(); i++) {
            TaskRecord r = rs.get(i);
            b.append(i == 0 ? "\n  " : ",\n  ").append("{\"key\": ").append(jsonString(r.key().toString()))
                    .append(", \"start_ns\": ").append(r.startNanos() - t0).append(", \"end_ns\": ").append(r.endNanos() - t0)
                    .append(", \"worker\": ").append(r.worker()).append(", \"thread\": ").append(jsonString(r.thread()))
                    .append(", \"failed\": ").append(r.failed()).append('}');
        }
        return write(file, b.append("\n]}\n").toString());
    }

    /** Writes {@code key,start_ns,end_ns,worker,thread,failed} rows (RFC 4180 quoting). */
    public Path toCsv(Path file) {
        List<TaskRecord> rs = results();
        long t0 = origin(rs);
        StringBuilder b = new StringBuilder("key,start_ns,end_ns,worker,thread,failed\n");
        for (TaskRecord r : rs) {
            b.append(csv(r.key().toString())).append(',').append(r.startNanos() - t0).append(',').append(r.endNanos() - t0)
                    .append(',').append(r.worker()).append(',').append(csv(r.thread())).append(',').append(r.failed()).append('\n');
        }
        return write(file, b.toString());
    }

    /**
     * Writes a self-contained HTML page (inline SVG, no scripts or external files): one row per
     * worker, one bar per task, hover a bar for its key and duration.
     */
    public Path toHtml(Path file) {
        List<TaskRecord> rs = results();
        long t0 = origin(rs);
        long t1 = t0;
        Map<Integer, List<TaskRecord>> byWorker = new TreeMap<>();
        for (TaskRecord r : rs) {
            t1 = Math.max(t1, r.endNanos());
            byWorker.computeIfAbsent(r.worker(), w -> new ArrayList<>()).add(r);
        }
        double span = Math.max(1, t1 - t0);
        int width = 1000;
        int rowH = 24;
        int left = 90;
        int height = rowH * Math.max(1, byWorker.size()) + 30;
        StringBuilder b = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>jdask profile</title>"
                + "<style>body{font-family:sans-serif} rect:hover{stroke:#000}</style></head><body>\n");
        b.append("<h1>jdask profile</h1><p>").append(rs.size()).append(" tasks, ")
                .append(String.format("%.3f ms", span / 1e6)).append(", ").append(byWorker.size()).append(" workers</p>\n");
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(left + width + 10).append("\" height=\"")
                .append(height).append("\">\n");
        int row = 0;
        for (Map.Entry<Integer, List<TaskRecord>> e : byWorker.entrySet()) {
            int y = row++ * rowH;
            b.append("<text x=\"0\" y=\"").append(y + 16).append("\">worker ").append(e.getKey()).append("</text>\n");
            for (TaskRecord r : e.getValue()) {
                double x = left + width * (r.startNanos() - t0) / span;
                double w = Math.max(0.5, width * r.durationNanos() / span);
                b.append(String.format("<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\">", x, y + 2, w,
                        rowH - 4, r.failed() ? "#d62728" : colour(r.key().name())));
                b.append("<title>").append(html(r.key().toString())).append(String.format(" %.3f ms", r.durationNanos() / 1e6))
                        .append("</title></rect>\n");
            }
        }
        b.append("<text x=\"").append(left).append("\" y=\"").append(height - 8).append("\">0 ms</text><text x=\"")
                .append(left + width - 80).append("\" y=\"").append(height - 8).append("\">")
                .append(String.format("%.3f ms", span / 1e6)).append("</text>\n</svg>\n</body></html>\n");
        return write(file, b.toString());
    }

    @Override
    public void close() {
        Listeners.unregister(this);
    }

    private static long origin(List<TaskRecord> rs) {
        return rs.isEmpty() ? 0 : rs.get(0).startNanos();
    }

    private static String colour(String name) {
        return String.format("hsl(%d,60%%,55%%)", Math.floorMod(name.hashCode(), 360));
    }

    static String html(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }

    static String csv(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }

    static String jsonString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }

    static Path write(Path file, String text) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file, e);
        }
    }
}

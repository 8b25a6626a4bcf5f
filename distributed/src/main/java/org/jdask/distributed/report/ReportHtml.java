package org.jdask.distributed.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Renders a {@link PerformanceReport} as one HTML page: inline CSS, charts drawn here as SVG, the
 * tasks as inline JSON; no script or style is loaded from anywhere, so the file opens offline.
 * A pure function of {@link Data}.
 */
final class ReportHtml {
    private ReportHtml() {}

    /** Everything a report shows. */
    record Data(String scheduler, long startMs, long stopMs, List<TaskRecord> tasks, boolean recorded, List<WorkerSample> samples,
                CallerCode code) { }

    /** Per-function figures. */
    record FunctionStats(String prefix, int count, int erred, long totalMs, long maxMs) {
        double meanMs() {
            return count == 0 ? 0 : (double) totalMs / count;
        }
    }

    static final int WIDTH = 1000, LANE = 14, CHART_HEIGHT = 180;
    /** More rectangles than this make a page too heavy to open: the rest are counted, not drawn. */
    static final int MAX_RECTS = 20_000;

    static String render(Data d) {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>jdask performance report</title>\n<style>")
                .append("body{font:14px system-ui,sans-serif;margin:24px;color:#222}h1{font-size:22px}h2{font-size:17px;margin-top:28px}")
                .append("table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #ddd;text-align:right}")
                .append("td:first-child,th:first-child{text-align:left}svg{border:1px solid #ccc;background:#fafafa}")
                .append("pre{background:#f6f6f6;padding:8px;overflow:auto;max-height:600px;font-size:12px}")
                .append(".hl{background:#ffe58a;display:inline-block;width:100%}.ln{color:#999;user-select:none}")
                .append(".legend span{display:inline-block;margin-right:14px}.sw{display:inline-block;width:10px;height:10px;margin-right:4px}")
                .append(".note{color:#666}</style></head>\n<body>\n");
        h.append("<h1>jdask performance report</h1>\n<table id=\"summary\">");
        row(h, "scheduler", esc(d.scheduler()));
        row(h, "from", esc(Instant.ofEpochMilli(d.startMs()).toString()));
        row(h, "duration", fmt((d.stopMs() - d.startMs()) / 1000.0) + " s");
        row(h, "tasks", String.valueOf(d.tasks().size()));
        long erred = d.tasks().stream().filter(TaskRecord::erred).count();
        row(h, "failed tasks", String.valueOf(erred));
        row(h, "workers", String.valueOf(new TreeSet<>(workersOf(d)).size()));
        row(h, "code", esc(d.code().frame()));
        h.append("</table>\n");
        Map<String, String> colors = colors(d.tasks());
        taskStream(h, d, colors);
        functions(h, d.tasks(), colors);
        memory(h, d);
        transfers(h, d);
        code(h, d.code());
        h.append("<script type=\"application/json\" id=\"report-data\">").append(json(d)).append("</script>\n");
        h.append("</body></html>\n");
        return h.toString();
    }

    private static List<String> workersOf(Data d) {
        List<String> ws = new ArrayList<>();
        for (WorkerSample s : d.samples()) ws.add(s.worker());
        for (TaskRecord t : d.tasks()) ws.add(t.worker());
        return ws;
    }

    private static void row(StringBuilder h, String k, String v) {
        h.append("<tr><th>").append(k).append("</th><td>").append(v).append("</td></tr>");
    }

    // ------------------------------------------------------------------ sections

    private static void taskStream(StringBuilder h, Data d, Map<String, String> colors) {
        h.append("<h2>Task stream</h2>\n");
        if (!d.recorded()) {
            h.append("<p class=\"note\">The scheduler records no task stream: it runs without a dashboard "
                    + "(distributed.dashboard.address none). Start it with a dashboard to see tasks here.</p>\n");
        }
        List<TaskRecord> ts = d.tasks();
        TreeMap<String, Integer> lanes = new TreeMap<>();
        for (TaskRecord t : ts) lanes.putIfAbsent(t.worker() + " #" + t.thread(), 0);
        int i = 0;
        for (Map.Entry<String, Integer> e : lanes.entrySet()) e.setValue(i++);
        long t0 = d.startMs(), t1 = d.stopMs();
        for (TaskRecord t : ts) {
            t0 = Math.min(t0, t.startMs());
            t1 = Math.max(t1, t.stopMs());
        }
        double scale = (WIDTH - 1.0) / Math.max(1, t1 - t0);
        int height = Math.max(1, lanes.size()) * LANE + 20;
        h.append("<svg id=\"task-stream\" data-count=\"").append(ts.size()).append("\" width=\"").append(WIDTH).append("\" height=\"")
                .append(height).append("\">");
        int drawn = 0;
        for (TaskRecord t : ts) {
            if (drawn++ >= MAX_RECTS) break;
            double x = (t.startMs() - t0) * scale;
            double w = Math.max(1, t.durationMs() * scale);
            int y = lanes.get(t.worker() + " #" + t.thread()) * LANE;
            h.append("<rect class=\"task\" x=\"").append(fmt(x)).append("\" y=\"").append(y).append("\" width=\"").append(fmt(w))
                    .append("\" height=\"").append(LANE - 2).append("\" fill=\"").append(t.erred() ? "#000" : colors.get(t.prefix()))
                    .append("\" data-prefix=\"").append(esc(t.prefix())).append("\"><title>").append(esc(t.key())).append(" (")
                    .append(esc(t.prefix())).append(") on ").append(esc(t.worker())).append(" thread ").append(t.thread()).append(": ")
                    .append(t.durationMs()).append(" ms").append(t.erred() ? ", failed" : "").append("</title></rect>");
        }
        h.append("<text x=\"4\" y=\"").append(height - 5).append("\" font-size=\"11\">0 s</text><text x=\"").append(WIDTH - 60)
                .append("\" y=\"").append(height - 5).append("\" font-size=\"11\">").append(fmt((t1 - t0) / 1000.0)).append(" s</text></svg>\n");
        if (ts.size() > MAX_RECTS) h.append("<p class=\"note\">").append(ts.size() - MAX_RECTS).append(" more tasks are counted below but not drawn.</p>");
        h.append("<p class=\"note\">Rows (top to bottom): ").append(esc(String.join(", ", lanes.keySet()))).append("</p>\n<div class=\"legend\">");
        colors.forEach((p, c) -> h.append("<span><i class=\"sw\" style=\"background:").append(c).append("\"></i>").append(esc(p)).append("</span>"));
        h.append("</div>\n");
    }

    static List<FunctionStats> functionStats(List<TaskRecord> ts) {
        Map<String, long[]> by = new TreeMap<>();
        for (TaskRecord t : ts) {
            long[] a = by.computeIfAbsent(t.prefix(), p -> new long[4]);
            a[0]++;
            if (t.erred()) a[1]++;
            a[2] += t.durationMs();
            a[3] = Math.max(a[3], t.durationMs());
        }
        List<FunctionStats> out = new ArrayList<>();
        by.forEach((p, a) -> out.add(new FunctionStats(p, (int) a[0], (int) a[1], a[2], a[3])));
        return out;
    }

    private static void functions(StringBuilder h, List<TaskRecord> ts, Map<String, String> colors) {
        h.append("<h2>Per function</h2>\n<table id=\"functions\"><tr><th>function</th><th>tasks</th><th>failed</th>"
                + "<th>total (s)</th><th>mean (ms)</th><th>longest (ms)</th></tr>");
        for (FunctionStats f : functionStats(ts)) {
            h.append("<tr class=\"fn\" data-prefix=\"").append(esc(f.prefix())).append("\" data-count=\"").append(f.count())
                    .append("\"><td><i class=\"sw\" style=\"background:").append(colors.get(f.prefix())).append("\"></i>")
                    .append(esc(f.prefix())).append("</td><td>").append(f.count()).append("</td><td>").append(f.erred()).append("</td><td>")
                    .append(fmt(f.totalMs() / 1000.0)).append("</td><td>").append(fmt(f.meanMs())).append("</td><td>").append(f.maxMs())
                    .append("</td></tr>");
        }
        h.append("</table>\n");
    }

    private static void memory(StringBuilder h, Data d) {
        h.append("<h2>Worker memory</h2>\n");
        lineChart(h, "memory", d, WorkerSample::memory, "process memory (managed + unmanaged) per worker");
    }

    private static void transfers(StringBuilder h, Data d) {
        h.append("<h2>Transfers</h2>\n<table id=\"transfers\"><tr><th>worker</th><th>values fetched from peers</th><th>bytes</th></tr>");
        Map<String, WorkerSample[]> firstLast = new TreeMap<>();
        for (WorkerSample s : d.samples()) {
            WorkerSample[] fl = firstLast.computeIfAbsent(s.worker(), w -> new WorkerSample[] {s, s});
            fl[1] = s;
        }
        firstLast.forEach((w, fl) -> h.append("<tr class=\"transfer\"><td>").append(esc(w)).append("</td><td>")
                .append(fl[1].transfers() - fl[0].transfers()).append("</td><td>").append(bytes(fl[1].transferBytes() - fl[0].transferBytes()))
                .append("</td></tr>"));
        h.append("</table>\n");
        lineChart(h, "transfer-chart", d, WorkerSample::transferBytes, "bytes fetched from peers per worker (cumulative)");
    }

    private static void lineChart(StringBuilder h, String id, Data d, java.util.function.ToLongFunction<WorkerSample> y, String what) {
        Map<String, List<WorkerSample>> by = new TreeMap<>();
        long max = 1;
        for (WorkerSample s : d.samples()) {
            by.computeIfAbsent(s.worker(), w -> new ArrayList<>()).add(s);
            max = Math.max(max, y.applyAsLong(s));
        }
        long t0 = d.startMs(), span = Math.max(1, d.stopMs() - d.startMs());
        h.append("<svg id=\"").append(id).append("\" data-series=\"").append(by.size()).append("\" width=\"").append(WIDTH)
                .append("\" height=\"").append(CHART_HEIGHT + 20).append("\">");
        int k = 0;
        Map<String, String> colors = new LinkedHashMap<>();
        for (Map.Entry<String, List<WorkerSample>> e : by.entrySet()) {
            String c = hue(k++ * 137);
            colors.put(e.getKey(), c);
            StringBuilder pts = new StringBuilder();
            for (WorkerSample s : e.getValue()) {
                double x = Math.max(0, Math.min(WIDTH - 1, (s.timeMs() - t0) * (WIDTH - 1.0) / span));
                double v = CHART_HEIGHT - y.applyAsLong(s) * (CHART_HEIGHT - 5.0) / max;
                pts.append(fmt(x)).append(',').append(fmt(v)).append(' ');
            }
            h.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(c).append("\" points=\"").append(pts.toString().trim())
                    .append("\"><title>").append(esc(e.getKey())).append("</title></polyline>");
        }
        h.append("<text x=\"4\" y=\"12\" font-size=\"11\">").append(bytes(max)).append("</text><text x=\"4\" y=\"").append(CHART_HEIGHT + 15)
                .append("\" font-size=\"11\">0</text></svg>\n<p class=\"note\">").append(esc(what)).append("</p><div class=\"legend\">");
        colors.forEach((w, c) -> h.append("<span><i class=\"sw\" style=\"background:").append(c).append("\"></i>").append(esc(w)).append("</span>"));
        h.append("</div>\n");
    }

    private static void code(StringBuilder h, CallerCode c) {
        h.append("<h2>Code</h2>\n<section id=\"code\"><p>Report opened at <code>").append(esc(c.frame())).append("</code>");
        if (c.source().isEmpty()) {
            h.append(" (its source file was not found below the working directory)</p></section>\n");
            return;
        }
        h.append(" in <code>").append(esc(c.source().get().toString())).append("</code></p><pre>");
        String[] lines = c.text().split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            boolean hl = i + 1 == c.line();
            if (hl) h.append("<span class=\"hl\">");
            h.append("<span class=\"ln\">").append(String.format(Locale.ROOT, "%5d  ", i + 1)).append("</span>").append(esc(lines[i]));
            if (hl) h.append("</span>");
            h.append('\n');
        }
        h.append("</pre></section>\n");
    }

    // ------------------------------------------------------------------ helpers

    /** A stable color per function, in order of first appearance. */
    private static Map<String, String> colors(List<TaskRecord> ts) {
        Map<String, String> out = new LinkedHashMap<>();
        for (TaskRecord t : ts) out.computeIfAbsent(t.prefix(), p -> hue(Math.floorMod(p.hashCode(), 360)));
        return out;
    }

    private static String hue(int h) {
        return "hsl(" + Math.floorMod(h, 360) + ",60%,52%)";
    }

    private static String json(Data d) {
        StringBuilder j = new StringBuilder("{\"tasks\":[");
        for (int i = 0; i < d.tasks().size(); i++) {
            TaskRecord t = d.tasks().get(i);
            if (i > 0) j.append(',');
            j.append("{\"key\":").append(str(t.key())).append(",\"prefix\":").append(str(t.prefix())).append(",\"worker\":").append(str(t.worker()))
                    .append(",\"thread\":").append(t.thread()).append(",\"start\":").append(t.startMs()).append(",\"stop\":").append(t.stopMs())
                    .append(",\"erred\":").append(t.erred()).append('}');
        }
        return j.append("]}").toString();
    }

    /** A JSON string that is also safe inside a {@code <script>} element. */
    private static String str(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '<' -> b.append("\\u003c");
                case '>' -> b.append("\\u003e");
                case '&' -> b.append("\\u0026");
                default -> {
                    if (c < 0x20) b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }

    static String esc(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String bytes(long n) {
        if (n < 1024) return n + " B";
        if (n < 1L << 20) return fmt(n / 1024.0) + " KiB";
        if (n < 1L << 30) return fmt(n / (double) (1L << 20)) + " MiB";
        return fmt(n / (double) (1L << 30)) + " GiB";
    }
}

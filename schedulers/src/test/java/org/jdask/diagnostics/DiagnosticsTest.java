package org.jdask.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jdask.fn.Fn1;
import org.jdask.graph.Key;
import org.jdask.graph.Listeners;
import org.jdask.graph.RunOptions;
import org.jdask.graph.Schedulers;
import org.jdask.graph.TaskGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DiagnosticsTest {
    static final Fn1<Integer, Integer> INC = x -> x + 1;
    static final Fn1<Integer, Integer> SLOW = x -> {
        Thread.sleep(3);
        return x + 1;
    };

    /** Runs a graph the way compute() does: with the JVM-wide listeners. */
    static List<Object> run(String scheduler, TaskGraph g, List<Key> outs) {
        RunOptions o = RunOptions.of(Map.of("num-workers", 2));
        return Schedulers.provider(scheduler).scheduler(o).get(g, outs, o);
    }

    /** 1000 tasks: 100 chains of 10, with keys whose printed form has commas and quotes. */
    static TaskGraph graph(Fn1<Integer, Integer> f, int chains) {
        TaskGraph.Builder b = TaskGraph.builder();
        for (int c = 0; c < chains; c++) {
            b.data(Key.of("x", c, 0), c);
            for (int i = 1; i < 10; i++) b.task(Key.of("x", c, i), f, Key.of("x", c, i - 1));
        }
        return b.build();
    }

    @Test
    void progressBarReachesHundredPercentAndIsRateLimited() {
        TaskGraph g = graph(INC, 100);
        ByteArrayOutputStream limited = new ByteArrayOutputStream();
        try (ProgressBar bar = new ProgressBar(new PrintStream(limited, true, StandardCharsets.UTF_8), Duration.ofHours(1))) {
            run("threads", g, List.of(Key.of("x", 0, 9)));
            assertEquals(1.0, bar.fraction());
        }
        String[] lines = limited.toString(StandardCharsets.UTF_8).split("\n");
        // one line when the run starts, one when it finishes, none in between within an hour
        assertEquals(2, lines.length, String.join("\n", lines));
        assertTrue(lines[1].contains("100%") && lines[1].contains("1000/1000"), lines[1]);
        assertFalse(lines[1].contains("\r"));

        ByteArrayOutputStream every = new ByteArrayOutputStream();
        try (ProgressBar bar = new ProgressBar(new PrintStream(every, true, StandardCharsets.UTF_8), Duration.ZERO)) {
            run("sync", g, List.of(Key.of("x", 0, 9)));
        }
        long n = every.toString(StandardCharsets.UTF_8).lines().count();
        assertTrue(n > 100, "with no limit the bar redraws per task, got " + n + " lines");
        assertTrue(every.toString(StandardCharsets.UTF_8).lines().reduce((a, b) -> b).orElseThrow().contains("100%"));
    }

    @Test
    void anUnregisteredBarMovesOnlyWithItsOwnersUpdates() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ProgressBar bar = ProgressBar.unregistered(new PrintStream(out, true, StandardCharsets.UTF_8), Duration.ofHours(1), false);
        run("sync", graph(INC, 10), List.of(Key.of("x", 0, 9))); // a local run does not reach it
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        bar.update(0, 4, false);  // the first update draws
        bar.update(1, 4, false);  // rate-limited
        bar.update(4, 4, true);   // the last always draws
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("  0% | 0/4 tasks"), lines.get(0));
        assertTrue(lines.get(1).contains("100% | 4/4 tasks"), lines.get(1));
    }

    @Test
    void progressBarRedrawsInPlaceWhenAskedAndUnregistersOnClose() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(out, true, StandardCharsets.UTF_8), Duration.ofHours(1), true);
        assertTrue(Listeners.active().contains(bar));
        try (bar) {
            run("threads", graph(INC, 5), List.of(Key.of("x", 0, 9)));
        }
        assertFalse(Listeners.active().contains(bar));
        String s = out.toString(StandardCharsets.UTF_8);
        assertTrue(s.startsWith("\r") && s.endsWith("\n") && s.contains("100%"), s);
        assertEquals(1, s.chars().filter(c -> c == '\n').count(), s);
        assertEquals(2, s.chars().filter(c -> c == '\r').count(), s);
    }

    @Test
    void profilerRecordsEveryTaskAndWritesFiles(@TempDir Path dir) throws Exception {
        TaskGraph g = graph(SLOW, 20);
        Profiler prof = new Profiler();
        try (prof) {
            run("threads", g, List.of(Key.of("x", 0, 9)));
        }
        assertFalse(Listeners.active().contains(prof));
        List<Profiler.TaskRecord> rs = prof.results();
        Set<Key> keys = new HashSet<>();
        for (Profiler.TaskRecord r : rs) {
            assertTrue(r.startNanos() <= r.endNanos(), r.toString());
            assertTrue(keys.add(r.key()), "twice: " + r.key());
        }
        assertEquals(g.keys(), keys);

        String json = Files.readString(prof.toJson(dir.resolve("p.json")));
        String csv = Files.readString(prof.toCsv(dir.resolve("p.csv")));
        String html = Files.readString(prof.toHtml(dir.resolve("out/p.html")));
        assertTrue(json.startsWith("{\"tasks\": [") && json.strip().endsWith("]}"));
        assertEquals(g.size(), json.split("\"key\": ").length - 1);
        List<String> rows = csv.lines().toList();
        assertEquals("key,start_ns,end_ns,worker,thread,failed", rows.get(0));
        assertEquals(g.size() + 1, rows.size());
        Set<String> csvKeys = new HashSet<>();
        for (String row : rows.subList(1, rows.size())) {
            // quoted key first: "('x', 3, 4)",start,end,worker,thread,failed
            int close = row.indexOf("\",");
            csvKeys.add(row.substring(1, close));
            String[] rest = row.substring(close + 2).split(",");
            assertEquals(5, rest.length, row);
            assertTrue(Long.parseLong(rest[0]) <= Long.parseLong(rest[1]), row);
        }
        assertTrue(html.startsWith("<!DOCTYPE html>"), "an HTML page");
        for (String external : List.of("<script", "<link", "src=", "href=", "@import")) {
            assertFalse(html.contains(external), "self-contained page has " + external);
        }
        for (Key k : g.keys()) {
            assertTrue(json.contains(Profiler.jsonString(k.toString())), k.toString());
            assertTrue(csvKeys.contains(k.toString()), k.toString());
            assertTrue(html.contains("<title>" + Profiler.html(k.toString()) + " "), k.toString());
        }
        assertEquals(g.size(), html.split("<rect ").length - 1);
    }

    @Test
    void resourceProfilerSamplesDuringARunAndStopsItsThread(@TempDir Path dir) throws Exception {
        ResourceProfiler res = new ResourceProfiler(Duration.ofMillis(20));
        long before = System.currentTimeMillis();
        try (res) {
            run("threads", graph(SLOW, 20), List.of(Key.of("x", 0, 9))); // 200 tasks x 3 ms on 2 workers
        }
        long after = System.currentTimeMillis();
        List<ResourceProfiler.Sample> samples = res.results();
        assertTrue(samples.size() >= 1, "no samples");
        for (ResourceProfiler.Sample s : samples) {
            assertTrue(s.heapUsed() > 0, s.toString());
            assertTrue(s.epochMillis() >= before && s.epochMillis() <= after, s.toString());
            assertTrue(s.cpuLoad() <= 1.0, s.toString());
        }
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            assertFalse(t.getName().equals("jdask-resource-profiler") && t.isAlive(), "sampler still running");
        }
        List<String> rows = Files.readAllLines(res.toCsv(dir.resolve("r.csv")));
        assertEquals("time_ms,cpu_load,heap_used_bytes", rows.get(0));
        assertEquals(samples.size() + 1, rows.size());
    }
}

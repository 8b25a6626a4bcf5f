package org.jdask.distributed.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.jdask.distributed.Client;
import org.jdask.distributed.Future;
import org.jdask.distributed.LocalCluster;
import org.jdask.distributed.SharedCluster;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;
import org.jdask.testing.Await;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The dashboard over real HTTP (java.net.http) against a real {@link LocalCluster} running real
 * tasks: JSON parsed and checked against what was submitted, Prometheus text checked line by line.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DashboardTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    static LocalCluster cluster;
    static Client client;
    static String base;

    static int square(int x) {
        return x * x;
    }

    static int triple(int x) {
        return 3 * x;
    }

    static int inc(int x) {
        return x + 1;
    }

    static int add(int a, int b) {
        return a + b;
    }

    static int napping(int x) throws InterruptedException {
        Thread.sleep(5);
        return x;
    }

    static int broken(int x) {
        throw new IllegalStateException("broken on purpose: " + x);
    }

    @RegisterExtension
    static final SharedCluster SHARED = new SharedCluster(LocalCluster.builder().workers(2).threadsPerWorker(2).processes(false).dashboardAddress(":0"));

    /** The dashboard link the cluster gives (SHARED has started it by now). */
    @BeforeAll
    static void up() {
        String link = cluster.dashboardLink();
        assertNotNull(link);
        assertTrue(link.matches("http://127\\.0\\.0\\.1:\\d+/status"), link);
        base = link.substring(0, link.length() - "/status".length());
    }

    static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = get(path);
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), path);
        return JSON.readTree(r.body());
    }

    /** Polls {@code path} until {@code ok} holds (the dashboard publishes a snapshot every 200 ms). */
    static JsonNode await(String path, Predicate<JsonNode> ok) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        Await.until(() -> {
            last.set(unchecked(() -> json(path)));
            return ok.test(last.get());
        }, Duration.ofSeconds(20), path + " to satisfy the condition", () -> "last answer: " + last.get());
        return last.get();
    }

    /** An HTTP read for a polling lambda: I/O errors and interrupts fail the test where they happen. */
    static <T> T unchecked(HttpCall<T> call) {
        try {
            return call.get();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    interface HttpCall<T> {
        T get() throws IOException, InterruptedException;
    }

    static JsonNode prefix(JsonNode tasks, String name) {
        for (JsonNode p : tasks.get("prefixes")) if (p.get("name").asText().equals(name)) return p;
        return null;
    }

    @Test
    void workersAreListedWithMemoryAndCpuFromTheirHeartbeats() throws Exception {
        Set<String> expected = new HashSet<>();
        for (Map<String, Object> w : cluster.workers()) expected.add((String) w.get("address"));
        JsonNode ws = await("/api/workers", j -> {
            for (JsonNode w : j.get("workers")) if (w.get("memory").isNull()) return false;
            return j.get("workers").size() == 2;
        });
        assertEquals(cluster.schedulerAddress(), ws.get("scheduler").asText());
        Set<String> got = new HashSet<>();
        for (JsonNode w : ws.get("workers")) {
            got.add(w.get("address").asText());
            assertEquals(2, w.get("nthreads").asInt());
            assertTrue(w.get("memory").asLong() > 1_000_000, "resident memory in bytes: " + w);
            assertTrue(w.get("memory_limit").asLong() > 0, w.toString());
            assertTrue(w.get("heap_used").asLong() > 0, w.toString());
            assertTrue(w.get("cpu").asDouble() >= 0, w.toString());
            assertTrue(w.get("name").asText().startsWith("worker-"), w.toString());
        }
        assertEquals(expected, got);
    }

    @Test
    void taskCountsPerFunctionMatchWhatWasSubmitted() throws Exception {
        List<Future<Integer>> fs = client.map(DashboardTest::square, IntStream.range(0, 300).boxed().toList());
        List<Integer> got = client.gather(fs);
        assertEquals(IntStream.range(0, 300).map(x -> x * x).boxed().toList(), got);
        JsonNode tasks = await("/api/tasks", j -> {
            JsonNode p = prefix(j, "square");
            return p != null && p.get("memory").asInt() == 300;
        });
        JsonNode sq = prefix(tasks, "square");
        assertEquals(300, sq.get("done").asLong());
        assertEquals(300, sq.get("total").asLong());
        assertEquals(0, sq.get("erred").asInt());
        assertEquals(0, sq.get("processing").asInt());
        assertTrue(tasks.get("states").get("memory").asInt() >= 300, tasks.toString());
        assertTrue(tasks.get("completed").asLong() >= 300, tasks.toString());
        int sum = 0;
        for (var it = tasks.get("states").fields(); it.hasNext(); ) sum += it.next().getValue().asInt();
        assertEquals(tasks.get("total").asInt(), sum);
        // released futures: the tasks are forgotten, the completions stay counted
        for (Future<Integer> f : fs) f.release();
        JsonNode after = await("/api/tasks", j -> prefix(j, "square").get("memory").asInt() == 0);
        assertEquals(300, prefix(after, "square").get("done").asLong());
    }

    @Test
    void taskStreamHasRecentTasksWithWorkerThreadAndTimes() throws Exception {
        long before = System.currentTimeMillis();
        List<Future<Integer>> fs = client.map(DashboardTest::napping, IntStream.range(0, 40).boxed().toList());
        client.gather(fs);
        Set<String> workers = new HashSet<>();
        for (Map<String, Object> w : cluster.workers()) workers.add((String) w.get("address"));
        JsonNode stream = await("/api/task-stream?since=" + (before - 1), j -> {
            int n = 0;
            for (JsonNode t : j.get("tasks")) if (t.get("prefix").asText().equals("napping")) n++;
            return n == 40;
        });
        Set<String> keys = new HashSet<>();
        for (Future<Integer> f : fs) keys.add(f.key().toString());
        long maxStop = 0;
        for (JsonNode t : stream.get("tasks")) {
            if (!t.get("prefix").asText().equals("napping")) continue;
            assertTrue(keys.contains(t.get("key").asText()), t.toString());
            assertTrue(workers.contains(t.get("worker").asText()), t.toString());
            int thread = t.get("thread").asInt();
            assertTrue(thread == 1 || thread == 2, "thread numbers are 1..nthreads: " + t);
            assertTrue(t.get("start").asLong() >= before - 1000 && t.get("stop").asLong() >= t.get("start").asLong(), t.toString());
            assertEquals("ok", t.get("status").asText());
            maxStop = Math.max(maxStop, t.get("stop").asLong());
        }
        // `since` filters: nothing at or before it comes back
        JsonNode later = json("/api/task-stream?since=" + maxStop);
        for (JsonNode t : later.get("tasks")) assertTrue(t.get("stop").asLong() > maxStop, t.toString());
        JsonNode limited = json("/api/task-stream?since=0&limit=5");
        assertEquals(5, limited.get("tasks").size());
    }

    @Test
    void erredTasksShowInTheStreamAndCounts() throws Exception {
        Future<Integer> bad = client.submit(DashboardTest::broken, 7);
        assertThrows(RuntimeException.class, bad::result);
        JsonNode stream = await("/api/task-stream?since=0", j -> {
            for (JsonNode t : j.get("tasks")) if (t.get("key").asText().equals(bad.key().toString())) return true;
            return false;
        });
        for (JsonNode t : stream.get("tasks")) {
            if (t.get("key").asText().equals(bad.key().toString())) assertEquals("erred", t.get("status").asText());
        }
        JsonNode tasks = await("/api/tasks", j -> prefix(j, "broken") != null && prefix(j, "broken").get("erred").asInt() == 1);
        assertTrue(tasks.get("erred").asLong() >= 1);
    }

    @Test
    void storyOfAKeyHasItsTransitions() throws Exception {
        Future<Integer> f = client.submit(DashboardTest::triple, 14);
        assertEquals(42, f.result());
        String key = f.key().toString();
        JsonNode story = json("/api/story/" + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20"));
        assertEquals(key, story.get("key").asText());
        List<String> path = new ArrayList<>();
        for (JsonNode t : story.get("transitions")) {
            if (path.isEmpty()) path.add(t.get("from").asText());
            path.add(t.get("to").asText());
            assertFalse(t.get("reason").asText().isEmpty(), t.toString());
            assertTrue(t.get("time").asLong() > 0);
        }
        assertEquals("released", path.get(0));
        assertTrue(path.contains("processing"), path.toString());
        assertEquals("memory", path.get(path.size() - 1), path.toString());
        assertEquals(client.story(f.key()).size(), story.get("transitions").size());
        // the bare name (no quotes) finds the same key
        String bare = f.key().name();
        assertEquals(key, json("/api/story/" + URLEncoder.encode(bare, StandardCharsets.UTF_8)).get("key").asText());
    }

    @Test
    void graphHasTasksAndTheirDependencies() throws Exception {
        Future<Integer> a = client.submit(DashboardTest::inc, 100);
        Future<Integer> b = client.submit(DashboardTest::inc, 200);
        Fn2<Integer, Integer, Integer> add = DashboardTest::add;
        Future<Integer> c = client.submit(add, a, b);
        assertEquals(302, c.result());
        JsonNode g = json("/api/graph?limit=5000");
        List<String> keys = new ArrayList<>();
        for (JsonNode n : g.get("nodes")) keys.add(n.get("key").asText());
        int ia = keys.indexOf(a.key().toString()), ib = keys.indexOf(b.key().toString()), ic = keys.indexOf(c.key().toString());
        assertTrue(ia >= 0 && ib >= 0 && ic >= 0, keys.toString());
        assertEquals("memory", g.get("nodes").get(ic).get("state").asText());
        assertEquals("add", g.get("nodes").get(ic).get("prefix").asText());
        Set<String> edges = new HashSet<>();
        for (JsonNode e : g.get("edges")) edges.add(e.get(0).asInt() + ">" + e.get(1).asInt());
        assertTrue(edges.contains(ia + ">" + ic) && edges.contains(ib + ">" + ic), edges.toString());
        assertEquals(g.get("total").asInt() > keys.size(), g.get("truncated").asBoolean());
        JsonNode one = json("/api/graph?limit=1");
        assertEquals(1, one.get("nodes").size());
        assertTrue(one.get("truncated").asBoolean());
    }

    @Test
    void metricsAreValidPrometheusText() throws Exception {
        Fn1<Integer, Integer> inc = DashboardTest::inc;
        client.gather(client.map(inc, List.of(1, 2, 3)));
        await("/api/workers", j -> !j.get("workers").get(0).get("memory").isNull() && !j.get("workers").get(1).get("memory").isNull());
        HttpResponse<String> r = get("/metrics");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        Map<String, List<PromCheck.Sample>> m = PromCheck.parse(r.body());
        assertEquals(Double.valueOf(2.0), PromCheck.value(m, "jdask_workers", Map.of()));
        assertNotNull(PromCheck.value(m, "jdask_tasks", Map.of("state", "memory")));
        assertTrue(PromCheck.value(m, "jdask_tasks_completed_total", Map.of()) >= 3);
        assertTrue(PromCheck.value(m, "jdask_prefix_tasks_done_total", Map.of("prefix", "inc")) >= 3);
        for (Map<String, Object> w : cluster.workers()) {
            Map<String, String> l = Map.of("worker", (String) w.get("address"));
            assertTrue(PromCheck.value(m, "jdask_worker_memory_bytes", l) > 0);
            assertTrue(PromCheck.value(m, "jdask_worker_memory_limit_bytes", l) > 0);
            assertEquals(Double.valueOf(2.0), PromCheck.value(m, "jdask_worker_threads", l));
            assertNotNull(PromCheck.value(m, "jdask_worker_cpu_percent", l));
        }
    }

    @Test
    void theCheckerRejectsBadExposition() {
        assertThrows(AssertionError.class, () -> PromCheck.parse("a 1"));                          // no final newline
        assertThrows(AssertionError.class, () -> PromCheck.parse("a{x=\"1} 1\n"));                  // unterminated label
        assertThrows(AssertionError.class, () -> PromCheck.parse("a 1\nb 2\na 3\n"));               // a's samples not grouped
        assertThrows(AssertionError.class, () -> PromCheck.parse("a one\n"));                       // not a number
        assertThrows(AssertionError.class, () -> PromCheck.parse("# TYPE a gauge\n# TYPE a gauge\na 1\n"));
        assertThrows(AssertionError.class, () -> PromCheck.parse("a 1\n# TYPE a gauge\n"));        // TYPE after samples
        assertThrows(AssertionError.class, () -> PromCheck.parse("9a 1\n"));                        // bad name
        assertEquals(1, PromCheck.parse("# HELP a x\\\\y\n# TYPE a gauge\na{l=\"q\\\"\\n\"} +Inf\n").get("a").size());
    }

    @Test
    void pagesRedirectsAndErrors() throws Exception {
        HttpResponse<String> root = get("/");
        assertEquals(302, root.statusCode());
        assertEquals("/status", root.headers().firstValue("Location").orElse(""));
        HttpResponse<String> page = get("/status");
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(page.body().contains("id=\"task-stream\"") && page.body().contains("id=\"progress\""));
        assertFalse(java.util.regex.Pattern.compile("(src|href)\\s*=\\s*\"(https?:)?//|url\\(\\s*['\"]?(https?:)?//|<script[^>]*src")
                .matcher(page.body()).find(), "the page loads nothing from elsewhere (no CDN)");

        HttpResponse<String> missing = get("/nope");
        assertEquals(404, missing.statusCode());
        assertTrue(JSON.readTree(missing.body()).get("error").asText().contains("/status"), missing.body());
        HttpResponse<String> noKey = get("/api/story/never-submitted-key");
        assertEquals(404, noKey.statusCode());
        assertTrue(noKey.body().contains("never-submitted-key"), noKey.body());
        HttpResponse<String> badSince = get("/api/task-stream?since=yesterday");
        assertEquals(400, badSince.statusCode());
        assertTrue(badSince.body().contains("since=yesterday"), badSince.body());
        HttpResponse<String> badKey = get("/api/story/" + URLEncoder.encode("('x', one)", StandardCharsets.UTF_8));
        assertEquals(400, badKey.statusCode(), badKey.body());
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/tasks"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        // none of it hurt the server or the scheduler
        assertEquals("ok\n", get("/health").body());
        assertEquals(5, client.submit(DashboardTest::inc, 4).result());
    }

    @Test
    void workerJvmsSendMetricsAndTaskTimesOverTcp() throws Exception {
        try (LocalCluster jvms = LocalCluster.builder().workers(1).threadsPerWorker(1).processes(true).dashboardAddress(":0").build();
             Client c = Client.connect(jvms)) {
            String b = jvms.dashboardLink().replace("/status", "");
            Fn1<Integer, Integer> tripled = DashboardTest::triple;
            List<Future<Integer>> fs = c.map(tripled, List.of(1, 2, 3));
            assertEquals(List.of(3, 6, 9), c.gather(fs));
            String worker = (String) jvms.workers().get(0).get("address");
            AtomicReference<JsonNode> lastWorker = new AtomicReference<>(), lastStream = new AtomicReference<>();
            Await.until(() -> {
                lastWorker.set(unchecked(() -> JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(b + "/api/workers")).build(),
                        HttpResponse.BodyHandlers.ofString()).body()).get("workers").get(0)));
                lastStream.set(unchecked(() -> JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(b + "/api/task-stream?since=0")).build(),
                        HttpResponse.BodyHandlers.ofString()).body()).get("tasks")));
                return !lastWorker.get().get("memory").isNull() && lastStream.get().size() == 3;
            }, Duration.ofSeconds(30), "the worker JVM's metrics and its 3 task-stream records",
                    () -> "worker " + lastWorker.get() + ", stream " + lastStream.get());
            JsonNode w = lastWorker.get(), stream = lastStream.get();
            assertEquals(worker, w.get("address").asText());
            assertTrue(w.get("memory").asLong() > 1_000_000, "the worker JVM's resident memory: " + w);
            assertTrue(w.get("memory_limit").asLong() > 0 && w.get("cpu").asDouble() >= 0, w.toString());
            assertEquals(3, stream.size(), stream.toString());
            for (JsonNode t : stream) {
                assertEquals(worker, t.get("worker").asText());
                assertEquals(1, t.get("thread").asInt(), "the worker JVM's one executor thread: " + t);
                assertEquals("triple", t.get("prefix").asText());
            }
        }
    }

    @Test
    void dashboardAddressOptions() throws Exception {
        try (LocalCluster none = LocalCluster.builder().workers(0).dashboardAddress("none").build()) {
            assertNull(none.dashboardLink());
        }
        try (LocalCluster off = LocalCluster.builder().workers(0).dashboardAddress(null).build()) {
            assertNull(off.dashboardLink());
        }
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> LocalCluster.builder().workers(0).dashboardAddress("localhost:eighty").build());
        assertTrue(bad.getMessage().contains("localhost:eighty"), bad.getMessage());
        // a taken port: the dashboard moves to a free one (with a warning), as Dask's does
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            try (LocalCluster moved = LocalCluster.builder().workers(0).dashboardAddress(":" + taken.getLocalPort()).build()) {
                String link = moved.dashboardLink();
                assertNotEquals("http://127.0.0.1:" + taken.getLocalPort() + "/status", link);
                HttpResponse<String> h = HTTP.send(HttpRequest.newBuilder(URI.create(link.replace("/status", "/health"))).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, h.statusCode());
            }
        }
        // closing the cluster stops the dashboard
        String link;
        try (LocalCluster c = LocalCluster.builder().workers(0).dashboardAddress(":0").build()) {
            link = c.dashboardLink();
        }
        assertThrows(IOException.class, () -> HTTP.send(HttpRequest.newBuilder(URI.create(link)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()));
    }
}

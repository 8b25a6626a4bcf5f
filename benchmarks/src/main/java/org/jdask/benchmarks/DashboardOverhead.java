package org.jdask.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.jdask.distributed.Client;
import org.jdask.distributed.Future;
import org.jdask.distributed.LocalCluster;
import org.jdask.fn.Fn1;

/**
 * The dashboard's cost on W6's {@code client.map(inc, range(10000))} + gather (2 worker JVMs x 1
 * thread, as W6): dashboard off, on but nobody watching, and on with a reader that makes exactly
 * the page's requests (every second {@code /api/workers}, {@code /api/tasks},
 * {@code /api/task-stream?since=...}; every third second {@code /api/graph?limit=500}), or every
 * 100 ms to stress it ({@code --poll-ms}). Modes alternate within each repetition.
 *
 * <pre>
 * java @graph/target/classes/org/jdask/jvm-flags.txt -Xmx4g -cp benchmarks/target/benchmarks.jar \
 *     org.jdask.benchmarks.Runner dashboard [--reps 5] [--poll-ms 1000]
 * </pre>
 */
final class DashboardOverhead {
    static final int N = 10_000;
    static final Fn1<Integer, Integer> INC = i -> i + 1;

    private DashboardOverhead() {}

    static void run(int reps, long pollMs) throws Exception {
        Map<String, List<Double>> times = new LinkedHashMap<>();
        for (String m : List.of("off", "closed", "open")) times.put(m, new ArrayList<>());
        long requests = 0;
        try (LocalCluster off = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(true).dashboardAddress("none").build();
             LocalCluster on = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(true).dashboardAddress(":0").build();
             Client cOff = Client.connect(off);
             Client cOn = Client.connect(on)) {
            cOff.waitForWorkers(2, 60, TimeUnit.SECONDS);
            cOn.waitForWorkers(2, 60, TimeUnit.SECONDS);
            String base = on.dashboardLink().replace("/status", "");
            mapGather(cOff, 0);
            mapGather(cOn, 0); // warm-up both
            for (int r = 0; r < reps; r++) {
                times.get("off").add(mapGather(cOff, r + 1));
                times.get("closed").add(mapGather(cOn, r + 1));
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong count = new AtomicLong();
                Thread reader = new Thread(() -> readLikeThePage(base, pollMs, stop, count), "page-reader");
                reader.start();
                Thread.sleep(Math.min(1000, pollMs)); // the page is open before the work starts
                try {
                    times.get("open").add(mapGather(cOn, r + 1));
                } finally {
                    stop.set(true);
                    reader.join(10_000);
                }
                requests += count.get();
                System.out.printf("rep %d: off %.3f s, closed %.3f s, open %.3f s%n", r + 1, last(times, "off"), last(times, "closed"),
                        last(times, "open"));
            }
        }
        System.out.printf("map(inc, %d) + gather, 2 worker JVMs x 1 thread, median of %d, page reader every %d ms (%d requests):%n",
                N, reps, pollMs, requests);
        double offMed = median(times.get("off"));
        for (Map.Entry<String, List<Double>> e : times.entrySet()) {
            double med = median(e.getValue());
            System.out.printf("  %-7s %.3f s  (%.0f tasks/s, %.3fx off)  all: %s%n", e.getKey(), med, N / med, med / offMed, e.getValue());
        }
    }

    private static double last(Map<String, List<Double>> t, String k) {
        List<Double> l = t.get(k);
        return l.get(l.size() - 1);
    }

    /** Distinct arguments per repetition, so no result is cached from the previous one. */
    private static double mapGather(Client c, int rep) {
        List<Integer> in = IntStream.range(rep * N, (rep + 1) * N).boxed().toList();
        long t0 = System.nanoTime();
        List<Future<Integer>> fs = c.map(INC, in);
        List<Integer> out = c.gather(fs);
        double s = (System.nanoTime() - t0) / 1e9;
        if (out.size() != N || out.get(N - 1) != (rep + 1) * N) throw new AssertionError("map/gather result wrong");
        for (Future<Integer> f : fs) f.release();
        return s;
    }

    private static void readLikeThePage(String base, long pollMs, AtomicBoolean stop, AtomicLong count) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long since = 0;
        int polls = 0;
        while (!stop.get()) {
            long t0 = System.currentTimeMillis();
            try {
                List<String> paths = new ArrayList<>(List.of("/api/workers", "/api/tasks", "/api/task-stream?since=" + since));
                if (polls++ % 3 == 0) paths.add("/api/graph?limit=500");
                for (String p : paths) {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + p)).timeout(Duration.ofSeconds(10)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200) throw new IllegalStateException(p + ": HTTP " + r.statusCode() + " " + r.body());
                    count.incrementAndGet();
                }
                since = System.currentTimeMillis() - 5000;
                Thread.sleep(Math.max(0, pollMs - (System.currentTimeMillis() - t0)));
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                throw new IllegalStateException("page reader failed: " + e, e);
            }
        }
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}

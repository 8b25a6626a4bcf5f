package org.jdask.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdask.Config;
import org.jdask.distributed.Client;
import org.jdask.distributed.LocalCluster;
import org.jdask.distributed.actor.ActorFuture;
import org.jdask.distributed.actor.ActorHandle;

/**
 * Actor calls (issue 19), side by side with the Dask peer {@code benchmarks/peers/actors.py}
 * ({@code dask.distributed} actors on the same cluster shape): a counter actor on a LocalCluster of
 * 2 worker JVMs x 1 thread; the round trip of one call waited for before the next ({@code
 * counter.call(Counter::increment).result()}, median and 99th percentile of {@code --calls}
 * calls), and throughput: {@code --pipelined} calls sent without waiting, then all results waited
 * for, from one client and from 4 clients at once.
 *
 * <p>Run alone on a quiet machine (from the repository root, after {@code mvn -B -q -DskipTests package}):
 * <pre>
 * java @graph/target/classes/org/jdask/jvm-flags.txt -cp benchmarks/target/benchmarks.jar \
 *     org.jdask.benchmarks.Runner actors [--reps 3] [--calls 2000] [--pipelined 50000] [--own-peers benchmarks/peers] [--no-peer]
 *     [--first 200] [--latency-dir /tmp/actor-latency]
 * </pre>
 * Beside Dask's figures, the p99 of each fresh actor's first {@code --first} waited-for calls and
 * of the rest (a new actor per rep). With {@code --latency-dir}, every waited-for call is written
 * there with its start time, the worker JVMs log their GC pauses there, and each rep's calls at
 * or over the p99 are printed with the GC pauses (this JVM's and the workers') they overlapped
 * ({@link ActorLatency}).
 * The peer needs Debian's {@code python3-distributed} (dask.distributed).
 */
final class ActorBench {
    private ActorBench() {}

    /** The actor: its state never leaves the worker. */
    public static final class Counter {
        private long n;

        public long increment() {
            return ++n;
        }
    }

    /** {@code p99FirstUs}/{@code p99RestUs}: the p99 of a fresh actor's first {@code --first} waited-for calls and of the rest. */
    record Figures(double roundTripMedianUs, double roundTripP99Us, double callsPerS, double callsPerS4, double p99FirstUs, double p99RestUs) { }

    static void run(List<String> args) throws Exception {
        int reps = Integer.parseInt(Runner.opt(args, "--reps", "3"));
        int calls = Integer.parseInt(Runner.opt(args, "--calls", "2000"));
        int pipelined = Integer.parseInt(Runner.opt(args, "--pipelined", "50000"));
        Path peers = Path.of(Runner.opt(args, "--own-peers", "benchmarks/peers"));
        int first = Integer.parseInt(Runner.opt(args, "--first", "200"));
        String dir = Runner.opt(args, "--latency-dir", null);
        ActorLatency latency = dir == null ? null : new ActorLatency(Path.of(dir));
        List<Figures> ours = new ArrayList<>();
        try (Config.Scope ignored = latency == null ? null : Config.set("distributed.worker.jvm-options", ActorLatency.workerGcOption(Path.of(dir)));
             LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(true).dashboardAddress("none").build();
             Client client = Client.connect(cluster)) {
            client.waitForWorkers(2, 60, TimeUnit.SECONDS);
            once(cluster, client, calls, pipelined, first, latency, "warm-up"); // warm-up: JIT, sockets, the method cache
            for (int i = 0; i < reps; i++) ours.add(once(cluster, client, calls, pipelined, first, latency, "rep-" + (i + 1)));
        }
        Figures j = median(ours);
        Map<String, Double> dask = args.contains("--no-peer") ? Map.of() : peer(peers.resolve("actors.py"), calls, pipelined, reps);
        double dRt = dask.getOrDefault("round_trip_median_us", Double.NaN);
        double dP99 = dask.getOrDefault("round_trip_p99_us", Double.NaN);
        double dCps = dask.getOrDefault("calls_per_s", Double.NaN);
        double dCps4 = dask.getOrDefault("calls_per_s_4_clients", Double.NaN);
        StringBuilder md = new StringBuilder();
        md.append("| actor calls (2 worker JVMs x 1 thread, median of ").append(reps).append(") | jdask | Dask | Dask / jdask |\n|---|---|---|---|\n");
        md.append(String.format("| round trip, median µs (%d calls, each waited for) | %.1f | %s | %s |%n", calls, j.roundTripMedianUs(),
                fmt(dRt, "%.1f"), fmt(dRt / j.roundTripMedianUs(), "%.1f×")));
        md.append(String.format("| round trip, p99 µs | %.1f | %s | %s |%n", j.roundTripP99Us(), fmt(dP99, "%.1f"), fmt(dP99 / j.roundTripP99Us(), "%.1f×")));
        // not a Dask figure: the same calls split at --first (a new actor per rep: its first calls vs the rest)
        md.append(String.format("| round trip p99 µs, a fresh actor's first %d calls / the rest | %.1f / %.1f | - | - |%n", first,
                j.p99FirstUs(), j.p99RestUs()));
        md.append(String.format("| calls/s, %,d pipelined from 1 client | %,.0f | %s | %s |%n", pipelined, j.callsPerS(), fmt(dCps, "%,.0f"),
                fmt(j.callsPerS() / dCps, "%.1f×")));
        md.append(String.format("| calls/s, 4 clients x %,d pipelined | %,.0f | %s | %s |%n", pipelined / 4, j.callsPerS4(), fmt(dCps4, "%,.0f"),
                fmt(j.callsPerS4() / dCps4, "%.1f×")));
        System.out.println(md);
    }

    static Figures once(LocalCluster cluster, Client client, int calls, int pipelined, int first, ActorLatency latency, String rep) throws Exception {
        try (ActorHandle<Counter> counter = client.submitActor(Counter::new)) {
            long[] lat = new long[calls], startMs = new long[calls];
            for (int i = 0; i < calls; i++) {
                startMs[i] = System.currentTimeMillis();
                long t0 = System.nanoTime();
                counter.call(Counter::increment).result(60, TimeUnit.SECONDS);
                lat[i] = System.nanoTime() - t0;
            }
            double[] split = ActorLatency.split(lat, first);
            if (latency != null) latency.report(rep, startMs, lat);
            Arrays.sort(lat);
            long t0 = System.nanoTime();
            List<ActorFuture<Long>> fs = new ArrayList<>(pipelined);
            for (int i = 0; i < pipelined; i++) fs.add(counter.call(Counter::increment));
            for (ActorFuture<Long> f : fs) f.result(600, TimeUnit.SECONDS);
            double cps = pipelined / ((System.nanoTime() - t0) / 1e9);
            List<Client> others = new ArrayList<>();
            try {
                List<ActorHandle<Counter>> handles = new ArrayList<>();
                for (int c = 0; c < 4; c++) {
                    Client o = Client.connect(cluster);
                    others.add(o);
                    handles.add(o.actor(counter.ref()));
                }
                long before = counter.call(c -> c.n).result(60, TimeUnit.SECONDS);
                t0 = System.nanoTime();
                List<CompletableFuture<Void>> runs = new ArrayList<>();
                ExecutorService four = Executors.newFixedThreadPool(4); // the common pool may have a single thread
                for (ActorHandle<Counter> h : handles) {
                    runs.add(CompletableFuture.runAsync(() -> {
                        List<ActorFuture<Long>> mine = new ArrayList<>(pipelined / 4);
                        for (int i = 0; i < pipelined / 4; i++) mine.add(h.call(Counter::increment));
                        for (ActorFuture<Long> f : mine) f.result();
                    }, four));
                }
                four.shutdown();
                for (CompletableFuture<Void> r : runs) r.get(600, TimeUnit.SECONDS);
                double cps4 = 4 * (pipelined / 4) / ((System.nanoTime() - t0) / 1e9);
                long after = counter.call(c -> c.n).result(60, TimeUnit.SECONDS);
                if (after - before != 4L * (pipelined / 4)) throw new AssertionError("counter moved by " + (after - before));
                for (ActorHandle<Counter> h : handles) h.close();
                return new Figures(lat[calls / 2] / 1e3, lat[Math.min(calls - 1, (int) (calls * 0.99))] / 1e3, cps, cps4, split[0], split[1]);
            } finally {
                for (Client o : others) o.close();
            }
        }
    }

    private static Figures median(List<Figures> fs) {
        double[] a = fs.stream().mapToDouble(Figures::roundTripMedianUs).sorted().toArray();
        double[] b = fs.stream().mapToDouble(Figures::roundTripP99Us).sorted().toArray();
        double[] c = fs.stream().mapToDouble(Figures::callsPerS).sorted().toArray();
        double[] d = fs.stream().mapToDouble(Figures::callsPerS4).sorted().toArray();
        double[] e = fs.stream().mapToDouble(Figures::p99FirstUs).sorted().toArray();
        double[] f = fs.stream().mapToDouble(Figures::p99RestUs).sorted().toArray();
        int m = fs.size() / 2;
        return new Figures(a[m], b[m], c[m], d[m], e[m], f[m]);
    }

    private static String fmt(double v, String f) {
        return Double.isNaN(v) ? "n/a" : String.format(f, v);
    }

    /** Runs the peer; pulls its figures from its one JSON line. */
    static Map<String, Double> peer(Path script, int calls, int pipelined, int reps) throws IOException, InterruptedException {
        if (!Files.exists(script)) {
            System.err.println("peer script not found: " + script.toAbsolutePath() + " (pass --own-peers DIR or --no-peer)");
            return Map.of();
        }
        Process p = new ProcessBuilder("/usr/bin/python3", script.getFileName().toString(), "--calls", String.valueOf(calls),
                "--pipelined", String.valueOf(pipelined), "--reps", String.valueOf(reps))
                .directory(script.toAbsolutePath().getParent().toFile()).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) out.append(line).append('\n');
        }
        if (!p.waitFor(1800, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("peer " + script + " did not finish in 1800 s");
        }
        Map<String, Double> m = new LinkedHashMap<>();
        for (String f : List.of("round_trip_median_us", "round_trip_p99_us", "calls_per_s", "calls_per_s_4_clients")) {
            Matcher fm = Pattern.compile("\"" + f + "\": ([0-9.eE+-]+)").matcher(out);
            if (fm.find()) m.put(f, Double.parseDouble(fm.group(1)));
        }
        if (m.isEmpty()) System.err.println("could not parse the peer's output:\n" + out);
        return m;
    }
}

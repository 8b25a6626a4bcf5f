package org.jdask.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.jdask.distributed.Client;
import org.jdask.distributed.Future;
import org.jdask.distributed.LocalCluster;
import org.jdask.fn.Fn1;

/**
 * W6 (futures on a LocalCluster of 2 worker JVMs x 1 thread), side by side with the Dask peer
 * {@code w6_futures.py}: start-up until the client is ready; {@code map(inc, range(10000))} +
 * gather; {@code submit(sum, futures)}; scatter 100 x 10 MB {@code double[]} (1 GB) and gather it
 * back (bit-identical check). Run through {@link Runner}: {@code Runner w6 [--reps N]}.
 */
final class W6 {
    static final int N = 10_000, N_ARR = 100, ARR_LEN = 1_250_000;
    static final Fn1<Integer, Integer> INC = i -> i + 1;
    static final Fn1<List<Integer>, Long> SUM = l -> {
        long s = 0;
        for (int x : l) s += x;
        return s;
    };

    private W6() {}

    /** One jdask run: seconds per part (and GB/s for scatter/gather). */
    static Map<String, Double> once(List<double[]> arrays) throws Exception {
        Map<String, Double> r = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(true).build();
        Client client = Client.connect(cluster);
        client.waitForWorkers(2, 60, TimeUnit.SECONDS);
        r.put("startup", (System.nanoTime() - t0) / 1e9);
        try {
            parts(client, arrays, r);
        } finally {
            t0 = System.nanoTime();
            client.close();
            cluster.close();
            r.put("close", (System.nanoTime() - t0) / 1e9);
        }
        return r;
    }

    /** W6's timed parts after start-up, on any cluster of 2 x 1 thread: map + gather, submit(sum), scatter, gather (into {@code r}). */
    static void parts(Client client, List<double[]> arrays, Map<String, Double> r) {
        long t0 = System.nanoTime();
        List<Future<Integer>> futs = client.map(INC, IntStream.range(0, N).boxed().toList());
        List<Integer> res = client.gather(futs);
        r.put("map_gather", (System.nanoTime() - t0) / 1e9);
        if (!res.equals(IntStream.range(1, N + 1).boxed().toList())) throw new AssertionError("map/gather result wrong");
        t0 = System.nanoTime();
        long total = client.submit(SUM, futs).result();
        r.put("submit_sum", (System.nanoTime() - t0) / 1e9);
        if (total != (long) N * (N + 1) / 2) throw new AssertionError("sum wrong: " + total);
        long bytes = 8L * ARR_LEN * arrays.size();
        double[] sg = scatterGather(client, arrays);
        r.put("scatter", sg[0]);
        r.put("scatter_GBps", bytes / 1e9 / sg[0]);
        r.put("gather", sg[1]);
        r.put("gather_GBps", bytes / 1e9 / sg[1]);
    }

    /** {@code n} arrays of {@code len} uniform doubles, array {@code i} drawn with seed {@code i} (the peer's data). */
    static List<double[]> randomArrays(int n, int len) {
        List<double[]> arrays = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Random rnd = new Random(i);
            double[] a = new double[len];
            for (int j = 0; j < a.length; j++) a[j] = rnd.nextDouble();
            arrays.add(a);
        }
        return arrays;
    }

    /** Scatters {@code arrays}, gathers them back and checks them; seconds of {scatter, gather}. */
    static double[] scatterGather(Client client, List<double[]> arrays) {
        long t0 = System.nanoTime();
        List<Future<double[]>> s = client.scatter(arrays);
        long t1 = System.nanoTime();
        List<double[]> back = client.gather(s);
        long t2 = System.nanoTime();
        for (int i = 0; i < arrays.size(); i++) {
            if (!Arrays.equals(arrays.get(i), back.get(i))) throw new AssertionError("gathered array " + i + " differs");
        }
        return new double[] {(t1 - t0) / 1e9, (t2 - t1) / 1e9};
    }

    static void run(int reps, Path peer, boolean noPeer) throws Exception {
        List<double[]> arrays = W6.randomArrays(N_ARR, ARR_LEN);
        once(arrays.subList(0, 2)); // warm-up (JIT, class loading) with a small scatter
        List<Map<String, Double>> runs = new ArrayList<>();
        for (int i = 0; i < reps; i++) runs.add(once(arrays));
        Map<String, Double> dask = noPeer ? Map.of() : peer(peer);
        StringBuilder md = new StringBuilder("| part | jdask (median of " + reps + ") | Dask | ratio (Dask / jdask time) |\n|---|---|---|---|\n");
        for (String part : List.of("startup", "map_gather", "submit_sum", "scatter", "gather", "close")) {
            double j = median(runs, part);
            double d = dask.getOrDefault(part, Double.NaN);
            String extra = "";
            if (part.equals("map_gather")) extra = String.format(" (%,.0f tasks/s vs %,.0f)", N / j, N / d);
            if (part.equals("scatter") || part.equals("gather")) {
                extra = String.format(" (%.2f GB/s vs %.2f GB/s)", median(runs, part + "_GBps"), dask.getOrDefault(part + "_GBps", Double.NaN));
            }
            md.append(String.format("| %s | %.3f s | %.3f s | %.2f×%s |%n", part, j, d, d / j, extra));
        }
        System.out.println(md);
        System.out.println(w1Distributed(reps, peer, noPeer));
    }

    /** W1 (a) fan-in and (b) chain with {@code scheduler=distributed} on the same kind of cluster. */
    static String w1Distributed(int reps, Path peer, boolean noPeer) throws Exception {
        List<W1.Part> fan = new ArrayList<>(), chain = new ArrayList<>();
        try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(true).build();
             Client client = Client.connect(cluster)) {
            W1.timeFanIn("distributed"); // warm-up
            W1.timeChain("distributed");
            for (int i = 0; i < reps; i++) {
                fan.add(W1.timeFanIn("distributed"));
                chain.add(W1.timeChain("distributed"));
            }
        }
        Map<String, Object> dask = noPeer ? Map.of() : Runner.runPeer(peer, "distributed");
        StringBuilder md = new StringBuilder("| W1 on distributed | tasks | jdask run s (median) | jdask tasks/s | Dask run s | Dask tasks/s | ratio (Dask / jdask time) |\n|---|---|---|---|---|---|---|\n");
        for (String part : List.of("a_fanin", "b_chain")) {
            List<W1.Part> ps = new ArrayList<>(part.equals("a_fanin") ? fan : chain);
            ps.sort(java.util.Comparator.comparingDouble(W1.Part::runS));
            W1.Part p = ps.get(ps.size() / 2);
            Object raw = dask.get(part + ".seconds");
            double d = raw == null ? Double.NaN : Double.parseDouble(raw.toString());
            md.append(String.format("| %s | %d | %.3f | %,.0f | %.3f | %,.0f | %.2f× |%n", part, p.tasks(), p.runS(), p.tasks() / p.runS(),
                    d, p.tasks() / d, d / p.runS()));
        }
        return md.toString();
    }

    static double median(List<Map<String, Double>> runs, String k) {
        double[] v = runs.stream().mapToDouble(m -> m.get(k)).sorted().toArray();
        return v[v.length / 2];
    }

    /** Runs the Dask peer and pulls seconds (and GB/s) per part out of its JSON line. */
    static Map<String, Double> peer(Path dir) throws Exception {
        if (!Files.exists(dir.resolve("w6_futures.py"))) {
            System.err.println("peer script not found in " + dir.toAbsolutePath());
            return Map.of();
        }
        Process p = new ProcessBuilder("/usr/bin/python3", "w6_futures.py").directory(dir.toFile()).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) out.append(line).append('\n');
        }
        if (!p.waitFor(900, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("Dask peer W6 did not finish in 900 s");
        }
        Map<String, Double> m = new LinkedHashMap<>();
        for (String part : List.of("startup", "map_gather", "submit_sum", "scatter", "gather", "close")) {
            Matcher pm = Pattern.compile("\"" + part + "\": \\{([^}]*)\\}").matcher(out);
            if (!pm.find()) continue;
            Matcher s = Pattern.compile("\"seconds\": ([0-9.eE+-]+)").matcher(pm.group(1));
            if (s.find()) m.put(part, Double.parseDouble(s.group(1)));
            Matcher g = Pattern.compile("\"GB_per_s\": ([0-9.eE+-]+)").matcher(pm.group(1));
            if (g.find()) m.put(part + "_GBps", Double.parseDouble(g.group(1)));
        }
        if (m.isEmpty()) System.err.println("could not parse the peer's output:\n" + out);
        return m;
    }
}

package org.jdask.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.jdask.distributed.Client;
import org.jdask.distributed.Future;
import org.jdask.distributed.LocalCluster;
import org.jdask.distributed.Security;

/**
 * The cost of {@link Security} (CurveZMQ + ZAP) on W6's shape: a LocalCluster of 2 worker JVMs x 1
 * thread; start-up, {@code map(inc, range(10000))} + gather, and scatter/gather of 20 x 10 MB
 * {@code double[]} (200 MB), plain and secured runs interleaved so both see the same machine load.
 * Run: {@code Runner w6secure [--reps N]}; prints medians and the secure / plain time ratio.
 */
final class W6Secure {
    static final int N = 10_000, N_ARR = 20, ARR_LEN = 1_250_000;
    static final List<String> PARTS = List.of("startup", "map_gather", "scatter", "gather");

    private W6Secure() {}

    static Map<String, Double> once(List<double[]> arrays, Security security) throws Exception {
        Map<String, Double> r = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(true).security(security).build();
             Client client = Client.connect(cluster)) {
            client.waitForWorkers(2, 60, TimeUnit.SECONDS);
            r.put("startup", (System.nanoTime() - t0) / 1e9);
            t0 = System.nanoTime();
            List<Future<Integer>> futs = client.map(W6.INC, IntStream.range(0, N).boxed().toList());
            List<Integer> res = client.gather(futs);
            r.put("map_gather", (System.nanoTime() - t0) / 1e9);
            if (!res.equals(IntStream.range(1, N + 1).boxed().toList())) throw new AssertionError("map/gather result wrong");
            double[] sg = W6.scatterGather(client, arrays);
            r.put("scatter", sg[0]);
            r.put("gather", sg[1]);
            if (security != null && cluster.refusedPeers() != 0) throw new AssertionError("peers were refused: " + cluster.refusedPeers());
        }
        return r;
    }

    static void run(int reps) throws Exception {
        List<double[]> arrays = W6.randomArrays(N_ARR, ARR_LEN);
        once(arrays.subList(0, 2), null); // warm-up: JIT, class loading
        once(arrays.subList(0, 2), Security.temporary());
        List<Map<String, Double>> plain = new ArrayList<>(), secure = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            plain.add(once(arrays, null));
            secure.add(once(arrays, Security.temporary()));
        }
        double mb = 8.0 * ARR_LEN * N_ARR / 1e6;
        StringBuilder md = new StringBuilder("| part | plain (median of " + reps + ") | CurveZMQ | ratio (secure / plain time) |\n|---|---|---|---|\n");
        for (String part : PARTS) {
            double p = median(plain, part), s = median(secure, part);
            String extra = part.equals("map_gather") ? String.format(" (%,.0f vs %,.0f tasks/s)", N / p, N / s)
                    : part.startsWith("scatter") || part.startsWith("gather") ? String.format(" (%.2f vs %.2f GB/s)", mb / 1e3 / p, mb / 1e3 / s) : "";
            md.append(String.format("| %s | %.3f s | %.3f s | %.2f×%s |%n", part, p, s, s / p, extra));
        }
        System.out.println(md);
    }

    private static double median(List<Map<String, Double>> runs, String k) {
        double[] v = runs.stream().mapToDouble(m -> m.get(k)).sorted().toArray();
        return v[v.length / 2];
    }
}

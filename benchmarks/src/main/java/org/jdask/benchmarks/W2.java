package org.jdask.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdask.Delayed;
import org.jdask.Jdask;
import org.jdask.cli.CalcMean;
import org.jdask.schedulers.processes.ProcessPool;

/**
 * W2 and W2b of shared/BENCHMARKS.md on {@code threads} and {@code processes} (2 workers each),
 * plus the start-up time of a 2-worker process pool.
 * <ul>
 *   <li>W2: {@code calc_mean(i, 10,000,000)} for 10 replicates, one compute (peer
 *       {@code shared/peers/dask/w2_calc_mean.py}).
 *   <li>W2b: one 40,000,000-double array as {@code Delayed.value}, 20 tasks each computing its
 *       mean, one compute (peer {@code benchmarks/peers/w2b_shared.py}, written for this runner
 *       because the shared peers have none).
 * </ul>
 * Run through {@link Runner}: {@code Runner w2} / {@code Runner w2b}.
 */
public final class W2 {
    static final int REPLICATES = 10;
    static final int DRAWS = 10_000_000;
    static final int BIG = 40_000_000;
    static final int BIG_TASKS = 20;

    private W2() {}

    /** Median of {@code reps} cold starts of a 2-worker pool (until both workers answered), seconds. */
    static double poolStartup(int reps) {
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            ProcessPool.shutdownShared();
            t[i] = ProcessPool.shared().ensure(2) / 1e9;
        }
        Arrays.sort(t);
        return t[reps / 2];
    }

    /** W2 on {@code scheduler}: seconds and the mean of means. */
    static double[] calcMean(String scheduler) {
        long t0 = System.nanoTime();
        List<Delayed<double[]>> parts = new ArrayList<>();
        for (int i = 0; i < REPLICATES; i++) parts.add(Delayed.of(CalcMean::calcMean).apply(i, DRAWS));
        List<double[]> res = Jdask.compute(parts, Map.of("scheduler", scheduler, "num-workers", 2));
        double s = (System.nanoTime() - t0) / 1e9;
        double means = 0;
        double stds = 0;
        for (double[] r : res) {
            means += r[0];
            stds += r[1];
        }
        if (Math.abs(means / REPLICATES) > 1e-3 || Math.abs(stds / REPLICATES - 1) > 1e-3) {
            throw new AssertionError("W2 wrong: mean of means " + means / REPLICATES + ", mean of stds " + stds / REPLICATES);
        }
        return new double[] {s, means / REPLICATES};
    }

    /** The mean, with four partial sums (so the adds are not one latency-bound chain). */
    public static double mean(double[] a, int i) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int k = 0;
        for (; k + 3 < a.length; k += 4) {
            s0 += a[k];
            s1 += a[k + 1];
            s2 += a[k + 2];
            s3 += a[k + 3];
        }
        for (; k < a.length; k++) s0 += a[k];
        return (s0 + s1 + s2 + s3) / a.length;
    }

    static double[] bigArray() {
        SplittableRandom r = new SplittableRandom(1);
        double[] a = new double[BIG];
        for (int i = 0; i < a.length; i++) a[i] = r.nextDouble();
        return a;
    }

    /** W2b on {@code scheduler}: seconds (building the Delayed values included) and the first mean. */
    static double[] shared(String scheduler, double[] big) {
        long t0 = System.nanoTime();
        Delayed<double[]> x = Delayed.value(big);
        List<Delayed<Double>> parts = new ArrayList<>();
        for (int i = 0; i < BIG_TASKS; i++) parts.add(Delayed.of(W2::mean).apply(x, i));
        List<Double> res = Jdask.compute(parts, Map.of("scheduler", scheduler, "num-workers", 2));
        double s = (System.nanoTime() - t0) / 1e9;
        if (res.size() != BIG_TASKS || Math.abs(res.get(0) - 0.5) > 1e-3) throw new AssertionError("W2b wrong: " + res);
        return new double[] {s, res.get(0)};
    }

    /** The plain-Java floor of W2b: the same 20 means in one thread, seconds. */
    static double sharedFloor(double[] big) {
        long t0 = System.nanoTime();
        double acc = 0;
        for (int i = 0; i < BIG_TASKS; i++) acc += mean(big, i);
        if (acc == 42) System.out.print("");
        return (System.nanoTime() - t0) / 1e9;
    }

    static String w2(int reps, Path peerDir, boolean noPeer) throws Exception {
        StringBuilder md = new StringBuilder();
        md.append(String.format("processes pool start-up, 2 workers (median of 3 cold starts): %.3f s%n%n", poolStartup(3)));
        md.append("| scheduler | jdask s (median of ").append(reps).append(") | jdask mean of means | Dask s | Dask mean of means | speed-up (Dask / jdask) |\n|---|---|---|---|---|---|\n");
        for (String s : List.of("threads", "processes")) {
            calcMean(s); // warm-up
            double[][] runs = new double[reps][];
            for (int i = 0; i < reps; i++) runs[i] = calcMean(s);
            Arrays.sort(runs, (a, b) -> Double.compare(a[0], b[0]));
            double[] m = runs[reps / 2];
            Map<String, Double> peer = noPeer ? Map.of() : peer(peerDir.resolve("w2_calc_mean.py"), s);
            double ds = peer.getOrDefault("seconds", Double.NaN);
            md.append(String.format("| %s | %.3f | %.5f | %s | %s | %s |%n", s, m[0], m[1], fmt(ds, "%.3f"),
                    fmt(peer.getOrDefault("mean_of_means", Double.NaN), "%.5f"), fmt(ds / m[0], "%.1f×")));
        }
        return md.toString();
    }

    static String w2b(int reps, Path ownPeers, boolean noPeer) throws Exception {
        StringBuilder md = new StringBuilder();
        md.append(String.format("processes pool start-up, 2 workers (median of 3 cold starts): %.3f s%n%n", poolStartup(3)));
        double[] big = bigArray();
        md.append("| scheduler | jdask s (median of ").append(reps).append(") | jdask first mean | Dask s | speed-up (Dask / jdask) |\n|---|---|---|---|---|\n");
        for (String s : List.of("threads", "processes")) {
            shared(s, big); // warm-up
            double[][] runs = new double[reps][];
            for (int i = 0; i < reps; i++) runs[i] = shared(s, big);
            Arrays.sort(runs, (a, b) -> Double.compare(a[0], b[0]));
            double[] m = runs[reps / 2];
            Map<String, Double> peer = noPeer ? Map.of() : peer(ownPeers.resolve("w2b_shared.py"), s);
            double ds = peer.getOrDefault("seconds", Double.NaN);
            md.append(String.format("| %s | %.3f | %.5f | %s | %s |%n", s, m[0], m[1], fmt(ds, "%.3f"), fmt(ds / m[0], "%.1f×")));
        }
        md.append(String.format("%nPlain-Java floor: the 20 means in one thread over the in-memory array: %.3f s.%n", sharedFloor(big)));
        return md.toString();
    }

    private static String fmt(double v, String f) {
        return Double.isNaN(v) ? "n/a" : String.format(f, v);
    }

    /** Runs a peer script with {@code --scheduler s}; pulls "seconds" and "mean_of_means" from its JSON line. */
    static Map<String, Double> peer(Path script, String scheduler) throws IOException, InterruptedException {
        if (!Files.exists(script)) {
            System.err.println("peer script not found: " + script.toAbsolutePath() + " (pass --peer DIR or --no-peer)");
            return Map.of();
        }
        Process p = new ProcessBuilder("/usr/bin/python3", script.getFileName().toString(), "--scheduler", scheduler)
                .directory(script.toAbsolutePath().getParent().toFile()).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) out.append(line).append('\n');
        }
        if (!p.waitFor(900, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("peer " + script + " " + scheduler + " did not finish in 900 s");
        }
        Map<String, Double> m = new java.util.HashMap<>();
        for (String f : List.of("seconds", "mean_of_means")) {
            Matcher fm = Pattern.compile("\"" + f + "\": ([0-9.eE+-]+)").matcher(out);
            if (fm.find()) m.put(f, Double.parseDouble(fm.group(1)));
        }
        if (m.isEmpty()) System.err.println("could not parse the peer's output:\n" + out);
        return m;
    }
}

package org.jdask.benchmarks;

import static org.jdask.array.Shape.shape;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdask.array.DArray;
import org.jdask.array.NDArray;

/**
 * W3 (shared/BENCHMARKS.md): {@code random.normal(0, 1, (S, S), chunks (C, C)).mean(axis=1)} on
 * jdask and on the Dask peer {@code w3_array.py} in one run, plus the plain-Java floor (one thread
 * drawing and summing rows with the same generator). Sizes: {@code small} S=20,000 C=2,000 (4e8
 * draws), {@code full} S=100,000 C=10,000 (1e10 draws, the "80 GB" case; run it with -Xmx2g).
 *
 * <pre>
 * java @graph/target/classes/org/jdask/jvm-flags.txt -Xmx2g -cp benchmarks/target/benchmarks.jar \
 *     org.jdask.benchmarks.Runner w3 [--size tiny|small|full] [--reps 3] [--scheduler threads] [--peer DIR] [--no-peer]
 * </pre>
 * {@code --scheduler distributed [--workers 2] [--threads 1] [--memory-limit 1GB]} runs it on a
 * {@code LocalCluster} of worker JVMs with that memory limit each.
 */
final class W3 {
    private W3() {}

    record Result(double seconds, double cpuS, double buildS, int tasks, double mean, double std, double min, double max) {}

    /** CPU seconds this JVM has used (all threads). */
    static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    static Result time(int s, int c, String scheduler) {
        long t0 = System.nanoTime();
        DArray x = DArray.random(42).normal(0, 1, shape(s, s), shape(c, c));
        DArray y = x.mean(1);
        int tasks = y.graph().size();
        long t1 = System.nanoTime();
        double c0 = cpuSeconds();
        NDArray r = y.compute(Map.of("scheduler", scheduler));
        double c1 = cpuSeconds();
        long t2 = System.nanoTime();
        return new Result((t2 - t1) / 1e9, c1 - c0, (t1 - t0) / 1e9, tasks, r.mean().item(), r.std().item(), r.min().item(), r.max().item());
    }

    /** Nanoseconds per draw of one thread drawing {@code rows} rows of {@code s} normals and summing each row. */
    static double plainLoopNsPerDraw(int rows, int s) {
        RandomGenerator g = RandomGeneratorFactory.of("Xoshiro256PlusPlus").create(42);
        double[] means = new double[rows];
        long t0 = System.nanoTime();
        for (int i = 0; i < rows; i++) {
            double acc = 0;
            for (int j = 0; j < s; j++) acc += g.nextGaussian();
            means[i] = acc / s;
        }
        long t1 = System.nanoTime();
        if (means[0] == 42) System.out.print(""); // keep the loop
        return (t1 - t0) / (double) rows / s;
    }

    /** Peak resident set of this JVM (VmHWM), MB. */
    static double peakRssMb() {
        return peakRssMb(Path.of("/proc/self/status"));
    }

    /** Peak resident set (VmHWM) from a {@code /proc/PID/status} file, MB; NaN where there is none. */
    static double peakRssMb(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        } catch (IOException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    static void run(List<String> a) throws Exception {
        if (opt(a, "--scheduler", "threads").equals("distributed")) {
            // a LocalCluster of worker JVMs with a memory limit each (issue 15: W3 full on 2 x 1 GB)
            try (org.jdask.distributed.LocalCluster cluster = org.jdask.distributed.LocalCluster.builder()
                    .workers(Integer.parseInt(opt(a, "--workers", "2"))).threadsPerWorker(Integer.parseInt(opt(a, "--threads", "1")))
                    .memoryLimit(opt(a, "--memory-limit", "1GB")).dashboardAddress(null).build();
                 org.jdask.distributed.Client client = org.jdask.distributed.Client.connect(cluster)) {
                runOn(a);
                for (org.jdask.distributed.WorkerInfo w : client.workerInfo().values()) System.out.println("worker " + w);
                for (ProcessHandle p : cluster.workerProcesses()) {
                    System.out.printf("worker JVM %d: peak RSS %.0f MB%n", p.pid(), peakRssMb(Path.of("/proc", Long.toString(p.pid()), "status")));
                }
            }
            return;
        }
        runOn(a);
    }

    private static void runOn(List<String> a) throws Exception {
        String size = opt(a, "--size", "small");
        // tiny: a check that the workload runs end to end (seconds), not a figure
        int s = size.equals("full") ? 100_000 : size.equals("tiny") ? 2_000 : 20_000, c = s / 10;
        int reps = Integer.parseInt(opt(a, "--reps", size.equals("full") ? "1" : "3"));
        String scheduler = opt(a, "--scheduler", "threads");
        Path peer = Path.of(opt(a, "--peer", "../shared/peers/dask"));
        Map<String, String> dask = a.contains("--no-peer") ? Map.of() : runPeer(peer, size, scheduler);
        if (size.equals("small")) time(4000, 400, scheduler); // warm-up (JIT), not counted
        List<Result> rs = new ArrayList<>();
        for (int i = 0; i < reps; i++) rs.add(time(s, c, scheduler));
        rs.sort((p, q) -> Double.compare(p.seconds, q.seconds));
        Result r = rs.get(rs.size() / 2);
        double rss = peakRssMb();
        double floor = plainLoopNsPerDraw(Math.max(1, 40_000_000 / s), s);
        double dSec = num(dask, "seconds");
        StringBuilder md = new StringBuilder();
        md.append("| system | scheduler | shape / chunks | tasks | run s (median of ").append(reps)
                .append(") | CPU s | draws/s | peak RSS MB | mean of row means | std of row means |\n|---|---|---|---|---|---|---|---|---|---|\n");
        md.append(String.format("| jdask | %s | (%d, %d) / (%d, %d) | %d | %.2f | %.1f | %.3g | %.0f | %.3g | %.6f |%n", scheduler, s, s, c, c, r.tasks,
                r.seconds, r.cpuS, (double) s * s / r.seconds, rss, r.mean, r.std));
        if (!dask.isEmpty()) {
            md.append(String.format("| Dask %s | %s | (%d, %d) / (%d, %d) | %s | %.2f | n/a | %.3g | %.0f | %.3g | %.6f |%n", dask.getOrDefault("dask_version", "?"),
                    scheduler, s, s, c, c, dask.getOrDefault("graph_tasks", "?"), dSec, (double) s * s / dSec, num(dask, "peak_tree_rss_mb"),
                    num(dask, "mean"), num(dask, "std")));
            md.append(String.format("%nSpeed-up (Dask run s / jdask run s): **%.2f×**.%n", dSec / r.seconds));
        }
        md.append(String.format("Expected std of row means: %.6f. Plain-Java floor (one thread, draw + sum rows, same generator): %.2f ns/draw, "
                + "i.e. %.2f s for %,d draws on one core (%.2f s on 2 cores if perfectly parallel).%n",
                1 / Math.sqrt(s), floor, floor * s * s / 1e9, (long) s * s, floor * s * s / 2e9));
        System.out.println(md);
    }

    static String opt(List<String> a, String name, String fallback) {
        int i = a.indexOf(name);
        return i >= 0 && i + 1 < a.size() ? a.get(i + 1) : fallback;
    }

    private static double num(Map<String, String> m, String k) {
        String v = m.get(k);
        return v == null ? Double.NaN : Double.parseDouble(v);
    }

    /** Runs the peer's w3_array.py and pulls fields out of its JSON line. */
    static Map<String, String> runPeer(Path dir, String size, String scheduler) throws IOException, InterruptedException {
        if (!Files.exists(dir.resolve("w3_array.py"))) {
            System.err.println("peer script not found: " + dir.resolve("w3_array.py").toAbsolutePath() + " (pass --peer DIR or --no-peer)");
            return Map.of();
        }
        Process p = new ProcessBuilder("/usr/bin/python3", "w3_array.py", "--size", size, "--scheduler", scheduler)
                .directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(3600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("Dask peer w3 did not finish in an hour");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        Map<String, String> m = new LinkedHashMap<>();
        for (String f : List.of("seconds", "graph_tasks", "peak_tree_rss_mb", "mean", "std", "dask_version")) {
            Matcher fm = Pattern.compile("\"" + f + "\": \"?([0-9A-Za-z.+-]+)").matcher(text);
            if (fm.find()) m.put(f, fm.group(1));
        }
        if (!m.containsKey("seconds")) System.err.println("could not parse the peer's output:\n" + text);
        return m;
    }
}

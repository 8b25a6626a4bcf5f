package org.jdask.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * End-to-end benchmark runner: runs jdask workloads and the Dask peer
 * ({@code shared/peers/dask}) in one run and prints a Markdown table with ratios.
 *
 * <p>Run (from the repository root, after {@code mvn -B -q -DskipTests package}):
 * <pre>
 * java @graph/target/classes/org/jdask/jvm-flags.txt -Xmx4g -cp benchmarks/target/benchmarks.jar \
 *     org.jdask.benchmarks.Runner w1 [--reps 3] [--peer ../shared/peers/dask] [--schedulers sync,threads,processes]
 * </pre>
 * {@code w2} and {@code w2b} ({@link W2}) take the same {@code --reps}, {@code --peer}, {@code --no-peer}.
 * The peer needs Debian's {@code python3-dask} (see shared/peers/README.md); with {@code --no-peer}
 * only jdask runs.
 */
public final class Runner {
    private Runner() {}

    public static void main(String[] args) throws Exception {
        List<String> a = new ArrayList<>(Arrays.asList(args));
        if (!a.isEmpty() && a.get(0).equals("w6") && a.contains("--netns")) { // W6 on simulated hosts beside loopback (issue 16)
            W6Netns.run(Integer.parseInt(opt(a, "--reps", "3")), Integer.parseInt(opt(a, "--arrays", String.valueOf(W6.N_ARR))),
                    a.contains("--no-peer") ? null : Path.of(opt(a, "--own-peers", "benchmarks/peers"), "w6_netns.py"));
            System.exit(0);
        }
        if (!a.isEmpty() && a.get(0).equals(W6Netns.INNER)) { // W6Netns's client, inside a namespace
            W6Netns.inner(Integer.parseInt(opt(a, "--reps", "3")), Integer.parseInt(opt(a, "--arrays", String.valueOf(W6.N_ARR))), List.of(opt(a, "--hosts", "").split(",")), List.of(opt(a, "--addresses", "").split(",")),
                    a.contains("--peer") ? Path.of(opt(a, "--peer", "")) : null);
            System.exit(0);
        }
        if (!a.isEmpty() && a.get(0).equals("w6")) { // distributed futures, side by side with w6_futures.py
            W6.run(Integer.parseInt(opt(a, "--reps", "3")), Path.of(opt(a, "--peer", "../shared/peers/dask")), a.contains("--no-peer"));
            System.exit(0);
        }
        if (!a.isEmpty() && a.get(0).equals("w6sum")) { // issue 14: W6's submit(sum) alone, split into the submit call and the wait
            W6SumProbe.run(Integer.parseInt(opt(a, "--reps", "5")), opt(a, "--worker-opts", ""), a.contains("--story"));
            System.exit(0);
        }
        if (!a.isEmpty() && a.get(0).equals("coord")) { // issue 19: queue/lock/variable round trips and fib by tasks, beside peers/coord.py
            CoordBench.run(Integer.parseInt(opt(a, "--n", "2000")), Integer.parseInt(opt(a, "--reps", "3")),
                    Integer.parseInt(opt(a, "--fib", "25")), Path.of(opt(a, "--own-peers", "benchmarks/peers")), a.contains("--no-peer"));
            System.exit(0);
        }
        if (!a.isEmpty() && a.get(0).equals("rtt")) { // issue 19: one coordination round trip's latency, CPU and wake-ups, own channel vs I/O thread
            RoundTripBench.run(Integer.parseInt(opt(a, "--n", "5000")));
            System.exit(0);
        }
        if (!a.isEmpty() && a.get(0).equals("startups")) { // issue 16: consecutive LocalCluster start-ups, median and max
            Startups.run(Integer.parseInt(opt(a, "--n", "200")), Integer.parseInt(opt(a, "--workers", "2")),
                    Long.parseLong(opt(a, "--dump-after-ms", "0")), Path.of(opt(a, "--dumps", "startup-dumps")), a.contains("--trace"));
            System.exit(0);
        }
        if (!a.isEmpty() && a.get(0).equals("cold")) { // issue 17: first-run figures, a fresh JVM per workload
            Cold.run(List.of(opt(a, "--workloads", String.join(",", Cold.WORKLOADS)).split(",")), Integer.parseInt(opt(a, "--reps", "1")),
                    Integer.parseInt(opt(a, "--starts", "20")), opt(a, "--cds", "on"),
                    opt(a, "--child-opts", "").isBlank() ? List.of() : List.of(opt(a, "--child-opts", "").trim().split("\\s+")),
                    opt(a, "--worker-opts", ""));
            System.exit(0);
        }
        if (!a.isEmpty() && a.get(0).equals("shipjar")) { // issue 16: first-task latency with a user jar to fetch
            ShipJar.run(Arrays.stream(opt(a, "--mb", "1,50").split(",")).map(Integer::parseInt).toList(),
                    Integer.parseInt(opt(a, "--reps", "3")), opt(a, "--route", "scheduler"), Boolean.parseBoolean(opt(a, "--bulk", "true")));
            System.exit(0);
        }
        if (!a.isEmpty() && a.get(0).equals("plane")) { // issue 17: scatter/gather GB/s on fresh clusters, bulk channel vs ZeroMQ, transports alone
            DataPlaneBench.run(Integer.parseInt(opt(a, "--reps", "3")), Integer.parseInt(opt(a, "--mb", "1000")));
            System.exit(0);
        }
        if (!a.isEmpty() && a.get(0).equals("scatter")) { // issue 17: fresh-cluster scatter with the worker JVMs' page faults and CPU
            ScatterProbe.run(Integer.parseInt(opt(a, "--reps", "3")), Integer.parseInt(opt(a, "--mb", "1000")), opt(a, "--worker-opts", ""));
            System.exit(0);
        }
        if (!a.isEmpty() && a.get(0).equals("w6secure")) { // the cost of Security (CurveZMQ) on W6's cluster
            W6Secure.run(Integer.parseInt(opt(a, "--reps", "3")));
            System.exit(0);
        }
        if (!a.isEmpty() && a.get(0).equals("dashboard")) { // the dashboard's cost on W6's map + gather
            DashboardOverhead.run(Integer.parseInt(opt(a, "--reps", "5")), Long.parseLong(opt(a, "--poll-ms", "1000")));
            System.exit(0);
        }
        if (!a.isEmpty() && a.get(0).equals("w7")) { // time series: see W7 for the options
            W7.run(a, Integer.parseInt(opt(a, "--reps", "3")), Path.of(opt(a, "--peer", "../shared/peers/dask")), a.contains("--no-peer"));
            System.exit(0);
        }
        if (!a.isEmpty() && a.get(0).equals("w4")) {
            W4.run(a, Integer.parseInt(opt(a, "--reps", "3")), Path.of(opt(a, "--peer", "../shared/peers/dask")), a.contains("--no-peer"));
            System.exit(0);
        }
        if (!a.isEmpty() && a.get(0).equals("spill")) { // the worker spill store against dd (issue 15)
            SpillBench.run(Path.of(opt(a, "--dir", System.getProperty("java.io.tmpdir"))), Double.parseDouble(opt(a, "--gb", "4")),
                    Integer.parseInt(opt(a, "--reps", "3")));
            System.exit(0);
        }
        if (!a.isEmpty() && a.get(0).equals("actors")) { // issue 19: actor call round trip and calls/s, beside Dask's
            ActorBench.run(a);
            System.exit(0);
        }
        if (!a.isEmpty() && a.get(0).equals("w3")) { // arrays: see W3 for the options
            W3.run(a);
            System.exit(0);
        }
        if (!a.isEmpty() && a.get(0).equals("w3big")) { // issue 15: W3 on workers smaller than a block, beside threads and Dask
            W3Big.run(a);
            System.exit(0);
        }
        if (!a.isEmpty() && a.get(0).equals("shuffle")) { // issue 15: setIndex over 3x the cluster's memory, beside enough memory and Dask
            ShuffleBig.run(a);
            System.exit(0);
        }
        if (!a.isEmpty() && a.get(0).equals("w5")) {
            // W5 bag over wikistats: jdask, the Dask peer and grep -c in one run
            W5.runner(Path.of(opt(a, "--data", "/tmp/wiki")), Integer.parseInt(opt(a, "--reps", "3")),
                    Path.of(opt(a, "--peer", "../shared/peers/dask")), a.contains("--no-peer"),
                    List.of(opt(a, "--schedulers", "threads,processes").split(",")));
            System.exit(0);
        }
        if (a.isEmpty() || !List.of("w1", "w2", "w2b").contains(a.get(0))) {
            System.err.println("usage: Runner w1|w2|w2b [--reps N] [--peer DIR] [--no-peer] [--schedulers sync,threads,processes] (w1 only)\n"
                    + "       Runner w3 (see W3 for options)\n"
                    + "       Runner w3big [--n 100000] [--chunk 10000] [--workers 2] [--memory-limit 1GB] [--threads-scheduler on|off] [--no-peer] (see W3Big)\n"
                    + "       Runner shuffle [--dir /tmp/jdask-shuffle] [--workers 2] [--memory-limit 256MiB] [--times 3] [--big-limit B] [--runs small,big,dask] (see ShuffleBig)\n"
                    + "       Runner w4 [--reps N] [--peer DIR] [--no-peer] (see W4 for options)\n"
                    + "       Runner w7 --data DIR [--reps N] [--schedulers threads] [--peer DIR] [--no-peer] (see W7)\n"
                    + "       Runner w5 [--data DIR] [--reps N] [--peer DIR] [--no-peer] [--schedulers threads,processes]\n"
                    + "       Runner w6 [--reps N] [--peer DIR] [--no-peer]\n"
                    + "       Runner w6 --netns [--reps N] [--arrays N] [--own-peers DIR] [--no-peer]   (W6 with scheduler and workers on simulated hosts, jdask and Dask; root, iproute2)\n"
                    + "       Runner startups [--n 200] [--workers 2] [--trace] [--dump-after-ms MS --dumps DIR]\n"
                    + "       Runner cold [--reps 1] [--starts 20] [--cds on|off|cold] [--child-opts \"OPTS\"] [--worker-opts \"OPTS\"] [--workloads " + String.join(",", Cold.WORKLOADS) + "]\n"
                    + "       Runner shipjar [--mb 1,50] [--reps 3] [--route scheduler|direct] [--bulk true|false]\n"
                    + "       Runner coord [--n 2000] [--reps 3] [--fib 25] [--own-peers benchmarks/peers] [--no-peer]\n"
                    + "       Runner rtt [--n 5000]\n"
                    + "       Runner w6sum [--reps 5] [--story] [--worker-opts \"JVM OPTIONS\"]\n"
                    + "       Runner actors [--reps 3] [--calls 2000] [--pipelined 50000] [--own-peers benchmarks/peers] [--no-peer] [--first 200] [--latency-dir DIR]\n"
                    + "       Runner plane [--reps 3] [--mb 1000]\n"
                    + "       Runner scatter [--reps 3] [--mb 1000] [--worker-opts \"JVM OPTIONS\"]");
            System.exit(2);
        }
        int reps = Integer.parseInt(opt(a, "--reps", "3"));
        Path peer = Path.of(opt(a, "--peer", "../shared/peers/dask"));
        boolean noPeer = a.contains("--no-peer");
        if (a.get(0).equals("w2")) {
            System.out.println(W2.w2(reps, peer, noPeer));
            System.exit(0); // the processes pool's shutdown hook stops the workers
        }
        if (a.get(0).equals("w2b")) {
            System.out.println(W2.w2b(reps, Path.of(opt(a, "--own-peers", "benchmarks/peers")), noPeer));
            System.exit(0);
        }
        List<String> schedulers = List.of(opt(a, "--schedulers", "sync,threads,processes").split(","));
        if (schedulers.contains("processes")) {
            System.out.printf("processes pool start-up, 2 workers (median of 3 cold starts): %.3f s%n%n", W2.poolStartup(3));
        }
        w1(reps, peer, noPeer, schedulers);
        System.exit(0);
    }

    static String opt(List<String> a, String name, String fallback) {
        int i = a.indexOf(name);
        return i >= 0 && i + 1 < a.size() ? a.get(i + 1) : fallback;
    }

    static void w1(int reps, Path peer, boolean noPeer, List<String> schedulers) throws Exception {
        // warm-up: JIT the engine and Delayed building
        for (String s : schedulers) {
            for (int i = 0; i < 3; i++) {
                W1.timeFanIn(s);
                W1.timeChain(s);
            }
        }
        double loop = W1.plainLoop(W1.N);
        StringBuilder md = new StringBuilder();
        md.append("| scheduler | part | tasks | jdask build s | jdask run s (median of ").append(reps)
                .append(") | jdask tasks/s | µs/task | Dask build s | Dask run s | Dask tasks/s | speed-up (Dask run / jdask run) |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (String s : schedulers) {
            Map<String, Object> dask = noPeer ? Map.of() : runPeer(peer, s);
            for (String part : List.of("a_fanin", "b_chain")) {
                W1.Part p = median(reps, part.equals("a_fanin") ? () -> W1.timeFanIn(s) : () -> W1.timeChain(s));
                double dBuild = num(dask, part, "build_s");
                double dRun = num(dask, part, "seconds");
                md.append(String.format("| %s | %s | %d | %.3f | %.4f | %,.0f | %.2f | %s | %s | %s | %s |%n", s, part, p.tasks(), p.buildS(),
                        p.runS(), p.tasksPerS(), 1e6 * p.runS() / p.tasks(), fmt(dBuild, "%.3f"), fmt(dRun, "%.3f"),
                        fmt(p.tasks() / dRun, "%,.0f"), fmt(dRun / p.runS(), "%.0f×")));
            }
        }
        md.append("\n| scheduler | 1M-task graph | build s | optimize s | run s | total s | tasks/s (run) | scheduler bytes/task |\n|---|---|---|---|---|---|---|---|\n");
        for (String s : schedulers) {
            W1.Part p = median(Math.min(reps, 3), () -> W1.timeMillion(s));
            md.append(String.format("| %s | %,d tasks | %.2f | %.2f | %.2f | %.2f | %,.0f | %.0f |%n", s, p.tasks(), p.buildS(),
                    p.optimizeS(), p.runS(), p.buildS() + p.optimizeS() + p.runS(), p.tasksPerS(), p.bytesPerTask()));
        }
        md.append(String.format("%nPlain Java floor: %,d calls of `inc` in a loop: %.1f µs (%.3f ns/call).%n", W1.N, loop * 1e6, loop * 1e9 / W1.N));
        System.out.println(md);
    }

    private static W1.Part median(int reps, Supplier<W1.Part> run) {
        List<W1.Part> parts = new ArrayList<>();
        for (int i = 0; i < reps; i++) parts.add(run.get());
        parts.sort(Comparator.comparingDouble(W1.Part::runS));
        return parts.get(parts.size() / 2);
    }

    private static String fmt(double v, String f) {
        return Double.isNaN(v) ? "n/a" : String.format(f, v);
    }

    private static double num(Map<String, Object> json, String part, String field) {
        String raw = (String) json.get(part + "." + field);
        return raw == null ? Double.NaN : Double.parseDouble(raw);
    }

    /** Runs the peer's w1_delayed.py and pulls numbers out of its one JSON line. */
    static Map<String, Object> runPeer(Path peerDir, String scheduler) throws IOException, InterruptedException {
        Path script = peerDir.resolve("w1_delayed.py");
        if (!Files.exists(script)) {
            System.err.println("peer script not found: " + script.toAbsolutePath() + " (pass --peer DIR or --no-peer)");
            return Map.of();
        }
        Process p = new ProcessBuilder("/usr/bin/python3", "w1_delayed.py", "--scheduler", scheduler)
                .directory(peerDir.toFile()).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) out.append(line).append('\n');
        }
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("Dask peer w1 " + scheduler + " did not finish in 600 s");
        }
        String text = out.toString();
        Map<String, Object> m = new LinkedHashMap<>();
        for (String part : List.of("a_fanin", "b_chain")) {
            Matcher pm = Pattern.compile("\"" + part + "\": \\{([^}]*)\\}").matcher(text);
            if (!pm.find()) continue;
            for (String f : List.of("build_s", "seconds")) {
                Matcher fm = Pattern.compile("\"" + f + "\": ([0-9.eE+-]+)").matcher(pm.group(1));
                if (fm.find()) m.put(part + "." + f, fm.group(1));
            }
        }
        if (m.isEmpty()) System.err.println("could not parse the peer's output:\n" + text);
        return m;
    }
}

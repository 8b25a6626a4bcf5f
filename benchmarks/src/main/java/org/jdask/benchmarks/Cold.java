package org.jdask.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.jdask.distributed.Client;
import org.jdask.distributed.Future;
import org.jdask.distributed.LocalCluster;
import org.jdask.graph.JavaCommand;
import org.jdask.graph.JvmFlags;
import org.jdask.graph.cds.CdsArchive;
import org.jdask.serialize.ClassPath;

/**
 * {@code Runner cold}: first-run figures the way a user's program sees them (issue 17, "Honest
 * figures"). Every workload runs in a <b>fresh JVM</b> started by this one ({@code java <jdask
 * flags> -cp <this class path> org.jdask.benchmarks.Cold <workload>}), once per repetition, and
 * reports both what the program measured (from its {@code main} to the result) and the whole
 * process (spawn to exit, JVM start-up included); each line carries the load average. Workloads:
 * <ul>
 * <li>{@code w1-processes}: W1 fan-in (10,000 {@code inc} + sum) on {@code processes}, the first
 * compute, pool start included (goal ≤ 1 s);
 * <li>{@code cluster-start}: {@code LocalCluster} with 2 worker JVMs until {@code Client.connect}
 * returns (goal: median of 20 ≤ 0.4 s, none over 2× the median), with the JVM's uptime when the
 * program calls {@code build()} and the cluster's start phases ({@code --worker-opts
 * "-Djdask.startup.trace=true"} adds each worker JVM's own: main, prepared, address, registered);
 * <li>{@code map-10k}: on that fresh cluster, {@code client.map(inc, 10,000)} + gather (goal ≥
 * 20,000 tasks/s);
 * <li>{@code w1-1m-threads}: the 1,000,000-task graph (1,000 chains of 1,000) on {@code threads},
 * built, optimized and run once (goal ≤ 5 s). Until 2026-12-07 this child also made W1's untimed
 * memory-probe run and three {@code System.gc()} calls first (about half of its 8.7 s then).
 * <li>{@code w4a-threads}, {@code w4b-threads}, {@code w5b-threads}: W4's max-only scan and filtered
 * groupby, W5's filter-count with a user lambda, each the first query of its JVM (data from
 * {@code -Djdask.bench.flights=DIR}, default /tmp/flights, and {@code -Djdask.bench.wiki=DIR}, default
 * /tmp/wiki, given through {@code --child-opts}).
 * <li>{@code w3-cluster}, {@code w4b-cluster}: long kernels on worker JVMs, to choose their JIT flags
 * with ({@code --worker-opts}): W3 small (20,000² normals in 2,000² chunks, row means) or W4's
 * filtered groupby, each twice on a fresh cluster of 2 worker JVMs (1 GB each), wall time and the
 * workers' CPU of the first and the second run.
 * </ul>
 * Worker JVMs start from the CDS archive ({@link CdsArchive}) unless {@code --cds off}; before
 * measuring, this JVM waits until the archive for the workers' class path is built (a user's
 * second run onwards); {@code --cds cold} gives every run an empty archive directory (the very
 * first run on a machine: no archive, and its background build competes for the cores); {@code
 * --cds launcher} starts the measured program JVM from that archive too, as the {@code jdask}
 * launcher starts its own (without it the program is a plain {@code java -cp} one). Run it
 * alone on a quiet machine:
 * <pre>
 * java @graph/target/classes/org/jdask/jvm-flags.txt -cp benchmarks/target/benchmarks.jar \
 *     org.jdask.benchmarks.Runner cold [--reps 3] [--starts 20] [--cds on|off|cold|launcher] [--workloads w1-processes,...]
 *     [--child-opts "-Djdask.processes.worker-jvm-options=-XX:TieredStopAtLevel=1"]
 * </pre>
 * {@code --child-opts} (space-separated) go on every measured JVM's command line: JIT flags for the
 * program JVM, or for {@code processes} workers through {@code -Djdask.processes.worker-jvm-options=...};
 * {@code --worker-opts "..."} (spaces allowed) on every worker JVM's, {@code processes} and nanny
 * workers alike, e.g. {@code --worker-opts "-XX:TieredStopAtLevel=1"}.
 */
public final class Cold {
    static final List<String> WORKLOADS = List.of("w1-processes", "cluster-start", "map-10k", "w1-1m-threads", "w4a-threads", "w4b-threads",
            "w5b-threads", "w3-cluster", "w4b-cluster");
    private static final String PREFIX = "COLD ";

    private Cold() {}

    /** The parent: runs each workload in fresh JVMs and prints a table. */
    /**
     * With {@code workerOpts} (space-separated, may be blank) on the command line of every worker JVM
     * the measured programs start, of both kinds: {@code processes.worker-jvm-options} and {@code
     * distributed.worker.jvm-options}, given through the programs' environment (a {@code
     * --child-opts} value cannot hold spaces).
     */
    static void run(List<String> workloads, int reps, int starts, String cds, List<String> childOpts, String workerOpts) throws Exception {
        if (!cds.equals("off") && !cds.equals("cold")) awaitArchives();
        Cold.workerOpts = workerOpts.trim();
        System.out.printf("Runner cold: a fresh JVM per run; CDS for worker JVMs: %s; child JVM options: %s; worker JVM options: \"%s\"; %d cores%n%n",
                cds, childOpts, Cold.workerOpts, Runtime.getRuntime().availableProcessors());
        System.out.println("| workload | run | in program | process (spawn to exit) | detail | load avg before / after |");
        System.out.println("|---|---|---|---|---|---|");
        for (String w : workloads) {
            if (!WORKLOADS.contains(w)) throw new IllegalArgumentException("unknown workload " + w + "; known: " + WORKLOADS);
            int n = w.equals("cluster-start") ? starts : reps;
            List<Double> inProgram = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                double before = load();
                Map<String, String> r = child(w, cds, childOpts);
                double wall = Double.parseDouble(r.remove("process_ms"));
                double ms = Double.parseDouble(r.remove("ms"));
                inProgram.add(ms);
                System.out.printf("| %s | %d | %.0f ms | %.0f ms | %s | %.2f / %.2f |%n", w, i + 1, ms, wall, r, before, load());
            }
            if (n > 1) {
                List<Double> s = new ArrayList<>(inProgram);
                s.sort(null);
                double med = s.get(s.size() / 2);
                System.out.printf("| %s | median of %d | %.0f ms | | max %.0f ms (%.2f× the median) | |%n", w, n, med, s.get(s.size() - 1),
                        s.get(s.size() - 1) / med);
            }
        }
    }

    /** Waits (up to 5 minutes) until the CDS archives for the worker JVMs' class paths are built. */
    private static void awaitArchives() throws InterruptedException {
        Set<String> paths = new LinkedHashSet<>(List.of(ClassPath.asString(), System.getProperty("java.class.path")));
        for (String cp : paths) {
            CdsArchive.shared().flags(cp); // starts the build if there is none
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            CdsArchive.State s;
            while ((s = CdsArchive.shared().state(cp)) == CdsArchive.State.MISSING || s == CdsArchive.State.BUILDING) {
                if (System.nanoTime() > deadline) break;
                Thread.sleep(200);
            }
            System.out.println("CDS archive for the workers' class path: " + s + " (" + CdsArchive.shared().archive(cp) + ")");
        }
    }

    private static String workerOpts = "";

    private static Map<String, String> child(String workload, String cds, List<String> childOpts) throws IOException, InterruptedException {
        List<String> cmd = JavaCommand.of(JvmFlags.get());
        if (cds.equals("off")) cmd.add("-D" + CdsArchive.PROPERTY + "=off");
        // launcher: the program JVM itself starts from the archive too, as the jdask launcher starts its JVM (issue 16's first start-up)
        if (cds.equals("launcher")) cmd.addAll(CdsArchive.shared().flags(System.getProperty("java.class.path")));
        // cold: an empty archive directory per run, as on a machine where jdask never ran (the build starts in the background)
        Path emptyCds = cds.equals("cold") ? Files.createTempDirectory("jdask-cold-cds-") : null;
        if (emptyCds != null) cmd.add("-D" + CdsArchive.DIR_PROPERTY + "=" + emptyCds);
        cmd.addAll(childOpts);
        Path args = Files.createTempFile("jdask-cold-", ".args");
        try {
            Files.writeString(args, "-cp\n\"" + System.getProperty("java.class.path").replace("\\", "\\\\") + "\"\n");
            cmd.add("@" + args);
            cmd.add(Cold.class.getName());
            cmd.add(workload);
            long t0 = System.nanoTime();
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            if (!workerOpts.isEmpty()) {
                pb.environment().put("JDASK_PROCESSES__WORKER_JVM_OPTIONS", workerOpts);
                pb.environment().put("JDASK_DISTRIBUTED__WORKER__JVM_OPTIONS", workerOpts);
            }
            Process p = pb.start();
            Map<String, String> out = new LinkedHashMap<>();
            List<String> tail = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith(PREFIX)) {
                        for (String kv : line.substring(PREFIX.length()).trim().split(" ")) {
                            int eq = kv.indexOf('=');
                            if (eq > 0) out.put(kv.substring(0, eq), kv.substring(eq + 1));
                        }
                    } else {
                        tail.add(line);
                        if (tail.size() > 40) tail.remove(0);
                    }
                }
            }
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(workload + ": the JVM did not exit within 10 minutes");
            }
            out.put("process_ms", String.valueOf((System.nanoTime() - t0) / 1e6)); // before any clean-up below
            if (p.exitValue() != 0 || !out.containsKey("ms")) {
                throw new IllegalStateException(workload + ": the JVM exited with status " + p.exitValue() + "; its last output:\n"
                        + String.join("\n", tail));
            }
            return out;
        } finally {
            Files.deleteIfExists(args);
            if (emptyCds != null) removeAfterBuilds(emptyCds);
        }
    }

    /**
     * Waits (up to 20 minutes) for the background builds a cold run started to finish, so the next
     * run does not compete with them, then deletes their directory (archives are ~20 MB each).
     */
    private static void removeAfterBuilds(Path dir) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
        while (System.nanoTime() < deadline && buildsRunning(dir)) Thread.sleep(500);
        try (var files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        }
    }

    /** A build was started (its log exists: the starter creates it) and has not ended (no archive record, failure or give-up yet). */
    private static boolean buildsRunning(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path log : files.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
                String key = log.getFileName().toString().replace(".log", "");
                if (Files.exists(dir.resolve(key + ".properties")) || Files.exists(dir.resolve(key + ".failed"))) continue;
                String text = Files.readString(log);
                if (text.contains("gave up") || text.contains("another builder holds")) continue;
                return true;
            }
        }
        return false;
    }

    private static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    public static int inc(int x) {
        return x + 1;
    }

    /** The child: one workload, as a user's program would run it; prints one {@code COLD k=v ...} line. */
    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        long inProgram = -1;
        String w = args[0];
        StringBuilder out = new StringBuilder();
        switch (w) {
            case "w1-processes" -> {
                W1.Part p = W1.timeFanIn("processes");
                long[] pool = org.jdask.schedulers.processes.ProcessPool.shared().lastStartConnectMillis();
                out.append("build_ms=").append(ms(p.buildS())).append(" compute_ms=").append(ms(p.runS()))
                        .append(" pool_first_jvm_ms=").append(pool[0]).append(" pool_last_jvm_ms=").append(pool[1]);
            }
            case "cluster-start", "map-10k" -> {
                long uptimeAtBuild = ManagementFactory.getRuntimeMXBean().getUptime(); // JVM launch, main, class loading so far
                long s0 = System.nanoTime();
                try (LocalCluster c = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(true).dashboardAddress(null).build();
                        Client client = Client.connect(c)) {
                    long s1 = System.nanoTime();
                    out.append("start_ms=").append(ms((s1 - s0) / 1e9)).append(" uptime_at_build_ms=").append(uptimeAtBuild)
                            // where the start went (LocalCluster.startPhases; the workers' own phases with
                            // --worker-opts "-Djdask.startup.trace=true"), one token: ';' between phases
                            .append(" phases=").append(c.startPhases().toString().replace(", ", ";").replace(' ', '_'));
                    if (w.equals("map-10k")) {
                        long cpu0 = workersCpuMillis(c);
                        List<Future<Integer>> fs = client.map(Cold::inc, IntStream.range(0, 10_000).boxed().toList());
                        long submitted = System.nanoTime();
                        List<Integer> r = client.gather(fs);
                        long s2 = System.nanoTime();
                        if (r.size() != 10_000 || r.get(9_999) != 10_000) throw new IllegalStateException("wrong map result");
                        out.append(" map_gather_ms=").append(ms((s2 - s1) / 1e9))
                                .append(" tasks_per_s=").append(Math.round(10_000 / ((s2 - s1) / 1e9)))
                                .append(" submit_ms=").append(ms((submitted - s1) / 1e9));
                        long cpu1 = workersCpuMillis(c);
                        // the same again on the now warm cluster and client: what the first one's warm-up cost
                        List<Future<Integer>> again = client.map(Cold::inc, IntStream.range(10_000, 20_000).boxed().toList());
                        client.gather(again);
                        out.append(" second_map_tasks_per_s=").append(Math.round(10_000 / ((System.nanoTime() - s2) / 1e9)))
                                .append(" workers_cpu_ms_first_map=").append(cpu1 - cpu0)
                                .append(" workers_cpu_ms_second_map=").append(workersCpuMillis(c) - cpu1);
                    }
                    // cluster-start: "in program" is build() until the client is ready; map-10k: the whole program
                    if (w.equals("cluster-start")) inProgram = s1 - s0;
                }
            }
            case "w3-cluster", "w4b-cluster" -> {
                // long numeric kernels on worker JVMs (issue 17: choose the workers' JIT flags with them, not only
                // with start-up): W3 small (random normal 20,000 x 20,000 in 2,000 chunks, row means) or W4's filtered
                // groupby, run twice on a fresh 2-worker cluster; the first run is what a user's program sees
                try (LocalCluster c = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(true).memoryLimit("1GB")
                        .dashboardAddress(null).build();
                        Client client = Client.connect(c)) {
                    for (String run : List.of("first", "second")) {
                        long cpu0 = workersCpuMillis(c);
                        long r0 = System.nanoTime();
                        if (w.equals("w3-cluster")) {
                            W3.Result r = W3.time(20_000, 2_000, "distributed");
                            out.append(run).append("_mean=").append(String.format("%.6f", r.mean())).append(' ');
                        } else {
                            out.append(run).append('_').append(W4.firstRun('b', Map.of("scheduler", "distributed")).replace(' ', ',')).append(' ');
                        }
                        out.append(run).append("_ms=").append(ms((System.nanoTime() - r0) / 1e9))
                                .append(' ').append(run).append("_workers_cpu_ms=").append(workersCpuMillis(c) - cpu0).append(' ');
                    }
                }
            }
            case "w1-1m-threads" -> {
                W1.Part p = W1.timeMillion("threads", false); // one run, as a user's program: no memory-probe run, no System.gc()
                out.append("build_ms=").append(ms(p.buildS())).append(" optimize_ms=").append(ms(p.optimizeS()))
                        .append(" run_ms=").append(ms(p.runS()));
            }
            case "w4a-threads", "w4b-threads" -> out.append(W4.firstRun(w.charAt(2)));
            case "w5b-threads" -> out.append(W5.firstRun());
            default -> throw new IllegalArgumentException("unknown workload " + w + "; known: " + WORKLOADS);
        }
        if (inProgram < 0) inProgram = System.nanoTime() - t0;
        System.out.println(PREFIX + "ms=" + ms(inProgram / 1e9) + " " + out + " jvm_uptime_ms="
                + ManagementFactory.getRuntimeMXBean().getUptime());
        System.exit(0); // the processes pool's shutdown hook stops its workers
    }

    /**
     * CPU time (user + system, all threads: JIT compilers and Fory's code generation included) the
     * cluster's worker JVMs used so far, from {@code /proc/PID/stat}; -1 where there is no /proc.
     * Less sensitive to other load on the machine than wall time.
     */
    static long workersCpuMillis(LocalCluster c) {
        long sum = 0;
        for (ProcessHandle p : c.workerProcesses()) {
            try {
                String stat = Files.readString(Path.of("/proc", String.valueOf(p.pid()), "stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                sum += (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10; // utime + stime in USER_HZ (100/s) ticks
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }
        return sum;
    }

    private static long ms(double seconds) {
        return Math.round(seconds * 1000);
    }
}

package org.jdask.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdask.Config;
import org.jdask.distributed.Client;
import org.jdask.distributed.Future;
import org.jdask.distributed.LocalCluster;

/**
 * {@code Runner scatter}: issue 17's fresh-cluster scatter (1 GB in 100 x 10 MB {@code double[]},
 * 0.80 GB/s plain in the quiet run, goal 1 GB/s) with what the worker JVMs spent on it, to tell the
 * suspected causes apart: <b>minor page faults</b> (fresh heap memory touched for the first time,
 * ~2 µs per 4 KiB page: 1 GB is ~262,000 faults, a few with huge pages), <b>CPU</b> of the worker
 * JVMs (GC copying, JIT, warm-up threads) and its user/system split (page faults and socket reads
 * are system time), all from {@code /proc/PID/stat} before and after the scatter — counts that,
 * unlike seconds, hold on a loaded machine — and the worker JVMs' <b>GC pauses</b> (from their
 * {@code -Xlog:gc} files). Each rep is a fresh LocalCluster (2 worker JVMs x 1
 * thread, the bulk channel on); {@code --worker-opts} go on the worker JVMs' command line ({@code
 * distributed.worker.jvm-options}), to compare e.g.:
 * <pre>
 * java @graph/target/classes/org/jdask/jvm-flags.txt -Xmx6g -cp benchmarks/target/benchmarks.jar \
 *     org.jdask.benchmarks.Runner scatter --reps 3
 * ... Runner scatter --reps 3 --worker-opts "-XX:+UseTransparentHugePages"
 * ... Runner scatter --reps 3 --worker-opts "-XX:+AlwaysPreTouch -Xms1200m"
 * ... Runner scatter --reps 3 --worker-opts "-XX:+UseParallelGC"
 * </pre>
 */
final class ScatterProbe {
    private ScatterProbe() {}

    static void run(int reps, int totalMb, String workerOpts) throws Exception {
        int len = (int) (totalMb * 1_000_000L / DataPlaneBench.N_ARR / 8);
        List<double[]> arrays = W6.randomArrays(DataPlaneBench.N_ARR, len);
        double gb = 8.0 * len * DataPlaneBench.N_ARR / 1e9;
        System.out.printf("Runner scatter: %.2f GB in %d arrays per rep, fresh cluster per rep, worker JVM options: \"%s\"%n%n", gb,
                DataPlaneBench.N_ARR, workerOpts);
        System.out.println("| rep | scatter s | GB/s | worker minor faults | faults per MB | worker CPU ms (user + sys) | worker GC pauses | load before / after |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (int r = 1; r <= reps; r++) {
            double before = load();
            Path gcLogs = Files.createTempDirectory("jdask-scatter-gc-");
            String opts = (workerOpts + " -Xlog:gc:file=" + gcLogs + "/gc-%p.log").trim();
            try (Config.Scope ignored = Config.set("distributed.worker.jvm-options", opts);
                    LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(true).dashboardAddress(null).build();
                    Client client = Client.connect(cluster)) {
                client.waitForWorkers(2, 60, TimeUnit.SECONDS);
                long[] s0 = stat(cluster);
                long t0 = System.nanoTime();
                List<Future<double[]>> held = client.scatter(arrays);
                double s = (System.nanoTime() - t0) / 1e9;
                long[] s1 = stat(cluster);
                long faults = s1[0] - s0[0];
                System.out.printf("| %d | %.3f | %.3f | %,d | %.0f | %,d + %,d | %s | %.2f / %.2f |%n", r, s, gb / s, faults, faults / (gb * 1000),
                        s1[1] - s0[1], s1[2] - s0[2], gcPauses(gcLogs), before, load());
                client.cancel(held);
            } finally {
                try (var files = Files.list(gcLogs)) {
                    for (Path f : files.toList()) Files.deleteIfExists(f);
                }
                Files.deleteIfExists(gcLogs);
            }
        }
    }

    /**
     * The worker JVMs' GC pauses so far, from their {@code -Xlog:gc} files: count and total ms (the
     * scatter is the first thing these JVMs allocate much for, so this is the scatter's GC).
     */
    private static String gcPauses(Path dir) throws IOException {
        int n = 0;
        double ms = 0;
        Pattern pause = Pattern.compile("Pause .* ([0-9.]+)ms$");
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                for (String line : Files.readAllLines(f)) {
                    Matcher m = pause.matcher(line);
                    if (m.find()) {
                        n++;
                        ms += Double.parseDouble(m.group(1));
                    }
                }
            }
        }
        return String.format("%d, %.0f ms", n, ms);
    }

    /** Sum over the cluster's worker JVMs of {minor faults, user ms, system ms}, from /proc/PID/stat. */
    private static long[] stat(LocalCluster c) {
        long[] sum = new long[3];
        for (ProcessHandle p : c.workerProcesses()) {
            try {
                String stat = Files.readString(Path.of("/proc", String.valueOf(p.pid()), "stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                sum[0] += Long.parseLong(f[7]); // minflt
                sum[1] += Long.parseLong(f[11]) * 10; // utime, USER_HZ ticks (100/s)
                sum[2] += Long.parseLong(f[12]) * 10; // stime
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("cannot read /proc/" + p.pid() + "/stat (Linux only): " + e, e);
            }
        }
        return sum;
    }

    private static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}

package org.jdask.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jdask.array.DArray;
import org.jdask.array.NDArray;
import org.jdask.array.Shape;
import org.jdask.distributed.Client;
import org.jdask.distributed.LocalCluster;
import org.jdask.distributed.Nanny;
import org.jdask.distributed.WorkerInfo;

/**
 * Issue 15: W3 at a size whose blocks do not fit a worker, {@code random.normal(0, 1, (N, N),
 * chunks (C, C)).mean(axis=1)}, on a LocalCluster of worker JVMs with a memory limit each, beside
 * the threads scheduler in this one JVM and the Dask peer {@code benchmarks/peers/w3_big.py}
 * ({@code LocalCluster(memory_limit=...)}). At N = 100,000 and C = 10,000 the array is 80 GB and a
 * block 800 MB: a 1 GB worker could not hold a block and a copy of it, so the reduction never
 * materializes one: each {@code mean-chunk} task draws its block's random stream in ~1 MB strips
 * and folds each strip into the row sums at once ({@code BlockSource}), and the results are
 * N doubles. Peak RSS per worker JVM is sampled from {@code /proc/PID/status} (VmRSS every
 * {@code --sample-ms}, and VmHWM at the end).
 *
 * <pre>
 * java @graph/target/classes/org/jdask/jvm-flags.txt -Xmx1g -cp benchmarks/target/benchmarks.jar \
 *     org.jdask.benchmarks.Runner w3big [--n 100000] [--chunk 10000] [--workers 2] [--memory-limit 1GB] \
 *     [--reps 1] [--threads-scheduler on|off] [--peer benchmarks/peers] [--no-peer] [--sample-ms 100]
 * </pre>
 * The full size is 1e10 normal draws: minutes on two quiet cores (the threads run took 135 s on a
 * loaded machine in the first session).
 */
final class W3Big {
    private W3Big() {}

    record Run(String system, double seconds, double std, String rss, String note) {}

    static void run(List<String> a) throws Exception {
        int n = Integer.parseInt(Runner.opt(a, "--n", "100000"));
        int c = Integer.parseInt(Runner.opt(a, "--chunk", "10000"));
        int workers = Integer.parseInt(Runner.opt(a, "--workers", "2"));
        String limit = Runner.opt(a, "--memory-limit", "1GB");
        int reps = Integer.parseInt(Runner.opt(a, "--reps", "1"));
        long sampleMs = Long.parseLong(Runner.opt(a, "--sample-ms", "100"));
        List<Run> runs = new ArrayList<>();
        try (LocalCluster cluster = LocalCluster.builder().workers(workers).threadsPerWorker(1).memoryLimit(limit)
                .dashboardAddress(null).build();
             Client client = Client.connect(cluster)) {
            List<Long> pids = cluster.workerProcesses().stream().map(ProcessHandle::pid).toList();
            time(2000, 500, "distributed"); // warm-up (worker JIT, codecs): not counted
            for (int r = 0; r < reps; r++) {
                RssSampler rss = new RssSampler(pids, sampleMs);
                double[] res = time(n, c, "distributed");
                rss.close();
                long spilled = 0;
                for (WorkerInfo w : client.workerInfo().values()) spilled += w.spilledBytes();
                int restarts = 0;
                for (Nanny nn : cluster.nannies()) restarts += nn.restarts();
                runs.add(new Run("jdask distributed, " + workers + " x " + limit, res[0], res[1], rss.describe(),
                        "restarts " + restarts + ", spilled " + spilled + " B"));
            }
        }
        if (!Runner.opt(a, "--threads-scheduler", "on").equals("off")) {
            long self = ProcessHandle.current().pid();
            time(2000, 500, "threads"); // warm-up, not counted
            for (int r = 0; r < reps; r++) {
                RssSampler rss = new RssSampler(List.of(self), sampleMs);
                double[] res = time(n, c, "threads");
                rss.close();
                runs.add(new Run("jdask threads (this JVM, -Xmx " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB)", res[0], res[1],
                        rss.describe(), "VmHWM includes the distributed run's client"));
            }
        }
        if (!a.contains("--no-peer")) runs.add(peer(Peers.dir(a), n, c, workers, limit));
        System.out.println(table(n, c, runs));
    }

    /** {seconds, std of the row means} of one compute; checks the result's shape. */
    static double[] time(int n, int c, String scheduler) {
        DArray y = DArray.random(42).normal(0, 1, Shape.shape(n, n), Shape.shape(c, c)).mean(1);
        long t0 = System.nanoTime();
        NDArray r = y.compute(Map.of("scheduler", scheduler));
        double s = (System.nanoTime() - t0) / 1e9;
        if (r.shape()[0] != n) throw new IllegalStateException("expected " + n + " row means, got shape " + Shape.str(r.shape()));
        return new double[] {s, r.std().item()};
    }

    static String table(int n, int c, List<Run> runs) {
        StringBuilder md = new StringBuilder(String.format("W3 big: normal(0, 1, (%d, %d), chunks (%d, %d)).mean(axis=1), %.3g draws, block %.0f MB%n%n",
                n, n, c, c, (double) n * n, 8.0 * c * c / 1e6));
        md.append("| system | run s | draws/s | peak RSS per worker MB: max sampled VmRSS (RssAnon) / VmHWM | std of row means | notes |\n|---|---|---|---|---|---|\n");
        for (Run r : runs) {
            md.append(String.format("| %s | %.2f | %.3g | %s | %.6f | %s |%n", r.system, r.seconds, (double) n * n / r.seconds, r.rss, r.std, r.note));
        }
        md.append(String.format("%nExpected std of row means: %.6f.%n", 1 / Math.sqrt(n)));
        return md.toString();
    }

    /** Runs {@code w3_big.py} and reads its JSON line. */
    static Run peer(Path dir, int n, int c, int workers, String limit) throws Exception {
        Path script = dir.resolve("w3_big.py");
        if (!Files.exists(script)) {
            return new Run("Dask", Double.NaN, Double.NaN, "", "peer script not found: " + script.toAbsolutePath() + " (pass --peer DIR or --no-peer)");
        }
        Map<String, String> m = Peers.runJson(List.of("/usr/bin/python3", script.toString(), "--n", "" + n, "--chunk", "" + c, "--workers",
                "" + workers, "--memory-limit", limit), TimeUnit.HOURS.toSeconds(3), List.of("seconds", "std", "worker_peak_rss_mb", "error",
                "restarts", "dask_version"));
        return new Run("Dask " + m.getOrDefault("dask_version", "?") + " LocalCluster(" + workers + " x " + limit + ")", Peers.num(m, "seconds"),
                Peers.num(m, "std"), m.getOrDefault("worker_peak_rss_mb", "?"),
                "restarts " + m.getOrDefault("restarts", "?") + (m.containsKey("error") ? ", error: " + m.get("error") : ""));
    }
}

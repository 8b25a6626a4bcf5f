package org.jdask.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.jdask.Config;
import org.jdask.distributed.Client;
import org.jdask.distributed.Future;
import org.jdask.distributed.LocalCluster;
import org.jdask.distributed.report.TaskRecord;

/**
 * W6's {@code submit(sum, futures)} alone, as W6 runs it (a fresh LocalCluster of 2 worker JVMs x 1
 * thread per rep, {@code map(inc, 10,000)} + gather first), split into the client's {@code submit}
 * call (key, serialization check, encoding, queueing the update) and the wait for the result
 * (scheduler, the worker's peer fetch of ~5,000 values, the task, the reply). {@code --worker-opts}
 * go on the worker JVMs' command line, e.g. a flight recording per worker to profile them:
 * {@code java @graph/target/classes/org/jdask/jvm-flags.txt -Xmx6g -cp benchmarks/target/benchmarks.jar
 * org.jdask.benchmarks.Runner w6sum --reps 5 [--story] [--worker-opts "-XX:StartFlightRecording=filename=/tmp/jfr-dir/"]}
 * ({@code --story}: the scheduler's transitions of the sum task and when its worker ran it).
 */
final class W6SumProbe {
    private W6SumProbe() {}

    static void run(int reps, String workerOpts, boolean story) throws Exception {
        List<double[]> submitMs = new ArrayList<>();
        try (Config.Scope ignored = Config.set("distributed.worker.jvm-options", workerOpts)) {
            for (int r = 0; r <= reps; r++) {
                try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(true).build();
                     Client client = Client.connect(cluster)) {
                    client.waitForWorkers(2, 60, TimeUnit.SECONDS);
                    List<Future<Integer>> futs = client.map(W6.INC, IntStream.range(0, W6.N).boxed().toList());
                    client.gather(futs);
                    long wall0 = System.currentTimeMillis();
                    long t0 = System.nanoTime();
                    Future<Long> f = client.submit(W6.SUM, futs);
                    long t1 = System.nanoTime();
                    long total = f.result();
                    long t2 = System.nanoTime();
                    if (total != (long) W6.N * (W6.N + 1) / 2) throw new AssertionError("sum wrong: " + total);
                    double[] ms = {(t1 - t0) / 1e6, (t2 - t1) / 1e6, (t2 - t0) / 1e6};
                    System.out.printf("%s: submit call %.1f ms, until result %.1f ms, total %.1f ms%n",
                            r == 0 ? "warm-up" : "rep " + r, ms[0], ms[1], ms[2]);
                    if (r > 0) submitMs.add(ms);
                    if (story) { // the scheduler's transitions of the sum task and the worker's run of it, ms after the submit call began
                        for (String line : client.story(f.key())) System.out.println("  scheduler: " + line + "  (submit began at " + wall0 + ")");
                        for (TaskRecord t : client.taskStream()) {
                            if (t.key().equals(f.key().toString())) {
                                System.out.printf("  worker %s ran it from +%d ms to +%d ms%n", t.worker(), t.startMs() - wall0, t.stopMs() - wall0);
                            }
                        }
                    }
                }
            }
        }
        for (int i = 0; i < 3; i++) {
            int part = i;
            double[] v = submitMs.stream().mapToDouble(m -> m[part]).sorted().toArray();
            System.out.printf("median %s: %.1f ms%n", List.of("submit call", "until result", "submit(sum)").get(i), v[v.length / 2]);
        }
    }
}

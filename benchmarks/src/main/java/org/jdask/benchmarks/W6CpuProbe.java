package org.jdask.benchmarks;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.jdask.distributed.Client;
import org.jdask.distributed.Future;
import org.jdask.distributed.LocalCluster;

/**
 * CPU cost of the W6 futures path, robust on a shared machine: the CPU seconds of the whole
 * process tree (this JVM with scheduler and client, plus the worker JVMs) around start-up and
 * around each {@code map(inc, 10,000)} + gather and {@code submit(sum, futures)} on one cluster
 * (rep 0 has cold worker JVMs, later reps warm ones). Wall time is printed beside it.
 * {@code java @graph/target/classes/org/jdask/jvm-flags.txt -Xmx6g -cp benchmarks/target/benchmarks.jar
 * org.jdask.benchmarks.W6CpuProbe 3}
 */
public final class W6CpuProbe {
    private W6CpuProbe() {}

    static double cpuSeconds() {
        double t = ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
        for (ProcessHandle c : ProcessHandle.current().descendants().toList()) {
            t += c.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
        }
        return t;
    }

    public static void main(String[] args) throws Exception {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        double c0 = cpuSeconds();
        long w0 = System.nanoTime();
        try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(true).build();
             Client client = Client.connect(cluster)) {
            client.waitForWorkers(2, 60, TimeUnit.SECONDS);
            System.out.printf("startup: wall %.2f s, cpu %.2f s%n", (System.nanoTime() - w0) / 1e9, cpuSeconds() - c0);
            for (int r = 0; r < reps; r++) {
                int base = r * 100_000; // fresh keys each rep (submit is pure)
                double cs = cpuSeconds();
                long ws = System.nanoTime();
                List<Future<Integer>> futs = client.map(W6.INC, IntStream.range(base, base + W6.N).boxed().toList());
                List<Integer> res = client.gather(futs);
                double ce = cpuSeconds();
                long we = System.nanoTime();
                if (!res.equals(IntStream.range(base + 1, base + W6.N + 1).boxed().toList())) throw new AssertionError("map result wrong");
                long total = client.submit(W6.SUM, futs).result();
                double cs2 = cpuSeconds();
                long ws2 = System.nanoTime();
                long expect = 0;
                for (int x : res) expect += x;
                if (total != expect) throw new AssertionError("sum wrong: " + total);
                System.out.printf("rep %d map_gather: wall %.2f s, cpu %.2f s (%.0f us cpu/task); submit_sum: wall %.2f s, cpu %.2f s%n",
                        r, (we - ws) / 1e9, ce - cs, (ce - cs) / W6.N * 1e6, (ws2 - we) / 1e9, cs2 - ce);
            }
        }
    }
}

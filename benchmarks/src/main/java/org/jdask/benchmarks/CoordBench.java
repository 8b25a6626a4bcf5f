package org.jdask.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdask.distributed.Client;
import org.jdask.distributed.Future;
import org.jdask.distributed.LocalCluster;
import org.jdask.distributed.coord.Lock;
import org.jdask.distributed.coord.Queue;
import org.jdask.distributed.coord.Variable;
import org.jdask.distributed.coord.WorkerClient;

/**
 * Issue 19's round trips beside Dask's ({@code benchmarks/peers/coord.py}, same shape): on a
 * LocalCluster of 2 worker JVMs x 1 thread with a client over TCP (as Dask's client is),
 * microseconds per queue put+get, lock acquire+release and variable set+get (median of
 * {@code --reps} runs of {@code --n} operations, after {@value #WARM_UP_OPS} of each kind; the
 * kinds take turns every {@value #TURN} operations), and seconds for fib({@code --fib}) by tasks that
 * submit tasks with {@link WorkerClient} (each call a task; keys are pure, so fib(25) is 26
 * distinct tasks in both systems; a new salt argument per run keeps runs apart, and one uncounted
 * run warms the workers first). Run alone on a quiet machine, from the repository root:
 * <pre>
 * java @graph/target/classes/org/jdask/jvm-flags.txt -cp benchmarks/target/benchmarks.jar \
 *     org.jdask.benchmarks.Runner coord [--n 2000] [--reps 3] [--fib 25] [--no-peer] [--own-peers benchmarks/peers]
 * </pre>
 * The goal (issue 19): each round trip at least 5x faster than Dask's.
 */
final class CoordBench {
    private CoordBench() {}

    /** Operations of each kind run before any is measured (JIT, the worker JVMs' own start-up settling). */
    static final int WARM_UP_OPS = 2_000;
    /** Operations of one kind in a row before the next kind's turn. */
    static final int TURN = 100;

    /** {@code salt} makes each run's keys new (calls within a run still share keys, as pure calls do in Dask). */
    static int fib(int n, int salt) {
        if (n < 2) return n;
        try (WorkerClient c = WorkerClient.open()) {
            Future<Integer> a = c.submit(CoordBench::fib, n - 1, salt);
            Future<Integer> b = c.submit(CoordBench::fib, n - 2, salt);
            return a.result() + b.result();
        }
    }

    static double perOpMicros(IntConsumer op, int n) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) op.accept(i);
        return (System.nanoTime() - t0) / 1e3 / n;
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        return s.get(s.size() / 2);
    }

    static Map<String, Double> jdask(int n, int reps, int fibN) throws Exception {
        Map<String, Double> out = new LinkedHashMap<>();
        try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).dashboardAddress("none").build();
             Client client = Client.connect(cluster.schedulerAddress())) {
            client.waitForWorkers(2, 120, TimeUnit.SECONDS);
            Queue<Integer> q = client.queue("bench-q");
            Lock lock = client.lock("bench-lock");
            Variable<Integer> var = client.variable("bench-var");
            Map<String, IntConsumer> ops = new LinkedHashMap<>();
            ops.put("queue_put_get_us", i -> {
                q.put(i);
                q.get();
            });
            ops.put("lock_acquire_release_us", i -> {
                lock.acquire();
                lock.release();
            });
            ops.put("variable_set_get_us", i -> {
                var.set(i);
                var.get();
            });
            // every operation is warmed before any is measured, and the reps take turns: measured
            // one after the other, the first (the queue) ran while this JVM's JIT and the fresh
            // worker JVMs' start-up still took the CPU, and cost up to twice the others
            for (IntConsumer op : ops.values()) perOpMicros(op, WARM_UP_OPS);
            Map<String, List<Double>> runs = new LinkedHashMap<>();
            for (int r = 0; r < reps; r++) {
                // within a rep too, the kinds take turns in slices of TURN ops: a burst of load on a
                // shared machine then falls on every kind alike instead of on whichever ran then
                Map<String, Double> sum = new LinkedHashMap<>();
                for (int done = 0; done < n; done += TURN) {
                    int slice = Math.min(TURN, n - done);
                    for (Map.Entry<String, IntConsumer> e : ops.entrySet()) sum.merge(e.getKey(), perOpMicros(e.getValue(), slice) * slice, Double::sum);
                }
                sum.forEach((k, total) -> runs.computeIfAbsent(k, x -> new ArrayList<>()).add(total / n));
            }
            runs.forEach((k, v) -> out.put(k, median(v)));
            List<Double> times = new ArrayList<>();
            for (int r = -1; r < reps; r++) { // run -1 warms the workers (their clients, the code) and is not counted
                long t0 = System.nanoTime();
                if (client.submit(CoordBench::fib, fibN, r + 1).result(600, TimeUnit.SECONDS) <= 0) {
                    throw new IllegalStateException("fib(" + fibN + ") <= 0");
                }
                if (r >= 0) times.add((System.nanoTime() - t0) / 1e9);
            }
            out.put("fib_seconds", median(times));
        }
        return out;
    }

    /** The peer's JSON line as numbers (flat, numbers only). */
    static Map<String, Double> peer(Path script, int n, int reps, int fibN) throws Exception {
        if (!Files.exists(script)) {
            System.err.println("peer script not found: " + script.toAbsolutePath() + " (pass --own-peers DIR or --no-peer)");
            return Map.of();
        }
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), "--n", "" + n, "--reps", "" + reps, "--fib", "" + fibN)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String last = "";
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) if (line.startsWith("{")) last = line;
        }
        if (!p.waitFor(1800, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("peer " + script + " did not finish in 1800 s");
        }
        Map<String, Double> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("\"(\\w+)\":\\s*([-0-9.eE]+)").matcher(last);
        while (m.find()) out.put(m.group(1), Double.parseDouble(m.group(2)));
        return out;
    }

    static void run(int n, int reps, int fibN, Path ownPeers, boolean noPeer) throws Exception {
        Map<String, Double> j = jdask(n, reps, fibN);
        Map<String, Double> d = noPeer ? Map.of() : peer(ownPeers.resolve("coord.py"), n, reps, fibN);
        System.out.printf("coordination round trips (%d ops x %d reps, median) and fib(%d) by tasks submitting tasks,%n"
                + "2 workers x 1 thread, client over TCP%n%n", n, reps, fibN);
        System.out.println("| measure | jdask | Dask | Dask / jdask |");
        System.out.println("|---|---|---|---|");
        for (Map.Entry<String, Double> e : j.entrySet()) {
            Double dv = d.get(e.getKey());
            System.out.printf("| %s | %.1f | %s | %s |%n", e.getKey(), e.getValue(), dv == null ? "-" : String.format("%.1f", dv),
                    dv == null ? "-" : String.format("%.1fx", dv / e.getValue()));
        }
    }
}

package org.jdask.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jdask.distributed.Client;
import org.jdask.distributed.Future;
import org.jdask.distributed.LocalCluster;
import org.jdask.graph.JavaCommand;

/**
 * Issue 16's start-up stall check: {@code n} consecutive {@code LocalCluster} start-ups with worker
 * JVMs (2 workers x 1 thread, one task run, then closed), each timed from {@code build()} to the
 * first result. Prints every start-up over 1.5x the median as it happens, then median, p90, max,
 * and how many exceeded 1.5x the median and 3 s (the handshake limit,
 * {@code distributed.comm.timeouts.handshake}, which a stalled handshake waits out). A slow one is
 * printed with its phases ({@link org.jdask.distributed.LocalCluster#startPhases}: worker JVMs
 * spawned, scheduler listening, workers registered, ready, then client and first result, split into
 * {@code Client.connect}, {@code submit} (the client's codecs and the task frame) and {@code result}
 * (the fresh worker's first task, its result frame and the client's decoding of it)); with
 * {@code --trace} every start-up is, and each worker JVM's own phases are added (JVM uptime at
 * {@code main}, ready, address read, registered; {@link org.jdask.distributed.StartPhases}). Run alone:
 * <pre>
 * java @graph/target/classes/org/jdask/jvm-flags.txt -cp benchmarks/target/benchmarks.jar \
 *     org.jdask.benchmarks.Runner startups [--n 200] [--workers 2] [--trace]
 * </pre>
 */
final class Startups {
    // usage: Runner startups [--n 200] [--workers 2] [--trace] [--dump-after-ms 2500 --dumps DIR] (see run(int, int, long, Path, boolean))
    private Startups() {}

    static void run(int n, int workers) {
        run(n, workers, 0, null, false);
    }

    /**
     * With {@code dumpAfterMs > 0}, a start-up still running after that long has the thread dumps
     * of this JVM and of every worker JVM (jcmd Thread.print) written to {@code dumps}: where a
     * stalled handshake waits.
     */
    static void run(int n, int workers, long dumpAfterMs, java.nio.file.Path dumps, boolean trace) {
        double[] ms = new double[n];
        String[] phases = new String[n];
        // --trace: worker JVMs print their phases (StartPhases); this JVM's own settings are kept
        Object jvmOptions = org.jdask.Config.get("distributed.worker.jvm-options");
        String withTrace = (jvmOptions == null ? "" : jvmOptions + " ") + "-D" + org.jdask.distributed.StartPhases.PROPERTY + "=true";
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            int run = i;
            java.util.concurrent.ScheduledFuture<?> watchdog = dumpAfterMs <= 0 ? null
                    : WATCHDOG.schedule(() -> dump(run, dumps), dumpAfterMs, java.util.concurrent.TimeUnit.MILLISECONDS);
            try (org.jdask.Config.Scope ignored = trace ? org.jdask.Config.set("distributed.worker.jvm-options", withTrace) : null;
                 LocalCluster c = LocalCluster.builder().workers(workers).threadsPerWorker(1).processes(true).dashboardAddress(null).build()) {
                long built = System.nanoTime();
                try (Client client = Client.connect(c)) {
                    long connected = System.nanoTime();
                    Future<Integer> f = client.submit((Integer x) -> x + 1, i);
                    long submitted = System.nanoTime();
                    f.result();
                    long done = System.nanoTime();
                    ms[i] = (done - t0) / 1e6;
                    phases[i] = "build " + ms(t0, built) + " ms [" + c.startPhases() + "], client + first result " + ms(built, done)
                            + " ms (connect " + ms(built, connected) + ", submit " + ms(connected, submitted) + ", result " + ms(submitted, done) + ")";
                }
                if (trace) System.out.printf("start-up %d: %.0f ms: %s%n", i, ms[i], phases[i]);
            } finally {
                if (watchdog != null) watchdog.cancel(false);
            }
            if (i >= 10) {
                double med = median(Arrays.copyOf(ms, i + 1));
                if (ms[i] > 1.5 * med) System.out.printf("start-up %d: %.0f ms (median so far %.0f ms): %s%n", i, ms[i], med, phases[i]);
            }
        }
        double[] s = ms.clone();
        Arrays.sort(s);
        double med = median(s);
        List<Integer> slow = new ArrayList<>();
        int over3s = 0;
        for (int i = 0; i < n; i++) {
            if (ms[i] > 1.5 * med) slow.add(i);
            if (ms[i] > 3000) over3s++;
        }
        System.out.printf("| start-ups | median ms | p90 ms | max ms | > 1.5x median | > 3 s |%n|---|---|---|---|---|---|%n");
        System.out.printf("| %d | %.0f | %.0f | %.0f | %d %s | %d |%n", n, med, s[(int) Math.min(n - 1, Math.round(0.9 * (n - 1)))],
                s[n - 1], slow.size(), slow.isEmpty() ? "" : "(#" + slow + ")", over3s);
        // issue 16's stall (JeroMQ's poller skipping a new connection): how often this JVM's clients needed a kick
        System.out.println("JeroMQ poller kicks in this JVM (client connections whose greeting did not start in time): "
                + org.jdask.distributed.internal.Zap.pollerKicks());
    }

    private static final java.util.concurrent.ScheduledExecutorService WATCHDOG =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "startups-watchdog");
                t.setDaemon(true);
                return t;
            });

    /** Thread dumps of this JVM and its child JVMs into {@code dir/startup-RUN-PID.txt}. */
    private static void dump(int run, java.nio.file.Path dir) {
        try {
            java.nio.file.Files.createDirectories(dir);
            StringBuilder self = new StringBuilder();
            for (var e : Thread.getAllStackTraces().entrySet()) {
                self.append('"').append(e.getKey().getName()).append("\" ").append(e.getKey().getState()).append('\n');
                for (StackTraceElement f : e.getValue()) self.append("\tat ").append(f).append('\n');
                self.append('\n');
            }
            java.nio.file.Files.writeString(dir.resolve("startup-" + run + "-self.txt"), self);
            for (ProcessHandle p : ProcessHandle.current().descendants().toList()) {
                Process j = new ProcessBuilder(JavaCommand.tool("jcmd"),
                        String.valueOf(p.pid()), "Thread.print").redirectErrorStream(true)
                        .redirectOutput(dir.resolve("startup-" + run + "-" + p.pid() + ".txt").toFile()).start();
                j.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
            }
            try { // the sockets too: bytes waiting unread in a Recv-Q point at a missed wake-up, none at a peer that never wrote
                new ProcessBuilder("ss", "-tnpoi").redirectErrorStream(true).redirectOutput(dir.resolve("startup-" + run + "-ss.txt").toFile())
                        .start().waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.io.IOException noSs) {
                // ss (Debian package iproute2) is optional
            }
            System.out.println("start-up " + run + " still running: thread dumps in " + dir);
        } catch (java.io.IOException | InterruptedException e) {
            System.out.println("start-up " + run + ": cannot dump threads: " + e);
        }
    }

    private static long ms(long from, long to) {
        return Math.round((to - from) / 1e6);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}

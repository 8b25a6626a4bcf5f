package org.jdask.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.stream.Stream;
import org.jdask.Config;
import org.jdask.distributed.Client;
import org.jdask.distributed.SchedulerServer;
import org.jdask.distributed.Security;
import org.jdask.distributed.coord.Lock;
import org.jdask.distributed.coord.Queue;
import org.jdask.distributed.coord.Variable;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Where a coordination round trip's time goes (issue 19): a scheduler in this JVM without workers
 * and a client over TCP, each operation timed alone ({@code --n} of them after as many warm-up
 * ones): median, p99 and mean latency, CPU time of all this JVM's threads per operation, and
 * voluntary context switches (thread wake-ups) per operation from {@code /proc/self/task}. Each
 * operation runs three times: on the calling thread's direct link (a TCP connection answered by
 * the scheduler's link thread), on its own ZeroMQ channel ({@code distributed.coordination.direct-links:
 * false}), and through the client's I/O thread ({@code distributed.coordination.direct-channels: false});
 * then on a direct link to a scheduler with security on (CurveZMQ; the link sealed with AES-GCM). The floor: a raw JeroMQ DEALER/ROUTER ping-pong with a blocking echo thread.
 * Run alone on a quiet machine, from the repository root:
 * <pre>
 * java @graph/target/classes/org/jdask/jvm-flags.txt -cp benchmarks/target/benchmarks.jar \
 *     org.jdask.benchmarks.Runner rtt [--n 5000]
 * </pre>
 */
final class RoundTripBench {
    private RoundTripBench() {}

    static void run(int n) throws Exception {
        System.out.println("| operation | path | median µs | p99 µs | mean µs | CPU µs/op | wake-ups/op |\n|---|---|---|---|---|---|---|");
        try (ZContext ctx = new ZContext(1)) {
            ZMQ.Socket router = ctx.createSocket(SocketType.ROUTER);
            int port = router.bindToRandomPort("tcp://127.0.0.1");
            ZMQ.Socket dealer = ctx.createSocket(SocketType.DEALER);
            dealer.connect("tcp://127.0.0.1:" + port);
            Thread echo = new Thread(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        byte[] id = router.recv(0);
                        byte[] m = router.recv(0);
                        router.sendMore(id);
                        router.send(m);
                    }
                } catch (RuntimeException closed) {
                    // context closed
                }
            }, "echo");
            echo.setDaemon(true);
            echo.start();
            byte[] ping = new byte[16];
            measure("JeroMQ ping-pong (floor)", "raw sockets", n, i -> {
                dealer.send(ping);
                dealer.recv(0);
            });
        }
        SchedulerServer s = SchedulerServer.start("127.0.0.1", 0);
        try {
            for (String path : List.of("direct link", "own ZeroMQ channel", "client I/O thread")) {
                Client c;
                try (Config.Scope a = Config.set("distributed.coordination.direct-channels", !path.equals("client I/O thread"));
                     Config.Scope b = Config.set("distributed.coordination.direct-links", path.equals("direct link"))) {
                    c = Client.connect(s.address());
                }
                try (c) {
                    operations(c, path, n);
                }
            }
        } finally {
            s.close();
        }
        Security sec = Security.temporary(); // CurveZMQ; the direct link sealed with AES-GCM
        SchedulerServer secured = SchedulerServer.start("127.0.0.1", 0, sec);
        try (Client c = Client.connect(secured.address(), sec)) {
            operations(c, "direct link, security on", n);
        } finally {
            secured.close();
        }
    }

    private static void operations(Client c, String path, int n) throws IOException {
        Variable<Integer> v = c.variable("rtt-v");
        v.set(0);
        Queue<Integer> q = c.queue("rtt-q");
        Lock l = c.lock("rtt-l");
        measure("variable get (1 round trip)", path, n, i -> v.get());
        measure("variable set (1 round trip)", path, n, v::set);
        measure("queue put + get (2)", path, n, i -> {
            q.put(i);
            q.get();
        });
        measure("lock acquire + release (2)", path, n, i -> {
            l.acquire();
            l.release();
        });
    }

    static void measure(String name, String path, int n, IntConsumer op) throws IOException {
        for (int i = 0; i < n; i++) op.accept(i);
        long[] lat = new long[n];
        long cpu0 = cpuNanos(), wake0 = wakeUps();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            op.accept(i);
            lat[i] = System.nanoTime() - t0;
        }
        double cpu = (cpuNanos() - cpu0) / 1e3 / n, wakes = (wakeUps() - wake0) / (double) n;
        double mean = Arrays.stream(lat).average().orElse(0) / 1e3;
        Arrays.sort(lat);
        System.out.printf("| %s | %s | %.1f | %.1f | %.1f | %.1f | %.1f |%n", name, path, lat[n / 2] / 1e3, lat[n * 99 / 100] / 1e3, mean, cpu, wakes);
    }

    /** CPU time of every live thread of this JVM. */
    static long cpuNanos() {
        ThreadMXBean t = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long id : t.getAllThreadIds()) sum += Math.max(0, t.getThreadCpuTime(id));
        return sum;
    }

    /** Voluntary context switches of this JVM's threads so far (-1 per thread where /proc is missing). */
    static long wakeUps() throws IOException {
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) return 0;
        long sum = 0;
        try (Stream<Path> ts = Files.list(tasks)) {
            for (Path t : ts.toList()) {
                try {
                    for (String line : Files.readAllLines(t.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:")) sum += Long.parseLong(line.substring(24).trim());
                    }
                } catch (IOException gone) {
                    // the thread ended meanwhile
                }
            }
        }
        return sum;
    }
}

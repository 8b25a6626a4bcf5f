package org.jdask.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jdask.Config;
import org.jdask.array.NDArray;
import org.jdask.distributed.Client;
import org.jdask.distributed.Future;
import org.jdask.distributed.LocalCluster;
import org.jdask.distributed.Security;
import org.jdask.distributed.SubmitOptions;
import org.jdask.fn.Fn1;
import org.jdask.distributed.internal.Payload;
import org.jdask.distributed.internal.bulk.BulkClient;
import org.jdask.distributed.internal.bulk.BulkServer;
import org.jdask.graph.Key;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Issue 17's data plane: GB/s of scatter and of gather of 1 GB in 100 x 10 MB {@code double[]} on a
 * <em>fresh</em> LocalCluster (2 worker JVMs x 1 thread) per run, without and with security, over
 * the bulk channel and (for comparison) with it off in the client ({@code
 * distributed.comm.bulk.enabled: false}: ZeroMQ chunk frames), and the same arrays as 1-d NDArray
 * blocks (streamed split: head + their own elements), and worker to worker (tasks summing arrays
 * held by the other worker, plain and secured; the worker JVMs' own {@code distributed.comm.bulk.enabled}
 * decides, so run once more with {@code JDASK_DISTRIBUTED__COMM__BULK__ENABLED=false} in the environment
 * for the ZeroMQ figures). Then the transports alone in one
 * JVM, 1 GB each: JeroMQ DEALER to ROUTER over TCP loopback in 1 MiB frames (plain and CURVE),
 * and the bulk channel (plain and AES-GCM). Run alone on a quiet machine:
 * {@code Runner plane [--reps 3] [--mb 1000]}.
 */
final class DataPlaneBench {
    static final int N_ARR = 100;

    private DataPlaneBench() {}

    static void run(int reps, int totalMb) throws Exception {
        int len = (int) (totalMb * 1_000_000L / N_ARR / 8);
        List<double[]> arrays = W6.randomArrays(N_ARR, len);
        double gb = 8.0 * len * N_ARR / 1e9;
        System.out.printf("load average at start: %.2f%n", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        cluster(arrays.subList(0, 2), null, true); // warm-up: JIT, class loading
        StringBuilder md = new StringBuilder("| path | scatter GB/s (median of " + reps + ") | gather GB/s |\n|---|---|---|\n");
        for (boolean secure : new boolean[] {false, true}) {
            for (boolean bulk : new boolean[] {true, false}) {
                List<double[]> runs = new ArrayList<>();
                for (int i = 0; i < reps; i++) runs.add(cluster(arrays, secure ? Security.temporary() : null, bulk));
                md.append(String.format("| %s, %s | %.3f | %.3f |%n", secure ? "CurveZMQ security" : "no security",
                        bulk ? "bulk channel" : "ZeroMQ frames (bulk off)", gb / median(runs, 0), gb / median(runs, 1)));
            }
        }
        List<double[]> blocks = new ArrayList<>();
        for (int i = 0; i < reps; i++) blocks.add(clusterBlocks(arrays));
        md.append(String.format("| no security, bulk channel, the arrays as 1-d NDArray blocks | %.3f | %.3f |%n", gb / median(blocks, 0), gb / median(blocks, 1)));
        md.append("\nWorker to worker (fresh cluster; each array summed by a task on the worker that does not hold it, so every\n"
                + "byte crosses between the worker JVMs; the sums included):\n\n| path | GB/s (median of " + reps + ") |\n|---|---|\n");
        boolean workerBulk = Config.getBoolean("distributed.comm.bulk.enabled", true); // worker JVMs read it from the environment too
        for (boolean secure : new boolean[] {false, true}) {
            List<double[]> runs = new ArrayList<>();
            for (int i = 0; i < reps; i++) runs.add(new double[] {peer(arrays, secure ? Security.temporary() : null)});
            md.append(String.format("| %s, %s | %.3f |%n", secure ? "CurveZMQ security" : "no security",
                    workerBulk ? "bulk channel (PEER_FETCH + BULK_OFFER)" : "ZeroMQ (JDASK_DISTRIBUTED__COMM__BULK__ENABLED=false)", gb / median(runs, 0)));
        }
        md.append("\nTransports alone, one JVM, ").append(String.format("%.2f GB", gb)).append(" one way in 1 MiB frames/records:\n\n| transport | GB/s |\n|---|---|\n");
        for (boolean curve : new boolean[] {false, true}) md.append(String.format("| JeroMQ %s | %.3f |%n", curve ? "CURVE" : "plain", jeromq(gb, curve)));
        for (boolean sealed : new boolean[] {false, true}) md.append(String.format("| bulk channel %s (put of the 100 arrays) | %.3f |%n", sealed ? "AES-GCM" : "plain", bulk(arrays, sealed)));
        System.out.printf("load average at end: %.2f%n", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.println(md);
    }

    /** Seconds of scatter and of gather on a fresh cluster. */
    static double[] cluster(List<double[]> arrays, Security security, boolean bulk) throws Exception {
        try (var off = Config.set("distributed.comm.bulk.enabled", bulk);
             LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(true).security(security).build();
             Client client = Client.connect(cluster)) {
            client.waitForWorkers(2, 60, TimeUnit.SECONDS);
            return W6.scatterGather(client, arrays);
        }
    }

    /** Seconds of scatter and of gather of the arrays wrapped as NDArray blocks (split: head + their own elements) on a fresh cluster. */
    static double[] clusterBlocks(List<double[]> arrays) throws Exception {
        List<NDArray> blocks = new ArrayList<>();
        for (double[] a : arrays) blocks.add(NDArray.of(a, a.length));
        try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(true).build();
             Client client = Client.connect(cluster)) {
            client.waitForWorkers(2, 60, TimeUnit.SECONDS);
            long t0 = System.nanoTime();
            List<Future<NDArray>> s = client.scatter(blocks);
            long t1 = System.nanoTime();
            List<NDArray> back = client.gather(s);
            long t2 = System.nanoTime();
            if (!back.equals(blocks)) throw new AssertionError("gathered NDArray blocks differ");
            return new double[] {(t1 - t0) / 1e9, (t2 - t1) / 1e9};
        }
    }

    static final Fn1<double[], Double> SUM = a -> {
        double t = 0;
        for (double x : a) t += x;
        return t;
    };

    /** Seconds for tasks on the other worker to fetch and sum every scattered array (scatter not timed). */
    static double peer(List<double[]> arrays, Security security) throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(true).security(security).build();
             Client client = Client.connect(cluster)) {
            client.waitForWorkers(2, 60, TimeUnit.SECONDS);
            List<String> ws = client.workerAddresses(); // scatter places value i on ws[i % 2]
            List<Future<double[]>> held = client.scatter(arrays);
            long t0 = System.nanoTime();
            List<Future<Double>> sums = new ArrayList<>();
            for (int i = 0; i < held.size(); i++) {
                sums.add(client.submit(SUM, held.get(i), SubmitOptions.defaults().workers(Set.of(ws.get((i + 1) % ws.size())))));
            }
            List<Double> got = client.gather(sums);
            double s = (System.nanoTime() - t0) / 1e9;
            for (int i = 0; i < arrays.size(); i++) {
                if (!got.get(i).equals(SUM.apply(arrays.get(i)))) throw new AssertionError("sum of array " + i + " differs");
            }
            return s;
        }
    }

    /** GB/s of JeroMQ alone: 1 MiB frames from a DEALER to a ROUTER over TCP loopback. */
    static double jeromq(double gb, boolean curve) throws Exception {
        int frames = (int) (gb * 1e9 / (1 << 20));
        try (ZContext ctx = new ZContext(1)) {
            ZMQ.Socket router = ctx.createSocket(SocketType.ROUTER);
            ZMQ.Socket dealer = ctx.createSocket(SocketType.DEALER);
            if (curve) {
                ZMQ.Curve.KeyPair server = ZMQ.Curve.generateKeyPair(), client = ZMQ.Curve.generateKeyPair();
                router.setCurveServer(true);
                router.setCurveSecretKey(ZMQ.Curve.z85Decode(server.secretKey));
                dealer.setCurveServerKey(ZMQ.Curve.z85Decode(server.publicKey));
                dealer.setCurvePublicKey(ZMQ.Curve.z85Decode(client.publicKey));
                dealer.setCurveSecretKey(ZMQ.Curve.z85Decode(client.secretKey));
            }
            router.setRcvHWM(0);
            dealer.setSndHWM(0);
            int port = router.bindToRandomPort("tcp://127.0.0.1");
            dealer.connect("tcp://127.0.0.1:" + port);
            byte[] frame = new byte[1 << 20];
            dealer.send(frame);
            router.recv();
            router.recv(); // handshake done
            Thread sender = new Thread(() -> {
                for (int i = 0; i < frames; i++) dealer.send(frame);
            });
            long t0 = System.nanoTime();
            sender.start();
            for (int i = 0; i < frames; i++) {
                router.recv();
                router.recv();
            }
            double s = (System.nanoTime() - t0) / 1e9;
            sender.join();
            return frames * (double) (1 << 20) / 1e9 / s;
        }
    }

    /** GB/s of the bulk channel alone: a put of the arrays to a bulk port in this JVM. */
    static double bulk(List<double[]> arrays, boolean sealed) throws Exception {
        Map<Key, Payload> held = new ConcurrentHashMap<>();
        BulkServer.Store store = new BulkServer.Store() {
            @Override
            public Payload get(Key k) {
                return held.get(k);
            }

            @Override
            public List<Long> put(List<Key> keys, List<Payload> values) {
                List<Long> out = new ArrayList<>();
                for (int i = 0; i < keys.size(); i++) {
                    held.put(keys.get(i), values.get(i));
                    out.add(0L);
                }
                return out;
            }
        };
        try (BulkServer server = new BulkServer("127.0.0.1", store, sealed, "bench", 30_000);
             BulkClient client = new BulkClient(w -> server.open(), 30_000)) {
            List<Key> keys = new ArrayList<>();
            List<Payload> values = new ArrayList<>();
            long bytes = 0;
            for (int i = 0; i < arrays.size(); i++) {
                keys.add(Key.of("a", i));
                values.add(Payload.ofValue(arrays.get(i)));
                bytes += 8L * arrays.get(i).length;
            }
            client.put("tcp://127.0.0.1:1", keys.subList(0, 2), values.subList(0, 2)); // warm-up
            long t0 = System.nanoTime();
            client.put("tcp://127.0.0.1:1", keys, values);
            return bytes / 1e9 / ((System.nanoTime() - t0) / 1e9);
        }
    }

    private static double median(List<double[]> runs, int i) {
        double[] v = runs.stream().mapToDouble(r -> r[i]).sorted().toArray();
        return v[v.length / 2];
    }
}

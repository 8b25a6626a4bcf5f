package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jdask.Config;
import org.jdask.distributed.internal.Messages;
import org.jdask.distributed.internal.Payload;
import org.jdask.fn.Fn1;
import org.jdask.graph.Key;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client gathers more spilled values than its worker's heap holds (issue 15): 40 x 4 MB from one
 * worker JVM with a 128 MiB limit (the smallest that can create its spill store: Chronicle Map compiles
 * code with javac, which a 64 MiB heap cannot), over the bulk channel (the worker streams them one by one) and
 * over ZeroMQ (bulk off: requests of about {@link GatherBatches#BATCH_BYTES}, where one request for
 * every key made the worker build one reply of all of them). The worker must not restart.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class GatherSpilledTest {
    static final int N = 40, BLOCK = 500_000; // doubles: 4 MB a value, 160 MB in all

    static final Fn1<Integer, double[]> MAKE = i -> {
        double[] a = new double[BLOCK];
        java.util.Arrays.fill(a, i);
        return a;
    };

    static LocalCluster cluster;
    static List<Future<double[]>> blocks;
    static Client client;

    @BeforeAll
    static void start() throws Exception {
        // the store created while the heap is empty (creating it compiles code: tens of MB for a moment)
        try (Config.Scope s = Config.set("distributed.worker.memory.spill-store-at-start", true)) {
            cluster = LocalCluster.builder().workers(1).threadsPerWorker(1).processes(true).memoryLimit("128MiB").dashboardAddress(null).build();
        }
        client = Client.connect(cluster);
        blocks = client.map(MAKE, IntStream.range(0, N).boxed().collect(Collectors.toList()));
        try {
            Futures.wait(blocks, 120, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the values were not made; worker log: " + cluster.logs(), e);
        }
    }

    @AfterAll
    static void stop() {
        if (client != null) client.close();
        if (cluster != null) cluster.close();
    }

    static void check(List<double[]> got) {
        assertEquals(N, got.size());
        for (int i = 0; i < N; i++) {
            assertEquals(BLOCK, got.get(i).length, "value " + i);
            assertEquals(i, got.get(i)[BLOCK - 1], "value " + i);
        }
        int restarts = 0;
        for (Nanny n : cluster.nannies()) restarts += n.restarts();
        assertEquals(0, restarts, "the worker restarted: " + cluster.logs());
        long spilled = 0;
        for (WorkerInfo w : client.workerInfo().values()) spilled += w.spilledBytes();
        assertTrue(spilled > 0, "the values were spilled (else this tests nothing)");
    }

    @Test
    void overTheBulkChannel() {
        check(client.gather(blocks));
    }

    @Test
    void overZeroMqInBoundedReplies() {
        try (Config.Scope s = Config.set("distributed.comm.bulk.enabled", false);
             Client zmq = Client.connect(cluster)) {
            // the same pure tasks: the same keys, already in memory (or spilled) on the worker
            List<Future<double[]>> same = zmq.map(MAKE, IntStream.range(0, N).boxed().collect(Collectors.toList()));
            check(zmq.gather(same));
        }
    }

    @Test
    void batchesGrowToTheBudgetAtTheMeanSizeSeen() {
        List<Key> keys = new ArrayList<>();
        for (int i = 0; i < 10; i++) keys.add(Key.of("k", i));
        GatherBatches g = new GatherBatches(keys);
        assertEquals(1, g.nextBatch().size(), "sizes unknown: one key first");
        byte[] big = new byte[(int) (GatherBatches.BATCH_BYTES / 3)];
        g.arrived(new Messages.Data(1, List.of(keys.get(0)), List.of(Payload.ofBytes(big)), List.of()));
        assertEquals(3, g.nextBatch().size(), "a third of the budget each: three keys");
        g.arrived(new Messages.Data(2, keys.subList(1, 4), List.of(Payload.ofBytes(big), Payload.ofBytes(big), Payload.ofBytes(big)), List.of()));
        assertEquals(3, g.nextBatch().size());
        assertEquals(3, g.nextBatch().size());
        assertEquals(0, g.nextBatch().size(), "every key asked for");
        assertEquals(4, g.merged(0).found().size());
    }
}

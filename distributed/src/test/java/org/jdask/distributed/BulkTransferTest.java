package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jdask.array.NDArray;
import org.jdask.distributed.internal.bulk.BulkServer;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scatter and gather of large values through the bulk channel on a real cluster (a scheduler and
 * two TCP workers in this JVM, so no worker JVM start-up is paid), without and with security:
 * exact contents at sizes around the 1 MiB record, a 100 MB array and NDArray blocks, a task's large
 * input fetched from a peer over that peer's bulk port, the values usable by tasks
 * on the workers, and the transfers counted at the workers' bulk ports (not ZeroMQ).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class BulkTransferTest {
    static final int MIB = 1 << 20;
    static final Fn1<double[], Double> SUM = a -> {
        double s = 0;
        for (double x : a) s += x;
        return s;
    };

    record Cluster(LocalCluster cluster, List<Worker> workers, Client client) implements AutoCloseable {
        static Cluster start(Security sec) {
            LocalCluster c = LocalCluster.builder().workers(0).processes(false).security(sec).build();
            List<Worker> ws = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                ws.add(Worker.start(c.schedulerAddress(), Worker.Options.defaults().withThreads(1).withName("bulk-" + i), sec));
            }
            Client client = sec == null ? Client.connect(c.schedulerAddress()) : Client.connect(c.schedulerAddress(), sec);
            return new Cluster(c, ws, client);
        }

        @Override
        public void close() {
            client.close();
            for (Worker w : workers) w.close();
            cluster.close();
        }
    }

    static Cluster plain, secured;

    @BeforeAll
    static void start() {
        plain = Cluster.start(null);
        secured = Cluster.start(Security.temporary());
    }

    @AfterAll
    static void stop() {
        if (plain != null) plain.close();
        if (secured != null) secured.close();
    }

    static byte[] bytes(int n) {
        byte[] a = new byte[n];
        for (int i = 0; i < n; i++) a[i] = (byte) (i * 131 + 3);
        return a;
    }

    static double[] doubles(int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = i % 1000 - 0.25;
        return a;
    }

    void sizesAroundTheRecordBoundary(Cluster c) {
        assertTrue(c.workers().get(0).address().startsWith("tcp://"));
        List<byte[]> values = new ArrayList<>();
        for (int n : new int[] {0, 1, MIB - 1, MIB, MIB + 1}) values.add(bytes(n));
        long before = BulkServer.valuesMoved();
        List<Future<byte[]>> fs = c.client().scatter(values);
        List<byte[]> back = c.client().gather(fs);
        for (int i = 0; i < values.size(); i++) assertArrayEquals(values.get(i), back.get(i), "value of " + values.get(i).length + " bytes");
        assertTrue(BulkServer.valuesMoved() - before >= 2L * values.size(), "the values did not go through the workers' bulk ports");
    }

    void hundredMegabytes(Cluster c) throws Exception {
        double[] big = doubles(100_000_000 / 8);
        List<Future<double[]>> fs = c.client().scatter(List.of(big, doubles(MIB / 8 + 1)));
        double expected = SUM.apply(big);
        assertEquals(expected, c.client().submit(SUM, fs.get(0)).result(120, TimeUnit.SECONDS), "the worker holds the array it was sent");
        List<double[]> back = c.client().gather(fs);
        assertArrayEquals(big, back.get(0));
        assertArrayEquals(doubles(MIB / 8 + 1), back.get(1));
        for (Future<double[]> f : fs) f.release();
    }

    static final Fn1<NDArray, Double> BLOCK_SUM = a -> SUM.apply(a.toDoubleArray());

    /** NDArray blocks go split (head + their own elements): exact back, and usable by a task where they landed. */
    void ndarrayBlocks(Cluster c) throws Exception {
        NDArray block = NDArray.of(doubles(3 * (MIB / 8 + 1)), 3, MIB / 8 + 1);
        NDArray flags = NDArray.of(new boolean[] {true, false, true, true}, 2, 2);
        long before = BulkServer.valuesMoved();
        List<Future<NDArray>> fs = c.client().scatter(List.of(block, flags, block.transpose()));
        assertEquals(SUM.apply(block.toDoubleArray()), c.client().submit(BLOCK_SUM, fs.get(0)).result(60, TimeUnit.SECONDS));
        assertEquals(List.of(block, flags, block.transpose()), c.client().gather(fs));
        assertTrue(BulkServer.valuesMoved() - before >= 6, "the blocks did not go through the workers' bulk ports");
        for (Future<NDArray> f : fs) f.release();
    }

    static final Fn2<double[], double[], Double> SUM2 = (a, b) -> SUM.apply(a) + SUM.apply(b);

    /**
     * A task on one worker whose inputs sit on the other: the large one comes over the holder's
     * bulk port (offered in answer to PEER_FETCH), the small one in the DATA reply, both exact.
     */
    void peerFetch(Cluster c) throws Exception {
        List<String> ws = c.client().workerAddresses();
        double[] big = doubles(3 * MIB / 8 + 5), small = doubles(10);
        Future<double[]> fb = c.client().scatter(List.of(big)).get(0), fsm = c.client().scatter(List.of(small)).get(0); // both on ws[0]
        long before = PeerFetches.bulkValues();
        double got = c.client().submit(SUM2, fb, fsm, SubmitOptions.defaults().workers(Set.of(ws.get(1)))).result(60, TimeUnit.SECONDS);
        assertEquals(SUM.apply(big) + SUM.apply(small), got);
        assertEquals(1, PeerFetches.bulkValues() - before, "the large input (only) should come over the holder's bulk port");
        fb.release();
        fsm.release();
    }

    @Test
    void peerFetchPlain() throws Exception {
        peerFetch(plain);
    }

    @Test
    void peerFetchSecured() throws Exception {
        peerFetch(secured);
    }

    @Test
    void ndarrayBlocksPlain() throws Exception {
        ndarrayBlocks(plain);
    }

    @Test
    void ndarrayBlocksSecured() throws Exception {
        ndarrayBlocks(secured);
    }

    @Test
    void sizesAroundTheRecordBoundaryPlain() {
        sizesAroundTheRecordBoundary(plain);
    }

    @Test
    void sizesAroundTheRecordBoundarySecured() {
        sizesAroundTheRecordBoundary(secured);
    }

    @Test
    void hundredMegabytesPlain() throws Exception {
        hundredMegabytes(plain);
    }

    @Test
    void hundredMegabytesSecured() throws Exception {
        hundredMegabytes(secured);
    }
}

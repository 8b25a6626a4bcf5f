package org.jdask.distributed;

import static org.jdask.distributed.RawZmtp.NEGATIVE;
import static org.jdask.distributed.RawZmtp.greeting;
import static org.jdask.distributed.RawZmtp.longFrameHeader;
import static org.jdask.distributed.RawZmtp.ready;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jdask.distributed.internal.FrameGuard;
import org.jdask.fn.Fn1;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The byte sequences of issue 21 (items 1 and 2), sent on raw TCP sockets to a scheduler, to a
 * worker's data port and to a worker JVM under a nanny, with and without security: each process
 * must go on serving a client correctly, and its memory must stay bounded.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class HostileTest {
    static final Fn1<Integer, Integer> INC = x -> x + 1;

    /** Each frame after a NULL or CURVE greeting, with and without a READY command before it. */
    static List<byte[][]> sequences(byte[] frame) {
        return List.of(
                new byte[][] {greeting("NULL"), ready("DEALER"), frame},
                new byte[][] {greeting("NULL"), frame},
                new byte[][] {greeting("CURVE"), ready("DEALER"), frame},
                new byte[][] {greeting("CURVE"), frame});
    }

    /** Sends every sequence on its own connection, then closes it (the end of stream is what made JeroMQ 0.6.0 spin). */
    static void attack(String tcp, byte[] frame) throws Exception {
        for (byte[][] seq : sequences(frame)) {
            try (Socket s = RawZmtp.send(tcp, seq)) {
                Thread.sleep(100);
            }
        }
    }

    static Client connect(String address, Security sec) {
        return sec == null ? Client.connect(address) : Client.connect(address, sec);
    }

    /** A client over TCP runs a task on {@code worker} and gets its result from the worker's data port. */
    static void assertServes(String scheduler, Security sec, String worker) throws Exception {
        try (Client c = connect(scheduler, sec)) {
            SubmitOptions on = SubmitOptions.defaults().withPure(false).workers(Set.of(worker));
            assertEquals(42, c.submit(INC, 41, on).result(120, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest(name = "security {0}")
    @ValueSource(booleans = {false, true})
    void aFrameOfSize2To64Minus1LeavesSchedulerAndWorkerServing(boolean secure) throws Exception {
        Security sec = secure ? Security.temporary() : null;
        try (LocalCluster cluster = LocalCluster.builder().workers(0).processes(false).security(sec).build();
             Worker w = Worker.start(cluster.schedulerAddress(), Worker.Options.defaults().withThreads(1).withName("tcp"), sec)) {
            long before = FrameGuard.negativeSizes();
            attack(cluster.schedulerAddress(), NEGATIVE);
            attack(w.address(), NEGATIVE);
            assertServes(cluster.schedulerAddress(), sec, w.address());
            // plaintext: both NULL sequences reach the decoder on each port; secured: the CURVE one without READY
            long expected = secure ? 2 : 4;
            RawZmtp.await(() -> FrameGuard.negativeSizes() >= before + expected, 30_000,
                    "negative frame sizes refused: " + (FrameGuard.negativeSizes() - before) + " of " + expected);
            attack(cluster.schedulerAddress(), NEGATIVE); // and again, with clients and workers connected
            assertServes(cluster.schedulerAddress(), sec, w.address());
            if (secure) assertTrue(cluster.refusedPeers() > 0, "the scheduler counts the plaintext peers it refused");
        }
    }

    @ParameterizedTest(name = "security {0}")
    @ValueSource(booleans = {false, true})
    void headersDeclaringHugeFramesTakeNoMoreThanTheFrameBudget(boolean secure) throws Exception {
        Security sec = secure ? Security.temporary() : null;
        long oldBudget = FrameGuard.budget(64L << 20);
        List<Socket> held = new ArrayList<>();
        try (LocalCluster cluster = LocalCluster.builder().workers(0).processes(false).security(sec).build();
             Worker w = Worker.start(cluster.schedulerAddress(), Worker.Options.defaults().withThreads(1).withName("tcp"), sec)) {
            assertServes(cluster.schedulerAddress(), sec, w.address()); // warm: codecs, threads, buffers
            System.gc();
            long pid = ProcessHandle.current().pid();
            long rss0 = RawZmtp.rss(pid), direct0 = direct();
            long overBefore = FrameGuard.overBudget();
            // 2^31-1 is over the 64 MiB frame limit: dropped by JeroMQ without allocating
            for (String target : List.of(cluster.schedulerAddress(), w.address())) {
                for (byte[][] seq : sequences(longFrameHeader((1L << 31) - 1, false))) held.add(RawZmtp.send(target, seq));
                // 48 MiB is under the limit: bodies that never come, held open
                for (int i = 0; i < 6; i++) {
                    for (byte[][] seq : sequences(longFrameHeader(48L << 20, false))) held.add(RawZmtp.send(target, seq));
                }
            }
            if (!secure) {
                RawZmtp.await(() -> FrameGuard.overBudget() > overBefore, 30_000, "large frames refused over the budget");
            } else {
                Thread.sleep(2_000); // CURVE sequences without READY reach the decoder; the rest are refused at the greeting
            }
            long grew = RawZmtp.rss(pid) - rss0, directGrew = direct() - direct0;
            System.out.printf("RESULTS flood (security %s): 24 connections declaring 48 MiB frames + 8 declaring 2 GiB;"
                    + " RSS grew %d MiB, direct memory %d MiB, %d frames refused over the 64 MiB budget%n",
                    secure, grew >> 20, directGrew >> 20, FrameGuard.overBudget() - overBefore);
            // without the guard: up to 24 connections x 48 MiB (1.1 GB) plus 2 GB per 2^31-1 header
            assertTrue(grew < 400L << 20, "RSS grew by " + (grew >> 20) + " MiB under the flood (budget 64 MiB)");
            assertTrue(directGrew < 32L << 20, "direct memory grew by " + (directGrew >> 20) + " MiB");
            assertTrue(FrameGuard.inFlight() <= 64L << 20, "in flight: " + FrameGuard.inFlight());
            assertServes(cluster.schedulerAddress(), sec, w.address()); // small frames still pass during the flood
            for (Socket s : held) s.close();
            held.clear();
            // the flood is over: large values travel again (its frames released once collected)
            try (Client c = connect(cluster.schedulerAddress(), sec)) {
                byte[] big = new byte[20 << 20];
                new Random(7).nextBytes(big);
                Future<byte[]> f = c.scatter(List.of(big)).get(0);
                assertArrayEquals(big, f.result(120, TimeUnit.SECONDS));
            }
        } finally {
            for (Socket s : held) s.close();
            FrameGuard.budget(oldBudget);
        }
    }

    @Test
    void valuesOverTheFrameLimitTravelAsChunksBothWays() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().workers(0).processes(false).build();
             Worker w = Worker.start(cluster.schedulerAddress(), Worker.Options.defaults().withThreads(1).withName("tcp"), null);
             Client c = Client.connect(cluster.schedulerAddress())) {
            byte[] big = new byte[100_000_000]; // over the 64 MiB frame limit: one value, many frames
            new Random(3).nextBytes(big);
            Future<byte[]> f = c.scatter(List.of(big)).get(0);
            Fn1<byte[], Long> sum = b -> {
                long s = 0;
                for (byte x : b) s += x;
                return s;
            };
            long expected = 0;
            for (byte x : big) expected += x;
            assertEquals(expected, c.submit(sum, f).result(120, TimeUnit.SECONDS)); // the worker decoded the whole value
            assertArrayEquals(big, f.result(120, TimeUnit.SECONDS));                 // and served it back
        }
    }

    @Test
    void aWorkerJvmUnderANannyKeepsServingAfterHostileBytes() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().workers(1).threadsPerWorker(1).processes(true).build()) {
            Nanny nanny = cluster.nannies().get(0);
            String worker = nanny.workerAddress(10_000);
            long pid = nanny.process().pid();
            assertServes(cluster.schedulerAddress(), null, worker);
            long rss0 = RawZmtp.rss(pid);
            attack(worker, NEGATIVE);
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 6; i++) {
                    for (byte[][] seq : sequences(longFrameHeader(48L << 20, false))) held.add(RawZmtp.send(worker, seq));
                }
                for (byte[][] seq : sequences(longFrameHeader((1L << 31) - 1, false))) held.add(RawZmtp.send(worker, seq));
                Thread.sleep(2_000);
                long grew = RawZmtp.rss(pid) - rss0;
                System.out.printf("RESULTS flood at a worker JVM under a nanny: RSS grew %d MiB (default budget 256 MiB)%n", grew >> 20);
                // budget 256 MiB by default; without the guard 12 x 48 MiB + 2 x 2 GB
                assertTrue(grew < 450L << 20, "worker JVM RSS grew by " + (grew >> 20) + " MiB");
                assertServes(cluster.schedulerAddress(), null, worker);
            } finally {
                for (Socket s : held) s.close();
            }
            assertEquals(pid, nanny.process().pid(), "the same worker JVM serves: " + nanny.logs());
            assertEquals(0, nanny.restarts());
        }
    }

    static long direct() {
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getName().equals("direct")) return b.getMemoryUsed();
        }
        return 0;
    }
}

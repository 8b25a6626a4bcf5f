package org.jdask.distributed.coord;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdask.Config;
import org.jdask.distributed.Client;
import org.jdask.distributed.SchedulerServer;
import org.jdask.distributed.Security;
import org.jdask.distributed.internal.Messages.BulkWelcome;
import org.jdask.distributed.internal.Messages.CoordReply;
import org.jdask.distributed.internal.Messages.CoordRequest;
import org.jdask.distributed.internal.Payload;
import org.jdask.distributed.internal.bulk.BulkLink;
import org.jdask.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Direct coordination links (issue 19): a TCP client's calling thread talks to the scheduler's
 * coordination port, where the link's own thread answers (no ZeroMQ, no scheduler thread). Replies
 * cross between links and ZeroMQ connections both ways, parked waits time out on a link, values
 * larger than a link record stream through, and with security the links are sealed. A scheduler
 * without workers (coordination needs none).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CoordLinksTest extends WorkerlessScheduler {
    /** A client whose requests go through its I/O thread (ZeroMQ, no channel of its own). */
    private static Client viaIoThread() {
        try (Config.Scope s = Config.set("distributed.coordination.direct-channels", false)) {
            return Client.connect(scheduler.address());
        }
    }

    @Test
    void aTcpClientsRoundTripsGoOverItsThreadsDirectLinks() {
        try (Client c = Client.connect(scheduler.address())) {
            Variable<String> v = c.variable("link-v");
            v.set("x");
            assertEquals("x", v.get(LONG));
            assertTrue(scheduler.coordLinks() >= 1, "a TCP client's round trips use a direct link, " + scheduler.coordLinks() + " open");
        }
        Await.until(() -> scheduler.coordLinks() == 0, Duration.ofSeconds(30), "the closed client's links to end",
                () -> scheduler.coordLinks() + " links open");
    }

    @Test
    void repliesCrossBetweenLinksAndZeroMqConnections() throws Exception {
        try (Client link = Client.connect(scheduler.address()); Client zmq = viaIoThread(); Client local = Client.connect(scheduler.inprocAddress())) {
            // a getter on ZeroMQ, fed from a link: the link's thread hands the reply to the scheduler thread
            CompletableFuture<String> parked = CompletableFuture.supplyAsync(() -> zmq.<String>queue("cross-1").get(LONG));
            Thread.sleep(200);
            link.<String>queue("cross-1").put("from a link");
            assertEquals("from a link", parked.get(60, TimeUnit.SECONDS));
            // a getter on a link, fed over ZeroMQ (in-process): the scheduler thread queues it on the link
            CompletableFuture<String> onLink = CompletableFuture.supplyAsync(() -> link.<String>queue("cross-2").get(LONG));
            Thread.sleep(200);
            local.<String>queue("cross-2").put("from inproc");
            assertEquals("from inproc", onLink.get(60, TimeUnit.SECONDS));
            // a lock held over a link, waited for over ZeroMQ, and back
            Lock held = link.lock("cross-lock");
            held.acquire(LONG);
            CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
                Lock l = zmq.lock("cross-lock");
                boolean got = l.tryAcquire(LONG);
                if (got) l.release();
                return got;
            });
            Thread.sleep(200);
            held.release();
            assertTrue(waiter.get(60, TimeUnit.SECONDS));
            assertTrue(held.tryAcquire(LONG), "free again after the waiter released it");
            held.release();
        }
    }

    @Test
    void aParkedWaitOnALinkTimesOutAndTheLinkStaysUsable() {
        try (Client c = Client.connect(scheduler.address())) {
            Queue<Integer> q = c.queue("link-timeout");
            Exception e = assertThrows(CoordinationTimeoutException.class, () -> q.get(Duration.ofMillis(150)));
            assertTrue(e.getMessage().contains("Queue 'link-timeout' get timed out after 150 ms"), e.getMessage());
            q.put(7);
            assertEquals(7, q.get(LONG));
        }
    }

    @Test
    void anInterruptedWaitersParkedGetIsCancelledSoNoItemIsLost() throws Exception {
        try (Client c = Client.connect(scheduler.address()); Client feeder = Client.connect(scheduler.address())) {
            feeder.variable("warm").set(1); // the feeder's own link is open before the count below
            int before = scheduler.coordLinks();
            CompletableFuture<Exception> failed = new CompletableFuture<>();
            Thread waiter = new Thread(() -> {
                try {
                    c.<String>queue("interrupted").get(LONG);
                    failed.complete(null);
                } catch (Exception e) {
                    failed.complete(e);
                }
            });
            waiter.start();
            Await.until(() -> scheduler.coordLinks() > before, Duration.ofSeconds(30), "the waiter's link to open", () -> scheduler.coordLinks() + " links");
            Thread.sleep(200); // parked at the scheduler
            waiter.interrupt();
            Exception e = failed.get(60, TimeUnit.SECONDS);
            assertTrue(e != null && e.getMessage().contains("interrupted"), String.valueOf(e));
            Await.until(() -> scheduler.coordLinks() <= before, Duration.ofSeconds(30), "the interrupted waiter's link to end",
                    () -> scheduler.coordLinks() + " links");
            feeder.<String>queue("interrupted").put("kept");
            assertEquals("kept", feeder.<String>queue("interrupted").get(Duration.ofSeconds(10)), "not handed to the cancelled get");
        }
    }

    @Test
    void valuesLargerThanALinkRecordStreamThrough() {
        byte[] big = new byte[3 * CoordLinks.RECORD + 17];
        new Random(5).nextBytes(big);
        try (Client a = Client.connect(scheduler.address()); Client b = Client.connect(scheduler.address())) {
            a.<byte[]>queue("big").put(big);
            assertArrayEquals(big, b.<byte[]>queue("big").get(LONG));
            a.<byte[]>variable("big-v").set(big);
            assertArrayEquals(big, b.<byte[]>variable("big-v").get(LONG));
        }
    }

    /** Connects to a coordination port, sends {@code token}, seals with {@code key} (hex or null). */
    private static BulkLink dial(int port, String token, String key) throws IOException {
        SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        BulkLink l = new BulkLink(ch, "test link", true, 10_000, CoordLinks.RECORD);
        l.writeRaw(HexFormat.of().parseHex(token));
        l.seal(key == null ? null : HexFormat.of().parseHex(key));
        return l;
    }

    @Test
    void aLinkNeedsAnOpenSessionsTokenAndItsKey() throws Exception {
        try (CoordLinks links = new CoordLinks(new CoordState(30_000), "127.0.0.1", true, 10_000, () -> { })) {
            BulkWelcome w = links.open(1, "client-1");
            assertTrue(w.port() > 0 && w.key() != null, "a secure port gives a key with each session: " + w);
            CoordRequest set = new CoordRequest(5, CoordOp.VARIABLE_SET, "v", Payload.ofValue("x"), List.of(), 0, 0, null);
            try (BulkLink good = dial(w.port(), w.token(), w.key())) {
                CoordFrames.write(good, set);
                CoordReply r = CoordFrames.readReply(good);
                assertEquals(5, r.id());
                assertEquals(CoordStatus.OK, r.status());
                Await.until(() -> links.size() == 1, Duration.ofSeconds(10), "the link counted", () -> links.size() + " links");
            }
            try (BulkLink reused = dial(w.port(), w.token(), w.key())) { // single use: the scheduler closes it
                CoordFrames.write(reused, set);
                assertThrows(IOException.class, () -> CoordFrames.readReply(reused));
            }
            BulkWelcome w2 = links.open(2, "client-1");
            String wrongKey = HexFormat.of().formatHex(new byte[32]);
            try (BulkLink forged = dial(w2.port(), w2.token(), wrongKey)) { // the record fails authentication there
                CoordFrames.write(forged, set);
                assertThrows(IOException.class, () -> CoordFrames.readReply(forged));
            }
        }
    }

    @Test
    void withSecurityTheLinksAreSealedAndWork() throws Exception {
        Security sec = Security.temporary();
        SchedulerServer secured = SchedulerServer.start("127.0.0.1", 0, sec);
        try (Client a = Client.connect(secured.address(), sec); Client b = Client.connect(secured.address(), sec)) {
            CompletableFuture<String> parked = CompletableFuture.supplyAsync(() -> b.<String>queue("sealed").get(LONG));
            Thread.sleep(200);
            a.<String>queue("sealed").put("secret");
            assertEquals("secret", parked.get(60, TimeUnit.SECONDS));
            assertTrue(secured.coordLinks() >= 2, "both clients on sealed links, " + secured.coordLinks() + " open");
        } finally {
            secured.close();
        }
    }
}

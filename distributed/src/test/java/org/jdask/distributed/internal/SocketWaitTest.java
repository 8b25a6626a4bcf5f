package org.jdask.distributed.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * The I/O threads' wait (issue 19): woken by posted work from another thread and by a message on
 * any watched socket, every wait bounded by its timeout, sockets replaced while it runs, and an
 * idle wait that sleeps rather than spins (JeroMQ's poller looped without sleeping here). Real
 * inproc DEALER/ROUTER sockets; no timing asserts: waits are 60 s and must end long before.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SocketWaitTest {
    private static final AtomicInteger ENDPOINTS = new AtomicInteger();
    private ZMQ.Socket router, dealer;
    private String endpoint;
    private SocketWait waits;

    @BeforeEach
    void open() {
        router = Zmq.socket(SocketType.ROUTER, 1 << 20);
        String endpoint = "inproc://socket-wait-test-" + ENDPOINTS.incrementAndGet(); // an inproc name is freed asynchronously on close
        router.bind(endpoint);
        dealer = Zmq.socket(SocketType.DEALER, 1 << 20);
        dealer.setIdentity("d".getBytes());
        dealer.connect(endpoint);
        this.endpoint = endpoint;
        waits = new SocketWait();
        waits.watch(List.of(dealer));
    }

    @AfterEach
    void close() {
        if (waits != null) waits.close();
        Zmq.close(dealer);
        Zmq.close(router);
    }

    /** Waits (60 s at most) on another thread until a byte arrives on the dealer; returns it. */
    private CompletableFuture<byte[]> receiveInWaits() {
        return CompletableFuture.supplyAsync(() -> {
            long end = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < end) {
                byte[] m = dealer.recv(ZMQ.DONTWAIT);
                if (m != null) {
                    waits.progress();
                    return m;
                }
                waits.await(60_000);
            }
            return null;
        });
    }

    @Test
    void aWakeFromAnotherThreadEndsTheWait() throws Exception {
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
            waits.await(60_000);
            waits.woken();
        });
        Thread.sleep(100);
        waits.wake();
        waiting.get(30, TimeUnit.SECONDS);
        waits.wake(); // before the next wait: it returns at once
        long[] before = waits.counts();
        waits.await(60_000);
        assertEquals(before[0] + 1, waits.counts()[0]);
    }

    @Test
    void aMessageOnAWatchedSocketEndsTheWait() throws Exception {
        CompletableFuture<byte[]> got = receiveInWaits();
        Thread.sleep(100);
        byte[] id = "d".getBytes();
        router.sendMore(id);
        router.send(new byte[] {42});
        assertArrayEquals(new byte[] {42}, got.get(30, TimeUnit.SECONDS));
    }

    @Test
    void messagesLeftByAReceiveLoopAtItsLimitDoNotWaitForTheTimeout() throws Exception {
        for (int i = 0; i < 5; i++) {
            router.sendMore("d".getBytes());
            router.send(new byte[] {(byte) i});
        }
        CompletableFuture<byte[]> first = receiveInWaits();
        assertArrayEquals(new byte[] {0}, first.get(30, TimeUnit.SECONDS));
        // the pipe signals new messages only once its reader found it empty: the 4 left do not wake a wait
        waits.more();
        CompletableFuture<Void> look = CompletableFuture.runAsync(() -> waits.await(60_000));
        look.get(30, TimeUnit.SECONDS); // only looked, did not block for 60 s
        for (int i = 1; i < 5; i++) assertArrayEquals(new byte[] {(byte) i}, receiveInWaits().get(30, TimeUnit.SECONDS));
    }

    @Test
    void replacedSocketsAreWatched() throws Exception {
        ZMQ.Socket second = Zmq.socket(SocketType.DEALER, 1 << 20);
        try {
            second.setIdentity("e".getBytes());
            second.connect(endpoint);
            waits.watchIfChanged(List.of(second)); // the first dealer is dropped
            waits.watchIfChanged(List.of(second)); // unchanged: nothing to do
            CompletableFuture<byte[]> got = CompletableFuture.supplyAsync(() -> {
                long end = System.currentTimeMillis() + 60_000;
                while (System.currentTimeMillis() < end) {
                    byte[] m = second.recv(ZMQ.DONTWAIT);
                    if (m != null) return m;
                    waits.await(60_000);
                }
                return null;
            });
            Thread.sleep(100);
            router.sendMore("e".getBytes());
            router.send(new byte[] {7});
            assertArrayEquals(new byte[] {7}, got.get(30, TimeUnit.SECONDS));
        } finally {
            Zmq.close(second);
        }
    }

    @Test
    void anIdleWaitSleepsUntilItsTimeoutInsteadOfSpinning() throws Exception {
        // traffic first, so the dealer's mailbox has seen commands (JeroMQ's poller spun after such)
        for (int i = 0; i < 50; i++) {
            CompletableFuture<byte[]> got = receiveInWaits();
            router.sendMore("d".getBytes());
            router.send(new byte[] {(byte) i});
            assertNotNull(got.get(30, TimeUnit.SECONDS));
        }
        long[] before = waits.counts();
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(600)) {
            if (dealer.recv(ZMQ.DONTWAIT) != null) waits.progress();
            waits.await(200);
        }
        long turns = waits.counts()[0] - before[0];
        assertTrue(turns <= 50, "an idle socket woke the wait " + turns + " times in 600 ms (a spin)");
    }
}

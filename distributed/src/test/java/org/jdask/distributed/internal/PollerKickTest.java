package org.jdask.distributed.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/** Issue 16's start-up stall: when the ZAP thread kicks JeroMQ's I/O thread, and that a kick is harmless. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PollerKickTest {
    @Test
    void dueOnlyForAnOpenConnectionWithoutGreetingPastTheDelay() {
        long t = 1_000_000;
        assertFalse(PollerKick.due(0, 0, 0, t), "no open connection");
        assertFalse(PollerKick.due(t, 0, 0, t + PollerKick.AFTER_MS - 1), "too early");
        assertTrue(PollerKick.due(t, 0, 0, t + PollerKick.AFTER_MS));
        assertFalse(PollerKick.due(t, 1, t + 20, t + 20 + PollerKick.EVERY_MS - 1), "kicked just now");
        assertTrue(PollerKick.due(t, 1, t + 20, t + 20 + PollerKick.EVERY_MS));
        assertFalse(PollerKick.due(t, PollerKick.MAX_PER_CONNECTION, t + 20, t + 10_000), "gave up kicking");
        int later = PollerKick.QUICK_KICKS;
        assertFalse(PollerKick.due(t, later, t + 100, t + 100 + PollerKick.LATER_MS - 1), "past the quick kicks they slow down");
        assertTrue(PollerKick.due(t, later, t + 100, t + 100 + PollerKick.LATER_MS));
    }

    /** Every TCP connection jdask makes goes through Zmq.connect, which watches its greeting; inproc needs none. */
    @Test
    void zmqConnectWatchesTcpConnectionsOnly() {
        ZMQ.Socket router = Zmq.socket(SocketType.ROUTER, 1 << 20);
        ZMQ.Socket tcp = Zmq.socket(SocketType.DEALER, 1 << 20);
        ZMQ.Socket inproc = Zmq.socket(SocketType.DEALER, 1 << 20);
        try {
            int port = router.bindToRandomPort("tcp://127.0.0.1");
            router.bind("inproc://poller-kick-test");
            long before = Zap.watchesOpened();
            Zmq.connect(inproc, "inproc://poller-kick-test", "test inproc peer");
            assertEquals(before, Zap.watchesOpened(), "an inproc connection has no greeting to stall");
            Zmq.connect(tcp, "tcp://127.0.0.1:" + port, "test tcp peer");
            assertEquals(before + 1, Zap.watchesOpened(), "a TCP connection's greeting is watched");
            tcp.send("over tcp");
            router.setReceiveTimeOut(20_000);
            assertTrue(router.recv(0) != null, "identity frame");
            assertArrayEquals("over tcp".getBytes(StandardCharsets.US_ASCII), router.recv(0));
        } finally {
            Zmq.close(inproc);
            Zmq.close(tcp);
            Zmq.close(router);
        }
    }

    @Test
    void aKickBindsAndClosesAListenerWithoutDisturbingLiveConnections() {
        ZMQ.Socket router = Zmq.socket(SocketType.ROUTER, 1 << 20);
        ZMQ.Socket dealer = Zmq.socket(SocketType.DEALER, 1 << 20);
        try {
            int port = router.bindToRandomPort("tcp://127.0.0.1");
            dealer.setIdentity("kick-test".getBytes(StandardCharsets.US_ASCII));
            dealer.connect("tcp://127.0.0.1:" + port);
            long before = PollerKick.count();
            for (int i = 0; i < 5; i++) PollerKick.kick("test peer");
            assertTrue(PollerKick.count() >= before + 5, "every kick bound a listener on the I/O thread");
            dealer.send("hello");
            router.setReceiveTimeOut(20_000);
            byte[] id = router.recv(0);
            assertArrayEquals("kick-test".getBytes(StandardCharsets.US_ASCII), id);
            assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), router.recv(0));
        } finally {
            Zmq.close(dealer);
            Zmq.close(router);
        }
    }
}

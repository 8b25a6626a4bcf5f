package org.jdask.distributed.internal;

import java.util.concurrent.atomic.AtomicInteger;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/** A ROUTER bound to a fresh {@code inproc://} address and a DEALER to talk to it, for the wire tests. */
record InprocPair(ZMQ.Socket router, ZMQ.Socket dealer, String address) implements AutoCloseable {
    private static final AtomicInteger N = new AtomicInteger();

    /** The pair, the dealer not connected yet (see {@link #connect}); {@code hwm} bounds both sockets' queues. */
    static InprocPair open(String name, int hwm) {
        ZMQ.Socket router = Zmq.socket(SocketType.ROUTER, hwm);
        String address = "inproc://" + name + "-" + N.incrementAndGet();
        router.bind(address);
        return new InprocPair(router, Zmq.socket(SocketType.DEALER, hwm), address);
    }

    /** Connects the dealer as {@code identity} ({@link Wire#localIdentity} or {@link Wire#remoteIdentity}). */
    InprocPair connect(byte[] identity) {
        dealer.setIdentity(identity);
        dealer.connect(address);
        return this;
    }

    @Override
    public void close() {
        Zmq.close(dealer);
        Zmq.close(router);
    }
}

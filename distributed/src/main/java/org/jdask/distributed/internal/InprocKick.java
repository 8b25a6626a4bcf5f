package org.jdask.distributed.internal;

import java.util.List;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * Wakes a thread blocked in a receive on a ROUTER (the scheduler's) from any other thread: sends
 * the ROUTER an empty batch (a valid message with no messages in it, which the receiver drops) over
 * its in-process address. One DEALER, opened on first use and shared under a lock; for rare
 * hand-overs (coordination outputs a direct link's thread cannot carry out itself), not for every
 * message.
 */
public final class InprocKick implements AutoCloseable {
    private final Supplier<String> address;
    private ZMQ.Socket socket; // guarded by this
    private boolean closed; // guarded by this

    /** {@code address}: the ROUTER's {@code inproc://} address (asked on first use). */
    public InprocKick(Supplier<String> address) {
        this.address = address;
    }

    /** Any thread: the receiver's current or next receive returns. */
    public synchronized void kick() {
        if (closed) return;
        try {
            if (socket == null) {
                socket = Zmq.socket(SocketType.DEALER, 1 << 10);
                socket.connect(address.get());
            }
            Wire.send(socket, null, List.of(), true);
        } catch (RuntimeException e) { // the receiver still looks at least every tick
            LoggerFactory.getLogger(InprocKick.class).debug("cannot wake the scheduler thread: {}", e.toString());
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        Zmq.close(socket);
        socket = null;
    }
}

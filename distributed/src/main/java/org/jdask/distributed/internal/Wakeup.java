package org.jdask.distributed.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * Wakes a thread that polls ZeroMQ sockets (a worker's or client's I/O thread) from any other
 * thread: an inproc PUSH/PULL pair with at most one wake-up in flight per burst of calls.
 */
public final class Wakeup {
    private final ZMQ.Socket in;
    private final Object lock = new Object();
    /** Set while a wake-up is queued and not yet drained. */
    private final AtomicBoolean pending = new AtomicBoolean();
    private ZMQ.Socket out; // guarded by lock; null once closed

    /** Binds {@code inproc://NAME} and connects to it. */
    public Wakeup(String name, long maxFrame) {
        in = Zmq.socket(SocketType.PULL, maxFrame);
        in.bind("inproc://" + name);
        ZMQ.Socket o = Zmq.socket(SocketType.PUSH, maxFrame);
        o.connect("inproc://" + name);
        synchronized (lock) {
            out = o;
        }
    }

    /** The socket the polling thread registers for {@code POLLIN}. */
    public ZMQ.Socket socket() {
        return in;
    }

    /** Any thread: makes the polling thread's next (or current) poll return; no-op after {@link #close}. */
    public void wake() {
        if (!pending.compareAndSet(false, true)) return; // a wake-up is on its way: it covers this call too
        boolean interrupted = Thread.interrupted(); // JeroMQ refuses to send from an interrupted thread
        try {
            synchronized (lock) {
                if (out != null) out.send(new byte[0], ZMQ.DONTWAIT);
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /**
     * Polling thread: consumes the wake-ups. Call it before draining the work queue the wake-ups
     * announce, so a call to {@link #wake} after this one sends a new wake-up.
     */
    public void drain() {
        while (in.recv(ZMQ.DONTWAIT) != null) {
            // wake-up only
        }
        pending.set(false);
    }

    /** Polling thread, when it stops: closes both sockets. */
    public void close() {
        synchronized (lock) {
            Zmq.close(out);
            out = null;
        }
        Zmq.close(in);
    }
}

package org.jdask.distributed.internal;

import java.time.Duration;
import org.jdask.Config;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The one ZeroMQ context of this JVM. {@code inproc://} endpoints only connect sockets of the same
 * context, so every component (scheduler, in-process workers, clients) shares it.
 */
public final class Zmq {
    private static volatile ZContext context;

    private Zmq() {}

    public static ZContext context() {
        ZContext c = context;
        if (c == null) {
            synchronized (Zmq.class) {
                if (context == null) {
                    ZContext z = new ZContext(1);
                    z.setLinger(0);
                    context = z;
                }
                c = context;
            }
        }
        return c;
    }

    /**
     * A socket with linger 0 (closing never blocks on unsent messages), the frame limit set, and the
     * handshake limit {@code distributed.comm.timeouts.handshake} (seconds): a connection whose
     * handshake stalls is dropped and made again instead of waiting JeroMQ's default 30 s.
     */
    public static ZMQ.Socket socket(SocketType type, long maxFrame) {
        ZMQ.Socket s = context().createSocket(type);
        s.setLinger(0);
        s.setHandshakeIvl((int) Math.max(100, Config.getDuration("distributed.comm.timeouts.handshake", Duration.ofSeconds(3)).toMillis()));
        s.setMaxMsgSize(maxFrame);
        s.setRcvHWM(0);
        s.setSndHWM(0);
        return s;
    }

    /** Closes a socket created by {@link #socket}; errors while closing are ignored. */
    public static void close(ZMQ.Socket s) {
        if (s == null) return;
        try {
            context().destroySocket(s);
        } catch (RuntimeException ignored) {
            // already closed or context gone
        }
    }
}

package org.jdask.distributed.internal;

import java.time.Duration;
import org.jdask.Config;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.slf4j.LoggerFactory;
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
     * A socket with linger 0 (closing never blocks on unsent messages), the frame limit set, the
     * handshake limit {@code distributed.comm.timeouts.handshake} (seconds): a connection whose
     * handshake stalls is dropped and made again instead of waiting JeroMQ's default 30 s, and the
     * {@link FrameGuard} allocator, which refuses negative frame sizes and bounds memory taken by
     * frames still arriving. A DEALER queues at most {@link #DEALER_QUEUE} messages for a peer that
     * is not there yet and none once a handshake failed (ZeroMQ then never reconnects): a send past
     * that fails at once ({@link Wire#send} never blocks) and the caller's {@link Outbox} keeps it.
     */
    public static ZMQ.Socket socket(SocketType type, long maxFrame) {
        ZMQ.Socket s = context().createSocket(type);
        s.setLinger(0);
        s.setHandshakeIvl((int) Math.max(100, Config.getDuration("distributed.comm.timeouts.handshake", Duration.ofSeconds(3)).toMillis()));
        s.setMaxMsgSize(maxFrame);
        s.setMsgAllocator(FrameGuard.INSTANCE);
        s.setRcvHWM(0);
        s.setSndHWM(0);
        if (type == SocketType.DEALER) s.setSndHWM(DEALER_QUEUE);
        if (type == SocketType.ROUTER) { // a peer that answers no ZMTP PING (one stuck mid-frame) is dropped
            s.setHeartbeatIvl(5_000);
            s.setHeartbeatTimeout(30_000);
        }
        return s;
    }

    /**
     * Connects {@code s} to {@code address}, the one way jdask connects: a TCP connection's ZeroMQ
     * greeting is watched until it completes, and JeroMQ's I/O thread is kicked if it stalls
     * ({@link PollerKick}: without it the first message on a fresh connection can wait for
     * unrelated traffic, 100–400 ms at start-up); a refusal by the server is logged naming
     * {@code peer}.
     */
    public static void connect(ZMQ.Socket s, String address, String peer) {
        connect(s, address, peer, (why, beforeGreeting) -> LoggerFactory.getLogger(Zmq.class).warn("connection to {}: {}", peer, why));
    }

    /** {@link #connect(ZMQ.Socket, String, String)}, telling {@code onRefused} (on the watch thread) why a server refused it. */
    public static void connect(ZMQ.Socket s, String address, String peer, Zap.Refusal onRefused) {
        if (address.startsWith("tcp://")) Zap.watchClient(s, peer, onRefused);
        s.connect(address);
    }

    /** Messages (batches) a DEALER queues for its peer before sends fail. */
    public static final int DEALER_QUEUE = 100_000;


    /** {@code distributed.comm.max-frame-bytes}: the largest frame any socket accepts (64 MiB by default). */
    public static long maxFrameBytes() {
        long v = Config.getBytes("distributed.comm.max-frame-bytes", 64 << 20);
        if (v < 1024) {
            throw new IllegalArgumentException("distributed.comm.max-frame-bytes must be at least 1024, got " + v);
        }
        return v;
    }

    /** {@code distributed.comm.frame-budget-bytes}: bytes of large frames that may be arriving at once, JVM-wide. */
    public static long frameBudget() {
        long v = Config.getBytes("distributed.comm.frame-budget-bytes", 256 << 20);
        if (v < 4 << 20) throw new IllegalArgumentException("distributed.comm.frame-budget-bytes must be at least 4 MiB (4194304), got " + v);
        return v;
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

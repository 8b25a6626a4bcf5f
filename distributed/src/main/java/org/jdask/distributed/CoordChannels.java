package org.jdask.distributed;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jdask.Config;
import org.jdask.JdaskException;
import org.jdask.distributed.internal.Messages;
import org.jdask.distributed.internal.Messages.CoordReply;
import org.jdask.distributed.internal.Messages.CoordRequest;
import org.jdask.distributed.internal.Messages.Message;
import org.jdask.distributed.internal.Wire;
import org.jdask.distributed.internal.Wire.Msg;
import org.jdask.distributed.internal.Zmq;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * A client's direct coordination channels: extra DEALER connections to the scheduler on which the
 * calling thread itself sends a coordination request and waits for its reply, so a queue put, a
 * lock acquire or a variable get costs one round trip without two hand-offs through the client's
 * I/O thread (and, in a client beside its scheduler, without any I/O thread). Each channel is
 * used by one thread at a time (a pool: a thread borrows one, or opens a new one, and gives it
 * back); the client registers each new channel over its own connection ({@code COORD_CHANNEL})
 * before the channel's first request, so the scheduler counts the channel's requests as this
 * client's and sends their replies back on it.
 *
 * <p>Requests whose value is a future (keys) stay on the client's connection, behind the
 * messages that made the key known to the scheduler. A channel that failed, timed out or whose
 * thread was interrupted is closed rather than reused (JeroMQ sockets do not survive an
 * interrupt), and a scheduler that does not know {@code COORD_CHANNEL} makes every request go
 * through the client's connection, as before.
 */
final class CoordChannels implements AutoCloseable {
    /** Channel request ids start here, apart from the client connection's (counting up from 1). */
    private static final long FIRST_ID = 1L << 48;
    /** How often a waiting thread checks that its client is still open and connected. */
    private static final long CHECK_MS = 250;

    private final Client client;
    private final AtomicLong ids = new AtomicLong(FIRST_ID);
    private final ArrayDeque<Channel> idle = new ArrayDeque<>(); // guarded by this
    private boolean closed; // guarded by this
    /**
     * Set when the scheduler refused a channel, or by config
     * {@code distributed.coordination.direct-channels: false}: every request goes through the
     * client's connection.
     */
    private volatile boolean unsupported;

    /** One connection; its thread waits in a blocking receive on it (no poller: one hand-off fewer). */
    private record Channel(ZMQ.Socket socket) {
        void close() {
            Zmq.close(socket);
        }
    }

    CoordChannels(Client client) {
        this.client = client;
        this.unsupported = !Config.getBoolean("distributed.coordination.direct-channels", true);
    }

    /** A fresh request id for a channel request. */
    long nextId() {
        return ids.getAndIncrement();
    }

    /**
     * Sends {@code request} on a channel and waits at most {@code waitMs} for its reply; null when
     * no channel can be used (the caller sends it through the client's connection instead).
     */
    CoordReply call(CoordRequest request, long waitMs, String what) {
        if (unsupported || !request.keys().isEmpty() || Thread.currentThread().isInterrupted()) return null;
        Channel ch = borrow();
        if (ch == null) return null;
        boolean reuse = false;
        try {
            boolean local = client.conn.local;
            if (!Wire.send(ch.socket, null, List.of(request.msg()), local)) return null; // no live connection: the client's own reports why
            long deadline = System.currentTimeMillis() + waitMs;
            while (true) {
                client.checkOpen(); // a closed client or a lost scheduler ends the wait, as on the client's connection
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) throw new JdaskException(what + ": no answer within " + waitMs + " ms");
                Wire.Received m = Wire.receive(ch.socket, false, client.conn.maxFrame(), (int) Math.min(left, CHECK_MS));
                if (Thread.currentThread().isInterrupted()) throw new JdaskException("interrupted during " + what);
                if (m == null) continue;
                for (Msg x : m.decode(local)) {
                    Message d = Messages.decode(x);
                    if (d instanceof CoordReply r && r.id() == request.id()) {
                        reuse = true;
                        return r;
                    }
                    if (d instanceof Messages.ErrorMsg e) throw new JdaskException(what + " refused: " + e.text());
                }
            }
        } catch (org.zeromq.ZMQException e) {
            if (Thread.currentThread().isInterrupted()) throw new JdaskException("interrupted during " + what);
            throw new JdaskException(what + ": the coordination channel to " + client.conn.schedulerAddress + " failed: " + e, e);
        } finally {
            giveBack(ch, reuse);
        }
    }

    /** An idle channel, or a new one registered with the scheduler; null if none can be had. */
    private Channel borrow() {
        synchronized (this) {
            if (closed) return null;
            Channel c = idle.poll();
            if (c != null) return c;
        }
        ClientConnection conn = client.conn;
        ZMQ.Socket s = Zmq.socket(SocketType.DEALER, conn.maxFrame());
        byte[] identity = conn.local ? Wire.localIdentity() : Wire.remoteIdentity();
        s.setIdentity(identity);
        if (conn.security() != null && !conn.local) conn.security().toScheduler(s);
        try {
            s.connect(conn.schedulerAddress);
            String id = new String(identity, StandardCharsets.ISO_8859_1);
            client.waitFor(conn.request(null, rid -> new Messages.CoordChannel(rid, id)), CoordReply.class, "opening a coordination channel", 10_000);
            return new Channel(s);
        } catch (RuntimeException e) { // an older scheduler, or none answering: requests go through the client's connection
            unsupported = true;
            LoggerFactory.getLogger(CoordChannels.class).debug("no direct coordination channel to {}: {}", conn.schedulerAddress, e.toString());
            Zmq.close(s);
            return null;
        }
    }

    private void giveBack(Channel c, boolean reuse) {
        synchronized (this) {
            if (reuse && !closed) {
                idle.push(c);
                return;
            }
        }
        c.close();
    }

    /** Closes the idle channels; channels in use close when their call ends (it sees the client closed within {@value #CHECK_MS} ms). */
    @Override
    public void close() {
        List<Channel> toClose;
        synchronized (this) {
            closed = true;
            toClose = List.copyOf(idle);
            idle.clear();
        }
        for (Channel c : toClose) c.close();
    }
}

package org.jdask.distributed;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jdask.Config;
import org.jdask.JdaskException;
import org.jdask.distributed.coord.CoordFrames;
import org.jdask.distributed.coord.CoordLinks;
import org.jdask.distributed.coord.CoordOp;
import org.jdask.distributed.internal.Messages;
import org.jdask.distributed.internal.Messages.CoordReply;
import org.jdask.distributed.internal.Messages.CoordRequest;
import org.jdask.distributed.internal.Messages.Message;
import org.jdask.distributed.internal.Wire;
import org.jdask.distributed.internal.Wire.Msg;
import org.jdask.distributed.internal.Zmq;
import org.jdask.distributed.internal.bulk.BulkLink;
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
 * <p>Over TCP a channel is a <em>direct link</em> (issue 19): a plain TCP connection to the
 * scheduler's coordination port, negotiated over the client's connection ({@code BULK_HELLO}: a
 * single-use token, and with security an AES-GCM key that travelled inside CurveZMQ), on which the
 * scheduler's link thread answers the request itself — two thread wake-ups per round trip instead
 * of ZeroMQ's four (the caller, JeroMQ's I/O threads on both sides, the scheduler thread). Config
 * {@code distributed.coordination.direct-links: false}, a client beside its scheduler (inproc) or a
 * scheduler that offers no link use a ZeroMQ DEALER channel as before.
 *
 * <p>The pool is bounded: at most {@code distributed.coordination.max-channels} (16) channels are
 * open at once (a thread that finds none free sends through the client's connection), and a
 * channel idle for {@code distributed.coordination.channel-idle-timeout} (30 s) is closed — by the
 * next borrow, or by the client's I/O thread, which sweeps once a second. A closed channel is
 * announced to the scheduler ({@code CHANNEL_CLOSE} on the client's connection), which forgets it.
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
    private final int maxChannels;
    private final long idleMs;
    /** Idle channels, the most recently used first (guarded by this). */
    private final ArrayDeque<Channel> idle = new ArrayDeque<>();
    /** Channels open: idle, in use or being opened (guarded by this). */
    private int open;
    private boolean closed, sweeping; // guarded by this
    /**
     * Set when the scheduler refused a channel, or by config
     * {@code distributed.coordination.direct-channels: false}: every request goes through the
     * client's connection.
     */
    private volatile boolean unsupported;
    /** Set when the scheduler offered no direct link (or config said no): channels are ZeroMQ DEALERs. */
    private volatile boolean noLinks;
    /** {@code distributed.coordination.link-connect-timeout} (3 s): how long a link's TCP connect may take before ZeroMQ channels are used instead. */
    private final int connectMs;

    /**
     * One connection: a direct link, or a ZeroMQ DEALER ({@code socket}) whose thread waits in a
     * blocking receive on it (no poller: one hand-off fewer).
     */
    private record Channel(BulkLink link, ZMQ.Socket socket, String identity, long idleSince) {
        Channel idleFrom(long now) {
            return new Channel(link, socket, identity, now);
        }
    }

    CoordChannels(Client client) {
        this.client = client;
        this.unsupported = !Config.getBoolean("distributed.coordination.direct-channels", true);
        this.noLinks = !Config.getBoolean("distributed.coordination.direct-links", true);
        this.connectMs = (int) Math.min(Integer.MAX_VALUE, Config.getDuration("distributed.coordination.link-connect-timeout", Duration.ofSeconds(3)).toMillis());
        this.maxChannels = Config.getInt("distributed.coordination.max-channels", 16);
        if (maxChannels < 0) throw new IllegalArgumentException("distributed.coordination.max-channels must be >= 0, got " + maxChannels);
        this.idleMs = Config.getDuration("distributed.coordination.channel-idle-timeout", Duration.ofSeconds(30)).toMillis();
    }

    /** A fresh request id for a channel request. */
    long nextId() {
        return ids.getAndIncrement();
    }

    /** Channels open now (idle or in use). */
    synchronized int open() {
        return open;
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
            if (ch.link != null) {
                CoordReply r = overLink(ch.link, request, waitMs, what);
                reuse = true;
                return r;
            }
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

    /** {@link #call} on a direct link: the request, then its reply read by this thread (checking the client every {@value #CHECK_MS} ms). */
    private CoordReply overLink(BulkLink link, CoordRequest request, long waitMs, String what) {
        try {
            CoordFrames.write(link, request);
            long deadline = System.currentTimeMillis() + waitMs;
            while (true) {
                client.checkOpen(); // a closed client or a lost scheduler ends the wait, as on the client's connection
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) throw new JdaskException(what + ": no answer within " + waitMs + " ms");
                boolean ready = link.awaitReadable(Math.min(left, CHECK_MS));
                if (Thread.currentThread().isInterrupted()) throw new JdaskException("interrupted during " + what);
                if (!ready) continue;
                CoordReply r = CoordFrames.readReply(link);
                if (r.id() == request.id()) return r;
            }
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) throw new JdaskException("interrupted during " + what);
            throw new JdaskException(what + ": the coordination link to " + link.peer() + " failed: " + e.getMessage(), e);
        }
    }

    /** An idle channel, or a new one registered with the scheduler; null if none can be had (all in use, or none supported). */
    private Channel borrow() {
        boolean first;
        synchronized (this) {
            if (closed) return null;
            Channel c = idle.poll();
            if (c != null) return c;
            if (open >= maxChannels) return null; // bounded: this request goes through the client's connection
            first = open == 0;
            open++;
        }
        ClientConnection conn = client.conn;
        if (first) conn.everySecond(this::sweep); // idle channels close even when no thread comes back
        if (!noLinks && !conn.local) {
            BulkLink link = openLink(conn);
            if (link != null) return new Channel(link, null, link.peer(), 0);
        }
        ZMQ.Socket s = Zmq.socket(SocketType.DEALER, conn.maxFrame());
        byte[] identity = conn.local ? Wire.localIdentity() : Wire.remoteIdentity();
        s.setIdentity(identity);
        if (conn.security() != null && !conn.local) conn.security().toScheduler(s);
        String id = new String(identity, StandardCharsets.ISO_8859_1);
        try {
            Zmq.connect(s, conn.schedulerAddress, "scheduler " + conn.schedulerAddress);
            client.waitFor(conn.request(null, rid -> new Messages.CoordChannel(rid, id)), CoordReply.class, "opening a coordination channel", 10_000);
            return new Channel(null, s, id, 0);
        } catch (RuntimeException e) { // an older scheduler, or none answering: requests go through the client's connection
            unsupported = true;
            LoggerFactory.getLogger(CoordChannels.class).debug("no direct coordination channel to {}: {}", conn.schedulerAddress, e.toString());
            synchronized (this) {
                open--;
            }
            Zmq.close(s);
            return null;
        }
    }

    /** A new direct link (a session from the scheduler, then its token on a fresh socket), or null: ZeroMQ channels from now on. */
    private BulkLink openLink(ClientConnection conn) {
        String peer = conn.schedulerAddress;
        try {
            Messages.BulkWelcome w = client.waitFor(conn.request(null, Messages.BulkHello::new), Messages.BulkWelcome.class,
                    "opening a coordination link", 10_000);
            if (w.port() == 0) throw new IOException("the scheduler offers no coordination link");
            String host = URI.create(conn.schedulerAddress).getHost();
            peer = "tcp://" + host + ":" + w.port() + " (coordination port of scheduler " + conn.schedulerAddress + ")";
            int timeoutMs = WorkerBulk.timeoutMs();
            SocketChannel ch = SocketChannel.open();
            try {
                ch.socket().connect(new InetSocketAddress(host, w.port()), connectMs); // a firewalled port: ZeroMQ channels soon
                BulkLink l = new BulkLink(ch, peer, true, timeoutMs, CoordLinks.RECORD);
                l.writeRaw(HexFormat.of().parseHex(w.token()));
                l.seal(w.key() == null ? null : HexFormat.of().parseHex(w.key()));
                return l;
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) { // an older scheduler, or the port unreachable (a firewall): ZeroMQ channels
            noLinks = true;
            LoggerFactory.getLogger(CoordChannels.class).info("no direct coordination link to {} ({}); using ZeroMQ channels", peer, e.toString());
            return null;
        }
    }

    private void giveBack(Channel c, boolean reuse) {
        long now = System.currentTimeMillis();
        boolean tell;
        synchronized (this) {
            tell = !closed; // after the client's goodbye the scheduler has forgotten it already
            if (reuse && !closed) {
                idle.push(c.idleFrom(now));
                c = null;
            } else {
                open--;
            }
        }
        if (c != null) closeChannel(c, tell);
        sweep(now);
    }

    /** Closes channels idle longer than the idle timeout (any thread; the client's I/O thread calls it every second). */
    void sweep() {
        sweep(System.currentTimeMillis());
    }

    private void sweep(long now) {
        List<Channel> expired = new ArrayList<>();
        synchronized (this) {
            if (sweeping) return;
            while (!idle.isEmpty() && now - idle.peekLast().idleSince() >= idleMs) {
                expired.add(idle.pollLast());
                open--;
            }
            if (expired.isEmpty()) return;
            sweeping = true;
        }
        try {
            for (Channel c : expired) closeChannel(c, true);
        } finally {
            synchronized (this) {
                sweeping = false;
            }
        }
    }

    /** Closes {@code c}'s socket and, if {@code tell}, tells the scheduler to forget it. */
    private void closeChannel(Channel c, boolean tell) {
        if (c.link != null) { // the scheduler's link thread sees the connection end
            c.link.close();
            return;
        }
        Zmq.close(c.socket);
        if (!tell) return;
        try {
            client.conn.send(new CoordRequest(0, CoordOp.CHANNEL_CLOSE, c.identity, null, List.of(), 0, 0, null));
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(CoordChannels.class).debug("cannot announce a closed coordination channel: {}", e.toString());
        }
    }

    /** Closes the idle channels; channels in use close when their call ends (it sees the client closed within {@value #CHECK_MS} ms). */
    @Override
    public void close() {
        List<Channel> toClose;
        synchronized (this) {
            closed = true;
            toClose = List.copyOf(idle);
            open -= idle.size();
            idle.clear();
        }
        for (Channel c : toClose) closeChannel(c, false); // the client's goodbye makes the scheduler forget them all
    }
}

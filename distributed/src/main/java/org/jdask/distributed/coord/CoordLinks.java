package org.jdask.distributed.coord;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jdask.distributed.internal.Messages.BulkWelcome;
import org.jdask.distributed.internal.Messages.CoordReply;
import org.jdask.distributed.internal.Messages.CoordRequest;
import org.jdask.distributed.internal.bulk.BulkServer.Ticket;
import org.jdask.distributed.internal.bulk.BulkSessions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler's coordination service with clients' direct links (issue 19): the
 * {@link CoordState} behind one lock, served both by the scheduler thread (requests on ZeroMQ,
 * ticks, departures) and by one thread per direct link, a plain TCP connection (a
 * {@link org.jdask.distributed.internal.bulk.BulkLink}, sealed with AES-GCM when security is on)
 * on which a client's calling thread sends a request and waits for its reply.
 *
 * <h2>Why</h2>
 * Over ZeroMQ a round trip wakes four threads: the caller's and the scheduler's, and JeroMQ's I/O
 * thread on each side (the raw JeroMQ ping-pong floor is ~70 µs on 2 cores). On a direct link it
 * wakes two: the link's thread reads the request, applies it to the state under the lock and
 * writes the reply itself, and the caller reads it — no scheduler thread, no JeroMQ.
 *
 * <h2>Where replies go</h2>
 * Each request from a link is recorded (client, request id) → link before the state sees it, so
 * its reply — now, or when a parked wait ends on another thread — goes back to that link: written
 * at once by the link's own thread, or queued on the link and its thread woken. A link thread never
 * touches ZeroMQ or the scheduler's task state: what else a request produced (replies to waiters
 * on ZeroMQ connections, topic messages, holds and drops of futures' keys) is handed over whole,
 * in order, to the scheduler thread ({@link #forwarded}), which {@code kick} wakes. A link is opened
 * only for a session the scheduler gave an authenticated client over ZeroMQ ({@link #open}: a
 * single-use token, and with security a fresh key that travelled inside CurveZMQ).
 */
public final class CoordLinks implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(CoordLinks.class);
    /** The record size of a coordination link (both ends): messages are small; values stream through. */
    public static final int RECORD = 64 << 10;
    /** Links open at once, all clients (16 per client by default): past this, connections are closed at once. */
    static final int MAX_LINKS = 4096;

    /** Where the scheduler thread is told that {@link #forwarded} has work. */
    private final Runnable kick;
    private final CoordState state;
    private final String host;
    private final int timeoutMs;
    private ServerSocketChannel server; // guarded by this; opened on the first session
    private volatile boolean closed;
    /** Sessions for links; each remembers the client it was opened for. */
    private final BulkSessions<String> sessions;
    private final Set<CoordLink> links = ConcurrentHashMap.newKeySet();
    private final Map<Route, CoordLink> routes = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<List<CoordState.Out>> forwarded = new ConcurrentLinkedQueue<>();

    private record Route(String client, long id) {}

    /**
     * @param host      where the links' port listens (the scheduler's own host)
     * @param secure    whether links are sealed (the scheduler runs with security)
     * @param timeoutMs how long a link waits for a started record to finish, or for its peer to take bytes
     * @param kick      wakes the scheduler thread (any thread may call it)
     */
    public CoordLinks(CoordState state, String host, boolean secure, int timeoutMs, Runnable kick) {
        this.state = state;
        this.host = host;
        this.sessions = new BulkSessions<>(secure);
        this.timeoutMs = timeoutMs;
        this.kick = kick;
    }

    // ------------------------------------------------------------ the scheduler thread's side

    /** One request that came over ZeroMQ. */
    public synchronized List<CoordState.Out> handle(String client, CoordRequest r, long now) {
        return state.handle(client, r, now);
    }

    public synchronized List<CoordState.Out> tick(long now) {
        return state.tick(now);
    }

    public synchronized List<CoordState.Out> restart(String client) {
        return state.restart(client);
    }

    /** {@code client} left: its parked requests, leases and links go. */
    public List<CoordState.Out> removeClient(String client, long now) {
        List<CoordState.Out> out;
        synchronized (this) {
            out = state.removeClient(client, now);
        }
        for (CoordLink l : links) if (l.client().equals(client)) l.close();
        routes.keySet().removeIf(r -> r.client().equals(client));
        return out;
    }

    /**
     * Sends {@code r} on the link its request came from (queued there; the link's thread writes
     * it); false if the request came over ZeroMQ (the caller sends the reply there).
     */
    public boolean deliver(String client, CoordReply r) {
        CoordLink l = r.id() == 0 ? null : routes.remove(new Route(client, r.id()));
        if (l == null) return false;
        l.queue(r);
        return true;
    }

    /** The next list of outputs a link thread handed over (carry them out in order), or null. */
    public List<CoordState.Out> forwarded() {
        return forwarded.poll();
    }

    /**
     * Opens a session for {@code client}, which asked over its (authenticated) ZeroMQ connection;
     * port 0 if no link can be offered (the client stays on ZeroMQ).
     */
    public BulkWelcome open(long requestId, String client) {
        int port;
        try {
            port = port();
        } catch (IOException e) {
            LOG.warn("no direct coordination links on {}: {}", host, e.toString());
            return new BulkWelcome(requestId, 0, "", null);
        }
        Ticket t = sessions.open(port, client);
        return new BulkWelcome(requestId, t.port(), t.token(), t.key());
    }

    /** Links open now (all clients). */
    public int size() {
        return links.size();
    }

    private synchronized int port() throws IOException {
        if (closed) throw new IOException("the scheduler is closing");
        if (server == null) {
            server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getByName(host), 0), 64);
            Thread t = new Thread(this::accept, "jdask-coord-accept-" + server.socket().getLocalPort());
            t.setDaemon(true);
            t.start();
        }
        return server.socket().getLocalPort();
    }

    private void accept() {
        ServerSocketChannel s;
        synchronized (this) {
            s = server;
        }
        while (!closed) {
            SocketChannel c;
            try {
                c = s.accept();
            } catch (IOException e) {
                if (!closed) LOG.warn("the coordination links' port on {} stopped accepting: {}", host, e.toString());
                return;
            }
            if (links.size() >= MAX_LINKS) { // a flood of connections (none can do anything without a session) must not make a thread each
                LOG.warn("coordination port on {}: {} links open, refused another", host, links.size());
                try {
                    c.close();
                } catch (IOException ignored) {
                    // refused anyway
                }
                continue;
            }
            CoordLink l = new CoordLink(this, c, timeoutMs);
            links.add(l);
            l.start();
        }
    }

    // ------------------------------------------------------------ the links' side

    /** A link's token: the session (its client and key), or null if no session is open for it (single use). */
    BulkSessions.Session<String> session(byte[] token) {
        return closed ? null : sessions.take(token);
    }

    /**
     * A link thread: one request of {@code client}'s from {@code from}. Its own reply comes back
     * to be written now; the rest goes where it belongs.
     */
    CoordReply serve(String client, CoordRequest r, CoordLink from) {
        List<CoordState.Out> outs;
        synchronized (this) { // the route first: a reply from another thread (a tick's timeout) finds it
            if (r.id() != 0) routes.put(new Route(client, r.id()), from);
            outs = state.handle(client, r, System.currentTimeMillis());
        }
        for (CoordState.Out o : outs) {
            if (!(o instanceof CoordState.Reply)) { // a future's key held or dropped, a topic message: the scheduler thread's work
                forwarded.add(outs);
                kick.run();
                return null;
            }
        }
        CoordReply own = null;
        List<CoordState.Out> rest = null;
        for (CoordState.Out o : outs) {
            CoordState.Reply reply = (CoordState.Reply) o;
            CoordLink l = reply.reply().id() == 0 ? null : routes.get(new Route(reply.client(), reply.reply().id()));
            if (l == from && reply.client().equals(client) && reply.reply().id() == r.id()) {
                routes.remove(new Route(client, r.id()));
                own = reply.reply();
            } else if (l != null && routes.remove(new Route(reply.client(), reply.reply().id()), l)) {
                l.queue(reply.reply());
            } else { // a waiter on a ZeroMQ connection
                if (rest == null) rest = new ArrayList<>();
                rest.add(o);
            }
        }
        if (rest != null) {
            forwarded.add(rest);
            kick.run();
        }
        return own;
    }

    /** A link ended: its parked requests are cancelled (nobody reads their replies), routes to it dropped. */
    void ended(CoordLink l) {
        links.remove(l);
        List<CoordState.Out> outs = new ArrayList<>();
        for (var it = routes.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getValue() != l) continue;
            it.remove();
            synchronized (this) {
                outs.addAll(state.cancel(e.getKey().client(), e.getKey().id()));
            }
        }
        if (!outs.isEmpty()) { // a blocked put's future: the scheduler thread drops its hold
            forwarded.add(outs);
            kick.run();
        }
    }

    boolean closed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            if (server != null) {
                try {
                    server.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
        for (CoordLink l : links) l.close();
    }
}

package org.jdask.distributed.internal.bulk;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jdask.distributed.internal.Payload;
import org.jdask.graph.Key;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's bulk port: large values move here over plain TCP sockets instead of through JeroMQ.
 * A connection is only accepted for a session the worker opened for an authenticated peer over
 * its ZeroMQ data port ({@link #open}: a single-use random token, and with security a fresh
 * AES-256 key that travelled inside CurveZMQ), so the port admits no one the data port would
 * refuse. Each connection has its own thread and answers requests ({@link BulkProtocol}) until the
 * peer closes it; values are read from and stored into the worker through {@link Store}.
 */
public final class BulkServer implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(BulkServer.class);

    /** What the bulk port reads from and writes into: the worker's data. */
    public interface Store {
        /** The value of {@code k} as it would go to a peer; null when not held. */
        Payload get(Key k);

        /** Stores scattered values and lets the worker's state know; the bytes held per key. */
        List<Long> put(List<Key> keys, List<Payload> values) throws Exception;
    }

    /** A session: the port, the token the connection must start with, the AES key (hex) or null. */
    public record Ticket(int port, String token, String key) {}

    private final ServerSocketChannel server;
    private final Store store;
    private final String label;
    private final int timeoutMs;
    private final BulkSessions<String> sessions;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private static final AtomicLong MOVED = new AtomicLong();

    /** Values this JVM's bulk ports served or stored (tests check large values took this path). */
    public static long valuesMoved() {
        return MOVED.get();
    }

    static void moved(int n) {
        MOVED.addAndGet(n);
    }

    /**
     * Binds a random port on {@code host} (the worker's own host) and starts accepting.
     *
     * @param secure whether sessions get a key (the worker runs with security)
     * @param label  the worker's address, for logs and errors
     */
    public BulkServer(String host, Store store, boolean secure, String label, int timeoutMs) throws IOException {
        this.server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getByName(host), 0), 64);
        this.store = store;
        this.sessions = new BulkSessions<>(secure);
        this.label = label;
        this.timeoutMs = timeoutMs;
        if (secure) CipherWarmup.start(); // the worker idles until work arrives: get AES-GCM compiled meanwhile
        Thread t = new Thread(this::accept, "jdask-bulk-accept-" + port());
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return server.socket().getLocalPort();
    }

    /** Opens a session for a peer that asked over the (authenticated) data port. */
    public Ticket open() {
        return sessions.open(port(), label);
    }

    private void accept() {
        while (!closed) {
            SocketChannel s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!closed) LOG.warn("bulk port of worker {} stopped accepting: {}", label, e.toString());
                return;
            }
            open.add(s);
            Thread t = new Thread(() -> serve(s), "jdask-bulk-" + label);
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(SocketChannel s) {
        String peer = "tcp://" + s.socket().getInetAddress().getHostAddress() + ":" + s.socket().getPort();
        try (BulkLink link = new BulkLink(s, peer, false, timeoutMs)) {
            byte[] token = new byte[BulkProtocol.TOKEN];
            link.readRaw(token);
            BulkSessions.Session<String> session = sessions.take(token);
            if (session == null) {
                LOG.warn("worker {}: bulk connection from {} refused: no open session for its token", label, peer);
                return;
            }
            link.seal(session.key());
            while (!closed && BulkProtocol.serve(link, store)) {
                // one request after another until the peer closes
            }
        } catch (EOFException | ClosedChannelException e) {
            if (!closed) LOG.debug("worker {}: bulk connection from {} ended: {}", label, peer, e.toString());
        } catch (IOException | RuntimeException e) {
            if (!closed) LOG.warn("worker {}: bulk connection from {} failed: {}", label, peer, e.toString());
        } finally {
            open.remove(s);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (SocketChannel s : new ArrayList<>(open)) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}

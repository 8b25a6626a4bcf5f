package org.jdask.distributed.internal.bulk;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.net.URI;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.jdask.distributed.internal.Payload;
import org.jdask.distributed.internal.bulk.BulkServer.Ticket;
import org.jdask.graph.Key;

/**
 * The client's side of the bulk channel: bulk connections to workers, opened on first use (a
 * session negotiated over the worker's ZeroMQ data port, see {@link BulkServer}) and kept for the
 * next transfer. Each call uses a connection of its own, so transfers to several workers (or
 * several to one worker) run in parallel from the caller's threads. A connection that failed is
 * dropped, never reused.
 */
public final class BulkClient implements Closeable {
    /** Opens a session on a worker over its data port (a ZeroMQ round trip). */
    public interface Negotiator {
        Ticket open(String worker) throws IOException;
    }

    private final Negotiator negotiator;
    private final int timeoutMs;
    private final Map<String, ConcurrentLinkedDeque<BulkLink>> idle = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public BulkClient(Negotiator negotiator, int timeoutMs) {
        this.negotiator = negotiator;
        this.timeoutMs = timeoutMs;
    }

    /** Gathers {@code keys} from {@code worker} ({@code tcp://host:port}). */
    public BulkProtocol.Got get(String worker, List<Key> keys) throws IOException {
        return get(worker, keys, null);
    }

    /**
     * Like {@link #get(String, List)}, with a session the worker already handed out ({@code
     * BULK_OFFER}) for a new connection (null: negotiate one); an idle connection is used first.
     */
    public BulkProtocol.Got get(String worker, List<Key> keys, Ticket offered) throws IOException {
        BulkLink l = take(worker, offered);
        try {
            BulkProtocol.Got g = BulkProtocol.get(l, keys);
            give(worker, l);
            return g;
        } catch (IOException | RuntimeException e) {
            l.close();
            throw e;
        }
    }

    /** Scatters values onto {@code worker}; the bytes it holds per key. */
    public List<Long> put(String worker, List<Key> keys, List<Payload> values) throws IOException {
        BulkLink l = take(worker, null);
        try {
            List<Long> sizes = BulkProtocol.put(l, keys, values);
            give(worker, l);
            return sizes;
        } catch (IOException | RuntimeException e) {
            l.close();
            throw e;
        }
    }

    private BulkLink take(String worker, Ticket offered) throws IOException {
        ConcurrentLinkedDeque<BulkLink> q = idle.get(worker);
        BulkLink l;
        while (q != null && (l = q.pollFirst()) != null) {
            if (l.isOpen() && System.currentTimeMillis() - l.lastUsed < timeoutMs / 2) return l;
            l.close(); // the worker closes connections idle for its timeout: never reuse one that may be gone
        }
        return connect(worker, offered == null ? negotiator.open(worker) : offered);
    }

    private void give(String worker, BulkLink l) {
        l.lastUsed = System.currentTimeMillis();
        if (closed) l.close();
        else idle.computeIfAbsent(worker, w -> new ConcurrentLinkedDeque<>()).addFirst(l);
    }

    /** A new connection: a session from the worker, then the token on a fresh socket to its bulk port. */
    BulkLink connect(String worker, Ticket t) throws IOException {
        String host = URI.create(worker).getHost();
        String peer = "tcp://" + host + ":" + t.port() + " (bulk port of worker " + worker + ")";
        SocketChannel s = SocketChannel.open();
        try {
            s.socket().connect(new InetSocketAddress(host, t.port()), timeoutMs);
            BulkLink l = new BulkLink(s, peer, true, timeoutMs);
            l.writeRaw(HexFormat.of().parseHex(t.token()));
            l.seal(t.key() == null ? null : HexFormat.of().parseHex(t.key()));
            return l;
        } catch (IOException e) {
            s.close();
            throw new IOException("cannot open a bulk connection to " + peer + ": " + e.getMessage(), e);
        }
    }

    /** Drops the connections to a worker that left. */
    public void forget(String worker) {
        ConcurrentLinkedDeque<BulkLink> q = idle.remove(worker);
        if (q != null) for (BulkLink l : q) l.close();
    }

    @Override
    public void close() {
        closed = true;
        for (String w : new ArrayList<>(idle.keySet())) forget(w);
    }
}

package org.jdask.distributed;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jdask.distributed.internal.Messages;
import org.jdask.distributed.internal.Payload;
import org.jdask.distributed.internal.Wire;
import org.jdask.distributed.internal.Wire.Msg;
import org.jdask.distributed.internal.Zmq;
import org.jdask.distributed.internal.bulk.BulkClient;
import org.jdask.distributed.internal.bulk.BulkProtocol;
import org.jdask.distributed.internal.bulk.BulkServer.Ticket;
import org.jdask.graph.Key;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * A worker's fetches of task inputs from its peers, owned by the worker's I/O thread: one DEALER
 * socket per peer, requests by id with a deadline. Every fetched key ends in exactly one call of
 * the {@link Listener}: with what the peer sent, or missing when the peer refused the connection,
 * answered with garbage, or did not answer within the fetch timeout.
 *
 * <p>With the bulk channel on, requests to peers in other JVMs are {@code PEER_FETCH}: the peer
 * offers values of 1 MiB or more over its bulk port ({@code BULK_OFFER}, see {@link PeerOffer}),
 * which are read on a thread of this class's pool (a connection per peer, kept for the next fetch)
 * and handed back to the I/O thread; a failed bulk read counts its keys as missing there.
 */
final class PeerFetches {
    private static final Logger LOG = LoggerFactory.getLogger(PeerFetches.class);

    /** What became of a fetch: {@code got} with their {@code values}, and the keys the peer did not have (or never sent). */
    interface Listener {
        void fetched(String peer, List<Key> got, List<Payload> values, List<Key> missing);
    }

    private record Pending(String peer, List<Key> keys, long deadline) {}

    private final Supplier<String> owner;
    private final long maxFrame, timeoutMs;
    private final Security security;
    private final Listener listener;
    private final Map<String, ZMQ.Socket> peers = new HashMap<>();
    private final Map<Long, Pending> pending = new HashMap<>();
    private long nextRequest = 1;
    /** Reads offered values over peers' bulk ports (null: every value comes over ZeroMQ). */
    private final BulkClient bulk;
    private final ExecutorService bulkThreads;
    /** Runs a bulk read's outcome on the I/O thread. */
    private final Consumer<Runnable> toIoThread;
    /** Incremented by {@link #clear}: bulk reads started before report to no one. */
    private int epoch;
    private static final AtomicLong BULK_VALUES = new AtomicLong();

    /** Values this JVM's workers read from peers over their bulk ports (tests check large inputs took this path). */
    static long bulkValues() {
        return BULK_VALUES.get();
    }

    /**
     * {@code owner} names the worker in log lines; with {@code bulkOn}, peers in other JVMs may
     * offer large values over their bulk ports, whose outcome {@code toIoThread} runs on the I/O thread.
     */
    PeerFetches(Supplier<String> owner, long maxFrame, long timeoutMs, Security security, Listener listener, boolean bulkOn,
                Consumer<Runnable> toIoThread) {
        this.owner = owner;
        this.maxFrame = maxFrame;
        this.timeoutMs = timeoutMs;
        this.security = security;
        this.listener = listener;
        this.toIoThread = toIoThread;
        if (bulkOn) {
            this.bulk = new BulkClient(peer -> {
                throw new IOException("no bulk session offered by " + peer); // sessions come with BULK_OFFER
            }, WorkerBulk.timeoutMs());
            AtomicInteger n = new AtomicInteger();
            this.bulkThreads = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "jdask-peer-bulk-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        } else {
            this.bulk = null;
            this.bulkThreads = null;
        }
    }

    /** Asks {@code peer} for {@code keys}. */
    void fetch(String peer, List<Key> keys) {
        boolean local = peer.startsWith("inproc://");
        ZMQ.Socket s = peers.get(peer);
        if (s == null) {
            s = Zmq.socket(SocketType.DEALER, maxFrame);
            s.setIdentity(local ? Wire.localIdentity() : Wire.remoteIdentity());
            if (security != null && !local) security.toWorker(s);
            Zmq.connect(s, peer, "peer " + peer);
            peers.put(peer, s);
        }
        long id = nextRequest++;
        Messages.Message ask = bulk != null && !local ? new Messages.PeerFetch(id, keys) : new Messages.GetData(id, keys);
        if (!Wire.send(s, null, List.of(ask.msg()), local)) {
            LOG.warn("worker {}: cannot ask {} for {} key(s): the connection was refused", owner.get(), peer, keys.size());
            Zmq.close(peers.remove(peer)); // a fresh socket next time
            listener.fetched(peer, List.of(), List.of(), keys);
            return;
        }
        pending.put(id, new Pending(peer, keys, System.currentTimeMillis() + timeoutMs));
    }

    /** The peer sockets, for the I/O thread's wait. */
    Collection<ZMQ.Socket> sockets() {
        return peers.values();
    }

    int peerCount() {
        return peers.size();
    }

    /** Reads what the peers sent (at most {@code max} messages each) and passes every answer on; returns how many came. */
    int receive(int max) {
        if (peers.isEmpty()) return 0;
        int n = 0;
        for (Map.Entry<String, ZMQ.Socket> p : new ArrayList<>(peers.entrySet())) {
            for (int i = 0; i < max; i++) {
                Wire.Received m = Wire.receive(p.getValue(), false, maxFrame);
                if (m == null) break;
                n++;
                reply(p.getKey(), m);
            }
        }
        return n;
    }

    private void reply(String peer, Wire.Received r) {
        List<Msg> batch;
        try {
            batch = r.decode(peer.startsWith("inproc://"));
        } catch (Wire.WireException e) {
            LOG.warn("worker {}: bad reply from {}: {}", owner.get(), peer, e.getMessage());
            return;
        }
        for (Msg raw : batch) {
            Messages.Message m;
            try {
                m = Messages.decode(raw);
                if (!(m instanceof Messages.Data) && !(m instanceof Messages.BulkOffer)) throw new Wire.WireException("not an answer to a fetch");
            } catch (Wire.WireException e) {
                LOG.warn("worker {}: refused {} from {}: {}", owner.get(), raw.op(), peer, e.getMessage());
                continue;
            }
            if (m instanceof Messages.BulkOffer o) {
                offered(peer, o);
                continue;
            }
            Messages.Data d = (Messages.Data) m;
            if (pending.remove(d.id()) == null) continue; // timed out already
            listener.fetched(peer, d.found(), d.values(), d.missing());
        }
    }

    /** The peer offers some keys of fetch {@code o.id()} over its bulk port: read them on a pool thread. */
    private void offered(String peer, Messages.BulkOffer o) {
        Pending p = pending.get(o.id());
        if (p == null || bulk == null) return; // timed out already (the keys were reported missing), or never asked for
        List<Key> rest = new ArrayList<>(p.keys());
        rest.removeAll(o.keys());
        pending.put(o.id(), new Pending(p.peer(), rest, p.deadline())); // an expiry reports only the keys still due in DATA
        Ticket ticket = new Ticket(o.port(), o.token(), o.key());
        int ep = epoch;
        bulkThreads.execute(() -> {
            List<Key> got = new ArrayList<>(), missing = new ArrayList<>();
            List<Payload> values = new ArrayList<>();
            try {
                BulkProtocol.Got g = bulk.get(peer, o.keys(), ticket);
                for (Map.Entry<Key, Payload> e : g.found().entrySet()) {
                    got.add(e.getKey());
                    values.add(e.getValue());
                }
                missing.addAll(g.missing());
                BULK_VALUES.addAndGet(got.size());
            } catch (IOException | RuntimeException e) {
                LOG.warn("worker {}: reading {} key(s) from {} over its bulk port failed: {}", owner.get(), o.keys().size(), peer, e.getMessage());
                got.clear();
                values.clear();
                missing.clear();
                missing.addAll(o.keys());
            }
            toIoThread.accept(() -> {
                if (epoch == ep) listener.fetched(peer, got, values, missing);
            });
        });
    }

    /** Gives up on fetches past their deadline: their keys count as missing. */
    void expire(long now) {
        if (pending.isEmpty()) return;
        for (Iterator<Map.Entry<Long, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Pending f = it.next().getValue();
            if (now > f.deadline()) {
                it.remove();
                LOG.warn("worker {}: fetch of {} key(s) from {} timed out", owner.get(), f.keys().size(), f.peer());
                listener.fetched(f.peer(), List.of(), List.of(), f.keys());
            }
        }
    }

    /** Forgets every fetch in flight (their answers are ignored): the worker dropped its work. */
    void clear() {
        pending.clear();
        epoch++;
    }

    /** Closes every peer socket and bulk connection. */
    void close() {
        for (ZMQ.Socket s : peers.values()) Zmq.close(s);
        peers.clear();
        if (bulk != null) {
            bulk.close();
            bulkThreads.shutdownNow();
        }
    }
}

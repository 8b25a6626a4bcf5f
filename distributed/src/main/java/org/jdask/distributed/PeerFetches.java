package org.jdask.distributed;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jdask.distributed.internal.Messages;
import org.jdask.distributed.internal.Payload;
import org.jdask.distributed.internal.Wire;
import org.jdask.distributed.internal.Wire.Msg;
import org.jdask.distributed.internal.Zmq;
import org.jdask.graph.Key;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * A worker's fetches of task inputs from its peers, owned by the worker's I/O thread: one DEALER
 * socket per peer, requests by id with a deadline. Every fetch ends in exactly one call of the
 * {@link Listener}: with what the peer sent, or with every key missing when the peer refused the
 * connection, answered with garbage, or did not answer within the fetch timeout.
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

    /** {@code owner} names the worker in log lines. */
    PeerFetches(Supplier<String> owner, long maxFrame, long timeoutMs, Security security, Listener listener) {
        this.owner = owner;
        this.maxFrame = maxFrame;
        this.timeoutMs = timeoutMs;
        this.security = security;
        this.listener = listener;
    }

    /** Asks {@code peer} for {@code keys}. */
    void fetch(String peer, List<Key> keys) {
        boolean local = peer.startsWith("inproc://");
        ZMQ.Socket s = peers.get(peer);
        if (s == null) {
            s = Zmq.socket(SocketType.DEALER, maxFrame);
            s.setIdentity(local ? Wire.localIdentity() : Wire.remoteIdentity());
            if (security != null && !local) security.toWorker(s);
            s.connect(peer);
            peers.put(peer, s);
        }
        long id = nextRequest++;
        if (!Wire.send(s, null, List.of(new Messages.GetData(id, keys).msg()), local)) {
            LOG.warn("worker {}: cannot ask {} for {} key(s): the connection was refused", owner.get(), peer, keys.size());
            Zmq.close(peers.remove(peer)); // a fresh socket next time
            listener.fetched(peer, List.of(), List.of(), keys);
            return;
        }
        pending.put(id, new Pending(peer, keys, System.currentTimeMillis() + timeoutMs));
    }

    /** The peer sockets, for the I/O thread's poll set. */
    Collection<ZMQ.Socket> sockets() {
        return peers.values();
    }

    int peerCount() {
        return peers.size();
    }

    /** Reads what the peers sent (at most {@code max} messages each) and passes every answer on. */
    void receive(int max) {
        for (Map.Entry<String, ZMQ.Socket> p : new ArrayList<>(peers.entrySet())) {
            for (int i = 0; i < max; i++) {
                Wire.Received m = Wire.receive(p.getValue(), false, maxFrame);
                if (m == null) break;
                reply(p.getKey(), m);
            }
        }
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
            Messages.Data m;
            try {
                m = Messages.decode(raw, Messages.Data.class);
            } catch (Wire.WireException e) {
                LOG.warn("worker {}: refused {} from {}: {}", owner.get(), raw.op(), peer, e.getMessage());
                continue;
            }
            if (pending.remove(m.id()) == null) continue; // timed out already
            listener.fetched(peer, m.found(), m.values(), m.missing());
        }
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
    }

    /** Closes every peer socket. */
    void close() {
        for (ZMQ.Socket s : peers.values()) Zmq.close(s);
        peers.clear();
    }
}

package org.jdask.distributed;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.jdask.distributed.internal.Messages;
import org.jdask.distributed.internal.Payload;
import org.jdask.distributed.internal.Wire.Msg;
import org.jdask.distributed.internal.bulk.BulkLink;
import org.jdask.distributed.internal.bulk.BulkServer;
import org.jdask.graph.Key;

/**
 * A worker's answer to a peer's {@code PEER_FETCH} (issue 17): values of at least one bulk record
 * (1 MiB) are offered over the bulk channel ({@code BULK_OFFER}: a session for those keys, read by
 * the peer on a connection of its own, off both workers' ZeroMQ sockets and, with security, sealed
 * with AES-GCM instead of CurveZMQ's pure-Java cipher), the rest answered in a {@code DATA} as for
 * {@code GET_DATA}. Without a bulk port, or for an in-process peer, everything goes in the {@code DATA}.
 */
final class PeerOffer {
    /** Values this large or larger go over the bulk channel. */
    static final long THRESHOLD = BulkLink.RECORD;

    private PeerOffer() {}

    /** Adds the replies to {@code f} to {@code replies} ({@code sizes}: bytes the store holds per key): a {@code BULK_OFFER} first when any value is offered, then the {@code DATA}. */
    static void answer(BulkServer bulk, boolean peerLocal, Messages.PeerFetch f, Function<Key, Payload> values, ToLongFunction<Key> sizes,
                       List<Msg> replies) {
        List<Key> found = new ArrayList<>(), missing = new ArrayList<>(), offered = new ArrayList<>();
        List<Payload> small = new ArrayList<>();
        for (Key k : f.keys()) {
            Payload v = values.apply(k);
            if (v == null) missing.add(k);
            else if (bulk != null && !peerLocal && sizes.applyAsLong(k) >= THRESHOLD) offered.add(k); // the store's size: nothing encoded to measure
            else {
                found.add(k);
                small.add(v);
            }
        }
        if (!offered.isEmpty()) {
            BulkServer.Ticket t = bulk.open();
            replies.add(new Messages.BulkOffer(f.id(), offered, t.port(), t.token(), t.key()).msg());
        }
        replies.add(new Messages.Data(f.id(), found, small, missing).msg());
    }
}

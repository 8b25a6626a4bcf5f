package org.jdask.distributed;

import java.util.ArrayList;
import java.util.List;
import org.jdask.distributed.internal.Messages;
import org.jdask.distributed.internal.Messages.Message;
import org.jdask.distributed.internal.Payload;
import org.jdask.distributed.internal.Wire;
import org.jdask.distributed.internal.Wire.Msg;
import org.jdask.fn.Fn0;
import org.jdask.graph.Key;
import org.jdask.serialize.Codecs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQ;

/**
 * What a worker's data port (its ROUTER socket) answers, on the worker's I/O thread: values for
 * peers and clients ({@code GET_DATA}, spilled values as their bytes), scattered values
 * ({@code PUT_DATA}), bulk-channel sessions, {@code client.run} functions (each on its own thread)
 * and actor requests. Anything else, or a malformed message, gets an {@code ERROR} naming it.
 */
final class WorkerDataPort {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerDataPort.class);
    private final Worker w;

    WorkerDataPort(Worker w) {
        this.w = w;
    }

    /** Answers one message batch that arrived on the data port {@code server}. */
    void serve(ZMQ.Socket server, Wire.Received r) {
        boolean peerLocal = Wire.isLocal(r.identity);
        List<Msg> batch;
        try {
            batch = r.decode(peerLocal);
        } catch (Wire.WireException e) {
            LOG.warn("worker {}: refused a message from peer {}: {}", w.address(), peerName(r.identity), e.getMessage());
            Wire.send(server, r.identity, List.of(new Messages.ErrorMsg(e.getMessage()).msg()), false);
            return;
        }
        List<Msg> replies = new ArrayList<>();
        for (Msg raw : batch) {
            try {
                Message m = Messages.decode(raw);
                if (m instanceof Messages.GetData g) {
                    List<Key> found = new ArrayList<>(), missing = new ArrayList<>();
                    List<Payload> values = new ArrayList<>();
                    for (Key k : g.keys()) {
                        Payload v = w.forPeer(k);
                        if (v == null) missing.add(k);
                        else {
                            found.add(k);
                            values.add(v);
                        }
                    }
                    replies.add(new Messages.Data(g.id(), found, values, missing).msg());
                } else if (m instanceof Messages.PeerFetch f) {
                    PeerOffer.answer(w.bulk, peerLocal, f, w::forPeer, w::heldBytes, replies);
                } else if (m instanceof Messages.PutData put) {
                    List<Long> sizes = w.storeScattered(put.keys(), put.values());
                    w.scattered(put.keys());
                    replies.add(new Messages.PutAck(put.id(), sizes).msg());
                } else if (m instanceof Messages.BulkHello h) {
                    replies.add(WorkerBulk.welcome(w.bulk, h).msg());
                } else if (m instanceof Messages.Run run) {
                    for (String prefix : run.allowed()) Codecs.allow(prefix); // the client's Codecs.allow
                    byte[] identity = r.identity;
                    Thread t = new Thread(() -> {
                        Messages.RunReply reply;
                        try {
                            Object v = ((Fn0<?>) run.fn().value()).apply();
                            reply = new Messages.RunReply(run.id(), true, Payload.ofValue(v));
                        } catch (Throwable e) {
                            reply = new Messages.RunReply(run.id(), false, peerLocal ? Payload.ofValue(e) : w.errorPayload(e));
                        }
                        Msg fin = reply.msg();
                        w.post(() -> Wire.send(server, identity, List.of(fin), peerLocal));
                    }, "jdask-run-" + w.address());
                    t.setDaemon(true);
                    t.start();
                } else if (w.actors.handle(m, r.identity, peerLocal)) {
                    continue; // an actor's create, call or hold: answered from the actor's thread
                } else {
                    LOG.warn("worker {}: refused {} from peer {}: a data port does not take it", w.address(), raw.op(), peerName(r.identity));
                    replies.add(new Messages.ErrorMsg("a worker's data port does not accept " + raw.op()).msg());
                }
            } catch (Wire.WireException e) {
                LOG.warn("worker {}: refused {} from peer {}: {}", w.address(), raw.op(), peerName(r.identity), e.getMessage());
                replies.add(new Messages.ErrorMsg(raw.op() + ": " + e.getMessage()).msg());
            } catch (RuntimeException e) {
                replies.add(new Messages.ErrorMsg(raw.op() + ": " + e.getMessage()).msg());
            }
        }
        if (!replies.isEmpty()) Wire.send(server, r.identity, replies, peerLocal);
    }

    private static String peerName(byte[] identity) {
        return new String(identity, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}

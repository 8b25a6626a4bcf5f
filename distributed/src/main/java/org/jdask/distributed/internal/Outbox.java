package org.jdask.distributed.internal;

import java.util.ArrayList;
import java.util.List;
import org.jdask.distributed.internal.Wire.Msg;
import org.zeromq.ZMQ;

/**
 * Messages queued for one peer behind a DEALER socket, sent as one batch per I/O loop turn. Sends
 * never block ({@link Wire#send}): when the socket will not take them (its peer refused the
 * handshake, or {@link Zmq#DEALER_QUEUE} batches wait for a peer that is down) the messages stay
 * here, and the loop polls briefly ({@link #pollMillis}) to try again. Any thread may
 * {@link #add}; only the socket's I/O thread flushes.
 */
public final class Outbox {
    private final List<Msg> queued = new ArrayList<>();
    private volatile long blockedSince;

    /** Queues {@code m}. Any thread. */
    public synchronized void add(Msg m) {
        queued.add(m);
    }

    public synchronized int size() {
        return queued.size();
    }

    /** Drops everything queued (the peer is gone for good, or was replaced); returns how many. */
    public synchronized int clear() {
        int n = queued.size();
        queued.clear();
        blockedSince = 0;
        return n;
    }

    /**
     * I/O thread: sends what is queued as one batch; false, keeping it all, when the socket has no
     * live peer.
     */
    public boolean flush(ZMQ.Socket socket, boolean local) {
        List<Msg> batch;
        synchronized (this) {
            if (queued.isEmpty()) return true;
            batch = new ArrayList<>(queued);
            queued.clear();
        }
        if (Wire.send(socket, null, batch, local)) {
            blockedSince = 0;
            return true;
        }
        synchronized (this) {
            queued.addAll(0, batch);
            if (blockedSince == 0) blockedSince = System.currentTimeMillis();
        }
        return false;
    }

    /** Since when (ms) messages wait for a peer that is not there, 0 if none do. */
    public long blockedSince() {
        return blockedSince;
    }

    /** How long the I/O loop may sleep: {@code normal}, or 10 ms while messages wait for the peer. */
    public long pollMillis(long normal) {
        return blockedSince == 0 ? normal : Math.min(normal, 10);
    }
}

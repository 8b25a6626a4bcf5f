package org.jdask.distributed.coord;

import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jdask.distributed.internal.Messages.CoordReply;
import org.jdask.distributed.internal.Messages.CoordRequest;
import org.jdask.distributed.internal.bulk.BulkLink;
import org.jdask.distributed.internal.bulk.BulkProtocol;
import org.jdask.distributed.internal.bulk.BulkSessions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler's end of one direct coordination link (see {@link CoordLinks}) and its thread: it
 * reads the session token, then one request after another, applies each and writes its reply
 * itself; replies that other threads produce for it (a parked wait served or timed out) are queued
 * here and written by this thread, which they wake. Only this thread touches the socket.
 */
final class CoordLink {
    private static final Logger LOG = LoggerFactory.getLogger(CoordLink.class);
    /** How often an idle link looks at its queue and at whether it was closed, without a wake-up. */
    private static final long IDLE_CHECK_MS = 1_000;

    private final CoordLinks owner;
    private final SocketChannel socket;
    private final String peer;
    private final int timeoutMs;
    private final ConcurrentLinkedQueue<CoordReply> outbox = new ConcurrentLinkedQueue<>();
    private volatile BulkLink link;
    private volatile String client = "";
    private volatile boolean closed;

    CoordLink(CoordLinks owner, SocketChannel socket, int timeoutMs) {
        this.owner = owner;
        this.socket = socket;
        this.timeoutMs = timeoutMs;
        this.peer = "tcp://" + socket.socket().getInetAddress().getHostAddress() + ":" + socket.socket().getPort();
    }

    void start() {
        Thread t = new Thread(this::run, "jdask-coord-link " + peer);
        t.setDaemon(true);
        t.start();
    }

    /** The client this link belongs to ("" until its token was checked). */
    String client() {
        return client;
    }

    /** Any thread: a reply for this link's thread to write. */
    void queue(CoordReply r) {
        outbox.add(r);
        BulkLink l = link;
        if (l != null) l.wakeup();
    }

    /** Any thread: the link ends (its thread closes the socket). */
    void close() {
        closed = true;
        BulkLink l = link;
        if (l != null) l.wakeup();
        else {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private void run() {
        try (BulkLink l = new BulkLink(socket, peer, false, timeoutMs, CoordLinks.RECORD)) {
            link = l;
            byte[] token = new byte[BulkProtocol.TOKEN];
            l.readRaw(token);
            BulkSessions.Session<String> s = owner.session(token);
            if (s == null) {
                LOG.warn("coordination link from {} refused: no open session for its token", peer);
                return;
            }
            l.seal(s.key());
            client = s.owner();
            while (!closed && !owner.closed()) {
                for (CoordReply r; (r = outbox.poll()) != null; ) CoordFrames.write(l, r);
                if (!l.awaitReadable(IDLE_CHECK_MS)) continue;
                CoordRequest req = CoordFrames.readRequest(l);
                CoordReply own = owner.serve(client, req, this);
                if (own != null) CoordFrames.write(l, own);
            }
        } catch (EOFException | ClosedChannelException e) {
            LOG.debug("coordination link {} of {} ended: {}", peer, client, e.toString());
        } catch (IOException | RuntimeException e) {
            if (!closed && !owner.closed()) LOG.warn("coordination link {} of client {} failed: {}", peer, client, e.toString());
        } finally {
            owner.ended(this);
        }
    }
}

package org.jdask.distributed.internal;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * Unsticks a TCP connection whose ZeroMQ greeting never starts (issue 16's start-up stall).
 *
 * <p>The cause, in JeroMQ 0.6.0's I/O thread ({@code zmq.poll.Poller}): when an asynchronous
 * {@code connect} completes, {@code TcpConnecter.connectEvent} cancels its selector handle and
 * sends {@code attach} to the session; if the I/O thread's mailbox is read in the same round of
 * selected keys (its commands arrive all the time while a JVM starts: binds, monitors, pipes), the
 * new {@code StreamEngine} adds a second handle for the same channel before the poller's
 * re-registration pass, which then finds the channel's old, cancelled key, skips the new handle
 * and clears its "changed" flag. The engine is then never selected: it neither writes its ZMTP
 * signature nor reads the server's (seen with {@code ss}: the server sent its 10 bytes, they wait
 * unread, the client sent nothing) until some unrelated handle change on that I/O thread runs the
 * pass again, about a second later at start-up, or never on a quiet JVM.
 *
 * <p>The work-around uses only public API: any new handle makes the poller run its pass again, and
 * the stuck handle, whose old key the selector has dropped meanwhile, gets registered. A kick
 * binds a loopback listener on a free port and closes it at once (both go through the I/O thread).
 * {@link Zap}'s thread watches the connection events of every TCP socket jdask connects (all go
 * through {@link Zmq#connect}: client to scheduler and workers, worker to scheduler and peers,
 * coordination channels, code servers, nannies, the watchdog's probe) and kicks when a connection
 * it saw open has not finished its greeting after {@link #AFTER_MS}, then every {@link #EVERY_MS}
 * (a kick that came before the poller's broken pass is lost), later every {@link #LATER_MS}; a kick
 * on a healthy, merely slow handshake (CurveZMQ on a busy machine) does no harm. A healthy ZMTP
 * greeting on loopback takes well under a millisecond, so a stalled one now costs a few
 * milliseconds instead of the 100–400 ms (the next heartbeat's traffic) measured before every
 * connection was watched.
 *
 * <p>Used by one thread only (Zap's); the context has one I/O thread ({@link Zmq#context()}), so
 * the listener's handle lands on the stuck engine's poller.
 */
final class PollerKick {
    private static final Logger LOG = LoggerFactory.getLogger(PollerKick.class);
    /** How long a connection may stay open without a completed greeting before the first kick. */
    static final long AFTER_MS = 4;
    /** Between two of the first {@link #QUICK_KICKS} kicks for the same connection. */
    static final long EVERY_MS = 10;
    /** Kicks a connection gets {@link #EVERY_MS} apart; later ones come {@link #LATER_MS} apart. */
    static final int QUICK_KICKS = 5;
    /** Between two later kicks (a slow CurveZMQ handshake on a busy machine). */
    static final long LATER_MS = 50;
    /** Kicks per connection at most (a server that never answers is the handshake limit's business). */
    static final int MAX_PER_CONNECTION = 20;
    private static final AtomicLong KICKS = new AtomicLong();

    private PollerKick() {}

    /** Kicks done in this JVM so far (tests, benchmarks). */
    static long count() {
        return KICKS.get();
    }

    /**
     * Whether a connection opened at {@code connectedAt}, not greeted yet and kicked {@code kicks}
     * times (the last at {@code lastKick}, 0 for none) is due for a kick at {@code now}.
     */
    static boolean due(long connectedAt, int kicks, long lastKick, long now) {
        if (connectedAt <= 0 || kicks >= MAX_PER_CONNECTION || now - connectedAt < AFTER_MS) return false;
        return lastKick == 0 || now - lastKick >= (kicks < QUICK_KICKS ? EVERY_MS : LATER_MS);
    }

    /** Makes the context's I/O thread run its registration pass: a loopback listener bound and closed. */
    static void kick(String peer) {
        ZMQ.Socket s = Zmq.context().createSocket(SocketType.PULL);
        try {
            s.setLinger(0);
            s.bind("tcp://127.0.0.1:*");
            KICKS.incrementAndGet();
            LOG.debug("connection to {}: no ZeroMQ greeting yet; kicked the I/O thread's poller", peer);
        } catch (RuntimeException e) {
            LOG.debug("cannot kick the I/O thread's poller: {}", e.toString());
        } finally {
            Zmq.close(s);
        }
    }
}

package org.jdask.distributed.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.zeromq.ZMQ;

/**
 * Where an I/O thread that owns several ZeroMQ sockets waits (the client's and a worker's), in
 * place of JeroMQ's {@code ZMQ.Poller}, which spins without sleeping in this case (issue 19).
 *
 * <p>The cause, in JeroMQ 0.6.0: a socket's mailbox announces each command with one byte on a pipe
 * ({@code Signaler.send}: the byte is written, <em>then</em> a write counter is bumped), and a
 * non-blocking receive consumes bytes only up to that counter. A reader woken by the byte while the
 * writer (JeroMQ's I/O thread, or the thread that sent on an inproc pipe) has not bumped the
 * counter yet finds the command, leaves the byte, and the pipe stays readable: the poller's
 * {@code select} returns at once, again and again, until the writer runs. On a busy machine the
 * woken reader often pre-empts the writer, so it burns its time slice (90–400 µs of CPU per
 * message were measured) while the writer it waits for cannot run. A blocking receive on one socket
 * does not have the problem (its wait reads the byte), which is why the scheduler uses one.
 *
 * <p>Here: a selector over the sockets' mailbox pipes, woken for posted work by
 * {@link Selector#wakeup} (no inproc socket, so no JeroMQ in that path). When a wait returned
 * because a pipe was readable but the owner's turn after it received nothing (a byte left behind),
 * the next wait first parks a few microseconds (doubling to {@link #MAX_BACKOFF_NANOS}) so the
 * writer gets the CPU to finish, instead of selecting again at once. Every wait has a timeout.
 * Used by its owner thread only, except {@link #wake}.
 */
public final class SocketWait implements AutoCloseable {
    /** The first pause after a turn that found nothing behind a readable pipe. */
    static final long MIN_BACKOFF_NANOS = 20_000;
    /** The longest pause: a socket command that arrives meanwhile waits at most this long (posted work ends it). */
    static final long MAX_BACKOFF_NANOS = 200_000;

    private final Selector selector;
    private final AtomicBoolean wakePending = new AtomicBoolean();
    /** The thread that waits, once it paused for a writer (for {@link #wake} to end the pause). */
    private volatile Thread owner;
    private final Set<SelectableChannel> watched = new HashSet<>();
    private List<ZMQ.Socket> last = List.of();
    /** Whether the last wait returned because a socket's pipe was readable (not a wake-up, not the timeout). */
    private boolean readable;
    /** Whether the owner received something since the last wait ({@link #progress}). */
    private boolean progress;
    /** Whether the owner stopped receiving with messages left ({@link #more}): the next wait does not block. */
    private boolean more;
    /** Turns in a row that found nothing behind a readable pipe. */
    private int idleStreak;
    private long backoffs, waits;

    public SocketWait() {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector for the I/O thread", e);
        }
    }

    /** Owner thread: {@link #watch}, unless {@code sockets} are the same sockets in the same order as last time. */
    public void watchIfChanged(List<ZMQ.Socket> sockets) {
        if (sockets.size() == last.size()) {
            boolean same = true;
            for (int i = 0; i < sockets.size() && same; i++) same = sockets.get(i) == last.get(i);
            if (same) return;
        }
        watch(sockets);
    }

    /** Owner thread: the sockets to wait on (sockets no longer listed are dropped). */
    public void watch(Collection<ZMQ.Socket> sockets) {
        last = new ArrayList<>(sockets);
        Set<SelectableChannel> now = new HashSet<>();
        for (ZMQ.Socket s : sockets) {
            if (s == null) continue;
            SelectableChannel ch = s.getFD();
            now.add(ch);
            if (!watched.contains(ch)) {
                try {
                    ch.register(selector, SelectionKey.OP_READ);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot watch a ZeroMQ socket", e);
                }
            }
        }
        for (SelectableChannel old : watched) {
            if (!now.contains(old)) {
                SelectionKey k = old.keyFor(selector);
                if (k != null) k.cancel();
            }
        }
        watched.clear();
        watched.addAll(now);
    }

    /** Owner thread: a message was received (or posted work ran) since the last wait. */
    public void progress() {
        progress = true;
    }

    /**
     * Owner thread: a receive loop stopped at its limit with messages possibly left. The next wait
     * only looks (no block): a socket's pipe signals new messages only after its reader found it
     * empty, so messages already waiting would not wake a blocking wait (JeroMQ's poller asked each
     * socket instead).
     */
    public void more() {
        progress = true;
        more = true;
    }

    /**
     * Owner thread: waits at most {@code timeoutMs} for a socket's mailbox or a {@link #wake}.
     * Afterwards the owner receives from every socket without waiting (calling {@link #progress}
     * if anything came), then drains its posted work (after {@link #woken}).
     */
    public void await(long timeoutMs) {
        waits++;
        idleStreak = readable && !progress ? idleStreak + 1 : 0;
        readable = false;
        progress = false;
        boolean more = this.more;
        this.more = false;
        try {
            if (idleStreak > 0 && !wakePending.get()) { // a byte left behind: let its writer run, then look again without blocking
                backoffs++;
                owner = Thread.currentThread();
                LockSupport.parkNanos(this, Math.min(MAX_BACKOFF_NANOS, MIN_BACKOFF_NANOS << Math.min(idleStreak - 1, 20))); // a wake() ends it
                readable = selector.selectNow() > 0;
                if (readable || wakePending.get()) {
                    selector.selectedKeys().clear();
                    return;
                }
                idleStreak = 0;
            }
            if (timeoutMs <= 0 || more) readable = selector.selectNow() > 0;
            else readable = selector.select(timeoutMs) > 0;
            selector.selectedKeys().clear();
        } catch (ClosedSelectorException e) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.max(1, Math.min(timeoutMs, 10))));
        } catch (IOException e) {
            throw new UncheckedIOException("the I/O thread's selector failed", e);
        }
    }

    /**
     * Owner thread, after {@link #await} and before draining the posted work: consumes the
     * wake-up, so a {@link #wake} after this call wakes the next wait.
     */
    public void woken() {
        wakePending.set(false);
    }

    /** Any thread: makes the owner's current or next {@link #await} return; one selector wake-up per burst. */
    public void wake() {
        if (!wakePending.compareAndSet(false, true)) return;
        selector.wakeup();
        Thread o = owner;
        if (o != null) LockSupport.unpark(o); // ends a pause for a writer (a stray unpark only shortens a later pause)
    }

    /** Waits so far, and those that began with a pause for a writer (for tests and benchmarks). */
    public long[] counts() {
        return new long[] {waits, backoffs};
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}

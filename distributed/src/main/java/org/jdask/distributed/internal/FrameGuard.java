package org.jdask.distributed.internal;

import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zmq.Msg;
import zmq.msg.MsgAllocator;

/**
 * The message allocator every jdask socket uses ({@link Zmq#socket}): it guards what JeroMQ's
 * ZMTP decoder allocates for an incoming frame, <em>before</em> any of the frame's body arrived and,
 * on a CurveZMQ socket, before the peer is authenticated.
 *
 * <p>How it works. JeroMQ 0.6.0 (the newest on Maven Central; the fix is only on its master) reads
 * a frame's 8-byte size as a signed {@code long}: {@code 0xFFFFFFFFFFFFFFFF} passes its
 * {@code size > max} check as {@code -1}, and {@code new byte[-1]} throws inside the shared I/O
 * thread, which then retries the same bytes forever (100% CPU, nothing else served). The decoder
 * cannot be replaced for ZMTP sockets ({@code ZMQ_DECODER} only applies to raw sockets), but it asks
 * the socket's {@code ZMQ_MSG_ALLOCATOR} for every frame, so the checks live here:
 * <ul>
 *   <li>a negative size gets an empty <em>command</em> frame back instead of an exception: during
 *       a handshake the peer's mechanism rejects it and the connection drops; after a plaintext
 *       handshake ZeroMQ ignores a stray command, so nothing reaches {@link Wire};</li>
 *   <li>sizes above {@code distributed.comm.max-frame-bytes} never get here (JeroMQ's own check
 *       drops the connection) — that limit is 64 MiB by default, and {@link Wire} cuts bigger
 *       payloads into chunk frames;</li>
 *   <li>frames over {@link #LARGE} bytes draw on one JVM-wide budget
 *       ({@code distributed.comm.frame-budget-bytes}, 256 MiB): a frame counts from its allocation
 *       until its body has fully arrived (or its connection died and the buffer was collected). A
 *       flood of headers declaring big frames that never come — three connections took a scheduler
 *       to 4.2 GB before — stops at the budget: further large frames get the empty command, which a
 *       CurveZMQ peer cannot decrypt (its connection drops) and a plaintext stream reads as garbage
 *       the receiver refuses. Server sockets send ZMTP heartbeats ({@link Zmq#socket}), so a
 *       connection that stops mid-frame is dropped within a minute and its frame collected.</li>
 * </ul>
 * The limit of this design: while a flood holds the budget, large frames of honest peers are
 * refused too (small ones — tasks, heartbeats, results under 64 KiB — are not); {@link Wire}
 * keeps honest frames at 1 MiB, so the default budget covers 256 of them arriving at once.
 * Frames are allocated on the heap (JeroMQ's default puts large ones in direct memory), so a
 * received frame's bytes are handed to {@link Wire} without a copy and are bounded by {@code -Xmx}.
 *
 * <p>What JeroMQ 0.6.0 does not let us do (issue 21 item 2, checked in its bytecode):
 * <ul>
 *   <li><em>Allocating as bytes arrive.</em> {@code zmq.io.coder.Decoder.sizeReady(long)} calls
 *       {@code allocate((int) size)} once, as soon as the 9-byte header is read, and
 *       {@code DecoderBase.getBuffer()} then hands that message's {@code ByteBuffer} of the full
 *       size to the channel's {@code read} (zero copy). A buffer that grows as bytes come cannot be
 *       returned: {@code ByteBuffer} cannot be subclassed outside {@code java.nio}, and the decoder
 *       itself is not replaceable on ZMTP sockets ({@code StreamEngine.handshake()} always makes a
 *       {@code V1Decoder}/{@code V2Decoder}; {@code ZMQ_DECODER} is read only for raw sockets).
 *       Hence the budget above, which bounds what declared-but-unsent frames can hold.</li>
 *   <li><em>Refusing unauthenticated peers' frames outright.</em> On a CurveZMQ socket a peer
 *       whose greeting names another mechanism (the plaintext {@code NULL} of the bytes)
 *       is dropped in {@code StreamEngine.handshake()} before any frame is decoded: that part
 *       holds. A peer that speaks CURVE with an unknown key is refused by ZAP only at its
 *       {@code INITIATE} command, and the frames before it ({@code HELLO}) are allocated at their
 *       declared size (up to {@code distributed.comm.max-frame-bytes}) first: the allocator is
 *       told only a size — not the connection nor whether its handshake is done — and the decoder
 *       and its limit are made per connection from the socket's shared options at greeting time,
 *       with no hook between the greeting and {@code mechanismReady()}. Such frames count against
 *       the budget like any other. On plaintext sockets (security off) no peer is authenticated,
 *       so there is nothing to tell apart.</li>
 * </ul>
 */
public final class FrameGuard implements MsgAllocator {
    private static final Logger LOG = LoggerFactory.getLogger(FrameGuard.class);
    /** Frames above this many bytes count against the budget. */
    public static final int LARGE = 64 * 1024;
    private static final AtomicLong NEGATIVE = new AtomicLong(), OVER_BUDGET = new AtomicLong(), IN_FLIGHT = new AtomicLong();
    private static final List<Ticket> TICKETS = new ArrayList<>();
    private static volatile long lastWarning;

    /** The one allocator: its budget is JVM-wide, as the ZeroMQ context is. */
    public static final FrameGuard INSTANCE = new FrameGuard();
    private static volatile long budget = Zmq.frameBudget();

    private FrameGuard() {}

    /** Bytes of large frames that may be arriving at once, JVM-wide. */
    public static long budget() {
        return budget;
    }

    /** Sets the budget (at least 4 MiB; config {@code distributed.comm.frame-budget-bytes} sets it at start); returns the old one. */
    public static long budget(long bytes) {
        if (bytes < 4 << 20) throw new IllegalArgumentException("frame budget must be at least 4 MiB, got " + bytes);
        long old = budget;
        budget = bytes;
        return old;
    }

    /** Frames refused because their declared size was negative (a hostile or broken peer). */
    public static long negativeSizes() {
        return NEGATIVE.get();
    }

    /** Large frames refused because the budget was spent by frames still arriving. */
    public static long overBudget() {
        return OVER_BUDGET.get();
    }

    /** Bytes of large frames allocated whose bodies have not fully arrived yet. */
    public static long inFlight() {
        synchronized (TICKETS) {
            sweep();
        }
        return IN_FLIGHT.get();
    }

    @Override
    public Msg allocate(int size) {
        if (size < 0) {
            NEGATIVE.incrementAndGet();
            warn("a peer declared a frame of negative size " + size + " (refused; its connection is dropped or its garbage refused)");
            return poison();
        }
        if (size <= LARGE) return new Msg(size);
        synchronized (TICKETS) {
            if (IN_FLIGHT.get() + size > budget) sweep();
            if (IN_FLIGHT.get() + size > budget && collectDeadConnections()) sweep();
            if (IN_FLIGHT.get() + size > budget) {
                OVER_BUDGET.incrementAndGet();
                warn("refused a frame of " + size + " bytes: " + IN_FLIGHT.get() + " bytes of large frames are still arriving"
                        + " (distributed.comm.frame-budget-bytes = " + budget + ")");
                return poison();
            }
            IN_FLIGHT.addAndGet(size);
            Ticket t = new Ticket(size);
            TICKETS.add(t);
            return new Tracked(size, t);
        }
    }

    /**
     * Frames of connections that died while their frame was arriving are released only once their
     * buffers are collected: when the budget runs out, one {@code System.gc()} (at most every 2 s)
     * tells those apart from frames still arriving. Returns whether it ran.
     */
    private static boolean collectDeadConnections() {
        long now = System.nanoTime();
        if (now - lastCollect < 2_000_000_000L) return false;
        lastCollect = now;
        System.gc();
        return true;
    }

    private static long lastCollect = System.nanoTime() - 10_000_000_000L;

    /** An empty command frame: what a refused allocation returns instead of throwing in the I/O thread. */
    private static Msg poison() {
        Msg m = new Msg(0);
        m.setFlags(Msg.COMMAND);
        return m;
    }

    private static void warn(String what) {
        long now = System.currentTimeMillis();
        if (now - lastWarning < 1000) return; // a flood logs once a second, the counters keep the rest
        lastWarning = now;
        LOG.warn("{} (so far: {} negative sizes, {} over budget)", what, NEGATIVE.get(), OVER_BUDGET.get());
    }

    /** Releases tickets whose frame has arrived or whose buffer is gone; under the TICKETS lock. */
    private static void sweep() {
        for (Iterator<Ticket> it = TICKETS.iterator(); it.hasNext(); ) {
            Ticket t = it.next();
            if (t.done()) {
                IN_FLIGHT.addAndGet(-t.size);
                it.remove();
            }
        }
    }

    /** One large frame in flight: the buffer the decoder fills, watched weakly. */
    private static final class Ticket {
        final int size;
        final long born = System.nanoTime();
        volatile WeakReference<ByteBuffer> filling;

        Ticket(int size) {
            this.size = size;
        }

        boolean done() {
            WeakReference<ByteBuffer> f = filling;
            if (f == null) return System.nanoTime() - born > 60_000_000_000L; // never handed to a decoder
            ByteBuffer b = f.get();
            return b == null || !b.hasRemaining();
        }
    }

    /** A heap frame that remembers the view JeroMQ's decoder writes into (its first {@link #buf()}). */
    private static final class Tracked extends Msg {
        private final Ticket ticket;

        Tracked(int size, Ticket ticket) {
            super(size);
            this.ticket = ticket;
        }

        @Override
        public ByteBuffer buf() {
            ByteBuffer b = super.buf();
            if (ticket.filling == null) ticket.filling = new WeakReference<>(b);
            return b;
        }
    }
}

package org.jdask.distributed;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdask.Config;

/**
 * The slow requests of a client's {@link CodeServer}, answered off its socket's thread (issue 16):
 * a jar pushed onto the relay's bulk port or sent over CurveZMQ can take seconds (50 MB over a
 * slow link, a relay that stalls), and while one did the socket's thread answered nobody — other
 * workers' manifests, hashes, in-memory classes and the liveness pings that keep a client's code
 * loader alive on the workers waited behind it. Transfers ({@code push}, {@code jar}) run on at
 * most {@code distributed.client.code-transfers} threads (2; each holds one jar's bytes, so this
 * bounds the memory they take too), look-ups ({@code manifest}, {@code hash}, {@code class}) on
 * one thread of their own, so a stalled transfer delays no look-up; requests beyond that wait in
 * order (requests are small; each worker has at most one outstanding per client). Replies come
 * back to the socket's thread (a ZeroMQ socket has one owner): a finished request calls the
 * {@code wake} it was given (the thread's {@link org.jdask.distributed.internal.SocketWait}), and
 * the thread sends what {@link #drain()} hands it.
 */
final class CodeRequests implements AutoCloseable {
    static final String TRANSFERS_KEY = "distributed.client.code-transfers";

    /** A reply for the socket's thread to send: to {@code peer}, for request {@code requestId}. */
    record Reply(byte[] peer, byte[] requestId, byte[] status, byte[] body) {}

    /** What a request computes: its status and body. */
    interface Work {
        Reply answer(byte[] peer, byte[] requestId);
    }

    private final ExecutorService transfers, lookups;
    private final ConcurrentLinkedQueue<Reply> done = new ConcurrentLinkedQueue<>();
    private final Runnable wake;

    /**
     * At most {@code transfers} transfers at once ({@link #configuredTransfers}); {@code label} names
     * the threads; {@code wake} (any thread) makes the socket's thread look at {@link #drain()}.
     */
    CodeRequests(String label, int transfers, Runnable wake) {
        this.transfers = pool(label + "-transfer", transfers);
        this.lookups = pool(label + "-lookup", 1);
        this.wake = wake;
    }

    /** The configured number of transfer threads ({@link #TRANSFERS_KEY}, default 2), at least 1. */
    static int configuredTransfers() {
        int n = Config.getInt(TRANSFERS_KEY, 2);
        if (n < 1) throw new IllegalArgumentException(TRANSFERS_KEY + " must be at least 1, got " + n);
        return n;
    }

    private static ExecutorService pool(String name, int threads) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor p = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        p.allowCoreThreadTimeOut(true); // an idle client keeps no threads
        return p;
    }

    /** Socket thread: runs {@code work} on the transfer threads ({@code transfer}) or the look-up thread. */
    void submit(boolean transfer, byte[] peer, byte[] requestId, Work work) {
        try {
            (transfer ? transfers : lookups).execute(() -> {
                Reply r;
                try {
                    r = work.answer(peer, requestId);
                } catch (RuntimeException | Error e) {
                    r = new Reply(peer, requestId, CodeServer.ERROR, CodeServer.bytes(String.valueOf(e)));
                }
                done.add(r);
                wake.run();
            });
        } catch (RejectedExecutionException e) { // closed
            done.add(new Reply(peer, requestId, CodeServer.ERROR, CodeServer.bytes("the client's code server is stopping")));
        }
    }

    /** Socket thread: the replies ready since the last call. */
    List<Reply> drain() {
        List<Reply> out = new ArrayList<>();
        for (Reply r; (r = done.poll()) != null; ) out.add(r);
        return out;
    }

    /** Socket thread, when it stops: requests still running finish into the void. */
    @Override
    public void close() {
        transfers.shutdownNow();
        lookups.shutdownNow();
    }
}

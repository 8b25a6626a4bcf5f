package org.jdask.distributed.coord;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.UUID;
import org.jdask.distributed.internal.Messages.CoordReply;

/**
 * Acquire and release of scheduler leases, shared by {@link Semaphore} and {@link Lock} (a lock is
 * a semaphore of one lease under its own name). Each acquire takes a fresh lease id; this object
 * remembers the ones it holds and releases the oldest first. While the client holds any lease it
 * refreshes them every third of the lease time; if it dies they expire at the scheduler.
 */
abstract class LeaseHolder extends Named {
    private final long leases;
    private final ArrayDeque<String> held = new ArrayDeque<>();

    LeaseHolder(CoordTransport transport, String kind, String name, String wireName, long leases) {
        super(transport, kind, name, wireName);
        if (leases < 1) throw new IllegalArgumentException(kind + " '" + name + "': needs at least 1 lease, got " + leases);
        this.leases = leases;
    }

    /** Takes a lease, waiting at most {@code timeout}; false if none came free in time (nothing thrown). */
    public boolean tryAcquire(Duration timeout) {
        try {
            acquire(timeout);
            return true;
        } catch (CoordinationTimeoutException e) {
            return false;
        }
    }

    public void acquire() {
        acquire(Duration.ofMillis(defaultTimeout()));
    }

    /** Takes a lease, waiting at most {@code timeout}; throws {@link CoordinationTimeoutException} naming this object. */
    public void acquire(Duration timeout) {
        String lease = UUID.randomUUID().toString();
        CoordReply r = ask(CoordOp.SEMAPHORE_ACQUIRE, "acquire", null, leases, millis(timeout, what("acquire")), lease);
        synchronized (held) {
            held.add(lease);
        }
        transport.leaseTaken(r.n());
    }

    /**
     * Gives back the oldest lease this object holds.
     *
     * @throws IllegalStateException if it holds none
     * @throws org.jdask.JdaskException if the lease had expired (this client was silent longer than the lease time)
     */
    public void release() {
        String lease;
        synchronized (held) {
            lease = held.poll();
        }
        if (lease == null) throw new IllegalStateException(what("release") + ": this object holds no lease");
        transport.leaseReturned();
        ask(CoordOp.SEMAPHORE_RELEASE, "release", null, leases, 0, lease);
    }

    /** Leases this object holds now. */
    public int held() {
        synchronized (held) {
            return held.size();
        }
    }
}

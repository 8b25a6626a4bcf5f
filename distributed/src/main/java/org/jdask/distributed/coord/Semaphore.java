package org.jdask.distributed.coord;

/**
 * At most {@code leases} holders at a time, cluster-wide, under a name (Dask's {@code Semaphore}).
 * Leases belong to the client (or the worker's client, inside a task) that took them: it keeps
 * them alive by refreshing; a holder that dies (kill -9, a lost worker JVM) or stops refreshing
 * loses them after config {@code distributed.scheduler.locks.lease-timeout} (30 s, read by the
 * scheduler), so no lease is held forever by a dead process. Every user of a name must ask for
 * the same number of leases (a different number is refused, naming both).
 */
public final class Semaphore extends LeaseHolder {
    public Semaphore(CoordTransport transport, String name, long leases) {
        super(transport, "Semaphore", name, "semaphore:" + name, leases);
    }
}

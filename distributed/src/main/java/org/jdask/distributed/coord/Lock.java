package org.jdask.distributed.coord;

/**
 * A cluster-wide mutual-exclusion lock under a name (Dask's {@code Lock}, which is a semaphore of
 * one lease there too). Not reentrant: a second {@code acquire} waits like anyone else's. Its
 * lease expires if the holder's client or worker JVM dies (see {@link Semaphore}).
 */
public final class Lock extends LeaseHolder {
    public Lock(CoordTransport transport, String name) {
        super(transport, "Lock", name, "lock:" + name, 1);
    }

    /** Whether this object holds the lock. */
    public boolean locked() {
        return held() > 0;
    }
}

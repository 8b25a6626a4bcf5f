package org.jdask.distributed;

/**
 * What {@link LocalCluster}, {@link SshCluster} and {@link SlurmCluster} do alike: one
 * {@link Adaptive} at a time ({@link #adapt}; {@link #close} stops it first), the closed flag that
 * {@link #scale} checks, and {@link #close} stopping the cluster's processes once ({@link #stopAll},
 * holding the cluster's lock); no dashboard unless one says otherwise.
 */
abstract class ClusterBase implements Cluster {
    private final Adaptive.Slot adaptive = new Adaptive.Slot();
    /** Set by {@link #close}; guarded by this. */
    boolean closed;

    /** Adapts between {@code min} and {@code max} workers (see {@link Adaptive}); replaces an earlier adapt. */
    @Override
    public Adaptive adapt(int min, int max) {
        return adaptive.replace(new Adaptive(this, min, max));
    }

    /** Refuses a negative {@code n} and a closed cluster; the first lines of every {@link #scale}. */
    final void checkScale(int n) {
        if (n < 0) throw new IllegalArgumentException("scale: n must be >= 0, got " + n);
        if (closed) throw new IllegalStateException("the cluster is closed");
    }

    /** Stops {@link #adapt}'s loop, then (the first time only) every process the cluster started. */
    @Override
    public void close() {
        adaptive.replace(null);
        synchronized (this) {
            if (closed) return;
            closed = true;
            stopAll();
        }
    }

    /** Stops the workers and the scheduler; called once, by {@link #close}, holding this. */
    abstract void stopAll();

    /** No dashboard unless the cluster serves one. */
    @Override
    public String dashboardLink() {
        return null;
    }
}

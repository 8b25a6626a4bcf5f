package org.jdask.distributed.internal;

/**
 * A worker's judgement of its scheduler's liveness; pure (times in, verdicts out), driven by the
 * worker's I/O loop.
 *
 * <p>The scheduler answers every worker heartbeat on its socket thread (even while it ingests a big
 * graph), so a registered worker hears from it twice a second. Silent for
 * {@code distributed.comm.timeouts.scheduler-lost} (30 s) means {@link Verdict#LOST}: the worker
 * drops its work (a restarted scheduler knows none of it) and says hello again on a fresh socket;
 * without a welcome, it tries again every {@code retryMs}; {@code distributed.worker.death-timeout}
 * seconds after the loss (0: never) it is {@link Verdict#DEAD} and closes. Time in which the
 * worker's own loop did not run (a GC pause, a stopped machine) is not the scheduler's silence.
 */
public final class SchedulerWatch {
    /** What the loop should do now. */
    public enum Verdict { FINE, LOST, RETRY, DEAD }

    private final long lostAfterMs, retryMs, deathMs;
    private long lastHeard, lostAt = -1, lastAttempt;

    public SchedulerWatch(long lostAfterMs, long retryMs, long deathMs, long now) {
        this.lostAfterMs = lostAfterMs;
        this.retryMs = retryMs;
        this.deathMs = deathMs;
        this.lastHeard = now;
    }

    /** Something arrived from the scheduler. */
    public void heard(long now) {
        lastHeard = Math.max(lastHeard, now);
    }

    /** The worker's own loop did not run for {@code ms}: that time does not count as silence. */
    public void stalled(long ms) {
        lastHeard += ms;
        lastAttempt += ms;
        if (lostAt >= 0) lostAt += ms;
    }

    /** The scheduler welcomed the worker (again); returns how long it was lost, or -1. */
    public long registered(long now) {
        long gap = lostAt < 0 ? -1 : now - lostAt;
        lostAt = -1;
        lastHeard = now;
        return gap;
    }

    /** Whether the worker counts its scheduler as lost (and is not registered anywhere). */
    public boolean lost() {
        return lostAt >= 0;
    }

    /** Silence so far (ms). */
    public long silentFor(long now) {
        return now - lastHeard;
    }

    public Verdict check(long now) {
        if (lostAt < 0) {
            if (now - lastHeard <= lostAfterMs) return Verdict.FINE;
            lostAt = now;
            lastAttempt = now;
            return Verdict.LOST;
        }
        if (deathMs > 0 && now - lostAt > deathMs) return Verdict.DEAD;
        if (now - lastAttempt > retryMs) {
            lastAttempt = now;
            return Verdict.RETRY;
        }
        return Verdict.FINE;
    }
}

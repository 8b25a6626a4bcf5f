package org.jdask.distributed;

import java.time.Duration;
import java.util.List;
import org.jdask.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code jdask worker} does on {@code SIGTERM} (a cluster manager, {@code scancel}, an SSH
 * cluster scaling down): before its workers stop, it asks the scheduler to retire them, as Dask's
 * worker does when its nanny is told to close: the results only they hold move to other workers
 * (nothing is recomputed), then the scheduler closes them. If that cannot be done within
 * {@code distributed.worker.retire-on-sigterm-timeout} (default 30 s; 0 turns it off: close at
 * once), or there is no other worker to move to, the workers just close, and the scheduler
 * recomputes what was lost, as for any lost worker.
 */
public final class GracefulExit {
    private static final Logger LOG = LoggerFactory.getLogger(GracefulExit.class);
    /** Config key of the time a SIGTERM'd worker gives its results to move. */
    public static final String TIMEOUT_KEY = "distributed.worker.retire-on-sigterm-timeout";

    private GracefulExit() {}

    /**
     * Retires the workers at {@code addresses} through the scheduler at {@code scheduler} (with
     * {@code security}, or none); returns the number of results moved, or -1 if it was not done
     * (the reason is logged). Never throws: the caller closes the workers either way.
     */
    public static int retire(String scheduler, Security security, List<String> addresses) {
        Duration timeout = Config.getDuration(TIMEOUT_KEY, Duration.ofSeconds(30));
        if (timeout.isZero() || addresses.isEmpty()) return -1;
        LOG.info("SIGTERM: retiring {} (their results move to other workers, at most {} s)", addresses, timeout.toSeconds());
        try (Config.Scope s = Config.set("distributed.client.retire-timeout", timeout.toMillis() + "ms");
             Client c = security == null ? Client.connect(scheduler) : Client.connect(scheduler, security)) {
            int moved = c.retireWorkers(addresses);
            LOG.info("SIGTERM: retired {}: {} result(s) moved", addresses, moved);
            return moved;
        } catch (RuntimeException e) {
            LOG.warn("SIGTERM: could not retire {} gracefully ({}); closing them, the scheduler recomputes what they held", addresses, e.toString());
            return -1;
        }
    }
}

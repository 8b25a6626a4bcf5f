package org.jdask.distributed;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What every cluster manager does (Dask's {@code Cluster} base): it owns a scheduler and a set of
 * workers it started, grows or shrinks them on request ({@link #scale}) or by itself
 * ({@link #adapt}), shows their output ({@link #logs}) and stops all of them on {@link #close}.
 * Implementations: {@link LocalCluster} (this machine), {@link SshCluster} (hosts reached over
 * SSH) and {@link SlurmCluster} (batch jobs).
 *
 * <p>{@link #size()} counts the workers asked for, which may be more than the scheduler has seen
 * yet (a batch job waits in the queue); {@link #workers()} is the scheduler's view.
 */
public interface Cluster extends AutoCloseable {
    /** {@code tcp://host:port} of the scheduler, for clients and workers. */
    String schedulerAddress();

    /** Asks for {@code n} workers in all (starting or stopping some). */
    void scale(int n);

    /** Workers asked for now (started, starting or queued). */
    int size();

    /**
     * Stops the given workers (by address) after they were chosen as idle; the scheduler forgets
     * them and recomputes from the graph whatever they held if it is needed again. Unknown
     * addresses are ignored. Dask's {@code scale_down(workers)}.
     */
    void retireWorkers(Collection<String> addresses);

    /** The scheduler's view of its workers: address, name, nthreads, processing, keys, nbytes, sole. */
    List<Map<String, Object>> workers();

    /** What the scheduler has to do now, for {@link Adaptive}. */
    ClusterLoad load();

    /**
     * Scales between {@code min} and {@code max} workers by itself from now on: up when tasks
     * wait beyond what the workers can take, down (retiring idle workers) after they have been
     * idle for a while. Replaces an earlier {@code adapt}; {@link #scale} stops it.
     */
    Adaptive adapt(int min, int max);

    /** Recent output of every process the cluster started, by name. */
    Map<String, List<String>> logs();

    /** The dashboard's URL, or null when there is none. */
    String dashboardLink();

    /** Stops every worker and the scheduler; no process is left behind. */
    @Override
    void close();
}

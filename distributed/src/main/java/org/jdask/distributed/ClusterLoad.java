package org.jdask.distributed;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of the scheduler's work, the input of {@link Adaptive}: its workers (each a map with
 * {@code address}, {@code name}, {@code nthreads}, {@code processing}, {@code keys}, {@code nbytes}
 * and {@code sole}, the number of keys held only there that cannot be recomputed, i.e. scattered
 * data), the ready tasks held back in the scheduler's queue ({@code queued}) and the ready tasks no
 * worker can run now ({@code unrunnable}, e.g. because there are no workers).
 */
public record ClusterLoad(List<Map<String, Object>> workers, int queued, int unrunnable) {
    public ClusterLoad {
        workers = List.copyOf(workers);
    }

    /** Tasks processing on workers plus queued plus unrunnable: the work a cluster has now. */
    public int demand() {
        int n = queued + unrunnable;
        for (Map<String, Object> w : workers) n += ((Number) w.getOrDefault("processing", 0)).intValue();
        return n;
    }

    /** Threads of all workers. */
    public int threads() {
        int n = 0;
        for (Map<String, Object> w : workers) n += ((Number) w.getOrDefault("nthreads", 1)).intValue();
        return n;
    }
}

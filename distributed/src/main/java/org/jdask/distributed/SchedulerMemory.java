package org.jdask.distributed;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.jdask.distributed.internal.SchedulerEvent;

/**
 * The scheduler's view of its workers' memory managers, from their heartbeats (see PROTOCOL.md):
 * the last figures per worker for {@code Client.workerInfo()} and the dashboard, and the
 * {@code status} field turned into a {@link SchedulerEvent.WorkerStatus} when it changes.
 * Scheduler thread only.
 */
final class SchedulerMemory {
    /** Heartbeat fields copied into the worker list. */
    static final String[] FIELDS = {"managed", "spilled", "spilled_disk", "unmanaged", "spill_count", "unspill_count",
        "spill_write_bps", "spill_read_bps", "transfers", "transfer_bytes"};
    private final Map<String, Map<String, Object>> last = new HashMap<>();
    private final Map<String, Boolean> paused = new HashMap<>();

    /** Records {@code worker}'s heartbeat; returns the status event to apply if it paused or resumed, else null. */
    SchedulerEvent heartbeat(String worker, Map<String, Object> beat) {
        Map<String, Object> m = new HashMap<>();
        for (String f : FIELDS) if (beat.get(f) != null) m.put(f, beat.get(f));
        last.put(worker, m);
        Object status = beat.get("status");
        if (status == null) return null;
        boolean p = "paused".equals(status);
        Boolean before = paused.put(worker, p);
        return (before == null ? p : before != p) ? new SchedulerEvent.WorkerStatus(worker, p) : null;
    }

    /** Adds {@code worker}'s last memory figures to its entry of the worker list. */
    void describe(String worker, Map<String, Object> entry) {
        Map<String, Object> m = last.get(worker);
        if (m != null) entry.putAll(m);
    }

    /** Forgets workers that are gone. */
    void retain(Collection<String> workers) {
        last.keySet().retainAll(workers);
        paused.keySet().retainAll(workers);
    }
}

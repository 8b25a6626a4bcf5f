package org.jdask.distributed.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jdask.distributed.internal.SchedulerEvent.NewTask;
import org.jdask.distributed.internal.SchedulerEvent.UpdateGraph;
import org.jdask.graph.Key;

/** {@link SchedulerState}'s checks: an update refused before it changes anything, and the state's invariants. */
final class SchedulerChecks {
    private SchedulerChecks() {}

    /**
     * Refuses an update that names an unknown dependency or wanted key before anything changes, so
     * a refused update leaves no trace (a resubmit of a corrected graph starts from a clean state).
     */
    static void validateUpdate(SchedulerState s, UpdateGraph e) {
        Set<Key> inUpdate = new HashSet<>(e.tasks().size() * 2);
        for (NewTask nt : e.tasks()) {
            SchedulerTask t = s.tasks.get(nt.key());
            if (takesSpec(t)) {
                for (Key dk : nt.deps()) {
                    if (!inUpdate.contains(dk) && !s.tasks.containsKey(dk)) {
                        throw new IllegalArgumentException("task " + nt.key() + " depends on " + dk
                                + ", which is neither in this update nor known to the scheduler");
                    }
                }
            }
            inUpdate.add(nt.key());
        }
        for (Key k : e.wanted()) {
            if (!inUpdate.contains(k) && !s.tasks.containsKey(k)) {
                throw new IllegalArgumentException("client " + e.client() + " wants " + k + ", which is not in the graph");
            }
        }
    }

    /** Whether an update's spec replaces what the scheduler has: new, or a failure nobody holds on to any more. */
    static boolean takesSpec(SchedulerTask t) {
        return t == null || t.state == TaskState.RELEASED && t.spec == null || t.state == TaskState.ERRED && t.whoWants.isEmpty();
    }

    static List<String> validate(SchedulerState s) {
        List<String> problems = new ArrayList<>();
        for (SchedulerTask t : s.tasks.values()) {
            if (t.state == TaskState.MEMORY && t.whoHas.isEmpty()) problems.add(t + " in memory nowhere");
            if (t.state != TaskState.MEMORY && !t.whoHas.isEmpty()) problems.add(t + " held by " + t.whoHas() + " but not in memory");
            if (t.state == TaskState.PROCESSING && (t.processingOn == null || !t.processingOn.processing.containsKey(t))) {
                problems.add(t + " processing but not on a worker");
            }
            if (t.state == TaskState.QUEUED != s.queued.contains(t)) problems.add(t + " queue membership wrong");
            if (t.state == TaskState.WAITING && t.waitingOn.isEmpty()) problems.add(t + " waiting on nothing");
            for (SchedulerTask d : t.deps) if (!d.dependents.contains(t)) problems.add(d + " misses dependent " + t);
        }
        for (SchedulerWorker w : s.workers.values()) {
            for (SchedulerTask t : w.processing.keySet()) if (t.processingOn != w) problems.add(w.address + " lists " + t);
            for (SchedulerTask t : w.hasWhat) if (!t.whoHas.contains(w)) problems.add(w.address + " has " + t + " not listing it");
        }
        return problems;
    }
}

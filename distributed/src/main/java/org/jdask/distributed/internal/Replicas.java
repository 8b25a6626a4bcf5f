package org.jdask.distributed.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jdask.distributed.internal.SchedulerInstruction.Acquire;
import org.jdask.graph.Key;

/**
 * Two scheduler events of issue 19 kept out of {@link SchedulerState}: a task that secedes
 * (Dask's {@code long-running}: it waits on tasks it submitted, so its worker may start others)
 * and {@code client.replicate} (copies of results on more workers, through the same
 * {@link Acquire} a retirement move uses; the worker's {@code FINISHED} adds the replica).
 */
final class Replicas {
    private Replicas() {}

    static void seceded(SchedulerState s, SchedulerEvent.Seceded e) {
        SchedulerWorker w = s.workers.get(e.worker());
        SchedulerTask t = s.tasks.get(e.key());
        if (w == null || t == null || t.state != TaskState.PROCESSING || t.processingOn != w || !w.seceded.add(t)) return;
        s.note(t, "seceded on " + w.address + ": it waits on other tasks, its thread no longer counts");
        s.fillFrom(w);
    }

    static void replicate(SchedulerState s, SchedulerEvent.Replicate e) {
        List<SchedulerWorker> usable = new ArrayList<>();
        for (SchedulerWorker w : s.workers.values()) if (!w.retiring) usable.add(w);
        usable.sort(Comparator.comparingLong(w -> w.nbytes)); // the emptiest workers take the copies
        int want = Math.min(Math.max(e.n(), 1), usable.size());
        for (Key k : e.keys()) {
            SchedulerTask t = s.tasks.get(k);
            if (t == null || t.state != TaskState.MEMORY || t.whoHas.isEmpty()) continue;
            int have = t.whoHas.size();
            for (SchedulerWorker w : usable) {
                if (have >= want) break;
                if (t.whoHas.contains(w)) continue;
                s.emit(new Acquire(w.address, t.key, t.whoHas()));
                have++;
            }
        }
    }
}

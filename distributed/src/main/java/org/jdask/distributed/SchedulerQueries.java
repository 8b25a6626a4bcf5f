package org.jdask.distributed;

import java.util.ArrayList;
import java.util.List;
import org.jdask.distributed.internal.Messages;
import org.jdask.distributed.internal.SchedulerEvent.Scattered;
import org.jdask.distributed.internal.SchedulerState;
import org.jdask.distributed.internal.SchedulerTask;
import org.jdask.distributed.internal.SchedulerWorker;
import org.jdask.distributed.internal.TaskState;
import org.jdask.graph.Key;

/** Read-only answers the scheduler shell builds from its state: who holds which keys ({@code client.whoHas/hasWhat}). */
final class SchedulerQueries {
    private SchedulerQueries() {}

    static Messages.WhoHasReply whoHas(SchedulerState state, Messages.WhoHas q) {
        List<Scattered> out = new ArrayList<>();
        if (q.all()) {
            for (SchedulerWorker w : state.workers().values()) {
                for (Key k : w.hasWhat()) {
                    SchedulerTask t = state.task(k);
                    out.add(new Scattered(k, List.of(w.address()), t == null ? 0 : Math.max(0, t.nbytes())));
                }
            }
        } else {
            for (Key k : q.keys()) {
                SchedulerTask t = state.task(k);
                boolean here = t != null && t.state() == TaskState.MEMORY;
                out.add(new Scattered(k, here ? t.whoHas() : List.of(), here ? Math.max(0, t.nbytes()) : 0));
            }
        }
        return new Messages.WhoHasReply(q.id(), out);
    }
}

package org.jdask.schedulers;

import org.jdask.graph.SchedulerContract;

/** The scheduler contract suite on {@code sync}. */
class SyncSchedulerContractTest extends SchedulerContract {
    @Override
    protected String schedulerName() {
        return "sync";
    }
}

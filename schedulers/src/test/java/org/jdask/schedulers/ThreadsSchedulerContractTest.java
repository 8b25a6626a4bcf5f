package org.jdask.schedulers;

import org.jdask.graph.SchedulerContract;

/** The scheduler contract suite on {@code threads}. */
class ThreadsSchedulerContractTest extends SchedulerContract {
    @Override
    protected String schedulerName() {
        return "threads";
    }
}

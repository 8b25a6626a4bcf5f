package org.jdask.graph;

/** The contract suite on the reference scheduler (the oracle the others are held to). */
class ReferenceSchedulerContractTest extends SchedulerContract {
    @Override
    protected String schedulerName() {
        return "reference";
    }
}

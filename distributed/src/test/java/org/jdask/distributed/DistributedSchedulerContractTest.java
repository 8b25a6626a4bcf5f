package org.jdask.distributed;

import org.jdask.graph.SchedulerContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The scheduler contract suite on {@code distributed}: a LocalCluster of 2 in-process workers with
 * 2 threads each, reached through the open Client ({@code Client.current()}).
 */
class DistributedSchedulerContractTest extends SchedulerContract {
    static LocalCluster cluster;
    static Client client;

    @RegisterExtension
    static final SharedCluster SHARED = new SharedCluster(LocalCluster.builder().workers(2).threadsPerWorker(2).processes(false));

    @Override
    protected String schedulerName() {
        return "distributed";
    }
}

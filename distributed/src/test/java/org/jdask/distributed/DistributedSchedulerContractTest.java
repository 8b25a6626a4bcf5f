package org.jdask.distributed;

import org.jdask.graph.SchedulerContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The scheduler contract suite on {@code distributed}: a LocalCluster of 2 in-process workers with
 * 2 threads each, reached through the open Client ({@code Client.current()}).
 */
class DistributedSchedulerContractTest extends SchedulerContract {
    static LocalCluster cluster;
    static Client client;

    @BeforeAll
    static void up() {
        cluster = LocalCluster.builder().workers(2).threadsPerWorker(2).processes(false).build();
        client = Client.connect(cluster);
    }

    @AfterAll
    static void down() {
        client.close();
        cluster.close();
    }

    @Override
    protected String schedulerName() {
        return "distributed";
    }
}

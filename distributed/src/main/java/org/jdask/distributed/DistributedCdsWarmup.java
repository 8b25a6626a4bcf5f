package org.jdask.distributed;

import java.util.concurrent.TimeUnit;
import org.jdask.graph.cds.CdsWarmup;

/**
 * A distributed worker JVM's start-up for the CDS archive ({@link org.jdask.graph.cds.CdsArchive}),
 * in process: a scheduler, a worker registering over TCP as {@link WorkerMain} does, a client, one
 * task submitted and its result gathered. The archive then also serves {@code jdask scheduler} and
 * the launcher's client side.
 */
public final class DistributedCdsWarmup implements CdsWarmup {
    @Override
    public void run() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().workers(0).processes(false).build();
                Worker w = Worker.start(cluster.schedulerAddress(), Worker.Options.defaults().withThreads(1));
                Client client = Client.connect(cluster.schedulerAddress())) {
            client.submit((Long x) -> x + 1, 41L).result(30, TimeUnit.SECONDS);
            w.address();
        }
    }
}

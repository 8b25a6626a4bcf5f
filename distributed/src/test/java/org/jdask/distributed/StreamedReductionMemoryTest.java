package org.jdask.distributed;

import static org.jdask.array.Shape.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jdask.array.DArray;
import org.jdask.array.NDArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * W3 at 100,000² on 1 GB workers in miniature (issue 15): a random block bigger than the worker's
 * whole memory limit still reduces along either axis, because the reduction draws the block strip by
 * strip instead of materializing it; materializing that same block fails its task on that worker
 * (the control: the block really does not fit).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class StreamedReductionMemoryTest {
    static final int N = 6_000; // one 6000 x 6000 float64 block: 288 MB on a 256 MiB worker JVM

    @Test
    void aRandomBlockLargerThanTheWorkerReducesStripByStrip() throws Exception {
        DArray x = DArray.random(15).normal(0, 1, shape(N, N), shape(N, N));
        try (LocalCluster cluster = LocalCluster.builder().workers(1).threadsPerWorker(1).processes(true).memoryLimit("256MiB")
                .dashboardAddress(null).build();
             Client client = Client.connect(cluster)) {
            Map<String, Object> dist = Map.of("scheduler", "distributed");
            NDArray rows = x.mean(1).compute(dist);
            NDArray cols = x.sum(0).compute(dist);
            assertArrayEquals(x.mean(1).compute(Map.of("scheduler", "sync")).toDoubleArray(), rows.toDoubleArray(), 0, "row means as on sync");
            assertEquals(N, rows.shape()[0]);
            assertEquals(1 / Math.sqrt(N), rows.std().item(), 0.1 / Math.sqrt(N), "std of the row means of N(0, 1) draws");
            assertEquals(Math.sqrt(N), cols.std().item(), 0.1 * Math.sqrt(N), "std of the column sums");
            assertEquals(0, cluster.nannies().get(0).restarts(), "no restart: " + cluster.logs());
            // the control: the block itself cannot be made on that worker
            Exception e = assertThrows(Exception.class, () -> x.add(1.0).sum().compute(dist));
            String msg = WorkerMemoryTest.describe(e);
            assertTrue(msg.contains("ran out of memory") || msg.contains("more than the worker's whole memory limit"), msg);
            assertEquals(rows.shape()[0], x.mean(1).compute(dist).shape()[0], "the worker lives on");
        }
    }
}

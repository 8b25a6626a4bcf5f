package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jdask.fn.Fn0;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code LocalCluster.builder().memoryLimit(...)}: parsed, given to worker JVMs as -Xmx, reported to the scheduler. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MemoryLimitTest {
    static final Fn0<Long> MAX_HEAP = () -> Runtime.getRuntime().maxMemory();

    @Test
    void sizesParseLikeDasksAndBadOnesSayWhy() {
        assertEquals(4_000_000_000L, Worker.Options.defaults().withMemoryLimit("4GB").memoryLimit());
        assertEquals(512L << 20, Worker.Options.defaults().withMemoryLimit("512MiB").memoryLimit());
        assertEquals(1_500_000_000L, Worker.Options.defaults().withMemoryLimit("1.5 gb").memoryLimit());
        assertEquals(1_000_000_000L, Worker.Options.defaults().withMemoryLimit("1e9").memoryLimit());
        assertEquals(123_456_789L, Worker.Options.defaults().withMemoryLimit("123456789").memoryLimit());
        assertEquals(0L, Worker.Options.defaults().withMemoryLimit("0").memoryLimit());
        for (String bad : List.of("4XB", "lots", "GB", "")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LocalCluster.builder().memoryLimit(bad));
            assertTrue(e.getMessage().contains("memoryLimit") && e.getMessage().contains("4GB"), e.getMessage());
        }
        IllegalArgumentException neg = assertThrows(IllegalArgumentException.class, () -> LocalCluster.builder().memoryLimit("-1GB"));
        assertTrue(neg.getMessage().contains("'-1GB'"), neg.getMessage());
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class, () -> LocalCluster.builder().memoryLimit("1MB"));
        assertTrue(small.getMessage().contains("32 MiB"), small.getMessage());
    }

    @Test
    void workerJvmsGetItAsTheirHeapAndTheSchedulerKnowsIt() {
        long limit = 256L << 20;
        try (LocalCluster cluster = LocalCluster.builder().workers(1).threadsPerWorker(1).processes(true).memoryLimit("256MiB").build();
             Client client = Client.connect(cluster)) {
            List<Map<String, Object>> ws = client.workers();
            assertEquals(limit, ((Number) ws.get(0).get("memory_limit")).longValue());
            assertEquals(limit, ((Number) cluster.workers().get(0).get("memory_limit")).longValue());
            long heap = client.run(MAX_HEAP).values().iterator().next();
            assertTrue(heap <= limit && heap > limit / 2, "max heap " + heap + " for -Xmx" + limit);
            String cmd = cluster.workerProcesses().get(0).info().commandLine().orElse("");
            assertTrue(cmd.isEmpty() || cmd.contains("-Xmx" + limit), cmd);
        }
    }

    @Test
    void inProcessWorkersReportItAndTheDefaultIsThisHeapDividedByTheWorkers() {
        try (LocalCluster cluster = LocalCluster.builder().workers(1).threadsPerWorker(1).processes(false).memoryLimit("1GB").build();
             LocalCluster none = LocalCluster.builder().workers(1).threadsPerWorker(1).processes(false).build()) {
            assertEquals(1_000_000_000L, ((Number) cluster.workers().get(0).get("memory_limit")).longValue());
            assertEquals(Runtime.getRuntime().maxMemory(), ((Number) none.workers().get(0).get("memory_limit")).longValue(), 1 << 20,
                    "never unlimited: this heap over one worker");
        }
    }
}

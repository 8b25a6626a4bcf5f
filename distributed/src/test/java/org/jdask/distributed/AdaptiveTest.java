package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.jdask.fn.Fn1;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.jdask.testing.Await;

/** {@link Cluster#adapt} on a real {@link LocalCluster} with in-process workers. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AdaptiveTest {
    static final Fn1<Integer, Integer> SLOW_SQUARE = x -> {
        Thread.sleep(100);
        return x * x;
    };

    static void await(BooleanSupplier condition, String what, Adaptive a) throws InterruptedException {
        Await.until(condition, Duration.ofSeconds(60), what, () -> String.valueOf(a.history()));
    }

    @Test
    void growsUnderABurstAndShrinksToMinimumAfter() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().workers(0).threadsPerWorker(1).processes(false).build();
             Client client = Client.connect(cluster)) {
            Adaptive a = cluster.adapt(1, 4).interval(Duration.ofMillis(50)).idleWait(Duration.ofMillis(500));
            await(() -> cluster.size() == 1 && cluster.workers().size() == 1, "the minimum of 1 worker", a);

            List<Integer> inputs = IntStream.range(0, 60).boxed().toList();
            List<Future<Integer>> fs = client.map(SLOW_SQUARE, inputs);
            await(() -> cluster.size() == 4, "4 workers under a burst of 60 tasks", a);
            List<Integer> expected = inputs.stream().map(x -> x * x).toList();
            assertEquals(expected, client.gather(fs));
            assertTrue(cluster.size() <= 4, "never above the maximum: " + cluster.size());

            Future<Integer> kept = fs.get(7);
            for (Future<Integer> f : fs) if (f != kept) f.release();
            await(() -> cluster.size() == 1 && cluster.workers().size() == 1, "shrinking back to 1 idle worker", a);
            // a result a retired worker held is recomputed from the graph when asked for
            assertEquals(49, kept.result(30, TimeUnit.SECONDS));
            assertTrue(a.history().stream().anyMatch(h -> h.startsWith("scale up")), a.history().toString());
            assertTrue(a.history().stream().anyMatch(h -> h.startsWith("scale down")), a.history().toString());
        }
    }

    @Test
    void keepsAWorkerThatHoldsTheOnlyCopyOfScatteredData() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(false).build();
             Client client = Client.connect(cluster)) {
            List<Future<String>> data = client.scatter(List.of("only copy"));
            Adaptive a = cluster.adapt(0, 2).interval(Duration.ofMillis(50)).idleWait(Duration.ofMillis(200));
            await(() -> cluster.size() == 1, "the idle worker without data to be retired", a);
            Thread.sleep(1_000); // many more steps: the worker with the data stays
            assertEquals(1, cluster.size(), a.history().toString());
            assertEquals(List.of("only copy"), client.gather(data));
            a.stop();
            assertTrue(!a.isRunning());
        }
    }

    @Test
    void badBoundsAreRefused() {
        try (LocalCluster cluster = LocalCluster.builder().workers(0).processes(false).build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cluster.adapt(3, 1));
            assertEquals("adapt: maximum 1 is below minimum 3", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> cluster.adapt(-1, 1));
            assertEquals("adapt: minimum must be >= 0, got -1", e.getMessage());
            Adaptive a = cluster.adapt(0, 1);
            e = assertThrows(IllegalArgumentException.class, () -> a.idleWait(Duration.ZERO));
            assertEquals("idleWait must be positive, got PT0S", e.getMessage());
        }
    }
}

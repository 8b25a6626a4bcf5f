package org.jdask.distributed;

import static org.jdask.distributed.WorkerMemoryTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jdask.Config;
import org.jdask.KilledWorkerException;
import org.jdask.fn.Fn0;
import org.jdask.fn.Fn1;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Pause and terminate on a real worker JVM with a 256 MiB heap, driven by tasks that hold or leak memory. */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class WorkerPauseTest {
    /** Memory a task keeps after it returns (in the worker JVM). */
    static final List<byte[]> HELD = new ArrayList<>();

    static final Fn1<Integer, Integer> HOLD = mb -> {
        synchronized (HELD) {
            for (int i = 0; i < mb; i++) HELD.add(new byte[1 << 20]);
        }
        return mb;
    };
    static final Fn0<Integer> RELEASE = () -> {
        synchronized (HELD) {
            int n = HELD.size();
            HELD.clear();
            return n;
        }
    };
    static final Fn1<Integer, Integer> LEAK = x -> {
        while (true) {
            synchronized (HELD) {
                HELD.add(new byte[1 << 20]);
            }
            Thread.sleep(20); // 50 MB/s: the monitor (every 0.1 s) sees it pass terminate long before the heap is full
        }
    };
    static final Fn1<Integer, Integer> INC = x -> x + 1;

    static String status(Client client) {
        return client.workerInfo().values().iterator().next().status();
    }

    @Test
    void aWorkerPastPauseStartsNothingNewUntilMemoryIsReleasedThenFinishesEverything() throws Exception {
        try (Config.Scope s = Config.set("distributed.worker.memory.target", 0.4, "distributed.worker.memory.spill", 0.45,
                "distributed.worker.memory.pause", 0.5, "distributed.worker.memory.terminate", 0.95);
             LocalCluster cluster = LocalCluster.builder().workers(1).threadsPerWorker(2).processes(true).memoryLimit("256MiB")
                     .dashboardAddress(null).build();
             Client client = Client.connect(cluster)) {
            assertEquals(150, client.submit(HOLD, 150).result()); // 150 MB held after it returns: past pause (128 MiB)
            await("the worker to pause", 60, () -> status(client).equals("paused"));
            List<Future<Integer>> later = client.map(INC, IntStream.range(0, 6).boxed().collect(Collectors.toList()));
            Thread.sleep(2000);
            for (Future<Integer> f : later) assertFalse(f.done(), "started while paused: " + f);
            assertEquals("paused", status(client));
            String story = String.join("\n", client.story(later.get(0).key()));
            assertTrue(story.contains("paused"), story);
            assertEquals(150, client.run(RELEASE).values().iterator().next()); // runs beside tasks, not as one
            List<Integer> got = client.gather(later);
            assertEquals(List.of(1, 2, 3, 4, 5, 6), got);
            await("the worker to say it resumed", 30, () -> status(client).equals("running"));
            String logs = cluster.logs().toString();
            assertTrue(logs.contains("paused:") && logs.contains("resumed:"), logs);
            assertEquals(0, cluster.nannies().get(0).restarts());
        }
    }

    @Test
    void aTaskLeakingPastTerminateOnEveryTryEndsInKilledWorker() throws Exception {
        try (Config.Scope s = Config.set("distributed.worker.memory.target", 0.4, "distributed.worker.memory.spill", 0.45,
                "distributed.worker.memory.pause", 0.5, "distributed.worker.memory.terminate", 0.6,
                "distributed.scheduler.allowed-failures", 2);
             LocalCluster cluster = LocalCluster.builder().workers(1).threadsPerWorker(1).processes(true).memoryLimit("256MiB")
                     .dashboardAddress(null).startTimeoutMillis(120_000).build();
             Client client = Client.connect(cluster)) {
            Future<Integer> leak = client.submit(LEAK, 1);
            Exception e = assertThrows(Exception.class, () -> leak.result(400, TimeUnit.SECONDS));
            Throwable cause = e instanceof KilledWorkerException ? e : e.getCause();
            assertInstanceOf(KilledWorkerException.class, cause, WorkerMemoryTest.describe(e));
            assertTrue(cause.getMessage().contains(leak.key().toString()), cause.getMessage());
            Nanny nanny = cluster.nannies().get(0);
            await("the nanny's second restart", 60, () -> nanny.restarts() >= 2); // it tells the scheduler first
            String logs = String.join("\n", nanny.logs());
            assertTrue(logs.contains("restarting: memory"), logs);
            // the worker the nanny started last is healthy and runs work
            await("a worker again", 120, () -> client.workerAddresses().size() == 1);
            assertEquals(8, client.submit(INC, 7).result(120, TimeUnit.SECONDS));
        }
    }
}

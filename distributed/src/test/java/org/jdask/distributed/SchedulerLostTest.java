package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jdask.Config;
import org.jdask.fn.Fn1;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Workers and a scheduler that goes away (issue 21 item 3), on real TCP sockets: a worker notices
 * the silence, drops its orphaned work (its running task is interrupted), and registers again with a
 * scheduler started at the same address; with a death timeout and no scheduler it closes; a worker
 * JVM under a nanny lives through the gap. The times printed are the RESULTS figures.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class SchedulerLostTest {
    static final Fn1<Integer, Integer> INC = x -> x + 1;

    static int port(String tcp) {
        return RawZmtp.address(tcp).getPort();
    }

    static boolean registered(SchedulerServer s, String worker) {
        for (Map<String, Object> w : s.workers()) if (worker.equals(w.get("address"))) return true;
        return false;
    }

    @Test
    void aWorkerDropsOrphanedWorkAndRegistersWithASchedulerRestartedAtTheSameAddress() throws Exception {
        SchedulerServer first = SchedulerServer.start("127.0.0.1", 0);
        int port = port(first.address());
        try (var cfg = Config.set("distributed.comm.timeouts.scheduler-lost", 2.0, "distributed.comm.timeouts.connect", 3.0);
             Worker w = Worker.start(first.address(), Worker.Options.defaults().withThreads(1).withName("survivor"))) {
            Client old = Client.connect(first.address()); // kept open: closing it would cancel the task
            old.submit(HourSleeper.task("orphan"), 1, SubmitOptions.defaults().withPure(false));
            assertTrue(HourSleeper.started("orphan").await(60, TimeUnit.SECONDS), "the task started");
            long lostAt = System.nanoTime();
            first.close(); // from the worker's side like kill -9: no goodbye, just silence
            RawZmtp.await(() -> HourSleeper.interrupted("orphan"), 60_000, "the orphaned task was interrupted");
            long detectedMs = (System.nanoTime() - lostAt) / 1_000_000;
            old.close();
            assertTrue(detectedMs >= 1_000, "dropped because the scheduler was silent, not earlier: " + detectedMs + " ms");
            assertEquals(0, w.dataSize());
            Thread.sleep(3_000); // a gap with no scheduler: the worker keeps trying
            SchedulerServer second = SchedulerServer.start("127.0.0.1", port);
            try {
                long restartedAt = System.nanoTime();
                RawZmtp.await(() -> registered(second, w.address()), 60_000, "the worker registered again: " + second.workers());
                long reRegisterMs = (System.nanoTime() - restartedAt) / 1_000_000;
                System.out.printf("RESULTS scheduler lost: detected after %d ms (scheduler-lost 2 s), re-registered %d ms after the restart%n",
                        detectedMs, reRegisterMs);
                try (Client c = Client.connect(second.address())) {
                    assertEquals(List.of(2, 3), c.gather(c.map(INC, List.of(1, 2))));
                }
            } finally {
                second.close();
            }
        } finally {
            first.close();
        }
    }

    @Test
    void withoutASchedulerAWorkerClosesAfterItsDeathTimeout() throws Exception {
        SchedulerServer s = SchedulerServer.start("127.0.0.1", 0);
        try (var cfg = Config.set("distributed.comm.timeouts.scheduler-lost", 1.0, "distributed.worker.death-timeout", 2.0);
             Worker w = Worker.start(s.address(), Worker.Options.defaults().withThreads(1))) {
            CountDownLatch closed = new CountDownLatch(1);
            w.onClose(closed::countDown);
            s.close();
            assertTrue(closed.await(60, TimeUnit.SECONDS), "the worker closed itself");
            assertTrue(w.diedOfTimeout());
            assertFalse(w.restartRequested());
        } finally {
            s.close();
        }
    }

    @Test
    void aWorkerJvmUnderANannyLivesThroughTheGapAndRegistersAgain() throws Exception {
        SchedulerServer first = SchedulerServer.start("127.0.0.1", 0);
        int port = port(first.address());
        Nanny nanny;
        try (var cfg = Config.set("distributed.comm.timeouts.scheduler-lost", 2.0, "distributed.comm.timeouts.connect", 3.0)) {
            nanny = Nanny.start(first.address(), Worker.Options.defaults().withThreads(1), 120_000);
        }
        try (nanny) {
            String worker = nanny.workerAddress(10_000);
            long pid = nanny.process().pid();
            RawZmtp.await(() -> registered(first, worker), 60_000, "registered");
            first.close();
            Thread.sleep(6_000); // well past scheduler-lost: the worker has noticed and keeps trying
            SchedulerServer second = SchedulerServer.start("127.0.0.1", port);
            try {
                RawZmtp.await(() -> registered(second, worker), 90_000, "the worker JVM registered again; its output: " + nanny.logs());
                assertEquals(pid, nanny.process().pid(), "the same JVM: " + nanny.logs());
                assertEquals(0, nanny.restarts());
                try (Client c = Client.connect(second.address())) {
                    assertEquals(5, c.submit(INC, 4).result(60, TimeUnit.SECONDS));
                }
            } finally {
                second.close();
            }
        } finally {
            first.close();
        }
    }
}

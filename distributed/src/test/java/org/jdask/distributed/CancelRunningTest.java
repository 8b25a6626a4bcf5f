package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jdask.fn.Fn1;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Cancelling a running task (issue 21 item 4) on a 2-worker x 1-thread cluster: the task is
 * interrupted on its worker, the scheduler counts its thread as taken until the worker confirms,
 * and small tasks submitted after the cancel all finish, even when the cancelled task ignores the
 * interrupt (work queued behind its thread is stolen by the idle worker).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CancelRunningTest {
    static final Fn1<Integer, Integer> INC = x -> x + 1;
    static final CountDownLatch SPINNING = new CountDownLatch(1);
    static volatile boolean spin = true;

    /** Deaf to interrupts: keeps its thread until the test lets it go. */
    static final Fn1<Integer, Integer> SPIN = x -> {
        SPINNING.countDown();
        while (spin) Thread.onSpinWait();
        return x;
    };

    static List<Integer> tenSmallTasks(Client c) throws Exception {
        List<Future<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 10; i++) fs.add(c.submit(INC, i, SubmitOptions.defaults().withPure(false)));
        List<Integer> out = new ArrayList<>();
        for (Future<Integer> f : fs) out.add(f.result(120, TimeUnit.SECONDS));
        return out;
    }

    static final List<Integer> ONE_TO_TEN = List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);

    @Test
    void cancellingARunningTaskInterruptsItOnItsWorker() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(false).build();
             Client c = Client.connect(cluster)) {
            Future<Integer> sleeper = c.submit(HourSleeper.task("cancel"), 1, SubmitOptions.defaults().withPure(false));
            assertTrue(HourSleeper.started("cancel").await(60, TimeUnit.SECONDS), "the task started");
            Thread.sleep(1_000);
            assertTrue(sleeper.cancel());
            RawZmtp.await(() -> HourSleeper.interrupted("cancel"), 60_000, "the running task was interrupted");
            assertEquals(ONE_TO_TEN, tenSmallTasks(c));
            RawZmtp.await(() -> cluster.workers().stream().allMatch(w -> ((Number) w.get("processing")).intValue() == 0), 60_000,
                    "no task left processing: " + cluster.workers());
        }
    }

    @Test
    void workQueuedBehindAThreadStillInsideACancelledTaskIsStolenByTheIdleWorker() throws Exception {
        spin = true;
        try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(false).build();
             Client c = Client.connect(cluster)) {
            Future<Integer> deaf = c.submit(SPIN, 1, SubmitOptions.defaults().withPure(false));
            assertTrue(SPINNING.await(60, TimeUnit.SECONDS), "the task started");
            assertTrue(deaf.cancel());
            // the spinning thread ignores its interrupt: every small task must still finish, on the other worker
            assertEquals(ONE_TO_TEN, tenSmallTasks(c));
            assertEquals(ONE_TO_TEN, tenSmallTasks(c));
        } finally {
            spin = false;
        }
    }
}

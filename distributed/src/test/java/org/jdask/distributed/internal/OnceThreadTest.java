package org.jdask.distributed.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A once-per-JVM side thread: started once, and a caller may wait (bounded) for it to finish. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OnceThreadTest {
    @Test
    void neverStartedMeansNothingToWaitFor() {
        OnceThread t = new OnceThread("once-test-idle", Thread.NORM_PRIORITY, () -> { });
        assertTrue(t.awaitFinished(0), "a thread never started is not running");
    }

    @Test
    void startsOnceAndAWaiterSeesItFinishOrTimesOut() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        OnceThread t = new OnceThread("once-test-body", Thread.NORM_PRIORITY, () -> {
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(t.start());
        assertFalse(t.start(), "a second start does nothing");
        assertFalse(t.awaitFinished(50), "still running: the wait gives up after its timeout");
        release.countDown();
        assertTrue(t.awaitFinished(20_000), "finished once its body returned");
        assertTrue(t.awaitFinished(0));
    }

    @Test
    void aBodyThatThrowsStillCountsAsFinished() {
        OnceThread t = new OnceThread("once-test-throws", Thread.NORM_PRIORITY, () -> {
            throw new IllegalStateException("warm-up failed on purpose");
        });
        Thread.UncaughtExceptionHandler old = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((th, e) -> { });
        try {
            assertTrue(t.start());
            assertTrue(t.awaitFinished(20_000), "a failed warm-up never holds a submit up");
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(old);
        }
    }
}

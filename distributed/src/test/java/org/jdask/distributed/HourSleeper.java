package org.jdask.distributed;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jdask.fn.Fn1;

/**
 * A task that sleeps an hour unless interrupted, for tests of what stops a running task. Its state
 * lives in static maps under a name (a worker in this JVM may receive the task serialized, so
 * nothing it captures besides the name would be shared with the test).
 */
final class HourSleeper {
    private static final Map<String, CountDownLatch> STARTED = new ConcurrentHashMap<>();
    private static final Map<String, AtomicBoolean> INTERRUPTED = new ConcurrentHashMap<>();

    private HourSleeper() {}

    static Fn1<Integer, Integer> task(String name) {
        started(name);
        interruptedFlag(name);
        return x -> {
            started(name).countDown();
            try {
                Thread.sleep(3_600_000);
            } catch (InterruptedException e) {
                interruptedFlag(name).set(true);
                throw e;
            }
            return x;
        };
    }

    static CountDownLatch started(String name) {
        return STARTED.computeIfAbsent(name, k -> new CountDownLatch(1));
    }

    static boolean interrupted(String name) {
        return interruptedFlag(name).get();
    }

    private static AtomicBoolean interruptedFlag(String name) {
        return INTERRUPTED.computeIfAbsent(name, k -> new AtomicBoolean());
    }
}

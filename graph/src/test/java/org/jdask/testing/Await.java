package org.jdask.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The one way tests wait for something to become true: poll {@code condition}
 * until it holds or {@code timeout} passes, then fail naming what was awaited (and, with a
 * {@code detail}, the state at the deadline). No test decides what it exercises by a fixed sleep. Lives in the graph test-jar
 * so every module's tests share it.
 */
public final class Await {
    private Await() {}

    /** Waits until {@code condition} holds; fails after {@code timeout} with {@code description}. */
    public static void until(BooleanSupplier condition, Duration timeout, String description) {
        until(condition, timeout, description, () -> "");
    }

    /** As {@link #until(BooleanSupplier, Duration, String)}; {@code detail} describes the state on failure. */
    public static void until(BooleanSupplier condition, Duration timeout, String description, Supplier<String> detail) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 5;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                String d = detail.get();
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + description
                        + (d.isEmpty() ? "" : "; " + d));
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + description);
            }
            pause = Math.min(100, pause * 2);
        }
    }
}

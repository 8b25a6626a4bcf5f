package org.jdask.distributed.internal;

import java.util.Arrays;
import java.util.Collection;

/** Waiting for threads a component started when it stops. */
public final class Threads {
    private Threads() {}

    /**
     * Waits up to {@code timeoutMs} for each of {@code threads} to end (0: as long as it takes). An
     * interrupt ends the wait and stays set on the calling thread, for its caller to see.
     */
    public static void joinQuietly(long timeoutMs, Collection<Thread> threads) {
        try {
            for (Thread t : threads) t.join(timeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@link #joinQuietly(long, Collection)} of these threads. */
    public static void joinQuietly(long timeoutMs, Thread... threads) {
        joinQuietly(timeoutMs, Arrays.asList(threads));
    }
}

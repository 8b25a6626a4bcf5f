package org.jdask.distributed.internal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A side thread that a JVM runs at most once (the warm-ups: the client's, the cluster pre-start,
 * the bulk cipher's): a daemon, so it never keeps the JVM alive, started by the first
 * {@link #start} only.
 */
public final class OnceThread {
    private final AtomicBoolean started = new AtomicBoolean();
    private final String name;
    private final int priority;
    private final Runnable body;
    private final CountDownLatch finished = new CountDownLatch(1);

    /** A thread named {@code name} running {@code body} at {@code priority} ({@link Thread#NORM_PRIORITY} for most). */
    public OnceThread(String name, int priority, Runnable body) {
        this.name = name;
        this.priority = priority;
        this.body = body;
    }

    /** Starts the thread unless it was started before; whether this call started it. */
    public boolean start() {
        if (!started.compareAndSet(false, true)) return false;
        Thread t = new Thread(() -> {
            try {
                body.run();
            } finally {
                finished.countDown();
            }
        }, name);
        t.setDaemon(true);
        t.setPriority(priority);
        t.start();
        return true;
    }

    /**
     * Waits at most {@code timeoutMs} for a started thread to finish; at once when it was never
     * started or has finished. Whether it is not running any more.
     */
    public boolean awaitFinished(long timeoutMs) {
        if (!started.get()) return true;
        try {
            return finished.await(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return finished.getCount() == 0;
        }
    }
}

package org.jdask.distributed.internal;

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

    /** A thread named {@code name} running {@code body} at {@code priority} ({@link Thread#NORM_PRIORITY} for most). */
    public OnceThread(String name, int priority, Runnable body) {
        this.name = name;
        this.priority = priority;
        this.body = body;
    }

    /** Starts the thread unless it was started before; whether this call started it. */
    public boolean start() {
        if (!started.compareAndSet(false, true)) return false;
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.setPriority(priority);
        t.start();
        return true;
    }
}

package org.jdask.graph;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The listeners active for every run in this JVM, like Dask's global callback set. Diagnostics
 * such as {@code ProgressBar} register themselves on construction and unregister on close.
 * Schedulers call the listeners of a run through {@link ListenerCalls}, which contains their failures.
 */
public final class Listeners {
    private static final CopyOnWriteArrayList<SchedulerListener> ACTIVE = new CopyOnWriteArrayList<>();

    private Listeners() {}

    /** Adds {@code l} until the returned handle is closed. */
    public static AutoCloseable register(SchedulerListener l) {
        ACTIVE.add(l);
        return () -> ACTIVE.remove(l);
    }

    public static void unregister(SchedulerListener l) {
        ACTIVE.remove(l);
    }

    /** Calls {@code start} on each listener; a listener that throws is logged, never fails the run ({@link ListenerCalls}). */
    public static void start(List<SchedulerListener> listeners, TaskGraph graph) {
        new ListenerCalls(listeners).start(graph);
    }

    /** Calls {@code finish} on each listener; a listener that throws is logged, never hides {@code error}. */
    public static void finish(List<SchedulerListener> listeners, Throwable error) {
        new ListenerCalls(listeners).finish(error);
    }

    /** A snapshot of the active listeners. */
    public static List<SchedulerListener> active() {
        return List.copyOf(ACTIVE);
    }
}

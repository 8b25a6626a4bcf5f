package org.jdask.graph;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The listeners active for every run in this JVM, like Dask's global callback set. Diagnostics
 * such as {@code ProgressBar} register themselves on construction and unregister on close.
 */
public final class Listeners {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Listeners.class);
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

    /** Calls {@code start} on each listener; a listener that throws is logged, never fails the run. */
    public static void start(List<SchedulerListener> listeners, TaskGraph graph) {
        for (SchedulerListener l : listeners) {
            try {
                l.start(graph);
            } catch (RuntimeException e) {
                LOG.warn("listener {} failed in start", l, e);
            }
        }
    }

    /** Calls {@code finish} on each listener; a listener that throws is logged, never hides {@code error}. */
    public static void finish(List<SchedulerListener> listeners, Throwable error) {
        for (SchedulerListener l : listeners) {
            try {
                l.finish(error);
            } catch (RuntimeException e) {
                LOG.warn("listener {} failed in finish", l, e);
            }
        }
    }

    /** A snapshot of the active listeners. */
    public static List<SchedulerListener> active() {
        return List.copyOf(ACTIVE);
    }
}

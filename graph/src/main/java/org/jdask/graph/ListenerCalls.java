package org.jdask.graph;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners of one run, called the same way by every scheduler: a listener that throws is
 * logged and skipped. Its exception never fails the run, never replaces the run's own error, and
 * the listener keeps getting its later callbacks (a progress bar whose {@code start} threw still
 * gets {@code finish}); the other listeners are called as if nothing happened. The first failure
 * of a listener in a run is logged at WARN with its stack, later ones at DEBUG, so a listener
 * failing on every task does not flood the log. Thread-safe: workers call {@code pretask} and
 * {@code posttask} concurrently.
 */
public final class ListenerCalls {
    private static final Logger LOG = LoggerFactory.getLogger(ListenerCalls.class);

    private final List<SchedulerListener> listeners;
    /** Listeners that already threw in this run (later failures are logged at DEBUG). */
    private final Set<SchedulerListener> noisy = ConcurrentHashMap.newKeySet();

    public ListenerCalls(List<SchedulerListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    /** No listener: schedulers skip the calls (and the work to prepare their arguments). */
    public boolean isEmpty() {
        return listeners.isEmpty();
    }

    public void start(TaskGraph graph) {
        for (SchedulerListener l : listeners) {
            try {
                l.start(graph);
            } catch (RuntimeException e) {
                failed(l, "start", e);
            }
        }
    }

    public void pretask(Key key, int worker) {
        for (SchedulerListener l : listeners) {
            try {
                l.pretask(key, worker);
            } catch (RuntimeException e) {
                failed(l, "pretask(" + key + ")", e);
            }
        }
    }

    public void posttask(Key key, Object result, int worker, boolean failed) {
        for (SchedulerListener l : listeners) {
            try {
                l.posttask(key, result, worker, failed);
            } catch (RuntimeException e) {
                failed(l, "posttask(" + key + ")", e);
            }
        }
    }

    /** The run ended ({@code error} null on success). */
    public void finish(Throwable error) {
        for (SchedulerListener l : listeners) {
            try {
                l.finish(error);
            } catch (RuntimeException e) {
                failed(l, "finish", e);
            }
        }
    }

    private void failed(SchedulerListener l, String where, RuntimeException e) {
        if (noisy.add(l)) {
            LOG.warn("listener {} failed in {} (ignored; further failures of it in this run are logged at debug level)", l, where, e);
        } else {
            LOG.debug("listener {} failed in {}", l, where, e);
        }
    }
}

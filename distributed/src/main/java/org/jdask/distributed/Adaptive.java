package org.jdask.distributed;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdask.Config;
import org.jdask.distributed.internal.Threads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scales a {@link Cluster} between a minimum and a maximum number of workers by itself (Dask's
 * {@code Adaptive}); made by {@link Cluster#adapt(int, int)}.
 *
 * <p>How it works: every {@link #interval} a daemon thread reads the scheduler's
 * {@link ClusterLoad} and computes a target: the tasks the cluster has (processing + queued +
 * unrunnable) divided by the threads of one worker, clamped to {@code [min, max]}. Above the
 * cluster's {@link Cluster#size() size} it scales up at once. Below it, it retires only workers
 * that have had nothing to process for {@link #idleWait} (so a short gap between two bursts does
 * not shrink the cluster), fewest keys first; while tasks remain only workers holding no results;
 * never one that holds the only copy of scattered data (which could not be recomputed). What a
 * retired worker held is recomputed from the graph if it is needed again (Dask moves it to the
 * remaining workers instead; jdask has no such transfer yet). Defaults from config {@code distributed.adaptive.interval} (1 s) and
 * {@code distributed.adaptive.wait} (3 s).
 */
public final class Adaptive implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Adaptive.class);
    private static final int HISTORY = 100;

    private final Cluster cluster;
    private final int min, max;
    private volatile long intervalMs = Config.getDuration("distributed.adaptive.interval", Duration.ofSeconds(1)).toMillis();
    private volatile long waitMs = Config.getDuration("distributed.adaptive.wait", Duration.ofSeconds(3)).toMillis();
    private volatile boolean running = true;
    private final Map<String, Long> idleSince = new HashMap<>();
    private final Deque<String> history = new ArrayDeque<>();
    private final Thread thread;

    Adaptive(Cluster cluster, int min, int max) {
        if (min < 0) throw new IllegalArgumentException("adapt: minimum must be >= 0, got " + min);
        if (max < min) throw new IllegalArgumentException("adapt: maximum " + max + " is below minimum " + min);
        this.cluster = cluster;
        this.min = min;
        this.max = max;
        thread = new Thread(this::loop, "jdask-adaptive");
        thread.setDaemon(true);
        thread.start();
    }

    /** How often the load is checked (default 1 s). */
    public Adaptive interval(Duration d) {
        intervalMs = positive(d, "interval");
        synchronized (this) {
            notifyAll(); // take the new interval now
        }
        return this;
    }

    /** How long a worker must have been idle before it is retired (default 3 s). */
    public Adaptive idleWait(Duration d) {
        waitMs = positive(d, "idleWait");
        return this;
    }

    private static long positive(Duration d, String what) {
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(what + " must be positive, got " + d);
        return d.toMillis();
    }

    public int minimum() {
        return min;
    }

    public int maximum() {
        return max;
    }

    /** Whether the loop still runs. */
    public boolean isRunning() {
        return running;
    }

    /** The decisions taken so far ("scale up to 4: 40 tasks ..."), oldest first, the last 100. */
    public List<String> history() {
        synchronized (history) {
            return new ArrayList<>(history);
        }
    }

    private void loop() {
        while (running) {
            try {
                step(System.currentTimeMillis());
            } catch (RuntimeException e) {
                if (running) LOG.warn("adaptive scaling step failed: {}", e.toString());
            }
            try {
                synchronized (this) {
                    if (running) wait(intervalMs);
                }
            } catch (InterruptedException e) {
                // stop()
            }
        }
    }

    /** One decision: scale up, retire idle workers, or nothing. */
    void step(long now) {
        ClusterLoad load = cluster.load();
        int size = cluster.size();
        List<Map<String, Object>> ws = load.workers();
        int perWorker = ws.isEmpty() ? 1 : Math.max(1, load.threads() / ws.size());
        int demand = load.demand();
        int target = Math.max(min, Math.min(max, (demand + perWorker - 1) / perWorker));
        Set<String> seen = new HashSet<>();
        for (Map<String, Object> w : ws) {
            String a = (String) w.get("address");
            seen.add(a);
            if (((Number) w.get("processing")).intValue() == 0) idleSince.putIfAbsent(a, now);
            else idleSince.remove(a);
        }
        idleSince.keySet().retainAll(seen);
        if (target > size) {
            note("scale up from " + size + " to " + target + " workers: " + demand + " tasks (" + load.queued() + " queued, "
                    + load.unrunnable() + " unrunnable), " + perWorker + " threads per worker");
            cluster.scale(target);
            return;
        }
        if (target >= size) return;
        List<Map<String, Object>> idle = new ArrayList<>();
        for (Map<String, Object> w : ws) {
            Long since = idleSince.get((String) w.get("address"));
            if (since == null || now - since < waitMs || ((Number) w.getOrDefault("sole", 0)).intValue() > 0) continue;
            // while work remains, a worker's results are likely needed soon: retire only empty ones
            if (demand == 0 || ((Number) w.get("keys")).intValue() == 0) idle.add(w);
        }
        if (idle.isEmpty()) return;
        idle.sort(Comparator.comparingInt(w -> ((Number) w.get("keys")).intValue()));
        List<String> retire = new ArrayList<>();
        for (int i = 0; i < Math.min(size - target, idle.size()); i++) retire.add((String) idle.get(i).get("address"));
        note("scale down from " + size + " to " + (size - retire.size()) + " workers: " + demand + " tasks, retire idle " + retire);
        cluster.retireWorkers(retire);
        for (String a : retire) idleSince.remove(a);
    }

    private void note(String what) {
        LOG.info("adaptive: {}", what);
        synchronized (history) {
            history.addLast(what);
            if (history.size() > HISTORY) history.removeFirst();
        }
    }

    /**
     * A cluster's one current {@code adapt}: installing a new one stops the one it replaces, outside
     * any lock (its thread may be waiting for the cluster). The cluster managers share this.
     */
    static final class Slot {
        private Adaptive current;

        /** Makes {@code next} (or none, if null) the cluster's adapt and stops the previous one. */
        Adaptive replace(Adaptive next) {
            Adaptive old;
            synchronized (this) {
                old = current;
                current = next;
            }
            if (old != null) old.stop();
            return next;
        }
    }

    /** Stops adapting; the workers there are now stay. */
    public void stop() {
        running = false;
        thread.interrupt();
        if (Thread.currentThread() != thread) Threads.joinQuietly(10_000, thread);
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "Adaptive(min=" + min + ", max=" + max + ", interval=" + intervalMs + " ms, idleWait=" + waitMs + " ms)";
    }
}

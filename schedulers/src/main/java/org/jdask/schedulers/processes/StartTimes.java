package org.jdask.schedulers.processes;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * When each worker JVM of one pool start was spawned and when it connected back, in milliseconds
 * since the start began: the log line that shows the JVMs start in parallel (every spawn before
 * the first connect), and what a test checks without timing anything.
 */
final class StartTimes {
    static final StartTimes NONE = new StartTimes(0, List.of());

    private final long t0;
    private final Map<Integer, long[]> bySlot = new TreeMap<>();

    StartTimes(long t0, List<Integer> slots) {
        this.t0 = t0;
        for (int s : slots) bySlot.put(s, new long[] {-1, -1});
    }

    synchronized void spawned(int slot) {
        bySlot.get(slot)[0] = System.nanoTime();
    }

    synchronized void connected(int slot) {
        bySlot.get(slot)[1] = System.nanoTime();
    }

    /** True when every JVM was spawned before the first one connected (none waited for another). */
    synchronized boolean allSpawnedBeforeFirstConnect() {
        long lastSpawn = Long.MIN_VALUE, firstConnect = Long.MAX_VALUE;
        for (long[] t : bySlot.values()) {
            if (t[0] < 0 || t[1] < 0) return false;
            lastSpawn = Math.max(lastSpawn, t[0]);
            firstConnect = Math.min(firstConnect, t[1]);
        }
        return !bySlot.isEmpty() && lastSpawn <= firstConnect;
    }

    /** Milliseconds from the start's beginning until the first and the last JVM connected ({-1, -1} before any did). */
    synchronized long[] connectMillis() {
        long first = -1, last = -1;
        for (long[] t : bySlot.values()) {
            long m = ms(t[1]);
            if (m < 0) continue;
            first = first < 0 ? m : Math.min(first, m);
            last = Math.max(last, m);
        }
        return new long[] {first, last};
    }

    synchronized int size() {
        return bySlot.size();
    }

    @Override
    public synchronized String toString() {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<Integer, long[]> e : bySlot.entrySet()) {
            if (b.length() > 0) b.append(", ");
            b.append("worker-").append(e.getKey()).append(" spawned +").append(ms(e.getValue()[0])).append(" ms, connected +")
                    .append(ms(e.getValue()[1])).append(" ms");
        }
        return b.toString();
    }

    private long ms(long t) {
        return t < 0 ? -1 : (t - t0) / 1_000_000;
    }
}

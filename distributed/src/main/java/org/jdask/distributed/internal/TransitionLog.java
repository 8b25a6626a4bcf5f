package org.jdask.distributed.internal;

import java.util.ArrayList;
import java.util.List;
import org.jdask.graph.Key;

/**
 * A bounded ring of recent transitions, scheduler- or worker-wide (Dask's {@code transition_log}):
 * {@link #story(Key)} answers "what happened to this key, and why", which is how a stuck task is
 * explained. Oldest entries are overwritten once {@code capacity} is reached.
 */
public final class TransitionLog {
    /** One transition: which key, from and to which state, the reason, and when (ms since epoch). */
    public record Entry(Key key, String from, String to, String reason, long timeMillis) {
        @Override
        public String toString() {
            return key + ": " + from + " -> " + to + " (" + reason + ") @" + timeMillis;
        }
    }

    private final Entry[] ring;
    private long count;

    public TransitionLog(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("transition log capacity must be >= 1, got " + capacity);
        this.ring = new Entry[capacity];
    }

    public void add(Key key, Object from, Object to, String reason, long timeMillis) {
        ring[(int) (count++ % ring.length)] = new Entry(key, String.valueOf(from), String.valueOf(to), reason, timeMillis);
    }

    /** The entries about {@code key}, oldest first (only those still in the ring). */
    public List<Entry> story(Key key) {
        List<Entry> out = new ArrayList<>();
        long start = Math.max(0, count - ring.length);
        for (long i = start; i < count; i++) {
            Entry e = ring[(int) (i % ring.length)];
            if (e.key().equals(key)) out.add(e);
        }
        return out;
    }

    /** Number of transitions ever logged (also those overwritten). */
    public long total() {
        return count;
    }
}

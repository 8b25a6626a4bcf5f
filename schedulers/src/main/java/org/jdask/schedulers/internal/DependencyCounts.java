package org.jdask.schedulers.internal;

import org.jdask.graph.IndexedGraph;

/**
 * The completion and release bookkeeping every local engine shares: per task, how many
 * dependencies have not finished ({@link #waiting}) and how many readers still need its value
 * ({@link #remaining}: unfinished dependents, plus one for a requested output, which is never
 * released). When a task finishes, {@link #finished} releases each dependency whose last reader
 * it was, the task itself when nobody reads it, and reports each dependent whose last input it
 * was. What "released" and "ready" mean (clear a cache slot, tell a worker JVM to drop a value;
 * push on a heap or un-park) is the engine's, through {@link Moves}.
 */
public final class DependencyCounts {
    /** What an engine does when a value is no longer needed, and when a task has all its inputs. */
    public interface Moves {
        /** Nobody needs {@code d}'s value any more. */
        void released(int d);

        /** Every dependency of {@code u} has finished. */
        void inputsDone(int u);
    }

    private final IndexedGraph g;
    /** Per task: dependencies not finished yet. */
    public final int[] waiting;
    /** Per task: readers not finished yet, plus one when it is an output. */
    public final int[] remaining;

    /** The counts at the start of a run of {@code g} with these outputs (repeats allowed). */
    public DependencyCounts(IndexedGraph g, int[] outputs) {
        this.g = g;
        int n = g.size();
        waiting = new int[n];
        remaining = new int[n];
        for (int i = 0; i < n; i++) {
            waiting[i] = g.dependencyCount(i);
            remaining[i] = g.dependentCount(i);
        }
        for (int i : outputs) if (remaining[i] == g.dependentCount(i)) remaining[i]++; // a repeated output counts once
    }

    /** Task {@code t} finished: release its inputs it was the last reader of (and itself if unread), report dependents now ready. */
    public void finished(int t, Moves m) {
        IndexedGraph graph = g;
        for (int j = 0, c = graph.dependencyCount(t); j < c; j++) release(graph.dependency(t, j), m);
        if (remaining[t] == 0) m.released(t);
        for (int j = 0, c = graph.dependentCount(t); j < c; j++) {
            int u = graph.dependent(t, j);
            if (--waiting[u] == 0) m.inputsDone(u);
        }
    }

    /** One reader of {@code d} finished; at zero readers {@code d} is released. */
    public void release(int d, Moves m) {
        if (remaining[d] > 0 && --remaining[d] > 0) return;
        m.released(d);
    }
}

package org.jdask.graph;

import java.util.HashMap;
import java.util.Map;

/**
 * Static ordering of a graph: a priority per task (lower runs first among ready tasks), chosen so
 * that the schedulers finish one branch before starting the next and memory stays low.
 *
 * <p>PLACEHOLDER: a depth-first topological order; to be replaced by the real ordering.
 */
public final class Order {
    private Order() {}

    /** Priority per key (0 = first). */
    public static Map<Key, Integer> priorities(TaskGraph graph) {
        IndexedGraph g = IndexedGraph.of(graph);
        int[] p = priorities(g);
        Map<Key, Integer> out = new HashMap<>(g.size() * 4 / 3 + 1);
        for (int i = 0; i < g.size(); i++) out.put(g.key(i), p[i]);
        return out;
    }

    /** Priority per task index of {@code g} (0 = first); a permutation of 0..n-1. */
    public static int[] priorities(IndexedGraph g) {
        int n = g.size();
        int[] waiting = new int[n];
        int[] stack = new int[n];
        int sp = 0;
        for (int i = n - 1; i >= 0; i--) {
            waiting[i] = g.dependencyCount(i);
            if (waiting[i] == 0) stack[sp++] = i;
        }
        int[] prio = new int[n];
        int next = 0;
        while (sp > 0) {
            int t = stack[--sp];
            prio[t] = next++;
            for (int j = g.dependentCount(t) - 1; j >= 0; j--) {
                int d = g.dependent(t, j);
                if (--waiting[d] == 0) stack[sp++] = d;
            }
        }
        if (next != n) Graphs.toposort(rebuild(g)); // throws CycleException naming the cycle
        return prio;
    }

    private static TaskGraph rebuild(IndexedGraph g) {
        TaskGraph.Builder b = TaskGraph.builder(g.size());
        for (int i = 0; i < g.size(); i++) b.put(g.key(i), g.node(i));
        return b.build();
    }
}

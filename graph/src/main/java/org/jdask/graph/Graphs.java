package org.jdask.graph;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdask.CycleException;

/**
 * The one place graphs are walked. Every walk is iterative (an explicit stack or queue), so a
 * 100,000-task chain cannot overflow the call stack.
 */
public final class Graphs {
    private Graphs() {}

    /**
     * Keys in dependency order (each key after everything it reads that is in the graph; reads of
     * keys outside the graph are ignored). Ties are broken by graph insertion order, so the result
     * is deterministic. Fails with {@link CycleException} listing one cycle.
     */
    public static List<Key> toposort(TaskGraph graph) {
        Map<Key, Node> nodes = graph.nodes();
        Map<Key, int[]> pending = new HashMap<>(nodes.size() * 4 / 3 + 1);
        ArrayDeque<Key> ready = new ArrayDeque<>();
        for (Map.Entry<Key, Node> e : nodes.entrySet()) {
            int n = 0;
            for (Key d : e.getValue().dependencies()) if (nodes.containsKey(d)) n++;
            if (n == 0) ready.add(e.getKey());
            else pending.put(e.getKey(), new int[] {n});
        }
        Map<Key, List<Key>> dependents = graph.dependents();
        List<Key> order = new ArrayList<>(nodes.size());
        while (!ready.isEmpty()) {
            Key k = ready.poll();
            order.add(k);
            for (Key dep : dependents.getOrDefault(k, List.of())) {
                int[] c = pending.get(dep);
                if (--c[0] == 0) {
                    pending.remove(dep);
                    ready.add(dep);
                }
            }
        }
        if (order.size() != nodes.size()) {
            throw new CycleException(findCycle(graph, pending.keySet()));
        }
        return order;
    }

    /** Finds one cycle among {@code candidates} (keys left over by Kahn's algorithm). */
    static List<Key> findCycle(TaskGraph graph, Set<Key> candidates) {
        // Every leftover key has a leftover dependency, so following dependencies must revisit a key.
        Key start = candidates.stream().sorted().findFirst().orElseThrow();
        Map<Key, Integer> seenAt = new HashMap<>();
        List<Key> path = new ArrayList<>();
        Key k = start;
        while (!seenAt.containsKey(k)) {
            seenAt.put(k, path.size());
            path.add(k);
            Key next = null;
            for (Key d : graph.get(k).dependencies()) {
                if (candidates.contains(d)) {
                    next = d;
                    break;
                }
            }
            k = next;
        }
        List<Key> cycle = new ArrayList<>(path.subList(seenAt.get(k), path.size()));
        cycle.add(k);
        Collections.reverse(cycle); // print in execution direction: a -> b means b reads a
        return cycle;
    }

    /**
     * Every key reachable from {@code roots} by following dependencies (roots included; keys the
     * graph reads but does not define are included too, and not followed). The walk behind {@link
     * Optimize#cull}.
     */
    public static Set<Key> ancestors(TaskGraph graph, Collection<Key> roots) {
        Set<Key> seen = new HashSet<>(Math.max(16, graph.size() * 4 / 3 + 1));
        ArrayDeque<Key> stack = new ArrayDeque<>();
        for (Key r : roots) if (seen.add(r)) stack.push(r);
        while (!stack.isEmpty()) {
            Node n = graph.getOrNull(stack.pop());
            if (n == null) continue;
            for (Key d : n.dependencies()) if (seen.add(d)) stack.push(d);
        }
        return seen;
    }

    /** Every key that (transitively) reads one of {@code roots}, roots included. */
    public static Set<Key> descendants(TaskGraph graph, Collection<Key> roots) {
        Map<Key, List<Key>> dependents = graph.dependents();
        Set<Key> seen = new HashSet<>(roots);
        ArrayDeque<Key> stack = new ArrayDeque<>(roots);
        while (!stack.isEmpty()) {
            for (Key d : dependents.getOrDefault(stack.pop(), List.of())) if (seen.add(d)) stack.push(d);
        }
        return seen;
    }
}

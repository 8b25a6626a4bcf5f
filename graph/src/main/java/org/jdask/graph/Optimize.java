package org.jdask.graph;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * Graph optimization passes: small pure functions from graph to graph. None mutates its input;
 * none recurses along the graph (a 100,000-task chain is fine).
 */
public final class Optimize {
    private Optimize() {}

    /**
     * Keeps only the tasks {@code outputs} need. Keys the graph reads but does not define are
     * left for the scheduler to report.
     */
    public static TaskGraph cull(TaskGraph graph, Collection<Key> outputs) {
        Set<Key> keep = new HashSet<>(Math.max(16, graph.size() * 4 / 3 + 1));
        ArrayDeque<Key> stack = new ArrayDeque<>();
        for (Key k : outputs) {
            if (!graph.contains(k)) throw new java.util.NoSuchElementException("output key " + k + " is not in the graph");
            if (keep.add(k)) stack.push(k);
        }
        while (!stack.isEmpty()) {
            Node n = graph.getOrNull(stack.pop());
            if (n == null) continue;
            for (Key d : n.dependencies()) if (keep.add(d)) stack.push(d);
        }
        if (keep.size() >= graph.size() && keep.containsAll(graph.keys())) return graph;
        TaskGraph.Builder b = TaskGraph.builder(keep.size());
        for (var e : graph.nodes().entrySet()) if (keep.contains(e.getKey())) b.put(e.getKey(), e.getValue());
        for (String layer : layerNames(b, graph)) b.annotateLayer(layer, graph.layerAnnotations(layer));
        return b.build();
    }

    private static Set<String> layerNames(TaskGraph.Builder b, TaskGraph g) {
        Set<String> names = new HashSet<>();
        for (Key k : g.keys()) if (b.contains(k) && !g.layerAnnotations(k.name()).isEmpty()) names.add(k.name());
        return names;
    }
}

package org.jdask.graph;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jdask.fn.Fns;

/**
 * What a task-graph picture shows, before any layout: shapes (a box per value, an ellipse per
 * function call) and edges in data-flow direction. {@link Visualize} turns it into DOT text for
 * Graphviz, {@link SvgLayout} into SVG without Graphviz; both draw the same drawing.
 *
 * @param shapes the shapes, in a fixed order (same graph, same drawing)
 * @param edges  the edges between shape ids
 */
record Drawing(List<Shape> shapes, List<Edge> edges) {
    /** One node of the picture; {@code label} may hold newlines. */
    record Shape(String id, String label, boolean ellipse, boolean bold) {}

    /** An arrow {@code from -> to}; dashed for an alias. */
    record Edge(String from, String to, boolean dashed) {}

    /**
     * Graphs larger than this are drawn by layer (one box per key name, token suffixes ignored)
     * to stay readable.
     */
    static final int MAX_DETAILED_NODES = 2000;

    /** The drawing of {@code graph}, highlighting {@code outputs}. */
    static Drawing of(TaskGraph graph, Collection<Key> outputs) {
        return graph.size() > MAX_DETAILED_NODES ? byLayer(graph) : detailed(graph, outputs);
    }

    private static Drawing detailed(TaskGraph graph, Collection<Key> outputs) {
        Set<Key> out = new HashSet<>(outputs);
        List<Shape> shapes = new ArrayList<>();
        List<Edge> edges = new ArrayList<>();
        Map<Key, String> ids = new HashMap<>();
        int n = 0;
        for (Key k : graph.keys()) ids.put(k, "k" + n++);
        for (Map.Entry<Key, Node> e : graph.nodes().entrySet()) {
            String id = ids.get(e.getKey());
            shapes.add(new Shape(id, shortName(e.getKey().toString()), false, out.contains(e.getKey())));
            if (e.getValue() instanceof Task t) {
                String fid = id + "f";
                shapes.add(new Shape(fid, Fns.name(t.function()), true, false));
                edges.add(new Edge(fid, id, false));
                for (Key d : t.dependencies()) {
                    String did = ids.get(d);
                    if (did != null) edges.add(new Edge(did, fid, false));
                }
            } else if (e.getValue() instanceof Alias a) {
                String did = ids.get(a.target());
                if (did != null) edges.add(new Edge(did, id, true));
            }
        }
        return new Drawing(List.copyOf(shapes), List.copyOf(edges));
    }

    /**
     * The overview of a big graph: one box per layer, where layers whose names differ only by a
     * token ({@code inc-3f2a...}, {@code inc-9b1c...}: the calls of one delayed function) are
     * drawn as one box, so a 100,000-call chain is a handful of boxes, not 100,000.
     */
    private static Drawing byLayer(TaskGraph graph) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        Map<String, Set<String>> deps = new HashMap<>();
        for (Layer l : graph.layers().values()) {
            String group = shortName(l.name());
            counts.merge(group, l.keys().size(), Integer::sum);
            Set<String> ds = deps.computeIfAbsent(group, g -> new TreeSet<>()); // sorted: same drawing on every run
            for (String d : l.dependsOn()) ds.add(shortName(d));
        }
        Map<String, String> ids = new HashMap<>();
        int n = 0;
        for (String group : counts.keySet()) ids.put(group, "l" + n++);
        List<Shape> shapes = new ArrayList<>();
        List<Edge> edges = new ArrayList<>();
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            String id = ids.get(e.getKey());
            shapes.add(new Shape(id, e.getKey() + "\n" + e.getValue() + " task(s)", false, false));
            for (String d : deps.get(e.getKey())) {
                if (ids.containsKey(d) && !d.equals(e.getKey())) edges.add(new Edge(ids.get(d), id, false));
            }
        }
        return new Drawing(List.copyOf(shapes), List.copyOf(edges));
    }

    /** Dask-style: drop the long token from names like {@code inc-3f2a...}. */
    static String shortName(String s) {
        return s.replaceAll("-[0-9a-f]{16,}", "");
    }
}

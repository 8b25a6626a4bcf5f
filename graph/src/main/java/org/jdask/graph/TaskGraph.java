package org.jdask.graph;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * An immutable task graph: a map from {@link Key} to {@link Node}, plus optional annotations per
 * layer (a layer is the set of keys sharing a name, see {@link #layers()}).
 *
 * <p>Plain data: two graphs with the same entries are {@code equals}; {@link #toString()} prints
 * one {@code key: node} line per entry in key order. Dependencies may point outside the graph
 * (then the graph is incomplete and a scheduler will refuse it with the missing key named);
 * {@link #validate()} checks that up front.
 */
public final class TaskGraph {
    private static final TaskGraph EMPTY = new TaskGraph(Map.of(), Map.of(), Set.of());

    private final Map<Key, Node> nodes;
    private final Map<String, Map<String, Object>> annotations;
    private volatile Map<Key, List<Key>> dependents;

    /**
     * When known: keys this graph holds exactly the ancestors of (built that way, e.g. by {@code
     * Delayed.graph()}), so culling to a superset of them is a no-op; null when unknown.
     */
    private final Set<Key> closureOf;

    private TaskGraph(Map<Key, Node> nodes, Map<String, Map<String, Object>> annotations, Set<Key> closureOf) {
        this.nodes = nodes;
        this.annotations = annotations;
        this.closureOf = closureOf;
    }

    /**
     * True when every key of this graph is known to be needed by {@code outputs} (so {@link
     * Optimize#cull} can return it unchanged without walking it).
     */
    public boolean knownCulledFor(Collection<Key> outputs) {
        if (closureOf == null) return false;
        if (closureOf.isEmpty()) return nodes.isEmpty();
        return (outputs instanceof Set<?> ? outputs : new java.util.HashSet<>(outputs)).containsAll(closureOf);
    }

    public static TaskGraph empty() {
        return EMPTY;
    }

    /** A graph from a map of nodes (copied). */
    public static TaskGraph of(Map<Key, ? extends Node> nodes) {
        return builder(nodes.size()).putAll(nodes).build();
    }

    /** A graph from alternating key/node arguments, for tests: {@code of(k1, n1, k2, n2)}. */
    public static TaskGraph of(Object... keysAndNodes) {
        if (keysAndNodes.length % 2 != 0) throw new IllegalArgumentException("expected key/node pairs");
        Builder b = builder();
        for (int i = 0; i < keysAndNodes.length; i += 2) {
            b.put((Key) keysAndNodes[i], (Node) keysAndNodes[i + 1]);
        }
        return b.build();
    }

    public static Builder builder() {
        return new Builder(16);
    }

    public static Builder builder(int expectedSize) {
        return new Builder(expectedSize);
    }

    /** The union of graphs; for a key in several graphs the last one wins. */
    public static TaskGraph merge(Collection<TaskGraph> graphs) {
        if (graphs.size() == 1) return graphs.iterator().next();
        int n = 0;
        for (TaskGraph g : graphs) n += g.size();
        Builder b = builder(n);
        Set<Key> closure = new LinkedHashSet<>();
        for (TaskGraph g : graphs) {
            b.putAll(g.nodes);
            g.annotations.forEach(b::annotateLayer);
            if (closure != null && g.closureOf != null) closure.addAll(g.closureOf);
            else closure = null;
        }
        if (closure != null) b.closureOf(closure);
        return b.build();
    }

    public Map<Key, Node> nodes() {
        return nodes;
    }

    public Set<Key> keys() {
        return nodes.keySet();
    }

    public int size() {
        return nodes.size();
    }

    public boolean contains(Key key) {
        return nodes.containsKey(key);
    }

    /** The node of {@code key}; {@link NoSuchElementException} naming the key when absent. */
    public Node get(Key key) {
        Node n = nodes.get(key);
        if (n == null) throw new NoSuchElementException("key " + key + " is not in the graph (" + size() + " keys)");
        return n;
    }

    public Node getOrNull(Key key) {
        return nodes.get(key);
    }

    public List<Key> dependencies(Key key) {
        return get(key).dependencies();
    }

    /** For each key, the keys that read it (computed once, then cached). */
    public Map<Key, List<Key>> dependents() {
        Map<Key, List<Key>> d = dependents;
        if (d == null) {
            Map<Key, List<Key>> m = new HashMap<>(nodes.size() * 4 / 3 + 1);
            for (Map.Entry<Key, Node> e : nodes.entrySet()) {
                for (Key dep : e.getValue().dependencies()) {
                    m.computeIfAbsent(dep, k -> new ArrayList<>(2)).add(e.getKey());
                }
            }
            dependents = d = Collections.unmodifiableMap(m);
        }
        return d;
    }

    /** Keys read by some node but not defined in the graph. */
    public Set<Key> missingKeys() {
        Set<Key> missing = new LinkedHashSet<>();
        for (Node n : nodes.values()) {
            for (Key k : n.dependencies()) if (!nodes.containsKey(k)) missing.add(k);
        }
        return missing;
    }

    /**
     * Checks that every dependency is defined and {@code outputs} are in the graph, failing with
     * {@link NoSuchElementException} naming the missing key and who needs it; and that the graph
     * has no cycle ({@link org.jdask.CycleException}).
     */
    public TaskGraph validate(Collection<Key> outputs) {
        for (Key o : outputs) {
            if (!nodes.containsKey(o)) throw new NoSuchElementException("output key " + o + " is not in the graph");
        }
        for (Map.Entry<Key, Node> e : nodes.entrySet()) {
            for (Key k : e.getValue().dependencies()) {
                if (!nodes.containsKey(k)) {
                    throw new NoSuchElementException("key " + k + " (needed by " + e.getKey() + ") is not in the graph");
                }
            }
        }
        Graphs.toposort(this);
        return this;
    }

    public TaskGraph validate() {
        return validate(List.of());
    }

    /** Annotations attached to a layer (empty when none). */
    public Map<String, Object> layerAnnotations(String layer) {
        return annotations.getOrDefault(layer, Map.of());
    }

    /**
     * The high-level view: one {@link Layer} per key name, in first-appearance order, with the
     * names of the layers it reads from.
     */
    public Map<String, Layer> layers() {
        Map<String, List<Key>> keysByName = new LinkedHashMap<>();
        Map<String, Set<String>> deps = new HashMap<>();
        for (Map.Entry<Key, Node> e : nodes.entrySet()) {
            String name = e.getKey().name();
            keysByName.computeIfAbsent(name, n -> new ArrayList<>()).add(e.getKey());
            Set<String> ds = deps.computeIfAbsent(name, n -> new LinkedHashSet<>());
            for (Key d : e.getValue().dependencies()) if (!d.name().equals(name)) ds.add(d.name());
        }
        Map<String, Layer> out = new LinkedHashMap<>();
        keysByName.forEach((name, keys) -> out.put(name, new Layer(name, keys, deps.get(name), layerAnnotations(name))));
        return out;
    }

    /** A builder pre-filled with this graph. */
    public Builder toBuilder() {
        Builder b = builder(size() + 16).putAll(nodes);
        annotations.forEach(b::annotateLayer);
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaskGraph g && nodes.equals(g.nodes);
    }

    @Override
    public int hashCode() {
        return nodes.hashCode();
    }

    /** One {@code key: node} line per entry, sorted by key. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("TaskGraph(").append(size()).append(" keys)");
        new TreeMap<>(nodes).forEach((k, n) -> b.append("\n  ").append(k).append(": ").append(n));
        return b.toString();
    }

    /** Collects nodes; {@link #build()} freezes them. */
    public static final class Builder {
        private final KeyedNodes nodes;
        private final Map<String, Map<String, Object>> annotations = new HashMap<>();
        private boolean built;
        private Set<Key> closureOf;

        private Builder(int expected) {
            nodes = new KeyedNodes(expected);
        }

        public Builder put(Key key, Node node) {
            if (built) throw new IllegalStateException("builder already built");
            nodes.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(node, () -> "node of " + key));
            return this;
        }

        /** Shorthand for {@code put(key, Task.of(function, args))}. */
        public Builder task(Key key, Object function, Object... args) {
            return put(key, Task.of(function, args));
        }

        public Builder data(Key key, Object value) {
            return put(key, new DataNode(value));
        }

        public Builder putAll(Map<Key, ? extends Node> more) {
            if (built) throw new IllegalStateException("builder already built");
            more.forEach((k, n) -> nodes.put(Objects.requireNonNull(k, "key"), Objects.requireNonNull(n, () -> "node of " + k)));
            return this;
        }

        public Builder remove(Key key) {
            if (built) throw new IllegalStateException("builder already built");
            nodes.remove(key);
            return this;
        }

        public boolean contains(Key key) {
            return nodes.containsKey(key);
        }

        public Builder annotateLayer(String layer, Map<String, Object> values) {
            annotations.computeIfAbsent(layer, l -> new HashMap<>()).putAll(values);
            return this;
        }

        /**
         * Declares that the graph being built holds exactly the ancestors of {@code outputs} (the
         * builder of a collection knows this); lets {@link Optimize#cull} skip its walk.
         */
        public Builder closureOf(Collection<Key> outputs) {
            this.closureOf = Set.copyOf(outputs);
            return this;
        }

        public TaskGraph build() {
            built = true;
            Map<String, Map<String, Object>> ann = new HashMap<>();
            annotations.forEach((l, m) -> ann.put(l, Map.copyOf(m)));
            return new TaskGraph(nodes.freeze(), Collections.unmodifiableMap(ann), closureOf);
        }
    }
}

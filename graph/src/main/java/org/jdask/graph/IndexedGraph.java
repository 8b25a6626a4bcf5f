package org.jdask.graph;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * An int-indexed, read-only view of a {@link TaskGraph} for schedulers and ordering: task
 * {@code i} has key {@code key(i)}, node {@code node(i)}, and its dependencies and dependents as
 * compressed rows (CSR) of ints. Building it is one pass over the graph; afterwards no hash
 * lookups are needed, which keeps per-task scheduler memory to a few ints.
 *
 * <p>Index order is graph insertion order. Every dependency must be in the graph: a missing one
 * fails with {@link NoSuchElementException} naming it and the task that needs it.
 */
public final class IndexedGraph {
    private final Key[] keys;
    private final Node[] nodes;
    private final int[] depStart;
    private final int[] deps;
    private final int[] dependentStart;
    private final int[] dependents;

    private IndexedGraph(Key[] keys, Node[] nodes, int[] depStart, int[] deps, int[] dependentStart, int[] dependents) {
        this.keys = keys;
        this.nodes = nodes;
        this.depStart = depStart;
        this.deps = deps;
        this.dependentStart = dependentStart;
        this.dependents = dependents;
    }

    public static IndexedGraph of(TaskGraph graph) {
        // a built graph's nodes are KeyedNodes: its positions are the task numbers, its table the key index
        KeyedNodes index = graph.nodes() instanceof KeyedNodes k && k.slots() == k.size() ? k : KeyedNodes.copyOf(graph.nodes());
        int n = index.size();
        Key[] keys = new Key[n];
        Node[] nodes = new Node[n];
        int i;
        int edges = 0;
        for (i = 0; i < n; i++) {
            keys[i] = index.keyAt(i);
            nodes[i] = index.nodeAt(i);
            edges += depCount(nodes[i]);
        }
        int[] depStart = new int[n + 1];
        int[] deps = new int[edges];
        int[] indeg = new int[n];
        int p = 0;
        for (i = 0; i < n; i++) {
            depStart[i] = p;
            Node node = nodes[i];
            int c = depCount(node);
            for (int j = 0; j < c; j++) {
                Key d = dep(node, j);
                int di = index.indexOf(d);
                if (di < 0) {
                    throw new NoSuchElementException("key " + d + " (needed by " + keys[i] + ") is not in the graph");
                }
                deps[p++] = di;
                indeg[di]++;
            }
        }
        depStart[n] = p;
        int[] dependentStart = new int[n + 1];
        for (i = 0; i < n; i++) dependentStart[i + 1] = dependentStart[i] + indeg[i];
        int[] fill = Arrays.copyOf(dependentStart, n);
        int[] dependents = new int[edges];
        for (i = 0; i < n; i++) {
            for (int q = depStart[i]; q < depStart[i + 1]; q++) dependents[fill[deps[q]]++] = i;
        }
        return new IndexedGraph(keys, nodes, depStart, deps, dependentStart, dependents);
    }

    private static int depCount(Node n) {
        return n instanceof Task t ? t.dependencyCount() : n.dependencies().size();
    }

    private static Key dep(Node n, int j) {
        return n instanceof Task t ? t.dependency(j) : n.dependencies().get(j);
    }

    public int size() {
        return keys.length;
    }

    public Key key(int i) {
        return keys[i];
    }

    public Node node(int i) {
        return nodes[i];
    }

    public int dependencyCount(int i) {
        return depStart[i + 1] - depStart[i];
    }

    /** The j-th dependency of task i. */
    public int dependency(int i, int j) {
        return deps[depStart[i] + j];
    }

    public int dependentCount(int i) {
        return dependentStart[i + 1] - dependentStart[i];
    }

    public int dependent(int i, int j) {
        return dependents[dependentStart[i] + j];
    }

    /** Index of {@code key}, by linear search: for tests and error paths only. */
    public int indexOf(Key key) {
        for (int i = 0; i < keys.length; i++) if (keys[i].equals(key)) return i;
        throw new NoSuchElementException("key " + key + " is not in the graph");
    }

    /** Indices of {@code outputs}, failing with the missing key named. */
    public int[] indicesOf(List<Key> outputs) {
        Map<Key, Integer> wanted = new HashMap<>();
        for (int j = 0; j < outputs.size(); j++) wanted.putIfAbsent(outputs.get(j), -1);
        for (int i = 0; i < keys.length && !wanted.isEmpty(); i++) {
            if (wanted.containsKey(keys[i]) && wanted.get(keys[i]) == -1) wanted.put(keys[i], i);
        }
        int[] out = new int[outputs.size()];
        for (int j = 0; j < out.length; j++) {
            Integer v = wanted.get(outputs.get(j));
            if (v == null || v < 0) throw new NoSuchElementException("output key " + outputs.get(j) + " is not in the graph");
            out[j] = v;
        }
        return out;
    }

    /**
     * Task indices in dependency order (Kahn's algorithm, ties in index order). The one
     * cycle check of the schedulers and the ordering: a cyclic graph throws {@link
     * org.jdask.CycleException} listing one cycle.
     */
    public int[] topologicalOrder() {
        int n = keys.length;
        int[] left = new int[n];
        int[] topo = new int[n];
        int head = 0;
        int tail = 0;
        for (int i = 0; i < n; i++) {
            left[i] = dependencyCount(i);
            if (left[i] == 0) topo[tail++] = i;
        }
        while (head < tail) {
            int t = topo[head++];
            for (int q = dependentStart[t]; q < dependentStart[t + 1]; q++) {
                if (--left[dependents[q]] == 0) topo[tail++] = dependents[q];
            }
        }
        if (tail != n) Graphs.toposort(toTaskGraph()); // throws CycleException naming the cycle
        return topo;
    }

    /** The graph this view was built from, as a {@link TaskGraph} (same insertion order). */
    public TaskGraph toTaskGraph() {
        TaskGraph.Builder b = TaskGraph.builder(keys.length);
        for (int i = 0; i < keys.length; i++) b.put(keys[i], nodes[i]);
        return b.build();
    }

    /** Approximate bytes of the index arrays (not the keys and nodes themselves). */
    public long indexBytes() {
        return 4L * (depStart.length + deps.length + dependentStart.length + dependents.length) + 8L * keys.length;
    }
}

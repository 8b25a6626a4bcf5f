package org.jdask.graph;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Inlining passes; see {@link Optimize#inline} and {@link Optimize#inlineFunctions}. */
final class Inline {
    private Inline() {}

    /** Deepest nest of tasks {@link #functions} builds inside one task's arguments. */
    static final int MAX_DEPTH = 32;
    /** Longest string constant inlined. */
    static final int MAX_STRING = 64;

    static boolean isCheapConstant(Object v) {
        return v instanceof Number && v.getClass().getName().startsWith("java.lang.")
                || v instanceof Boolean || v instanceof Character || v instanceof Enum<?>
                || v instanceof String s && s.length() <= MAX_STRING;
    }

    static TaskGraph constants(TaskGraph graph, Collection<Key> outputs) {
        Set<Key> outs = new HashSet<>(outputs);
        List<Key> candidates = new ArrayList<>();
        graph.nodes().forEach((k, n) -> { // forEach: no entry object per node of a big graph
            if (n instanceof DataNode d && isCheapConstant(d.value()) && !outs.contains(k)) candidates.add(k);
        });
        if (candidates.isEmpty()) return graph; // the common case: no dependents map needed
        Map<Key, List<Key>> dependents = graph.dependents();
        Map<Key, Object> values = new HashMap<>();
        for (Key k : candidates) {
            DataNode d = (DataNode) graph.get(k);
            List<Key> readers = dependents.getOrDefault(k, List.of());
            boolean allTasks = !readers.isEmpty();
            for (Key r : readers) allTasks &= graph.get(r) instanceof Task;
            if (allTasks) values.put(k, d.value());
        }
        if (values.isEmpty()) return graph;
        TaskGraph.Builder b = TaskGraph.builder(graph.size());
        for (Map.Entry<Key, Node> e : graph.nodes().entrySet()) {
            if (values.containsKey(e.getKey())) continue;
            Node n = e.getValue();
            if (n instanceof Task t && readsAny(t, values)) n = t.replaceKeys(values);
            b.put(e.getKey(), n);
        }
        copyAnnotations(graph, b);
        return b.build();
    }

    static TaskGraph functions(TaskGraph graph, Collection<Key> outputs, Set<?> fast) {
        if (fast.isEmpty()) return graph;
        Set<Key> outs = new HashSet<>(outputs);
        Map<Key, List<Key>> dependents = graph.dependents();
        List<Key> topo = Graphs.toposort(graph);
        // a reader's replacements are collected, then applied once when the walk reaches it (its
        // dependencies all come first), so a reader of many inlined tasks is rebuilt only once
        Map<Key, Map<Key, Object>> pending = new HashMap<>();
        Map<Key, Task> current = new HashMap<>();
        Map<Key, Integer> depth = new HashMap<>();
        Set<Key> inlined = new HashSet<>();
        for (Key k : topo) {
            if (!(graph.get(k) instanceof Task original)) continue;
            Map<Key, Object> replacements = pending.remove(k);
            Task t = replacements == null ? original : original.replaceKeys(replacements);
            if (replacements != null) current.put(k, t);
            int d = depth.computeIfAbsent(k, x -> nestDepth(original));
            if (outs.contains(k) || !isFast(t, fast)) continue;
            List<Key> readers = dependents.getOrDefault(k, List.of());
            if (readers.size() != 1 || !(graph.get(readers.get(0)) instanceof Task readerTask)) continue;
            Key r = readers.get(0);
            int rd = depth.computeIfAbsent(r, x -> nestDepth(readerTask));
            if (Math.max(rd, d + 1) > MAX_DEPTH) continue;
            pending.computeIfAbsent(r, x -> new HashMap<>()).put(k, t);
            depth.put(r, Math.max(rd, d + 1));
            inlined.add(k);
        }
        if (inlined.isEmpty()) return graph;
        TaskGraph.Builder b = TaskGraph.builder(graph.size() - inlined.size());
        for (Map.Entry<Key, Node> e : graph.nodes().entrySet()) {
            if (inlined.contains(e.getKey())) continue;
            Task t = current.get(e.getKey());
            b.put(e.getKey(), t != null ? t : e.getValue());
        }
        copyAnnotations(graph, b);
        return b.build();
    }

    private static boolean isFast(Task t, Set<?> fast) {
        return fast.contains(t.function()) || fast.contains(t.function().target());
    }

    private static boolean readsAny(Task t, Map<Key, ?> keys) {
        for (int j = 0; j < t.dependencyCount(); j++) if (keys.containsKey(t.dependency(j))) return true;
        return false;
    }

    /** How many tasks deep the nest in t's arguments is (1 for a task without nested tasks). */
    static int nestDepth(Task root) {
        int max = 1;
        List<Object[]> stack = new ArrayList<>();
        stack.add(new Object[] {root, 1});
        while (!stack.isEmpty()) {
            Object[] top = stack.remove(stack.size() - 1);
            int level = (Integer) top[1];
            Object a = top[0];
            if (a instanceof Task t) {
                max = Math.max(max, level);
                for (int i = 0; i < t.argCount(); i++) push(stack, t.arg(i), level + 1);
            } else if (a instanceof List<?> l) {
                for (Object x : l) push(stack, x, level);
            } else if (a instanceof Map<?, ?> m) {
                for (Object x : m.values()) push(stack, x, level);
            }
        }
        return max;
    }

    private static void push(List<Object[]> stack, Object a, int level) {
        if (a instanceof Task || a instanceof List || a instanceof Map) stack.add(new Object[] {a, level});
    }

    private static void copyAnnotations(TaskGraph from, TaskGraph.Builder b) {
        Set<String> names = new HashSet<>();
        for (Key k : from.keys()) if (b.contains(k)) names.add(k.name());
        for (String n : names) {
            Map<String, Object> a = from.layerAnnotations(n);
            if (!a.isEmpty()) b.annotateLayer(n, a);
        }
    }
}

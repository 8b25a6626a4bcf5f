package org.jdask;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.jdask.graph.DataNode;
import org.jdask.graph.GraphOptimizer;
import org.jdask.graph.Key;
import org.jdask.graph.RunOptions;
import org.jdask.graph.Schedulers;
import org.jdask.graph.TaskGraph;
import org.jdask.graph.Tokenize;

/**
 * Entry points over many collections at once: {@link #compute(Lazy[])} runs them in one graph so
 * shared work (a file read by two pipelines, a common intermediate) runs once.
 */
public final class Jdask {
    private Jdask() {}

    /** Computes several collections in one graph; result {@code i} belongs to argument {@code i}. */
    public static Object[] compute(Lazy<?>... collections) {
        return computeAll(List.of(collections), Map.of()).toArray();
    }

    /** Computes a list of collections of one type in one graph. */
    @SuppressWarnings("unchecked")
    public static <T> List<T> compute(List<? extends Lazy<T>> collections) {
        return (List<T>) computeAll(new ArrayList<>(collections), Map.of());
    }

    /** Like {@link #compute(List)} with config for this call only. */
    @SuppressWarnings("unchecked")
    public static <T> List<T> compute(List<? extends Lazy<T>> collections, Map<String, ?> config) {
        return (List<T>) computeAll(new ArrayList<>(collections), config);
    }

    static <T> T computeOne(Lazy<T> x, Map<String, ?> config) {
        @SuppressWarnings("unchecked")
        T t = (T) computeAll(List.of(x), config).get(0);
        return t;
    }

    /** A deterministic 32-hex-digit token of the values (see {@link Tokenize}). */
    public static String tokenize(Object... values) {
        return Tokenize.tokenize(values);
    }

    /** The graph of {@code x} as the scheduler would run it (optimized with {@code x}'s optimizer). */
    public static TaskGraph optimize(Lazy<?> x) {
        return optimizedGraph(List.of(x));
    }

    /** Computes {@code x} and returns it rebuilt over a graph of the computed values. */
    public static <T> Lazy<T> persist(Lazy<T> x) {
        List<Key> keys = x.keys();
        Plan plan = plan(List.of(x));
        List<Object> values = run(plan, Map.of());
        TaskGraph.Builder b = TaskGraph.builder(keys.size());
        for (Key k : keys) b.put(k, new DataNode(values.get(plan.keyIndex.get(k))));
        return x.rebuild(b.build());
    }

    /** Computes collections of any kinds in one run; result i belongs to collection i. */
    public static List<Object> computeAll(List<? extends Lazy<?>> collections, Map<String, ?> config) {
        if (collections.isEmpty()) return List.of();
        Plan plan = plan(collections);
        List<Object> values = run(plan, config);
        List<Object> out = new ArrayList<>(collections.size());
        for (Lazy<?> c : collections) {
            List<Object> mine = new ArrayList<>(c.keys().size());
            for (Key k : c.keys()) mine.add(values.get(plan.keyIndex.get(k)));
            out.add(c.finish(mine));
        }
        return out;
    }

    private static List<Object> run(Plan plan, Map<String, ?> config) {
        Map<String, Object> settings;
        try (Config.Scope ignored = Config.set(config)) {
            settings = Config.snapshot();
        }
        RunOptions options = RunOptions.of(settings);
        return Schedulers.resolve(options).get(plan.graph, plan.outputs, options);
    }

    private record Plan(TaskGraph graph, List<Key> outputs, Map<Key, Integer> keyIndex) {}

    private static Plan plan(List<? extends Lazy<?>> collections) {
        TaskGraph g = optimizedGraph(collections);
        LinkedHashSet<Key> outputs = new LinkedHashSet<>();
        for (Lazy<?> c : collections) outputs.addAll(c.keys());
        List<Key> out = new ArrayList<>(outputs);
        Map<Key, Integer> index = new java.util.HashMap<>();
        for (int i = 0; i < out.size(); i++) index.put(out.get(i), i);
        return new Plan(g, out, index);
    }

    private static TaskGraph optimizedGraph(List<? extends Lazy<?>> collections) {
        // group by optimizer (identity), optimize each group's merged graph once, then merge groups
        Map<GraphOptimizer, List<Lazy<?>>> groups = new IdentityHashMap<>();
        List<GraphOptimizer> order = new ArrayList<>();
        for (Lazy<?> c : collections) {
            GraphOptimizer o = c.optimizer();
            if (!groups.containsKey(o)) order.add(o);
            groups.computeIfAbsent(o, k -> new ArrayList<>()).add(c);
        }
        List<TaskGraph> parts = new ArrayList<>();
        for (GraphOptimizer o : order) {
            List<TaskGraph> gs = new ArrayList<>();
            LinkedHashSet<Key> keys = new LinkedHashSet<>();
            Map<TaskGraph, Boolean> seen = new IdentityHashMap<>();
            for (Lazy<?> c : groups.get(o)) {
                TaskGraph g = c.graph();
                if (seen.put(g, Boolean.TRUE) == null) gs.add(g);
                keys.addAll(c.keys());
            }
            parts.add(o.optimize(TaskGraph.merge(gs), new ArrayList<>(keys)));
        }
        return TaskGraph.merge(parts);
    }
}

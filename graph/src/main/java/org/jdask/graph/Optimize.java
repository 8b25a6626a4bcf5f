package org.jdask.graph;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import org.jdask.Config;

/**
 * Graph optimization passes: small pure functions from graph to graph. None mutates its input;
 * none recurses along the graph (a 100,000-task chain is fine); all are deterministic.
 *
 * <ul>
 *   <li>{@link #cull}: drop what the outputs do not need;
 *   <li>{@link #fuse}: merge linear chains (and narrow reductions) into single tasks;
 *   <li>{@link #inline}: write cheap constants into their readers;
 *   <li>{@link #inlineFunctions}: nest calls of fast functions into their only reader;
 *   <li>{@link #standard}: the default pipeline collections use ({@link GraphOptimizer#STANDARD}).
 * </ul>
 * Ordering lives in {@link Order}.
 */
public final class Optimize {
    private Optimize() {}

    /**
     * Keeps only the tasks {@code outputs} need. Keys the graph reads but does not define are
     * left for the scheduler to report.
     */
    public static TaskGraph cull(TaskGraph graph, Collection<Key> outputs) {
        if (graph.knownCulledFor(outputs)) return graph;
        for (Key k : outputs) {
            if (!graph.contains(k)) throw new java.util.NoSuchElementException("output key " + k + " is not in the graph");
        }
        Set<Key> keep = Graphs.ancestors(graph, outputs);
        if (keep.size() >= graph.size() && keep.containsAll(graph.keys())) return graph;
        TaskGraph.Builder b = TaskGraph.builder(keep.size());
        for (var e : graph.nodes().entrySet()) if (keep.contains(e.getKey())) b.put(e.getKey(), e.getValue());
        for (String layer : layerNames(b, graph)) b.annotateLayer(layer, graph.layerAnnotations(layer));
        return b.closureOf(outputs).build();
    }

    /**
     * Fuses linear chains (and, per the config's ave-width, small reductions) into single tasks,
     * with options read from {@code optimization.fuse.*}; see {@link #fuse(TaskGraph, Collection,
     * FuseOptions)}.
     */
    public static TaskGraph fuse(TaskGraph graph, Collection<Key> outputs) {
        return fuse(graph, outputs, FuseOptions.fromConfig());
    }

    /**
     * Like Dask's {@code fuse}: a task whose only reader is the next task, and which is not an
     * output, is merged into that reader; a chain becomes one task. A task with several such
     * dependencies absorbs them all (a fused reduction) only while the subgraph's
     * {@code tasks / height} stays within {@link FuseOptions#aveWidth()}, its leaf count within
     * {@code maxWidth}, its height within {@code maxHeight} and its inputs within
     * {@code maxDepthNewEdges}. Outputs are never absorbed.
     *
     * <p>The fused task is one {@link Task} whose function runs the parts as a flat program (no
     * nesting, so a 100,000-task chain runs and serializes without deep recursion). It keeps the
     * key of the chain's last task, or, with {@code renameKeys}, gets a name joined from the
     * parts' name prefixes ({@code inc-add-<token>}), cut to {@code maxKeyLength}; the old key
     * then stays in the graph as an {@link Alias} of the new one, so outputs and readers resolve.
     */
    public static TaskGraph fuse(TaskGraph graph, Collection<Key> outputs, FuseOptions options) {
        return Fuse.fuse(graph, outputs, options);
    }

    /**
     * Inlines cheap constants: {@link DataNode}s holding a boxed number, boolean, character, enum
     * or short string (at most 64 chars) are written into the tasks that read them and dropped.
     * Outputs, and constants read by a non-task node (an {@link Alias}), stay.
     */
    public static TaskGraph inline(TaskGraph graph, Collection<Key> outputs) {
        return Inline.constants(graph, outputs);
    }

    /**
     * Inlines calls of fast functions: a task whose function (the {@link Task#function()} or its
     * {@link org.jdask.fn.FnN#target()}, compared with {@code equals}) is in {@code fastFunctions}
     * and that has exactly one reader, a task, becomes a nested {@link Task} argument of that
     * reader. Outputs are never inlined, and a task's nest never grows deeper than 32, so a long
     * chain of fast functions leaves every 32nd task in place instead of building a deep nest.
     */
    public static TaskGraph inlineFunctions(TaskGraph graph, Collection<Key> outputs, Set<?> fastFunctions) {
        return Inline.functions(graph, outputs, fastFunctions);
    }

    /**
     * The default optimization of collections: {@link #cull}, then {@link #fuse} when
     * {@code optimization.fuse.active}, then {@link #inline} when {@code optimization.inline.active}.
     */
    public static TaskGraph standard(TaskGraph graph, Collection<Key> outputs) {
        TaskGraph g = cull(graph, outputs);
        if (Config.getBoolean("optimization.fuse.active", false)) g = fuse(g, outputs);
        if (Config.getBoolean("optimization.inline.active", true)) g = inline(g, outputs);
        return g;
    }

    private static Set<String> layerNames(TaskGraph.Builder b, TaskGraph g) {
        Set<String> names = new HashSet<>();
        for (Key k : g.keys()) if (b.contains(k) && !g.layerAnnotations(k.name()).isEmpty()) names.add(k.name());
        return names;
    }
}

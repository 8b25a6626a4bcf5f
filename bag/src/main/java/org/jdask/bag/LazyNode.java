package org.jdask.bag;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.jdask.graph.FuseOptions;
import org.jdask.graph.GraphOptimizer;
import org.jdask.graph.Key;
import org.jdask.graph.Node;
import org.jdask.graph.Optimize;
import org.jdask.graph.TaskGraph;

/**
 * Shared plumbing of {@link Bag} and {@link Item}: each holds only the tasks of its own layer
 * plus references to the collections it reads, so building a pipeline of n steps is O(n); the
 * full graph is assembled by one iterative walk when asked for (as {@code Delayed} does).
 */
abstract class LazyNode {
    private static final LazyNode[] NONE = new LazyNode[0];

    /**
     * How bag graphs are optimized: cull, fuse linear chains (a read, filter and per-partition
     * count become one task; a task read by two pipelines stays alone, so it runs once), then
     * inline cheap constants. One instance, so {@code Jdask.compute} optimizes all bags and items
     * of a call together.
     */
    static final GraphOptimizer OPTIMIZER = (g, outputs) -> {
        TaskGraph c = Optimize.cull(g, outputs);
        c = StreamFusion.fuse(c, outputs);
        c = Optimize.fuse(c, outputs, FuseOptions.defaults().withRenameKeys(false));
        return Optimize.inline(c, outputs);
    };

    final Map<Key, Node> layer;
    final LazyNode[] deps;

    LazyNode(Map<Key, Node> layer, LazyNode... deps) {
        this.layer = layer;
        this.deps = deps == null || deps.length == 0 ? NONE : deps;
    }

    /** This node's layer and every layer it reads, as one graph. */
    TaskGraph assemble() {
        IdentityHashMap<LazyNode, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<LazyNode> stack = new ArrayDeque<>();
        List<LazyNode> all = new ArrayList<>();
        stack.push(this);
        seen.put(this, Boolean.TRUE);
        int size = 0;
        while (!stack.isEmpty()) {
            LazyNode n = stack.pop();
            all.add(n);
            size += n.layer.size();
            for (LazyNode d : n.deps) if (seen.put(d, Boolean.TRUE) == null) stack.push(d);
        }
        TaskGraph.Builder b = TaskGraph.builder(size);
        for (int i = all.size() - 1; i >= 0; i--) all.get(i).layer.forEach(b::put);
        return b.build();
    }
}

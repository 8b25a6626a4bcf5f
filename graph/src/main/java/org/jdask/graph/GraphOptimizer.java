package org.jdask.graph;

import java.util.List;

/**
 * How a collection type optimizes its graph before it runs (Dask's {@code __dask_optimize__}).
 * {@link org.jdask.Jdask#compute} groups collections by optimizer, merges each group's graphs,
 * optimizes them once with all the group's output keys, then merges the groups.
 */
@FunctionalInterface
public interface GraphOptimizer {
    TaskGraph optimize(TaskGraph graph, List<Key> outputs);

    /** Only drop what the outputs do not need. */
    GraphOptimizer CULL = Optimize::cull;

    /** Cull, then fuse and inline as configured ({@link Optimize#standard}). */
    GraphOptimizer STANDARD = Optimize::standard;
}

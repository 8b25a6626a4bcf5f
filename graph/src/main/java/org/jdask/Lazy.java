package org.jdask;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jdask.graph.GraphOptimizer;
import org.jdask.graph.Key;
import org.jdask.graph.TaskGraph;

/**
 * Anything jdask can compute: it has a task graph, output keys, and a way to turn the outputs'
 * values into its result (Dask's collection protocol). {@link Delayed}, {@code Bag}, {@code
 * DArray}, {@code DataFrame} and the lazy scalars they return all implement it.
 *
 * @param <T> the type of the computed result
 */
public interface Lazy<T> {
    /** The graph that computes {@link #keys()} (may hold more than needed; it is culled). */
    TaskGraph graph();

    /** The keys whose values make up the result, in the order {@link #finish} expects them. */
    List<Key> keys();

    /** Builds the result from the values of {@link #keys()} (Dask's post-compute). */
    T finish(List<Object> values);

    /**
     * {@link #finish} as a serializable function, for when this collection is an argument of
     * another task (a {@code Delayed} call) that may run in another JVM. Collections override it
     * with a function holding only the little {@code finish} needs (not the graph); the default
     * captures the whole collection.
     */
    default org.jdask.fn.Fn1<List<Object>, T> finisher() {
        return this::finish;
    }

    /** The {@link #finisher()} of a collection with one output key: that key's value. */
    @SuppressWarnings("unchecked")
    static <T> org.jdask.fn.Fn1<List<Object>, T> single() {
        return values -> (T) values.get(0);
    }

    /**
     * The same collection over a graph that already holds its keys' values (Dask's
     * post-persist); {@code persisted} maps each of {@link #keys()} to a data node.
     */
    Lazy<T> rebuild(TaskGraph persisted);

    /** How this collection's graph is optimized before running; culling by default. */
    default GraphOptimizer optimizer() {
        return GraphOptimizer.STANDARD;
    }

    /** Computes the result with the scheduler chosen by config. */
    default T compute() {
        return Jdask.computeOne(this, Map.of());
    }

    /** Computes with extra config for this call only, e.g. {@code Map.of("scheduler", "sync")}. */
    default T compute(Map<String, ?> config) {
        return Jdask.computeOne(this, config);
    }

    /** Computes the outputs and returns the same collection holding them (still lazy-typed). */
    default Lazy<T> persist() {
        return Jdask.persist(this);
    }

    /**
     * Writes the task graph picture to {@code out}: {@code .dot} always; {@code .svg}/{@code
     * .png} through Graphviz {@code dot} when installed (else an error that says so, with the
     * DOT file written beside it). Returns the path written.
     */
    default Path visualize(Path out) {
        return org.jdask.graph.Visualize.write(graph(), keys(), out);
    }

    /**
     * A collection with one output key (Delayed, a bag's Item, a frame's Scalar): its keys, finish
     * and finisher follow from {@link #key()}.
     */
    interface Single<T> extends Lazy<T> {
        /** The one output key. */
        Key key();

        @Override
        default List<Key> keys() {
            return List.of(key());
        }

        @Override
        @SuppressWarnings("unchecked")
        default T finish(List<Object> values) {
            return (T) values.get(0);
        }

        @Override
        default org.jdask.fn.Fn1<List<Object>, T> finisher() {
            return Lazy.single();
        }
    }
}

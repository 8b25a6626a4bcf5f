package org.jdask.dataframe;

import java.util.List;
import org.jdask.Lazy;
import org.jdask.graph.DataNode;
import org.jdask.graph.GraphOptimizer;
import org.jdask.graph.Key;
import org.jdask.graph.TaskGraph;

/**
 * A lazy single value computed from a frame (a column's max, a row count): {@code
 * air.col("DepDelay").max().compute()}. Computing it together with others in one {@code
 * Jdask.compute} shares their reads.
 */
public final class Scalar<T> implements Lazy.Single<T> {
    private final Plan input;
    private final java.util.Set<String> required;
    private final Reductions.Reduction<?> reduction;
    private final int splitEvery;
    private final Key key;
    private TaskGraph fixed;

    Scalar(Plan input, java.util.Set<String> required, Reductions.Reduction<?> reduction, int splitEvery) {
        this.input = input;
        this.required = required;
        this.reduction = reduction;
        this.splitEvery = splitEvery;
        this.key = Key.of(reduction.name() + "-" + Plan.tok(input.token(), reduction, Plan.reqList(required), splitEvery) + "-agg");
    }

    private Scalar(Key key, TaskGraph fixed) {
        this.input = null;
        this.required = null;
        this.reduction = null;
        this.splitEvery = 0;
        this.key = key;
        this.fixed = fixed;
    }

    @Override
    public synchronized TaskGraph graph() {
        if (fixed == null) {
            Plan.Lowering lw = new Plan.Lowering();
            List<Key> in = lw.keys(input, required);
            String name = key.name().substring(0, key.name().length() - "-agg".length());
            Plan.reduce(name, in, reduction, splitEvery, lw);
            fixed = lw.b.build();
        }
        return fixed;
    }




    @Override
    public Key key() {
        return key;
    }

    @Override
    public Lazy<T> rebuild(TaskGraph persisted) {
        return new Scalar<>(key, TaskGraph.of(key, (DataNode) persisted.get(key)));
    }

    @Override
    public GraphOptimizer optimizer() {
        return FrameOptimizer.INSTANCE;
    }

    @Override
    public String toString() {
        return "Scalar(" + key + ")";
    }
}

package org.jdask.dataframe;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdask.Lazy;
import org.jdask.graph.GraphOptimizer;
import org.jdask.graph.Key;
import org.jdask.graph.TaskGraph;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/** One column of a {@link DataFrame}, lazily: reductions return {@link Scalar}s. */
public final class Series implements Lazy<Column<?>> {
    private final DataFrame frame;
    private final String name;
    private final DataFrame selected;

    Series(DataFrame frame, String name) {
        this.frame = frame;
        this.name = name;
        this.selected = frame.select(name);
    }

    public String name() {
        return name;
    }

    private <T> Scalar<T> stat(String stat) {
        if (!stat.equals("count") && !Dtypes.isNumeric(frame.plan.schema.get(name))) {
            throw new IllegalArgumentException(stat + "() needs a numeric column; '" + name + "' is " + frame.plan.schema.get(name).name());
        }
        return new Scalar<>(frame.plan, Set.of(name), new Reductions.Stat(name, stat), 8);
    }

    public Scalar<Double> max() { return stat("max"); }
    public Scalar<Double> min() { return stat("min"); }
    public Scalar<Double> sum() { return stat("sum"); }
    public Scalar<Double> mean() { return stat("mean"); }
    /** Sample standard deviation (ddof 1). */
    public Scalar<Double> std() { return stat("std"); }
    /** Sample variance (ddof 1). */
    public Scalar<Double> var() { return stat("var"); }
    /** Non-missing values. */
    public Scalar<Long> count() { return stat("count"); }

    public Scalar<Long> nunique() {
        return new Scalar<>(frame.plan, Set.of(name), new Reductions.NUnique(name), 8);
    }

    /** Counts per distinct value, most frequent first: columns {@code name} and {@code count}. */
    public DataFrame valueCounts() {
        return frame.groupBy(name).agg(Agg.size().as("count")).sortWithinPartitions("-count", name);
    }

    @Override public TaskGraph graph() { return selected.graph(); }
    @Override public List<Key> keys() { return selected.keys(); }
    @Override public Column<?> finish(List<Object> values) { return selected.finish(values).column(name); }
    @Override public Lazy<Column<?>> rebuild(TaskGraph persisted) {
        return new Series(selected.rebuild(persisted), name);
    }
    @Override public GraphOptimizer optimizer() { return FrameOptimizer.INSTANCE; }

    public Table head(int n) {
        return selected.head(n);
    }

    /** The frame this series reads from, restricted to this column. */
    public DataFrame toFrame() {
        return selected;
    }

}

package org.jdask.dataframe;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jdask.fn.FnN;
import org.jdask.graph.Key;
import org.jdask.graph.Task;
import tech.tablesaw.api.ColumnType;

/**
 * {@code frame.groupBy("Dest")}: aggregations per group, as a tree reduction (per-partition
 * partial states, combined {@code splitEvery} at a time, finished into a {@code Table} sorted by
 * key). With {@link #splitOut(int)} the partials are hash-partitioned by key into that many output
 * partitions, each reduced separately (for results with many groups).
 */
public final class GroupBy {
    private final DataFrame frame;
    private final List<String> by;
    private final int splitOut;
    private final int splitEvery;

    GroupBy(DataFrame frame, List<String> by, int splitOut, int splitEvery) {
        Ops.check(frame.plan.schema, by, "groupBy");
        if (by.isEmpty()) throw new IllegalArgumentException("groupBy needs at least one column");
        this.frame = frame;
        this.by = List.copyOf(by);
        this.splitOut = splitOut;
        this.splitEvery = splitEvery;
    }

    /** Output partitions (default 1). */
    public GroupBy splitOut(int n) {
        if (n < 1) throw new IllegalArgumentException("splitOut must be >= 1, got " + n);
        return new GroupBy(frame, by, n, splitEvery);
    }

    /** Partials combined per tree level (default 8). */
    public GroupBy splitEvery(int n) {
        if (n < 2) throw new IllegalArgumentException("splitEvery must be >= 2, got " + n);
        return new GroupBy(frame, by, splitOut, n);
    }

    /** The aggregations, as a frame of key columns plus one column per aggregation. */
    public DataFrame agg(Agg... aggs) {
        if (aggs.length == 0) throw new IllegalArgumentException("agg needs at least one aggregation");
        return new DataFrame(new Plan_(frame.plan, by, List.of(aggs), splitOut, splitEvery));
    }

    public DataFrame sum(String column) { return agg(Agg.sum(column)); }
    public DataFrame mean(String column) { return agg(Agg.mean(column)); }
    public DataFrame count(String column) { return agg(Agg.count(column)); }
    public DataFrame size() { return agg(Agg.size()); }

    static final class Plan_ extends Plan {
        final Plan input;
        final List<String> by;
        final List<Agg> aggs;
        final int splitOut, splitEvery;

        Plan_(Plan input, List<String> by, List<Agg> aggs, int splitOut, int splitEvery) {
            super(schema(input.schema, by, aggs), splitOut);
            this.input = input;
            this.by = by;
            this.aggs = aggs;
            this.splitOut = splitOut;
            this.splitEvery = splitEvery;
        }

        static LinkedHashMap<String, ColumnType> schema(LinkedHashMap<String, ColumnType> in, List<String> by, List<Agg> aggs) {
            LinkedHashMap<String, ColumnType> m = new LinkedHashMap<>();
            for (String b : by) m.put(b, in.get(b));
            for (Agg a : aggs) {
                ColumnType t = a.outType(in);
                if (m.put(a.outName(), t) != null) throw new IllegalArgumentException("two output columns named '" + a.outName() + "'; name one with .as(...)");
            }
            return m;
        }

        @Override Object identity() { return List.of("groupby", by, aggs, splitOut, splitEvery, input.token()); }

        @Override List<Key> lower(Set<String> required, Lowering lw) {
            Set<String> need = new LinkedHashSet<>(by);
            for (Agg a : aggs) if (a.column() != null) need.add(a.column());
            List<Key> in = lw.keys(input, need);
            LinkedHashMap<String, String> inSchema = new LinkedHashMap<>();
            input.schema.forEach((c, t) -> inSchema.put(c, t.name()));
            Reductions.GroupAgg r = new Reductions.GroupAgg(by, aggs, inSchema);
            String name = "groupby-agg-" + token();
            if (splitOut == 1) return List.of(Plan.reduce(name, in, r, splitEvery, lw));
            List<List<Key>> pieces = new ArrayList<>();
            for (int j = 0; j < splitOut; j++) pieces.add(new ArrayList<>());
            FnN chunk = new Reductions.Chunk(r);
            FnN split = new Split(splitOut);
            for (int i = 0; i < in.size(); i++) {
                Key c = Key.of(name + "-chunk", i);
                lw.b.put(c, Task.ofArray(chunk, new Object[] {in.get(i)}));
                Key s = Key.of(name + "-split", i);
                lw.b.put(s, Task.ofArray(split, new Object[] {c}));
                for (int j = 0; j < splitOut; j++) {
                    Key pk = Key.of(name + "-piece", i, j);
                    lw.b.put(pk, Task.ofArray(new Pick(j), new Object[] {s}));
                    pieces.get(j).add(pk);
                }
            }
            List<Key> out = new ArrayList<>();
            FnN combine = new Reductions.Combine(r);
            for (int j = 0; j < splitOut; j++) {
                List<Key> level = pieces.get(j);
                int depth = 0;
                while (level.size() > splitEvery) {
                    List<Key> next = new ArrayList<>();
                    for (int s = 0; s < level.size(); s += splitEvery) {
                        Key k = Key.of(name + "-combine", j, depth, next.size());
                        lw.b.put(k, Task.ofArray(combine, new Object[] {new ArrayList<Object>(level.subList(s, Math.min(level.size(), s + splitEvery)))}));
                        next.add(k);
                    }
                    level = next;
                    depth++;
                }
                Key fin = Key.of(name + "-agg", j);
                lw.b.put(fin, Task.ofArray(new Reductions.Finish(r), new Object[] {new ArrayList<Object>(level)}));
                out.add(fin);
            }
            return out;
        }
    }

    /** Hash-partitions a partial's groups into {@code n} partials. */
    record Split(int n) implements FnN {
        @Override public Object invoke(Object[] a) {
            GroupKernel.Partial p = (GroupKernel.Partial) a[0];
            GroupKernel.Partial[] out = new GroupKernel.Partial[n];
            for (int j = 0; j < n; j++) out[j] = new GroupKernel.Partial(p.nagg);
            int w = GroupKernel.W * p.nagg;
            for (int g = 0; g < p.groups(); g++) {
                Object key = p.keys.get(g);
                GroupKernel.Partial t = out[Math.floorMod(key.hashCode() * 0x9E3779B1, n)];
                int id = t.group(key);
                System.arraycopy(p.num, g * w, t.num, id * w, w);
                t.obj.set(id, Arrays.copyOf(p.obj.get(g), p.nagg));
            }
            return out;
        }
        @Override public int arity() { return 1; }
        @Override public String toString() { return "groupby-split"; }
    }

    record Pick(int j) implements FnN {
        @Override public Object invoke(Object[] a) { return a[0] instanceof Pieces p ? p.take(j) : ((Object[]) a[0])[j]; }
        @Override public int arity() { return 1; }
        @Override public String toString() { return "getitem"; }
    }
}

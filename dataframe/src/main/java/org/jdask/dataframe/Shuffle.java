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
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * Plans that move rows between partitions: merge (broadcast or hash shuffle), sort by sampled
 * divisions, repartition.
 *
 * <p>How the task-based shuffle works (Dask's "tasks" shuffle): each input partition is split by a
 * task into {@code n} pieces (by key hash, or by which division a value falls in); output
 * partition {@code j} is one task reading piece {@code j} of every input. Every task holds at most
 * one input partition or one output partition's worth of rows (plus the pieces it reads), so
 * memory stays bounded by the partition size; {@code n} is the number of output partitions.
 */
final class Shuffle {
    private Shuffle() {}

    /** Splits every partition of {@code in} with {@code split} into n pieces; returns piece keys [input][output]. */
    static List<List<Key>> scatter(String name, List<Key> in, FnN split, int n, Plan.Lowering lw, Object extraArg) {
        List<List<Key>> pieces = new ArrayList<>();
        for (int j = 0; j < n; j++) pieces.add(new ArrayList<>());
        for (int i = 0; i < in.size(); i++) {
            Key s = Key.of(name + "-split", i);
            lw.b.put(s, Task.ofArray(split, extraArg == null ? new Object[] {in.get(i)} : new Object[] {in.get(i), extraArg}));
            for (int j = 0; j < n; j++) {
                Key pk = Key.of(name + "-piece", i, j);
                lw.b.put(pk, Task.ofArray(new GroupBy.Pick(j), new Object[] {s}));
                pieces.get(j).add(pk);
            }
        }
        return pieces;
    }

    record HashSplit(List<String> on, int n) implements FnN {
        @Override public Object invoke(Object[] a) {
            Table t = (Table) a[0];
            return new Pieces(Join.split(t, Join.buckets(t, on, n), n));
        }
        @Override public int arity() { return 1; }
        @Override public String toString() { return "hash-split"; }
    }

    @SuppressWarnings("unchecked")
    record JoinParts(List<String> on, String how, LinkedHashMap<String, String> lschema, LinkedHashMap<String, String> rschema,
                     LinkedHashMap<String, String> out) implements FnN {
        @Override public Object invoke(Object[] a) {
            Table l = concat((List<Object>) a[0], lschema);
            Table r = a[1] instanceof Table t ? t : concat((List<Object>) a[1], rschema);
            return Join.join(l, r, on, how, types(out));
        }
        @Override public int arity() { return 2; }
        @Override public String toString() { return "merge"; }
    }

    static LinkedHashMap<String, ColumnType> types(LinkedHashMap<String, String> names) {
        LinkedHashMap<String, ColumnType> m = new LinkedHashMap<>();
        names.forEach((c, t) -> m.put(c, Dtypes.of(t)));
        return m;
    }

    static LinkedHashMap<String, String> names(LinkedHashMap<String, ColumnType> types) {
        LinkedHashMap<String, String> m = new LinkedHashMap<>();
        types.forEach((c, t) -> m.put(c, t.name()));
        return m;
    }

    static Table concat(List<Object> parts, LinkedHashMap<String, String> schema) {
        List<Table> ts = new ArrayList<>();
        for (Object o : parts) ts.add((Table) o);
        if (ts.size() == 1) return ts.get(0);
        return Tablesx.concat(ts, types(schema));
    }

    record Concat(LinkedHashMap<String, String> schema) implements FnN {
        @SuppressWarnings("unchecked")
        @Override public Object invoke(Object[] a) { return concat((List<Object>) a[0], schema); }
        @Override public int arity() { return 1; }
        @Override public String toString() { return "concat"; }
    }

    /** merge(left, right, on, how): broadcast when the right side is one partition and how is inner/left. */
    static final class Merge extends Plan {
        final Plan left, right;
        final List<String> on;
        final String how;
        final int nparts;

        Merge(Plan left, Plan right, List<String> on, String how, int nparts) {
            super(Join.schema(left.schema, right.schema, on, how), broadcast(right, how) ? left.npartitions : nparts);
            this.left = left;
            this.right = right;
            this.on = on;
            this.how = how;
            this.nparts = nparts;
        }

        static boolean broadcast(Plan right, String how) {
            return right.npartitions == 1 && (how.equals("inner") || how.equals("left"));
        }

        @Override Object identity() { return List.of("merge", on, how, nparts, left.token(), right.token()); }

        @Override List<Key> lower(Set<String> required, Lowering lw) {
            List<Key> l = lw.keys(left, null), r = lw.keys(right, null);
            String name = "merge-" + token();
            JoinParts fn = new JoinParts(on, how, names(left.schema), names(right.schema), names(schema));
            List<Key> out = new ArrayList<>();
            if (broadcast(right, how)) {
                for (int i = 0; i < l.size(); i++) {
                    Key k = Key.of(name, i);
                    lw.b.put(k, Task.ofArray(fn, new Object[] {new ArrayList<Object>(List.of(l.get(i))), r.get(0)}));
                    out.add(k);
                }
                return out;
            }
            HashSplit split = new HashSplit(on, nparts);
            List<List<Key>> lp = scatter(name + "-left", l, split, nparts, lw, null);
            List<List<Key>> rp = scatter(name + "-right", r, split, nparts, lw, null);
            for (int j = 0; j < nparts; j++) {
                Key k = Key.of(name, j);
                lw.b.put(k, Task.ofArray(fn, new Object[] {new ArrayList<Object>(lp.get(j)), new ArrayList<Object>(rp.get(j))}));
                out.add(k);
            }
            return out;
        }
    }

    // ------------------------------------------------------------------ sort

    /** Up to 100 evenly spaced values of the sorted non-missing column, per partition. */
    record Sample(String column) implements FnN {
        @Override public Object invoke(Object[] a) {
            Table t = (Table) a[0];
            Column<?> c = t.column(column);
            List<Comparable<Object>> vals = new ArrayList<>();
            for (int i = 0; i < c.size(); i++) if (!c.isMissing(i)) vals.add(comparable(c.get(i)));
            vals.sort(null);
            List<Object> out = new ArrayList<>();
            int k = Math.min(100, vals.size());
            for (int i = 0; i < k; i++) out.add(vals.get((int) ((long) i * vals.size() / k)));
            return out;
        }
        @Override public int arity() { return 1; }
        @Override public String toString() { return "sample"; }
    }

    @SuppressWarnings("unchecked")
    static Comparable<Object> comparable(Object v) {
        Object c = v instanceof Number n ? (Object) n.doubleValue() : v;
        return (Comparable<Object>) c;
    }

    /** n - 1 boundaries from the pooled samples (quantiles). */
    record Divisions(int n) implements FnN {
        @SuppressWarnings("unchecked")
        @Override public Object invoke(Object[] a) {
            List<Comparable<Object>> all = new ArrayList<>();
            for (Object s : (List<Object>) a[0]) for (Object v : (List<Object>) s) all.add((Comparable<Object>) v);
            all.sort(null);
            Object[] div = new Object[Math.max(0, n - 1)];
            for (int j = 1; j < n; j++) div[j - 1] = all.isEmpty() ? null : all.get((int) ((long) j * all.size() / n));
            return div;
        }
        @Override public int arity() { return 1; }
        @Override public String toString() { return "divisions"; }
    }

    /** Splits a partition by which division each value falls in (missing values to the last piece). */
    record RangeSplit(String column, int n) implements FnN {
        @SuppressWarnings("unchecked")
        @Override public Object invoke(Object[] a) {
            Table t = (Table) a[0];
            Object[] div = (Object[]) a[1];
            Column<?> c = t.column(column);
            int[] bucket = new int[t.rowCount()];
            for (int i = 0; i < bucket.length; i++) {
                if (c.isMissing(i)) { bucket[i] = n - 1; continue; }
                Comparable<Object> v = comparable(c.get(i));
                int lo = 0, hi = div.length;
                while (lo < hi) {
                    int mid = (lo + hi) >>> 1;
                    if (div[mid] == null || v.compareTo(div[mid]) >= 0) lo = mid + 1; else hi = mid;
                }
                bucket[i] = lo;
            }
            return new Pieces(Join.split(t, bucket, n));
        }
        @Override public int arity() { return 2; }
        @Override public String toString() { return "range-split"; }
    }

    record ConcatSort(LinkedHashMap<String, String> schema, String column, boolean ascending) implements FnN {
        @SuppressWarnings("unchecked")
        @Override public Object invoke(Object[] a) {
            Table t = concat((List<Object>) a[0], schema);
            Column<?> c = t.column(column);
            int[] idx;
            if (SortOrder.sorts(c)) {
                idx = SortOrder.of(c, ascending); // primitive keys, one long[]: no boxed row per comparison (missing sorted last)
            } else {
                Integer[] order = new Integer[t.rowCount()];
                for (int i = 0; i < order.length; i++) order[i] = i;
                Arrays.sort(order, (x, y) -> {
                    boolean mx = c.isMissing(x), my = c.isMissing(y);
                    if (mx || my) return mx == my ? 0 : mx ? 1 : -1;
                    int r = comparable(c.get(x)).compareTo(comparable(c.get(y)));
                    return ascending ? r : -r;
                });
                idx = new int[order.length];
                for (int i = 0; i < idx.length; i++) idx[i] = order[i];
            }
            List<Column<?>> cs = new ArrayList<>();
            for (Column<?> col : t.columns()) cs.add(Join.gather(col, idx, col.type()));
            return Table.create(cs);
        }
        @Override public int arity() { return 1; }
        @Override public String toString() { return "sort"; }
    }

    /** A global sort: sample → divisions → range split → per output partition concat + sort. */
    static final class Sort extends Plan {
        final Plan input;
        final String column;
        final boolean ascending;

        Sort(Plan input, String column, boolean ascending) {
            super(input.schema, input.npartitions);
            Ops.check(input.schema, List.of(column), "sortValues");
            this.input = input;
            this.column = column;
            this.ascending = ascending;
        }

        @Override Object identity() { return List.of("sort", column, ascending, input.token()); }

        @Override List<Key> lower(Set<String> required, Lowering lw) {
            Set<String> need = required == null ? null : new LinkedHashSet<>(required);
            if (need != null) need.add(column);
            List<Key> in = lw.keys(input, need);
            String name = "sort-" + tok(token(), reqList(required));
            int n = npartitions;
            List<Object> samples = new ArrayList<>();
            for (int i = 0; i < in.size(); i++) {
                Key s = Key.of(name + "-sample", i);
                lw.b.put(s, Task.ofArray(new Sample(column), new Object[] {in.get(i)}));
                samples.add(s);
            }
            Key div = Key.of(name + "-divisions");
            lw.b.put(div, Task.ofArray(new Divisions(n), new Object[] {samples}));
            List<List<Key>> pieces = scatter(name, in, new RangeSplit(column, n), n, lw, div);
            List<Key> out = new ArrayList<>();
            LinkedHashMap<String, String> sch = names(sub(schema, need));
            for (int j = 0; j < n; j++) {
                int jj = ascending ? j : n - 1 - j;
                Key k = Key.of(name, j);
                lw.b.put(k, Task.ofArray(new ConcatSort(sch, column, ascending), new Object[] {new ArrayList<Object>(pieces.get(jj))}));
                out.add(k);
            }
            return out;
        }
    }

    // ------------------------------------------------------------------ repartition

    record Slice(int piece, int pieces) implements FnN {
        @Override public Object invoke(Object[] a) {
            Table t = (Table) a[0];
            int n = t.rowCount();
            return t.inRange((int) ((long) n * piece / pieces), (int) ((long) n * (piece + 1) / pieces));
        }
        @Override public int arity() { return 1; }
        @Override public String toString() { return "slice"; }
    }

    /** Fewer partitions: concatenates neighbours; more: cuts each partition into even row ranges. */
    static final class Repartition extends Plan {
        final Plan input;

        Repartition(Plan input, int n) {
            super(input.schema, n);
            this.input = input;
        }

        @Override Object identity() { return List.of("repartition", npartitions, input.token()); }

        @Override List<Key> lower(Set<String> required, Lowering lw) {
            List<Key> in = lw.keys(input, required);
            String name = "repartition-" + tok(token(), reqList(required));
            int m = in.size(), n = npartitions;
            List<Key> out = new ArrayList<>();
            LinkedHashMap<String, String> sch = names(sub(schema, required));
            if (n <= m) {
                for (int j = 0; j < n; j++) {
                    int from = (int) ((long) m * j / n), to = (int) ((long) m * (j + 1) / n);
                    Key k = Key.of(name, j);
                    lw.b.put(k, Task.ofArray(new Concat(sch), new Object[] {new ArrayList<Object>(in.subList(from, to))}));
                    out.add(k);
                }
                return out;
            }
            for (int i = 0; i < m; i++) {
                int pieces = (int) ((long) n * (i + 1) / m) - (int) ((long) n * i / m);
                for (int p = 0; p < pieces; p++) {
                    Key k = Key.of(name, out.size());
                    lw.b.put(k, Task.ofArray(new Slice(p, pieces), new Object[] {in.get(i)}));
                    out.add(k);
                }
            }
            return out;
        }
    }
}

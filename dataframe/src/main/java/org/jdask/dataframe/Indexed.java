package org.jdask.dataframe;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdask.Lazy;
import org.jdask.fn.FnN;
import org.jdask.graph.GraphOptimizer;
import org.jdask.graph.Key;
import org.jdask.graph.Task;
import org.jdask.graph.TaskGraph;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;
import tech.tablesaw.selection.BitmapBackedSelection;
import tech.tablesaw.selection.Selection;

/**
 * The index operations: {@code setIndex} (a sort by sampled quantiles computed now, as Dask's
 * {@code set_index}, or {@code sorted=true}: only each partition's first and last key, checked),
 * {@code loc} (only the partitions whose divisions overlap the range are in the graph),
 * {@code repartition(divisions)} (each output partition reads the input partitions it overlaps;
 * no shuffle) and the partition-to-partition merge of two frames aligned on their index.
 */
final class Indexed {
    private Indexed() {}

    // ------------------------------------------------------------------ eager statistics

    /** Per partition: {min key, max key, first unsorted row or -1, rows, sample of keys}. */
    record Bounds(String column, int samples) implements FnN {
        @Override public Object invoke(Object[] a) {
            Column<?> c = ((Table) a[0]).column(column);
            Object min = null, max = null, prev = null;
            int unsorted = -1, present = 0;
            // numbers and date-times: sampled from the row order SortOrder finds (one long[]), not a boxed key per row sorted
            boolean primitive = SortOrder.sorts(c);
            List<Object> keys = new ArrayList<>();
            for (int i = 0; i < c.size(); i++) {
                Object k = FrameIndex.keyAt(c, i);
                if (k == null) continue;
                present++;
                if (prev != null && unsorted < 0 && FrameIndex.compare(prev, k) > 0) unsorted = i;
                prev = k;
                if (min == null || FrameIndex.compare(k, min) < 0) min = k;
                if (max == null || FrameIndex.compare(k, max) > 0) max = k;
                if (samples > 0 && !primitive) keys.add(k);
            }
            List<Object> sample = new ArrayList<>();
            if (samples > 0 && present > 0) {
                int[] order = primitive ? SortOrder.of(c, true) : null; // missing rows last: the first `present` are the keys
                if (!primitive) keys.sort(FrameIndex::compare);
                int k = Math.min(samples, present);
                for (int i = 0; i < k; i++) {
                    int at = (int) ((long) i * present / k);
                    sample.add(primitive ? FrameIndex.keyAt(c, order[at]) : keys.get(at));
                }
            }
            return new ArrayList<>(Arrays.asList(min, max, unsorted, c.size(), sample));
        }
        @Override public int arity() { return 1; }
        @Override public String toString() { return "index-bounds"; }
    }

    /** Runs {@link Bounds} on every partition of {@code frame} now (reading only the column). */
    @SuppressWarnings("unchecked")
    static List<List<Object>> bounds(DataFrame frame, String column, int samples) {
        Plan.Lowering lw = new Plan.Lowering();
        List<Key> in = lw.keys(frame.plan, Set.of(column));
        String name = "index-bounds-" + Plan.tok(frame.plan.token(), column, samples);
        List<Key> out = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            Key k = Key.of(name, i);
            lw.b.put(k, Task.ofArray(new Bounds(column, samples), new Object[] {in.get(i)}));
            out.add(k);
        }
        TaskGraph g = lw.b.build();
        Lazy<List<Object>> lazy = new Lazy<>() {
            public TaskGraph graph() { return g; }
            public List<Key> keys() { return out; }
            public List<Object> finish(List<Object> values) { return values; }
            public Lazy<List<Object>> rebuild(TaskGraph persisted) { throw new UnsupportedOperationException(); }
            public GraphOptimizer optimizer() { return FrameOptimizer.INSTANCE; }
        };
        List<List<Object>> res = new ArrayList<>();
        for (Object o : lazy.compute()) res.add((List<Object>) o);
        return res;
    }

    static ColumnType indexType(DataFrame frame, String column, String what) {
        Ops.check(frame.plan.schema, List.of(column), what);
        ColumnType t = frame.plan.schema.get(column);
        if (!(Temporal.isTemporal(t) || Dtypes.isNumeric(t) || t == ColumnType.STRING)) {
            throw new IllegalArgumentException(what + "(\"" + column + "\"): a " + t.name() + " column cannot be an index (use a number, string or date/time column)");
        }
        return t;
    }

    /**
     * {@code setIndex(column, true)}: trusts the order and records the divisions. A CSV read of whole
     * uncompressed files reads only each file's first and last row ({@link CsvBounds}); otherwise
     * the column is read now and its order checked.
     */
    static DataFrame setSorted(DataFrame frame, String column) {
        ColumnType t = indexType(frame, column, "setIndex");
        List<List<Object>> b = CsvBounds.of(frame.plan, column);
        if (b == null) b = bounds(frame, column, 0);
        List<Object> divs = new ArrayList<>();
        Object lastMax = null;
        for (int i = 0; i < b.size(); i++) {
            List<Object> p = b.get(i);
            int unsorted = (Integer) p.get(2);
            if (unsorted >= 0) {
                throw new IllegalArgumentException("setIndex(\"" + column + "\", sorted=true): partition " + i + " is not sorted by '" + column
                        + "' (row " + unsorted + " is smaller than the row before it); fix: call setIndex(\"" + column + "\") to sort it");
            }
            if (p.get(0) == null) continue; // an empty partition: its division is the next one's
            if (lastMax != null && FrameIndex.compare(lastMax, p.get(0)) > 0) {
                throw new IllegalArgumentException("setIndex(\"" + column + "\", sorted=true): partition " + i + " starts at "
                        + FrameIndex.value(p.get(0), t) + ", before the end of the partition before it (" + FrameIndex.value(lastMax, t)
                        + "); the partitions are not in order; fix: call setIndex(\"" + column + "\") to sort it");
            }
            while (divs.size() < i) divs.add(p.get(0));
            divs.add(p.get(0));
            lastMax = p.get(1);
        }
        if (lastMax == null) return new DataFrame(frame.plan, new FrameIndex(column, t.name(), null));
        while (divs.size() < b.size()) divs.add(lastMax);
        divs.add(lastMax);
        return new DataFrame(frame.plan, new FrameIndex(column, t.name(), divs));
    }

    /** {@code setIndex(column)}: quantiles of per-partition samples computed now, then a range shuffle. */
    @SuppressWarnings("unchecked")
    static DataFrame sortAndSet(DataFrame frame, String column) {
        ColumnType t = indexType(frame, column, "setIndex");
        List<List<Object>> b = bounds(frame, column, 200);
        List<Object> all = new ArrayList<>();
        Object min = null, max = null;
        for (List<Object> p : b) {
            if (p.get(0) == null) continue;
            if (min == null || FrameIndex.compare(p.get(0), min) < 0) min = p.get(0);
            if (max == null || FrameIndex.compare(p.get(1), max) > 0) max = p.get(1);
            all.addAll((List<Object>) p.get(4));
        }
        int n = frame.npartitions();
        if (min == null) return new DataFrame(frame.plan, new FrameIndex(column, t.name(), null));
        all.sort(FrameIndex::compare);
        List<Object> divs = new ArrayList<>();
        divs.add(min);
        for (int j = 1; j < n; j++) {
            Object q = all.get((int) ((long) j * all.size() / n));
            divs.add(FrameIndex.compare(q, divs.get(divs.size() - 1)) < 0 ? divs.get(divs.size() - 1) : q);
        }
        divs.add(max);
        FrameIndex idx = new FrameIndex(column, t.name(), divs);
        return new DataFrame(new RangeShuffle(frame.plan, idx), idx);
    }

    /** Splits a partition into pieces by the divisions of the index (missing keys to the last piece). */
    record KeySplit(String column, List<Object> divisions) implements FnN {
        @Override public Object invoke(Object[] a) {
            Table t = (Table) a[0];
            int n = divisions.size() - 1;
            Column<?> c = t.column(column);
            int[] bucket = new int[t.rowCount()];
            for (int i = 0; i < bucket.length; i++) bucket[i] = piece(FrameIndex.keyAt(c, i), divisions);
            return new Pieces(Join.split(t, bucket, n));
        }
        @Override public int arity() { return 1; }
        @Override public String toString() { return "index-split"; }
    }

    /** The partition of {@code key}: the last i with divisions[i] <= key (missing and beyond: the last). */
    static int piece(Object key, List<Object> divisions) {
        int n = divisions.size() - 1;
        if (key == null) return n - 1;
        int lo = 1, hi = n; // find the first division index in [1, n) greater than key
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (FrameIndex.compare(key, divisions.get(mid)) >= 0) lo = mid + 1; else hi = mid;
        }
        return lo - 1;
    }

    /** A sort by known divisions: split every partition, then concat and sort each output. */
    static final class RangeShuffle extends Plan {
        final Plan input;
        final FrameIndex index;

        RangeShuffle(Plan input, FrameIndex index) {
            super(input.schema, index.divisions().size() - 1);
            this.input = input;
            this.index = index;
        }

        @Override Object identity() { return List.of("set-index", index.column(), new ArrayList<>(index.divisions()), input.token()); }

        @Override List<Key> lower(Set<String> required, Lowering lw) {
            Set<String> need = Ops.plus(required, Set.of(index.column()));
            List<Key> in = lw.keys(input, need);
            String name = "set-index-" + tok(token(), reqList(required));
            int n = npartitions;
            List<List<Key>> pieces = Shuffle.scatter(name, in, new KeySplit(index.column(), index.divisions()), n, lw, null);
            List<Key> out = new ArrayList<>();
            LinkedHashMap<String, String> sch = Shuffle.names(sub(schema, need));
            for (int j = 0; j < n; j++) {
                Key k = Key.of(name, j);
                lw.b.put(k, Task.ofArray(new Shuffle.ConcatSort(sch, index.column(), true), new Object[] {new ArrayList<Object>(pieces.get(j))}));
                out.add(k);
            }
            return out;
        }
    }

    // ------------------------------------------------------------------ loc

    static FrameIndex require(DataFrame frame, String what) {
        FrameIndex idx = frame.index;
        if (idx == null) {
            throw new IllegalStateException(what + " needs a sorted index: this frame has none; fix: call setIndex(\"column\") "
                    + "(sorts) or setIndex(\"column\", true) (the data is already sorted) first");
        }
        if (!idx.known()) {
            throw new IllegalStateException(what + " needs known divisions: the index '" + idx.column() + "' has none (it was lost by an "
                    + "operation that moves rows, or the frame is empty); fix: call setIndex(\"" + idx.column() + "\", true) again");
        }
        return idx;
    }

    /** Rows whose index key is in {@code [lo, hi]} (null: open). */
    record KeyRange(String column, Object lo, Object hi) implements Ops.PartOp {
        public String name() { return "loc"; }
        public Table apply(Table t) {
            Column<?> c = t.column(column);
            Selection s = new BitmapBackedSelection();
            if (c instanceof tech.tablesaw.api.DateTimeColumn || c instanceof tech.tablesaw.api.InstantColumn) {
                // packed date-times sort like their values: compare them with the packed bounds
                long a = lo == null ? Long.MIN_VALUE + 1 : Temporal.epochMsToDateTime((Long) lo);
                long b = hi == null ? Long.MAX_VALUE : Temporal.epochMsToDateTime((Long) hi);
                for (int i = 0, n = c.size(); i < n; i++) {
                    long x = c instanceof tech.tablesaw.api.DateTimeColumn d ? d.getLongInternal(i) : ((tech.tablesaw.api.InstantColumn) c).getLongInternal(i);
                    if (x != Long.MIN_VALUE && x >= a && x <= b) s.add(i);
                }
                return s.size() == t.rowCount() ? t : t.where(s);
            }
            if (Temporal.isTemporal(c.type())) { // epoch milliseconds compared as longs, no key objects
                long[] ms = Temporal.epochMs(c);
                long a = lo == null ? Long.MIN_VALUE + 1 : (Long) lo, b = hi == null ? Long.MAX_VALUE : (Long) hi;
                for (int i = 0; i < ms.length; i++) if (ms[i] != Temporal.MISSING && ms[i] >= a && ms[i] <= b) s.add(i);
                return s.size() == t.rowCount() ? t : t.where(s);
            }
            for (int i = 0, n = c.size(); i < n; i++) {
                Object k = FrameIndex.keyAt(c, i);
                if (k == null || (lo != null && FrameIndex.compare(k, lo) < 0) || (hi != null && FrameIndex.compare(k, hi) > 0)) continue;
                s.add(i);
            }
            return s.size() == t.rowCount() ? t : t.where(s);
        }
        public Set<String> needs(Set<String> r, Map<String, ColumnType> in) { return Ops.plus(r, Set.of(column)); }
        public LinkedHashMap<String, ColumnType> schema(LinkedHashMap<String, ColumnType> in) { return in; }
    }

    /** Some partitions of a plan, in order (the others are never lowered into the result's graph). */
    static final class Pick extends Plan {
        final Plan input;
        final List<Integer> parts;

        Pick(Plan input, List<Integer> parts) {
            super(input.schema, parts.size());
            this.input = input;
            this.parts = List.copyOf(parts);
        }

        @Override Object identity() { return List.of("pick", new ArrayList<>(parts), input.token()); }

        @Override List<Key> lower(Set<String> required, Lowering lw) {
            List<Key> in = lw.keys(input, required);
            List<Key> out = new ArrayList<>();
            for (int i : parts) out.add(in.get(i));
            return out;
        }
    }

    static DataFrame loc(DataFrame frame, Object from, Object to) {
        FrameIndex idx = require(frame, "loc");
        ColumnType t = idx.columnType();
        Object lo = from == null ? null : FrameIndex.key(from, t, false, "loc");
        Object hi = to == null ? null : FrameIndex.key(to, t, true, "loc");
        List<Integer> parts = idx.overlapping(lo, hi);
        List<Object> divs = new ArrayList<>();
        if (parts.isEmpty()) parts = List.of(0); // an empty result still has one (filtered) partition
        for (int i : parts) divs.add(idx.divisions().get(i));
        divs.add(idx.divisions().get(parts.get(parts.size() - 1) + 1));
        if (lo != null && FrameIndex.compare(divs.get(0), lo) < 0) divs.set(0, lo);
        if (hi != null && FrameIndex.compare(divs.get(divs.size() - 1), hi) > 0) divs.set(divs.size() - 1, hi);
        for (int i = 1; i < divs.size(); i++) if (FrameIndex.compare(divs.get(i), divs.get(i - 1)) < 0) divs.set(i, divs.get(i - 1));
        Plan picked = new Pick(frame.plan, parts);
        return new DataFrame(new Plan.Parts(picked, new KeyRange(idx.column(), lo, hi)), idx.with(divs));
    }

    // ------------------------------------------------------------------ repartition by divisions

    /** Concatenates the pieces of the overlapping inputs that fall in {@code [lo, hi)} ({@code hi} closed for the last). */
    record Gather(String column, Object lo, Object hi, boolean last, LinkedHashMap<String, String> schema) implements FnN {
        @SuppressWarnings("unchecked")
        @Override public Object invoke(Object[] a) {
            List<Table> parts = new ArrayList<>();
            for (Object o : (List<Object>) a[0]) {
                Table t = (Table) o;
                Column<?> c = t.column(column);
                Selection s = new BitmapBackedSelection();
                for (int i = 0, n = c.size(); i < n; i++) {
                    Object k = FrameIndex.keyAt(c, i);
                    if (k == null) { if (last) s.add(i); continue; }
                    if (lo != null && FrameIndex.compare(k, lo) < 0) continue;
                    if (hi != null) {
                        int ch = FrameIndex.compare(k, hi);
                        if (ch > 0 || (ch == 0 && !last)) continue;
                    }
                    s.add(i);
                }
                parts.add(t.where(s));
            }
            return Tablesx.concat(parts, Shuffle.types(schema));
        }
        @Override public int arity() { return 1; }
        @Override public String toString() { return "repartition-divisions"; }
    }

    static final class ByDivisions extends Plan {
        final Plan input;
        final FrameIndex from, to;

        ByDivisions(Plan input, FrameIndex from, FrameIndex to) {
            super(input.schema, to.divisions().size() - 1);
            this.input = input;
            this.from = from;
            this.to = to;
        }

        @Override Object identity() { return List.of("repartition-divisions", new ArrayList<>(to.divisions()), input.token()); }

        @Override List<Key> lower(Set<String> required, Lowering lw) {
            Set<String> need = Ops.plus(required, Set.of(to.column()));
            List<Key> in = lw.keys(input, need);
            String name = "repartition-divisions-" + tok(token(), reqList(required));
            List<Key> out = new ArrayList<>();
            List<Object> d = to.divisions();
            LinkedHashMap<String, String> sch = Shuffle.names(sub(schema, need));
            for (int j = 0; j + 1 < d.size(); j++) {
                boolean last = j + 2 == d.size();
                Object lo = j == 0 ? null : d.get(j); // the first and last outputs take everything beyond the ends
                Object hi = d.get(j + 1);
                List<Object> src = new ArrayList<>();
                for (int i : from.overlapping(lo, last ? null : hi)) src.add(in.get(i));
                Key k = Key.of(name, j);
                lw.b.put(k, Task.ofArray(new Gather(to.column(), lo, last ? null : hi, last, sch), new Object[] {src}));
                out.add(k);
            }
            return out;
        }
    }

    static DataFrame repartition(DataFrame frame, List<?> divisions) {
        FrameIndex idx = require(frame, "repartition(divisions)");
        if (divisions.size() < 2) throw new IllegalArgumentException("repartition(divisions) needs at least two divisions, got " + divisions);
        List<Object> keys = new ArrayList<>();
        for (Object v : divisions) {
            Object k = FrameIndex.key(v, idx.columnType(), false, "repartition(divisions)");
            if (!keys.isEmpty() && FrameIndex.compare(keys.get(keys.size() - 1), k) > 0) {
                throw new IllegalArgumentException("repartition(divisions): the divisions must be sorted; " + v + " comes after a larger one in " + divisions);
            }
            keys.add(k);
        }
        FrameIndex to = idx.with(keys);
        return new DataFrame(new ByDivisions(frame.plan, idx, to), to);
    }

    // ------------------------------------------------------------------ merge on the index

    /** Partition i of the left joined with partition i of the right (same divisions). */
    static final class AlignedMerge extends Plan {
        final Plan left, right;
        final List<String> on;
        final String how;

        AlignedMerge(Plan left, Plan right, List<String> on, String how) {
            super(Join.schema(left.schema, right.schema, on, how), left.npartitions);
            this.left = left;
            this.right = right;
            this.on = on;
            this.how = how;
        }

        @Override Object identity() { return List.of("merge-aligned", on, how, left.token(), right.token()); }

        @Override List<Key> lower(Set<String> required, Lowering lw) {
            List<Key> l = lw.keys(left, null), r = lw.keys(right, null);
            String name = "merge-aligned-" + token();
            Shuffle.JoinParts fn = new Shuffle.JoinParts(on, how, Shuffle.names(left.schema), Shuffle.names(right.schema), Shuffle.names(schema));
            List<Key> out = new ArrayList<>();
            for (int i = 0; i < l.size(); i++) {
                Key k = Key.of(name, i);
                lw.b.put(k, Task.ofArray(fn, new Object[] {new ArrayList<Object>(List.of(l.get(i))), new ArrayList<Object>(List.of(r.get(i)))}));
                out.add(k);
            }
            return out;
        }
    }

    /**
     * A merge on both frames' index with known divisions: when they differ, both are first cut to
     * the union of the divisions (no shuffle), then partition i meets partition i. Returns null when
     * the frames are not aligned on {@code on}.
     */
    static DataFrame mergeOnIndex(DataFrame left, DataFrame right, List<String> on, String how) {
        FrameIndex a = left.index, b = right.index;
        if (a == null || b == null || !a.known() || !b.known() || on.size() != 1 || !on.get(0).equals(a.column())
                || !a.column().equals(b.column()) || !a.type().equals(b.type())) {
            return null;
        }
        DataFrame l = left, r = right;
        FrameIndex idx = a;
        if (!a.divisions().equals(b.divisions())) {
            LinkedHashSet<Object> union = new LinkedHashSet<>(a.divisions());
            union.addAll(b.divisions());
            List<Object> u = new ArrayList<>(union);
            u.sort(FrameIndex::compare);
            idx = a.with(u);
            l = new DataFrame(new ByDivisions(left.plan, a, idx), idx);
            r = new DataFrame(new ByDivisions(right.plan, b, idx), idx);
        }
        return new DataFrame(new AlignedMerge(l.plan, r.plan, on, how), how.equals("inner") || how.equals("left") ? idx : null);
    }
}

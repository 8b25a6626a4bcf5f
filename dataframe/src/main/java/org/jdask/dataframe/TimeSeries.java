package org.jdask.dataframe;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdask.fn.FnN;
import org.jdask.graph.Key;
import org.jdask.graph.Task;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * Operations that need rows of neighbouring partitions (Dask's {@code map_overlap}): each
 * partition borrows a <i>carry</i> from the one before it (the tail a window needs, the last row for
 * {@code diff}, the running total for {@code cumsum}). Carries form a chain, carry i made from
 * carry i - 1 and partition i - 1, so a window longer than a partition is still exact; partitions
 * themselves are still computed in parallel. Also: which partition-wise ops keep the index.
 */
final class TimeSeries {
    private TimeSeries() {}

    /** A computation over a partition and the carry borrowed from the partitions before it. */
    interface Window extends Serializable {
        String name();
        /** The carry the next partition borrows, from this one's carry (null for the first) and rows. */
        Table carry(Table carry, Table part);
        /** The output rows of {@code part}. */
        Table apply(Table carry, Table part);
        LinkedHashMap<String, ColumnType> schema(LinkedHashMap<String, ColumnType> in);
        /** Input columns needed (null: all). */
        Set<String> needs(Set<String> required, Map<String, ColumnType> in);
    }

    record CarryFn(Window w) implements FnN {
        @Override public Object invoke(Object[] a) { return w.carry((Table) a[0], (Table) a[1]); }
        @Override public int arity() { return 2; }
        @Override public String toString() { return w.name() + "-carry"; }
    }

    record ApplyFn(Window w) implements FnN {
        @Override public Object invoke(Object[] a) { return w.apply((Table) a[0], (Table) a[1]); }
        @Override public int arity() { return 2; }
        @Override public String toString() { return w.name(); }
    }

    /** A window plan: carry chain (forward, or backward for a negative shift) plus one apply task per partition. */
    static final class Overlap extends Plan {
        final Plan input;
        final Window w;
        final boolean backward;

        Overlap(Plan input, Window w, boolean backward) {
            super(w.schema(input.schema), input.npartitions);
            this.input = input;
            this.w = w;
            this.backward = backward;
        }

        @Override Object identity() { return List.of("overlap", w, backward, input.token()); }

        @Override List<Key> lower(Set<String> required, Lowering lw) {
            List<Key> in = lw.keys(input, w.needs(required, input.schema));
            String name = w.name() + "-" + tok(token(), reqList(required));
            int n = in.size();
            Key[] carry = new Key[n];
            for (int s = 1; s < n; s++) {
                int i = backward ? n - 1 - s : s, prev = backward ? i + 1 : i - 1;
                Key k = Key.of(name + "-carry", i);
                lw.b.put(k, Task.ofArray(new CarryFn(w), new Object[] {carry[prev], in.get(prev)}));
                carry[i] = k;
            }
            List<Key> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Key k = Key.of(name, i);
                lw.b.put(k, Task.ofArray(new ApplyFn(w), new Object[] {carry[i], in.get(i)}));
                out.add(k);
            }
            return out;
        }
    }

    static DataFrame overlap(DataFrame frame, Window w, boolean backward, boolean keepIndex) {
        Overlap p = new Overlap(frame.plan, w, backward);
        FrameIndex idx = keepIndex && frame.index != null && p.schema.get(frame.index.column()) == frame.plan.schema.get(frame.index.column()) ? frame.index : null;
        return new DataFrame(p, idx);
    }

    /** Rows {@code [from, to)} of carry ∪ part, as one table (the carry first). */
    static Table joined(Table carry, Table part) {
        if (carry == null || carry.rowCount() == 0) return part;
        Table c = carry.selectColumns(part.columnNames().toArray(new String[0]));
        return Tablesx.concat(List.of(c, part), Tablesx.schemaOf(part));
    }

    static List<String> numericColumns(Map<String, ColumnType> schema, List<String> cols, String what) {
        List<String> out = new ArrayList<>();
        if (cols.isEmpty()) {
            schema.forEach((c, t) -> { if (Dtypes.isNumeric(t)) out.add(c); });
            if (out.isEmpty()) throw new IllegalArgumentException(what + " needs a numeric column; the types are " + schema);
            return out;
        }
        Ops.check(schema, cols, what);
        for (String c : cols) {
            if (!Dtypes.isNumeric(schema.get(c))) throw new IllegalArgumentException(what + "(\"" + c + "\") needs a numeric column; it is " + schema.get(c).name());
        }
        return cols;
    }

    /**
     * The column as doubles, missing as NaN. A non-numeric column (only {@code count} accepts one,
     * {@link Agg#outType} rejects the rest) gives 0 where present, so counts count its values.
     */
    static double[] values(Column<?> c) {
        if (c instanceof DoubleColumn d) return d.asDoubleArray();
        double[] v = new double[c.size()];
        if (!(c instanceof NumericColumn<?> n)) {
            for (int i = 0; i < v.length; i++) v[i] = c.isMissing(i) ? Double.NaN : 0;
            return v;
        }
        for (int i = 0; i < v.length; i++) v[i] = n.isMissing(i) ? Double.NaN : n.getDouble(i);
        return v;
    }

    /** The table with {@code cols} replaced by DOUBLE columns of the same names. */
    static Table replace(Table part, Map<String, double[]> cols) {
        List<Column<?>> out = new ArrayList<>();
        for (Column<?> c : part.columns()) {
            double[] v = cols.get(c.name());
            out.add(v == null ? c : DoubleColumn.create(c.name(), v));
        }
        return Table.create(part.name(), out);
    }

    static LinkedHashMap<String, ColumnType> asDouble(LinkedHashMap<String, ColumnType> in, List<String> cols) {
        LinkedHashMap<String, ColumnType> m = new LinkedHashMap<>(in);
        for (String c : cols) m.put(c, ColumnType.DOUBLE);
        return m;
    }

    // ------------------------------------------------------------------ shift, diff, cumulative

    /** {@code shift(n)}: carry = the last n rows (first |n| rows of the next partition when n < 0). */
    record Shift(int n, List<String> cols) implements Window {
        public String name() { return "shift"; }
        public Table carry(Table carry, Table part) {
            Table all = joined(carry, part.selectColumns(cols.toArray(new String[0])));
            int k = Math.abs(n), rows = all.rowCount();
            if (n > 0) return rows <= k ? all : all.inRange(rows - k, rows);
            Table rev = carry == null || carry.rowCount() == 0 ? part.selectColumns(cols.toArray(new String[0]))
                    : Tablesx.concat(List.of(part.selectColumns(cols.toArray(new String[0])), carry), Tablesx.schemaOf(carry));
            return rev.rowCount() <= k ? rev : rev.first(k);
        }
        public Table apply(Table carry, Table part) {
            int rows = part.rowCount(), c = carry == null ? 0 : carry.rowCount();
            List<Column<?>> out = new ArrayList<>();
            for (Column<?> col : part.columns()) {
                if (!cols.contains(col.name())) { out.add(col); continue; }
                Table all = n > 0 ? joined(carry, part.selectColumns(col.name())) : carry == null || c == 0 ? part.selectColumns(col.name())
                        : Tablesx.concat(List.of(part.selectColumns(col.name()), carry.selectColumns(col.name())), Tablesx.schemaOf(part.selectColumns(col.name())));
                int[] idx = new int[rows];
                int total = all.rowCount();
                for (int i = 0; i < rows; i++) {
                    int j = n > 0 ? (c + i - n) : (i - n);
                    idx[i] = j < 0 || j >= total ? -1 : j;
                }
                out.add(Join.gather(all.column(0), idx, col.type()));
            }
            return Table.create(part.name(), out);
        }
        public LinkedHashMap<String, ColumnType> schema(LinkedHashMap<String, ColumnType> in) {
            Ops.check(in, cols, "shift");
            return in;
        }
        public Set<String> needs(Set<String> r, Map<String, ColumnType> in) { return Ops.plus(r, new java.util.HashSet<>(cols)); }
    }

    static DataFrame shift(DataFrame frame, int n, List<String> cols) {
        List<String> c = cols.isEmpty() ? new ArrayList<>(frame.plan.schema.keySet()) : cols;
        if (frame.index != null && cols.isEmpty()) c.remove(frame.index.column());
        if (n == 0) return frame;
        return overlap(frame, new Shift(n, c), n < 0, true);
    }

    /** diff, cumsum, cummax, cummin: carry = one row holding the last value or the running aggregate. */
    record Scan(String op, List<String> cols) implements Window {
        public String name() { return op; }
        public Table carry(Table carry, Table part) {
            List<Column<?>> out = new ArrayList<>();
            for (String c : cols) {
                double[] v = values(part.column(c));
                double acc = carry == null ? Double.NaN : carry.doubleColumn(c).getDouble(0);
                if (op.equals("diff")) {
                    if (v.length > 0) acc = v[v.length - 1];
                } else {
                    for (double x : v) acc = step(acc, x);
                }
                out.add(DoubleColumn.create(c, new double[] {acc}));
            }
            return Table.create(out);
        }
        private double step(double acc, double x) {
            if (x != x) return acc;
            if (acc != acc) return x;
            return switch (op) { case "cumsum" -> acc + x; case "cummax" -> Math.max(acc, x); default -> Math.min(acc, x); };
        }
        public Table apply(Table carry, Table part) {
            Map<String, double[]> res = new LinkedHashMap<>();
            for (String c : cols) {
                double[] v = values(part.column(c));
                double[] o = new double[v.length];
                double acc = carry == null ? Double.NaN : carry.doubleColumn(c).getDouble(0);
                for (int i = 0; i < v.length; i++) {
                    if (op.equals("diff")) {
                        o[i] = v[i] - acc;
                        acc = v[i];
                    } else {
                        acc = step(acc, v[i]);
                        o[i] = v[i] != v[i] ? Double.NaN : acc; // pandas: a missing value stays missing
                    }
                }
                res.put(c, o);
            }
            return replace(part, res);
        }
        public LinkedHashMap<String, ColumnType> schema(LinkedHashMap<String, ColumnType> in) { return asDouble(in, cols); }
        public Set<String> needs(Set<String> r, Map<String, ColumnType> in) { return Ops.plus(r, new java.util.HashSet<>(cols)); }
    }

    static DataFrame scan(DataFrame frame, String op, List<String> cols) {
        List<String> c = new ArrayList<>(numericColumns(frame.plan.schema, cols, op));
        if (frame.index != null && cols.isEmpty()) c.remove(frame.index.column());
        return overlap(frame, new Scan(op, c), false, true);
    }

    // ------------------------------------------------------------------ index propagation and small helpers

    /** The index after a partition-wise op, or null when the op may reorder or drop it. */
    static FrameIndex keepsIndex(FrameIndex idx, Ops.PartOp op, LinkedHashMap<String, ColumnType> out) {
        if (idx == null) return null;
        String c = idx.column();
        if (op instanceof Ops.Rename r) {
            String to = r.names().getOrDefault(c, c);
            return new FrameIndex(to, idx.type(), idx.divisions());
        }
        if (!out.containsKey(c) || !out.get(c).name().equals(idx.type())) return null;
        if (op instanceof Ops.Assign a) return a.column().equals(c) ? null : idx;
        if (op instanceof Ops.Astype a) return a.column().equals(c) ? null : idx;
        if (op instanceof Ops.Filter || op instanceof Ops.Dropna || op instanceof Ops.Head || op instanceof Ops.Select
                || op instanceof Ops.Drop || op instanceof Ops.Fillna || op instanceof Indexed.KeyRange) {
            return idx;
        }
        return null;
    }

    /** The output column name of a group-by expression: the column it reads. */
    static String exprName(Expr e) {
        Set<String> cols = e.columns();
        if (cols.size() != 1) throw new IllegalArgumentException("groupBy(" + e + "): a group-by expression must read exactly one column (it names the output)");
        return cols.iterator().next();
    }

    // ------------------------------------------------------------------ bad CSV lines

    static Plan.Csv csvSource(Plan p) {
        Plan q = p;
        while (true) {
            if (q instanceof Plan.Csv c) return c;
            if (q instanceof Plan.Parts parts) q = parts.input;
            else if (q instanceof Indexed.Pick pick) q = pick.input;
            else return null;
        }
    }

    /** The rows each CSV partition dropped (one LONG column "bad_lines" per partition). */
    static final class BadLines extends Plan {
        final Plan.Csv csv;

        BadLines(Plan.Csv csv) {
            super(new LinkedHashMap<>(Map.of("bad_lines", ColumnType.LONG)), csv.npartitions);
            this.csv = csv;
        }

        @Override Object identity() { return List.of("csv-bad-lines", csv.token()); }

        @Override List<Key> lower(Set<String> required, Lowering lw) {
            return csv.lowerReads(List.of(), true, "csv-bad-lines-" + token(), lw);
        }
    }

    record SumLong(String column) implements Reductions.Reduction<long[]> {
        public String name() { return "sum-long"; }
        public long[] chunk(Table t) {
            LongColumn c = t.longColumn(column);
            long s = 0;
            for (int i = 0; i < c.size(); i++) s += c.getLong(i);
            return new long[] {s};
        }
        public long[] combine(List<long[]> parts) {
            long s = 0;
            for (long[] p : parts) s += p[0];
            return new long[] {s};
        }
        public Object finish(long[] p) { return p[0]; }
    }

    static Scalar<Long> badLines(DataFrame frame) {
        Plan.Csv csv = csvSource(frame.plan);
        if (csv == null) throw new IllegalStateException("badLines() counts rows dropped by CsvOptions.onBadLines; this frame was not read by readCsv");
        return new Scalar<>(new BadLines(csv), Set.of("bad_lines"), new SumLong("bad_lines"), 8);
    }
}

package org.jdask.dataframe;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/** The hash-join kernel of {@link DataFrame#merge} and the gather/hash helpers shuffles use. */
final class Join {
    private Join() {}

    /** Output schema: left columns, then right's non-key columns (suffixed {@code _right} on a clash). */
    static LinkedHashMap<String, ColumnType> schema(Map<String, ColumnType> l, Map<String, ColumnType> r, List<String> on, String how) {
        if (!List.of("inner", "left", "right", "outer").contains(how)) {
            throw new IllegalArgumentException("how must be inner, left, right or outer, got '" + how + "'");
        }
        if (on.isEmpty()) throw new IllegalArgumentException("merge needs at least one key column");
        for (String c : on) {
            if (!l.containsKey(c)) throw new NoSuchElementException("merge: unknown key column '" + c + "' on the left; its columns are " + l.keySet());
            if (!r.containsKey(c)) throw new NoSuchElementException("merge: unknown key column '" + c + "' on the right; its columns are " + r.keySet());
            if (!sameKind(l.get(c), r.get(c))) throw new IllegalArgumentException("merge key '" + c + "' is " + l.get(c).name() + " on the left and " + r.get(c).name() + " on the right");
        }
        LinkedHashMap<String, ColumnType> m = new LinkedHashMap<>(l);
        for (Map.Entry<String, ColumnType> e : r.entrySet()) {
            if (on.contains(e.getKey())) continue;
            String name = m.containsKey(e.getKey()) ? e.getKey() + "_right" : e.getKey();
            m.put(name, e.getValue());
        }
        return m;
    }

    private static boolean sameKind(ColumnType a, ColumnType b) {
        return a == b || (Dtypes.isNumeric(a) && Dtypes.isNumeric(b));
    }

    static Object key(List<Column<?>> cols, int row) {
        if (cols.size() == 1) {
            Column<?> c = cols.get(0);
            if (c.isMissing(row)) return null;
            Object v = c.get(row);
            return v instanceof Number n && !(v instanceof Double) ? (Object) n.longValue() : v instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d) ? (Object) d.longValue() : v;
        }
        List<Object> k = new ArrayList<>(cols.size());
        for (Column<?> c : cols) {
            if (c.isMissing(row)) return null;
            Object v = c.get(row);
            k.add(v instanceof Number n && !(v instanceof Double) ? (Object) n.longValue() : v);
        }
        return k;
    }

    static List<Column<?>> cols(Table t, List<String> on) {
        List<Column<?>> out = new ArrayList<>();
        for (String c : on) out.add(t.column(c));
        return out;
    }

    static Table join(Table l, Table r, List<String> on, String how, LinkedHashMap<String, ColumnType> schema) {
        List<Column<?>> rk = cols(r, on), lk = cols(l, on);
        HashMap<Object, int[]> index = new HashMap<>();
        for (int i = 0; i < r.rowCount(); i++) {
            Object k = key(rk, i);
            if (k == null) continue;
            int[] rows = index.get(k);
            if (rows == null) index.put(k, new int[] {1, i});
            else {
                if (rows[0] + 1 == rows.length) { rows = Arrays.copyOf(rows, rows.length * 2); index.put(k, rows); }
                rows[++rows[0]] = i;
            }
        }
        int cap = Math.max(16, l.rowCount());
        int[] li = new int[cap], ri = new int[cap];
        int n = 0;
        boolean keepLeft = how.equals("left") || how.equals("outer");
        boolean keepRight = how.equals("right") || how.equals("outer");
        boolean[] matched = keepRight ? new boolean[r.rowCount()] : null;
        for (int i = 0; i < l.rowCount(); i++) {
            Object k = key(lk, i);
            int[] rows = k == null ? null : index.get(k);
            if (rows == null) {
                if (keepLeft) {
                    if (n == li.length) { li = Arrays.copyOf(li, n * 2); ri = Arrays.copyOf(ri, n * 2); }
                    li[n] = i;
                    ri[n++] = -1;
                }
                continue;
            }
            for (int j = 1; j <= rows[0]; j++) {
                if (n == li.length) { li = Arrays.copyOf(li, n * 2); ri = Arrays.copyOf(ri, n * 2); }
                li[n] = i;
                ri[n++] = rows[j];
                if (matched != null) matched[rows[j]] = true;
            }
        }
        if (keepRight) {
            for (int j = 0; j < r.rowCount(); j++) {
                if (matched[j]) continue;
                if (n == li.length) { li = Arrays.copyOf(li, n * 2); ri = Arrays.copyOf(ri, n * 2); }
                li[n] = -1;
                ri[n++] = j;
            }
        }
        li = Arrays.copyOf(li, n);
        ri = Arrays.copyOf(ri, n);
        List<Column<?>> out = new ArrayList<>();
        List<String> names = new ArrayList<>(schema.keySet());
        int c = 0;
        for (Column<?> lc : l.columns()) {
            Column<?> g = gather(lc, li, schema.get(lc.name()));
            if (on.contains(lc.name()) && keepRight) {
                Column<?> rc = r.column(lc.name());
                for (int i = 0; i < n; i++) if (li[i] < 0) GroupKernel.appendValueAt(g, i, rc.isMissing(ri[i]) ? null : rc.get(ri[i]));
            }
            out.add(g.setName(names.get(c++)));
        }
        for (Column<?> rc : r.columns()) {
            if (on.contains(rc.name())) continue;
            out.add(gather(rc, ri, schema.get(names.get(c))).setName(names.get(c++)));
        }
        return Table.create(out);
    }

    /** Rows {@code idx} of {@code c} (-1: missing) as a new column of type {@code type}. */
    static Column<?> gather(Column<?> c, int[] idx, ColumnType type) {
        int n = idx.length;
        // the gathered arrays become the columns (create(name, array) copied them: a shuffle's split and sort
        // gather every row, and the copy was as much garbage again: issue 15)
        if (c instanceof DoubleColumn d && type == ColumnType.DOUBLE) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) v[i] = idx[i] < 0 ? Double.NaN : d.getDouble(idx[i]);
            return WrappedColumns.doubles(c.name(), v);
        }
        if (c instanceof IntColumn ic && type == ColumnType.INTEGER) {
            int[] v = new int[n];
            for (int i = 0; i < n; i++) v[i] = idx[i] < 0 ? Integer.MIN_VALUE : ic.getInt(idx[i]);
            return WrappedColumns.ints(c.name(), v);
        }
        if (c instanceof LongColumn lc && type == ColumnType.LONG) {
            long[] v = new long[n];
            for (int i = 0; i < n; i++) v[i] = idx[i] < 0 ? Long.MIN_VALUE : lc.getLong(idx[i]);
            return WrappedColumns.longs(c.name(), v);
        }
        if ((c instanceof tech.tablesaw.api.DateTimeColumn || c instanceof tech.tablesaw.api.InstantColumn) && (type == null || Temporal.same(type, c.type()))) {
            long[] v = new long[n];
            for (int i = 0; i < n; i++) {
                v[i] = idx[i] < 0 ? Long.MIN_VALUE : c instanceof tech.tablesaw.api.DateTimeColumn d
                        ? d.getLongInternal(idx[i]) : ((tech.tablesaw.api.InstantColumn) c).getLongInternal(idx[i]);
            }
            return c instanceof tech.tablesaw.api.DateTimeColumn ? tech.tablesaw.api.DateTimeColumn.createInternal(c.name(), v)
                    : tech.tablesaw.api.InstantColumn.createInternal(c.name(), v);
        }
        Column<?> out = (type == null ? c.type() : type).create(c.name());
        for (int i = 0; i < n; i++) GroupKernel.appendValue(out, idx[i] < 0 || c.isMissing(idx[i]) ? null : c.get(idx[i]));
        return out;
    }

    /** Which of {@code n} buckets each row's key hashes to (missing keys: bucket 0). */
    static int[] buckets(Table t, List<String> on, int n) {
        List<Column<?>> cols = cols(t, on);
        int[] b = new int[t.rowCount()];
        for (int i = 0; i < b.length; i++) {
            Object k = key(cols, i);
            b[i] = k == null ? 0 : Math.floorMod(k.hashCode() * 0x9E3779B1, n);
        }
        return b;
    }

    /** Splits rows by bucket into {@code n} tables. */
    static Table[] split(Table t, int[] bucket, int n) {
        int[] counts = new int[n];
        for (int b : bucket) counts[b]++;
        int[][] rows = new int[n][];
        for (int j = 0; j < n; j++) rows[j] = new int[counts[j]];
        int[] fill = new int[n];
        for (int i = 0; i < bucket.length; i++) rows[bucket[i]][fill[bucket[i]]++] = i;
        Table[] out = new Table[n];
        for (int j = 0; j < n; j++) {
            List<Column<?>> cs = new ArrayList<>();
            for (Column<?> c : t.columns()) cs.add(gather(c, rows[j], c.type()));
            out[j] = Table.create(cs);
        }
        return out;
    }
}

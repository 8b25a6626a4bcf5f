package org.jdask.dataframe;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.jdask.fn.Fn1;
import org.jdask.fn.FnN;
import org.jdask.fn.Fns;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;
import tech.tablesaw.selection.Selection;

/** Partition-wise operations: each maps one partition to one partition. */
final class Ops {
    private Ops() {}

    interface PartOp extends Serializable {
        String name();

        Table apply(Table t) throws Exception;

        /** Input columns needed to produce {@code required} (null: all). */
        Set<String> needs(Set<String> required, Map<String, ColumnType> in);

        /** The output schema (validating column names against {@code in}). */
        LinkedHashMap<String, ColumnType> schema(LinkedHashMap<String, ColumnType> in);
    }

    /** The task function applying an op. */
    record Apply(PartOp op) implements FnN {
        @Override public Object invoke(Object[] a) throws Exception { return op.apply((Table) a[0]); }
        @Override public int arity() { return 1; }
        @Override public String toString() { return op.name(); }
    }

    static void check(Map<String, ColumnType> schema, List<String> cols, String what) {
        for (String c : cols) {
            if (!schema.containsKey(c)) throw new NoSuchElementException(what + ": unknown column '" + c + "'; the columns are " + schema.keySet());
        }
    }

    static Set<String> plus(Set<String> required, Set<String> more) {
        if (required == null) return null;
        LinkedHashSet<String> s = new LinkedHashSet<>(required);
        s.addAll(more);
        return s;
    }

    record Filter(Expr cond) implements PartOp {
        public String name() { return "filter"; }
        public Table apply(Table t) {
            Selection s = cond.mask(t);
            return s.size() == t.rowCount() ? t : t.where(s);
        }
        public Set<String> needs(Set<String> r, Map<String, ColumnType> in) { return plus(r, cond.columns()); }
        public LinkedHashMap<String, ColumnType> schema(LinkedHashMap<String, ColumnType> in) {
            ColumnType t = cond.type(in);
            if (t != ColumnType.BOOLEAN) throw new IllegalArgumentException("filter needs a boolean expression; " + cond + " is " + t.name());
            return in;
        }
    }

    record Assign(String column, Expr value) implements PartOp {
        public String name() { return "assign"; }
        public Table apply(Table t) {
            Column<?> v = value.eval(t);
            // an expression may return an input column itself (col("a")): copy it before renaming
            Column<?> c = (t.columns().contains(v) ? v.copy() : v).setName(column);
            List<Column<?>> cols = new ArrayList<>();
            boolean replaced = false;
            for (Column<?> x : t.columns()) {
                if (x.name().equals(column)) { cols.add(c); replaced = true; } else cols.add(x);
            }
            if (!replaced) cols.add(c);
            return Table.create(t.name(), cols); // shares the untouched columns: ops never mutate their input
        }
        public Set<String> needs(Set<String> r, Map<String, ColumnType> in) {
            if (r == null) return null;
            LinkedHashSet<String> s = new LinkedHashSet<>(r);
            s.remove(column);
            s.addAll(value.columns());
            return s;
        }
        public LinkedHashMap<String, ColumnType> schema(LinkedHashMap<String, ColumnType> in) {
            LinkedHashMap<String, ColumnType> m = new LinkedHashMap<>(in);
            m.put(column, value.type(in));
            return m;
        }
    }

    record Select(List<String> columns) implements PartOp {
        public String name() { return "select"; }
        public Table apply(Table t) {
            List<String> present = new ArrayList<>();
            for (String c : columns) if (t.containsColumn(c)) present.add(c);
            return t.selectColumns(present.toArray(new String[0]));
        }
        public Set<String> needs(Set<String> r, Map<String, ColumnType> in) {
            LinkedHashSet<String> s = new LinkedHashSet<>(columns);
            if (r != null) s.retainAll(r);
            return s;
        }
        public LinkedHashMap<String, ColumnType> schema(LinkedHashMap<String, ColumnType> in) {
            check(in, columns, "select");
            LinkedHashMap<String, ColumnType> m = new LinkedHashMap<>();
            for (String c : columns) m.put(c, in.get(c));
            return m;
        }
    }

    record Drop(List<String> columns) implements PartOp {
        public String name() { return "drop"; }
        public Table apply(Table t) {
            List<String> present = new ArrayList<>();
            for (String c : columns) if (t.containsColumn(c)) present.add(c);
            if (present.isEmpty()) return t;
            List<Column<?>> cols = new ArrayList<>();
            for (Column<?> x : t.columns()) if (!present.contains(x.name())) cols.add(x);
            return Table.create(t.name(), cols);
        }
        public Set<String> needs(Set<String> r, Map<String, ColumnType> in) {
            LinkedHashSet<String> s = new LinkedHashSet<>(r == null ? in.keySet() : r);
            columns.forEach(s::remove);
            return s;
        }
        public LinkedHashMap<String, ColumnType> schema(LinkedHashMap<String, ColumnType> in) {
            check(in, columns, "drop");
            LinkedHashMap<String, ColumnType> m = new LinkedHashMap<>(in);
            columns.forEach(m::remove);
            return m;
        }
    }

    record Rename(LinkedHashMap<String, String> names) implements PartOp {
        public String name() { return "rename"; }
        public Table apply(Table t) {
            Table out = t.copy();
            names.forEach((from, to) -> { if (out.containsColumn(from)) out.column(from).setName(to); });
            return out;
        }
        public Set<String> needs(Set<String> r, Map<String, ColumnType> in) {
            if (r == null) return null;
            Map<String, String> back = new LinkedHashMap<>();
            names.forEach((f, t) -> back.put(t, f));
            LinkedHashSet<String> s = new LinkedHashSet<>();
            for (String c : r) s.add(back.getOrDefault(c, c));
            return s;
        }
        public LinkedHashMap<String, ColumnType> schema(LinkedHashMap<String, ColumnType> in) {
            check(in, new ArrayList<>(names.keySet()), "rename");
            LinkedHashMap<String, ColumnType> m = new LinkedHashMap<>();
            in.forEach((c, t) -> m.put(names.getOrDefault(c, c), t));
            if (m.size() != in.size()) throw new IllegalArgumentException("rename " + names + " gives duplicate column names");
            return m;
        }
    }

    /** Fills missing values of the listed columns (all when empty) whose type fits the value. */
    record Fillna(Object value, List<String> columns) implements PartOp {
        public String name() { return "fillna"; }
        public Table apply(Table t) {
            Table out = t.copy();
            for (Column<?> c : out.columns()) {
                if (!columns.isEmpty() && !columns.contains(c.name())) continue;
                if (value instanceof Number num) {
                    if (c instanceof DoubleColumn d) d.set(d.isMissing(), num.doubleValue());
                    else if (c instanceof IntColumn ic) ic.set(ic.isMissing(), num.intValue());
                    else if (c instanceof LongColumn lc) lc.set(lc.isMissing(), num.longValue());
                } else if (value instanceof String s && c instanceof StringColumn sc) {
                    sc.set(sc.isMissing(), s);
                }
            }
            return out;
        }
        public Set<String> needs(Set<String> r, Map<String, ColumnType> in) { return r; }
        public LinkedHashMap<String, ColumnType> schema(LinkedHashMap<String, ColumnType> in) {
            check(in, columns, "fillna");
            if (!(value instanceof Number || value instanceof String)) throw new IllegalArgumentException("fillna value must be a number or a string");
            return in;
        }
    }

    /** Drops rows with a missing value in any of the listed columns (all when empty). */
    record Dropna(List<String> subset) implements PartOp {
        public String name() { return "dropna"; }
        public Table apply(Table t) {
            List<String> cols = subset.isEmpty() ? t.columnNames() : subset;
            Selection missing = null;
            for (String c : cols) {
                Selection m = t.column(c).isMissing();
                missing = missing == null ? m : missing.or(m);
            }
            if (missing == null || missing.isEmpty()) return t;
            return t.dropWhere(missing);
        }
        public Set<String> needs(Set<String> r, Map<String, ColumnType> in) {
            return subset.isEmpty() ? null : plus(r, new HashSet<>(subset));
        }
        public LinkedHashMap<String, ColumnType> schema(LinkedHashMap<String, ColumnType> in) {
            check(in, subset, "dropna");
            return in;
        }
    }

    /** Converts one column to another type (numbers between numeric types, anything to STRING). */
    record Astype(String column, String type) implements PartOp {
        public String name() { return "astype"; }
        public Table apply(Table t) {
            Column<?> c = t.column(column);
            ColumnType to = Dtypes.of(type);
            if (Temporal.same(c.type(), to)) return t;
            Column<?> n = convert(c, to);
            Table out = t.copy();
            out.replaceColumn(column, n);
            return out;
        }
        static Column<?> convert(Column<?> c, ColumnType to) {
            int rows = c.size();
            if (to == ColumnType.STRING) {
                StringColumn s = StringColumn.create(c.name());
                for (int i = 0; i < rows; i++) s.append(c.isMissing(i) ? "" : String.valueOf(c.get(i)));
                return s;
            }
            if (to == ColumnType.DOUBLE && c instanceof NumericColumn<?> nc) {
                double[] v = new double[rows];
                for (int i = 0; i < rows; i++) v[i] = nc.isMissing(i) ? Double.NaN : nc.getDouble(i);
                return DoubleColumn.create(c.name(), v);
            }
            if (to == ColumnType.LONG && c instanceof NumericColumn<?> nc) {
                long[] v = new long[rows];
                for (int i = 0; i < rows; i++) v[i] = nc.isMissing(i) ? Long.MIN_VALUE : (long) nc.getDouble(i);
                return LongColumn.create(c.name(), v);
            }
            if (to == ColumnType.INTEGER && c instanceof NumericColumn<?> nc) {
                int[] v = new int[rows];
                for (int i = 0; i < rows; i++) v[i] = nc.isMissing(i) ? Integer.MIN_VALUE : (int) nc.getDouble(i);
                return IntColumn.create(c.name(), v);
            }
            if (c instanceof StringColumn sc && Dtypes.isNumeric(to)) {
                Column<?> out = to.create(c.name());
                for (int i = 0; i < rows; i++) {
                    String s = sc.get(i);
                    if (sc.isMissing(i)) { out.appendMissing(); continue; }
                    try {
                        GroupKernel.appendValue(out, Double.parseDouble(s.trim()));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("astype(\"" + c.name() + "\", " + to.name() + "): row " + i + " holds \"" + s + "\", not a number");
                    }
                }
                return out;
            }
            throw new IllegalArgumentException("astype cannot convert " + c.type().name() + " to " + to.name());
        }
        public Set<String> needs(Set<String> r, Map<String, ColumnType> in) { return r; }
        public LinkedHashMap<String, ColumnType> schema(LinkedHashMap<String, ColumnType> in) {
            check(in, List.of(column), "astype");
            LinkedHashMap<String, ColumnType> m = new LinkedHashMap<>(in);
            m.put(column, Dtypes.of(type));
            return m;
        }
    }

    /** A user function on whole partitions, with the output schema given by the user. */
    record MapPartitions(Fn1<Table, Table> fn, LinkedHashMap<String, String> meta) implements PartOp {
        public String name() { return "map-partitions-" + Fns.name(fn).replaceAll("[^A-Za-z0-9_.$]", "_"); }
        public Table apply(Table t) throws Exception {
            Table out = fn.apply(t);
            if (out == null) throw new IllegalStateException("mapPartitions function " + Fns.name(fn) + " returned null");
            List<String> got = out.columnNames();
            List<String> want = new ArrayList<>(meta.keySet());
            if (!new HashSet<>(got).equals(new HashSet<>(want)) || got.size() != want.size()) {
                throw new IllegalStateException("mapPartitions function " + Fns.name(fn) + " returned columns " + got + " but meta declares " + meta.keySet());
            }
            for (String c : want) {
                if (!out.column(c).type().name().equals(meta.get(c))) {
                    throw new IllegalStateException("mapPartitions function " + Fns.name(fn) + " returned column '" + c + "' as "
                            + out.column(c).type().name() + " but meta declares " + meta.get(c));
                }
            }
            return got.equals(want) ? out : out.selectColumns(want.toArray(new String[0])); // meta's order (Map.of has none)
        }
        public Set<String> needs(Set<String> r, Map<String, ColumnType> in) { return null; }
        public LinkedHashMap<String, ColumnType> schema(LinkedHashMap<String, ColumnType> in) {
            LinkedHashMap<String, ColumnType> m = new LinkedHashMap<>();
            meta.forEach((c, t) -> m.put(c, Dtypes.of(t)));
            return m;
        }
    }

    /** The first {@code n} rows. */
    record Head(int n) implements PartOp {
        public String name() { return "head"; }
        public Table apply(Table t) { return t.rowCount() <= n ? t : t.first(n); }
        public Set<String> needs(Set<String> r, Map<String, ColumnType> in) { return r; }
        public LinkedHashMap<String, ColumnType> schema(LinkedHashMap<String, ColumnType> in) { return in; }
    }

    /** Sorts by columns; a leading '-' sorts descending. */
    record Sort(List<String> columns) implements PartOp {
        public String name() { return "sort"; }
        public Table apply(Table t) { return t.sortOn(columns.toArray(new String[0])); }
        public Set<String> needs(Set<String> r, Map<String, ColumnType> in) {
            Set<String> s = new HashSet<>();
            for (String c : columns) s.add(c.startsWith("-") ? c.substring(1) : c);
            return plus(r, s);
        }
        public LinkedHashMap<String, ColumnType> schema(LinkedHashMap<String, ColumnType> in) {
            for (String c : columns) check(in, List.of(c.startsWith("-") ? c.substring(1) : c), "sort");
            return in;
        }
    }
}

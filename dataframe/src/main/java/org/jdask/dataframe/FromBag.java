package org.jdask.dataframe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdask.Lazy;
import org.jdask.graph.Key;
import org.jdask.graph.Node;
import org.jdask.graph.Task;
import org.jdask.graph.Tokenize;
import org.jdask.fn.FnN;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * {@link DataFrame#fromBag}: one task per bag partition turns its records into a table. Records
 * are {@code Map}s (values by column name; absent keys are missing values), or {@code List}s /
 * {@code Object[]} (values by position, exactly one per column).
 */
final class FromBag {
    private FromBag() {}

    static DataFrame of(Lazy<? extends List<?>> bag, Map<String, ColumnType> schema) {
        if (schema == null || schema.isEmpty()) throw new IllegalArgumentException("fromBag needs a schema with at least one column");
        LinkedHashMap<String, ColumnType> s = new LinkedHashMap<>(schema);
        List<String> names = new ArrayList<>(s.keySet());
        List<String> types = new ArrayList<>();
        for (ColumnType t : s.values()) types.add(t.name());
        List<Key> in = bag.keys();
        String name = "from-bag-" + Tokenize.token(List.of(new ArrayList<Object>(in), names, types));
        Map<Key, Node> nodes = new LinkedHashMap<>(bag.graph().nodes());
        List<Key> out = new ArrayList<>(in.size());
        ToTable fn = new ToTable(names, types);
        for (int i = 0; i < in.size(); i++) {
            Key k = Key.of(name, i);
            nodes.put(k, Task.ofArray(fn, new Object[] {in.get(i), in.get(i).toString()}));
            out.add(k);
        }
        return new DataFrame(new FixedPlan(s, out, nodes));
    }

    /** Records of one partition to a table; names the partition and record on a bad record. */
    static final class ToTable implements FnN {
        private final List<String> names, types;

        ToTable(List<String> names, List<String> types) {
            this.names = names;
            this.types = types;
        }

        @Override public int arity() { return 2; }
        @Override public String toString() { return "from-bag"; }

        @Override
        public Object invoke(Object[] a) {
            List<?> records = (List<?>) a[0];
            Table t = Table.create();
            List<Column<?>> cols = new ArrayList<>(names.size());
            for (int c = 0; c < names.size(); c++) {
                Column<?> col = ColumnType.valueOf(types.get(c)).create(names.get(c));
                cols.add(col);
                t.addColumns(col);
            }
            int r = 0;
            for (Object rec : records) {
                try {
                    for (int c = 0; c < cols.size(); c++) GroupKernel.appendValue(cols.get(c), field(rec, c));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("record " + r + " of bag partition " + a[1] + " does not fit the schema "
                            + names + " " + types + ": " + e.getMessage() + " (record: " + abbreviate(rec) + ")", e);
                }
                r++;
            }
            return t;
        }

        private Object field(Object rec, int c) {
            if (rec instanceof Map<?, ?> m) return m.get(names.get(c));
            if (rec instanceof List<?> l) {
                if (l.size() != names.size()) throw new IllegalArgumentException("has " + l.size() + " values for " + names.size() + " columns");
                return l.get(c);
            }
            if (rec instanceof Object[] o) {
                if (o.length != names.size()) throw new IllegalArgumentException("has " + o.length + " values for " + names.size() + " columns");
                return o[c];
            }
            throw new IllegalArgumentException("is a " + (rec == null ? "null" : rec.getClass().getName())
                    + "; records must be Map, List or Object[]");
        }

        private static String abbreviate(Object rec) {
            String s = rec instanceof Object[] o ? java.util.Arrays.toString(o) : String.valueOf(rec);
            return s.length() > 200 ? s.substring(0, 200) + "..." : s;
        }
    }
}

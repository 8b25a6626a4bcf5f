package org.jdask.dataframe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.jdask.graph.Tokenize;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/** Small helpers over Tablesaw tables. */
final class Tablesx {
    private Tablesx() {}

    static LinkedHashMap<String, ColumnType> schemaOf(Table t) {
        LinkedHashMap<String, ColumnType> m = new LinkedHashMap<>();
        for (Column<?> c : t.columns()) m.put(c.name(), Dtypes.canonical(c.type()));
        return m;
    }

    static Table empty(LinkedHashMap<String, ColumnType> schema) {
        Table t = Table.create();
        schema.forEach((n, ty) -> t.addColumns(ty.create(n)));
        return t;
    }

    /** Row-wise concatenation (columns matched by name, in the first table's order). */
    static Table concat(List<Table> parts, LinkedHashMap<String, ColumnType> schema) {
        Table out = empty(schema);
        List<Column<?>> cols = new ArrayList<>();
        for (Column<?> c : out.columns()) {
            List<StringColumn> strings = c instanceof StringColumn ? new ArrayList<>() : null;
            for (Table p : parts) {
                if (p.rowCount() == 0) continue;
                Column<?> from = p.column(c.name());
                if (strings != null && from instanceof StringColumn s) strings.add(s);
                else strings = null;
            }
            // string columns: the parts' dictionaries merged and their codes remapped, no string lookup per row
            if (strings != null && !strings.isEmpty()) {
                cols.add(DictStrings.concat(c.name(), strings));
                continue;
            }
            for (Table p : parts) if (p.rowCount() > 0) appendColumn(c, p.column(c.name()));
            cols.add(c);
        }
        return Table.create(out.name(), cols);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static void appendColumn(Column to, Column from) {
        if (to.type() == from.type() || (Temporal.isTemporal(to.type()) && Temporal.same(to.type(), from.type()))) to.append(from);
        else for (int i = 0; i < from.size(); i++) GroupKernel.appendValue(to, from.isMissing(i) ? null : from.get(i));
    }

    /** A deterministic token of a table's content (names, types, values). */
    static String contentToken(Table t) {
        List<Object> parts = new ArrayList<>();
        for (Column<?> c : t.columns()) {
            parts.add(c.name());
            parts.add(c.type().name());
            // primitive arrays are hashed in bulk by Tokenize; missing values are their sentinels
            if (c instanceof tech.tablesaw.api.DoubleColumn d) parts.add(d.asDoubleArray());
            else if (c instanceof tech.tablesaw.api.IntColumn ic) parts.add(ic.asIntArray());
            else if (c instanceof tech.tablesaw.api.LongColumn lc) parts.add(lc.asLongArray());
            else {
                List<Object> vals = new ArrayList<>(c.size());
                for (int i = 0; i < c.size(); i++) vals.add(c.isMissing(i) ? "\u0000NA" : String.valueOf(c.get(i)));
                parts.add(vals);
            }
        }
        return Tokenize.token(parts);
    }
}

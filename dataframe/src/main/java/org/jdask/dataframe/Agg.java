package org.jdask.dataframe;

import java.io.Serializable;
import java.util.Map;
import java.util.NoSuchElementException;
import tech.tablesaw.api.ColumnType;

/**
 * One aggregation of a {@link GroupBy}: {@code mean("DepDelay")}, {@code count("Dest").as("n")}.
 * Output column names are {@code column_fn} (e.g. {@code DepDelay_mean}) unless set with
 * {@link #as(String)}; {@link #size()} counts rows per group (named {@code size}).
 */
public record Agg(String fn, String column, String alias) implements Serializable {
    public static Agg sum(String column) { return new Agg("sum", column, null); }
    public static Agg mean(String column) { return new Agg("mean", column, null); }
    public static Agg count(String column) { return new Agg("count", column, null); }
    public static Agg min(String column) { return new Agg("min", column, null); }
    public static Agg max(String column) { return new Agg("max", column, null); }
    public static Agg std(String column) { return new Agg("std", column, null); }
    public static Agg var(String column) { return new Agg("var", column, null); }
    public static Agg first(String column) { return new Agg("first", column, null); }
    public static Agg nunique(String column) { return new Agg("nunique", column, null); }
    /** Rows per group, missing values included. */
    public static Agg size() { return new Agg("size", null, null); }

    /** The same aggregation with output column {@code name}. */
    public Agg as(String name) {
        return new Agg(fn, column, name);
    }

    /** The output column name. */
    public String outName() {
        return alias != null ? alias : column == null ? fn : column + "_" + fn;
    }

    /** The output type, checking the column exists and fits the function. */
    ColumnType outType(Map<String, ColumnType> schema) {
        if (column == null) return ColumnType.LONG;
        ColumnType t = schema.get(column);
        if (t == null) throw new NoSuchElementException("unknown column '" + column + "' in " + fn + "(...); the columns are " + schema.keySet());
        return switch (fn) {
            case "count", "nunique" -> ColumnType.LONG;
            case "first" -> t;
            default -> {
                if (!Dtypes.isNumeric(t)) throw new IllegalArgumentException(fn + "(\"" + column + "\") needs a numeric column; it is " + t.name());
                yield ColumnType.DOUBLE;
            }
        };
    }

    boolean numericState() {
        return switch (fn) { case "sum", "mean", "min", "max", "std", "var", "count", "size" -> true; default -> false; };
    }
}

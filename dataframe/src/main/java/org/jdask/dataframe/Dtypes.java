package org.jdask.dataframe;

import tech.tablesaw.api.ColumnType;

/** Column types by name (Tablesaw's types are not serializable; names cross processes). */
final class Dtypes {
    private Dtypes() {}

    static String name(ColumnType t) {
        return t.name();
    }

    static ColumnType of(String name) {
        return ColumnType.valueOf(name);
    }

    /** By name, not identity: Tablesaw can hold two instances of a column type (see {@link Temporal#same}). */
    static boolean isNumeric(ColumnType t) {
        return isIntegral(t) || Temporal.same(t, ColumnType.DOUBLE) || Temporal.same(t, ColumnType.FLOAT);
    }

    static boolean isIntegral(ColumnType t) {
        return Temporal.same(t, ColumnType.INTEGER) || Temporal.same(t, ColumnType.LONG) || Temporal.same(t, ColumnType.SHORT);
    }

    /** The Java source of the option that sets {@code column} to {@code t}. */
    static String option(String column, ColumnType t) {
        return ".dtype(\"" + column + "\", ColumnType." + constant(t) + ")";
    }

    static String constant(ColumnType t) {
        String n = t.name();
        return switch (n) {
            case "INTEGER", "LONG", "DOUBLE", "STRING", "BOOLEAN", "SHORT", "FLOAT" -> n;
            default -> n;
        };
    }
}

package org.jdask.dataframe;

import tech.tablesaw.api.ColumnType;

/** Column types by name (Tablesaw's types are not serializable; names cross processes). */
final class Dtypes {
    private Dtypes() {}

    static String name(ColumnType t) {
        return t.name();
    }

    static ColumnType of(String name) {
        return canonical(ColumnType.valueOf(name));
    }

    /**
     * The {@code ColumnType} constant of {@code t}'s name, so {@code ==} against the constants holds:
     * a program whose first touch of Tablesaw is {@code DoubleColumn.create} gets columns typed by a
     * second {@code DoubleColumnType} instance (the column class and the constants initialize each
     * other), and a table of such columns found "no Arrow mapping for DOUBLE". Unknown names pass through.
     */
    static ColumnType canonical(ColumnType t) {
        if (t == null) return null;
        return switch (t.name()) {
            case "INTEGER" -> ColumnType.INTEGER;
            case "LONG" -> ColumnType.LONG;
            case "SHORT" -> ColumnType.SHORT;
            case "DOUBLE" -> ColumnType.DOUBLE;
            case "FLOAT" -> ColumnType.FLOAT;
            case "STRING" -> ColumnType.STRING;
            case "BOOLEAN" -> ColumnType.BOOLEAN;
            case "LOCAL_DATE" -> ColumnType.LOCAL_DATE;
            case "LOCAL_DATE_TIME" -> ColumnType.LOCAL_DATE_TIME;
            case "INSTANT" -> ColumnType.INSTANT;
            case "LOCAL_TIME" -> ColumnType.LOCAL_TIME;
            default -> t;
        };
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

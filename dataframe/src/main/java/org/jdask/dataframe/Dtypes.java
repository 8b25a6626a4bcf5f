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

    static boolean isNumeric(ColumnType t) {
        return t == ColumnType.INTEGER || t == ColumnType.LONG || t == ColumnType.DOUBLE || t == ColumnType.SHORT
                || t == ColumnType.FLOAT;
    }

    static boolean isIntegral(ColumnType t) {
        return t == ColumnType.INTEGER || t == ColumnType.LONG || t == ColumnType.SHORT;
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

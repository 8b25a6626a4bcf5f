package org.jdask.dataframe;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.columns.Column;

/**
 * A frame's index: the column its partitions are sorted by, and the <b>divisions</b> (the first
 * value of each partition, then the last value of the last partition), or null divisions when
 * unknown. Tablesaw has no row index, so the index stays an ordinary column; only the frame knows
 * its rows are ordered by it.
 *
 * <p>Values are compared as <i>keys</i>: epoch milliseconds (a {@code Long}) for date/time
 * columns, a {@code Double} for numbers, the {@code String} itself for strings. Partition {@code
 * i} holds keys in {@code [divisions[i], divisions[i+1])}, the last one closed, as in Dask.
 */
record FrameIndex(String column, String type, List<Object> divisions) implements Serializable {

    ColumnType columnType() {
        return Dtypes.of(type);
    }

    boolean known() {
        return divisions != null;
    }

    /** The key of row {@code i} (null when missing). */
    static Object keyAt(Column<?> c, int i) {
        if (c.isMissing(i)) return null;
        if (Temporal.isTemporal(c.type())) return Temporal.epochMs(c, i);
        if (c instanceof NumericColumn<?> n) return n.getDouble(i);
        if (c instanceof StringColumn s) return s.get(i);
        throw new IllegalArgumentException("column '" + c.name() + "' of type " + c.type().name() + " cannot be an index (use a number, string or date/time column)");
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static int compare(Object a, Object b) {
        return ((Comparable) a).compareTo(b);
    }

    /**
     * The key of a user value for an index of {@code type}: a number, a string, a {@code LocalDate}/
     * {@code LocalDateTime}/{@code Instant}/{@code LocalTime}, or an ISO string for a date/time
     * index. {@code upper}: a date-only bound of a date-time index covers its whole day (pandas'
     * partial-string indexing), so {@code loc("2024-01-08", "2024-01-14")} is seven full days.
     */
    static Object key(Object v, ColumnType type, boolean upper, String what) {
        if (v == null) throw new IllegalArgumentException(what + ": a bound is null");
        if (Temporal.isTemporal(type)) {
            Object t = v;
            if (v instanceof String s) {
                byte[] b = s.trim().getBytes(StandardCharsets.UTF_8);
                DateFormat iso = new DateFormat("iso", null);
                long d = iso.parse(b, 0, b.length, ColumnType.LOCAL_DATE);
                if (d != DateFormat.FAIL) {
                    t = java.time.LocalDate.of((int) d >> 16, ((int) d >> 8) & 0xFF, (int) d & 0xFF);
                } else {
                    long x = iso.parse(b, 0, b.length, ColumnType.INSTANT);
                    if (x == DateFormat.NO_ZONE) x = iso.parse(b, 0, b.length, ColumnType.LOCAL_DATE_TIME);
                    if (x == DateFormat.FAIL) {
                        throw new IllegalArgumentException(what + ": \"" + s + "\" is not an ISO date or date-time (yyyy-MM-dd[ HH:mm[:ss[.f]]]) for the "
                                + type.name() + " index");
                    }
                    return Temporal.dateTimeToEpochMs(x);
                }
            }
            if (Temporal.literalType(t) == null) {
                throw new IllegalArgumentException(what + ": " + v + " (" + v.getClass().getSimpleName() + ") is not a date/time for the " + type.name() + " index");
            }
            long ms = Temporal.literalMs(t);
            if (upper && t instanceof java.time.LocalDate && !Temporal.same(type, ColumnType.LOCAL_DATE)) ms += Temporal.DAY_MS - 1;
            return ms;
        }
        if (Dtypes.isNumeric(type)) {
            if (v instanceof Number n) return n.doubleValue();
            throw new IllegalArgumentException(what + ": " + v + " is not a number for the " + type.name() + " index");
        }
        if (type == ColumnType.STRING) return String.valueOf(v);
        throw new IllegalArgumentException(what + ": an index of type " + type.name() + " is not supported");
    }

    /** A key as the value users see (LocalDateTime, Instant, LocalDate, LocalTime, Double, String). */
    static Object value(Object key, ColumnType type) {
        if (key == null) return null;
        if (Temporal.isTemporal(type)) return Temporal.boxed(type, (Long) key);
        return key;
    }

    /** Divisions as user values. */
    List<Object> values() {
        List<Object> out = new ArrayList<>();
        for (Object k : divisions) out.add(value(k, columnType()));
        return out;
    }

    /**
     * Partitions whose range overlaps {@code [lo, hi]} (keys; null = open). Ranges are taken as
     * closed at both ends: a value equal to a division may sit at the end of the partition before
     * it (duplicates across a file boundary of sorted input), so that partition is read too.
     */
    List<Integer> overlapping(Object lo, Object hi) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i + 1 < divisions.size(); i++) {
            Object a = divisions.get(i), b = divisions.get(i + 1);
            if (hi != null && compare(a, hi) > 0) continue;
            if (lo != null && compare(b, lo) < 0) continue;
            out.add(i);
        }
        return out;
    }

    /** The same index with other divisions. */
    FrameIndex with(List<Object> divs) {
        return new FrameIndex(column, type, divs == null ? null : List.copyOf(divs));
    }
}

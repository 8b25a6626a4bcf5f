package org.jdask.dataframe;

import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.DateTimeColumn;
import tech.tablesaw.api.InstantColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;
import tech.tablesaw.selection.Selection;

/**
 * {@code col("t").dt().hour()} and friends: fields of a date/time column read from Tablesaw's
 * packed values (instants in UTC), {@code floor(freq)} in epoch milliseconds, and the comparisons
 * and differences of date/time columns {@link Expr} delegates here.
 */
final class DtFn extends Expr {
    final String fn;
    final Expr e;
    final String arg;

    DtFn(String fn, Expr e, String arg) {
        this.fn = fn;
        this.e = e;
        this.arg = arg;
    }

    @Override void collect(Set<String> out) { e.collect(out); }

    @Override ColumnType type(Map<String, ColumnType> schema) {
        ColumnType t = e.type(schema);
        if (!Temporal.isTemporal(t)) throw new IllegalArgumentException("dt()." + fn + " needs a date/time column; " + e + " is " + t.name());
        boolean dateOnly = Temporal.same(t, ColumnType.LOCAL_DATE), timeOnly = Temporal.same(t, ColumnType.LOCAL_TIME);
        return switch (fn) {
            case "year", "month", "day", "dayOfWeek" -> {
                if (timeOnly) throw new IllegalArgumentException("dt()." + fn + " needs a date; " + e + " is LOCAL_TIME");
                yield ColumnType.INTEGER;
            }
            case "hour", "minute" -> {
                if (dateOnly) throw new IllegalArgumentException("dt()." + fn + " needs a time; " + e + " is LOCAL_DATE");
                yield ColumnType.INTEGER;
            }
            case "date" -> {
                if (timeOnly) throw new IllegalArgumentException("dt().date needs a date; " + e + " is LOCAL_TIME");
                yield ColumnType.LOCAL_DATE;
            }
            default -> t;
        };
    }

    @Override Column<?> eval(Table t) {
        Column<?> c = e.eval(t);
        int n = c.size();
        String name = c.name();
        if (fn.equals("floor")) {
            long f = Temporal.frequencyMs(arg);
            long[] ms = Temporal.epochMs(c);
            for (int i = 0; i < n; i++) if (ms[i] != Temporal.MISSING) ms[i] = Math.floorDiv(ms[i], f) * f;
            return Temporal.fromEpochMs(name, c.type(), ms);
        }
        long[] ms = Temporal.epochMs(c);
        if (fn.equals("date")) {
            for (int i = 0; i < n; i++) if (ms[i] != Temporal.MISSING) ms[i] = Math.floorDiv(ms[i], Temporal.DAY_MS) * Temporal.DAY_MS;
            return Temporal.fromEpochMs(name, ColumnType.LOCAL_DATE, ms);
        }
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            long x = ms[i];
            if (x == Temporal.MISSING) { v[i] = Integer.MIN_VALUE; continue; }
            long day = Math.floorDiv(x, Temporal.DAY_MS);
            long msOfDay = x - day * Temporal.DAY_MS;
            int date = Temporal.packDay(day);
            v[i] = switch (fn) {
                case "year" -> date >> 16;
                case "month" -> (date >> 8) & 0xFF;
                case "day" -> date & 0xFF;
                case "hour" -> (int) (msOfDay / 3_600_000L);
                case "minute" -> (int) (msOfDay / 60_000L % 60);
                default -> (int) Math.floorMod(day + 3, 7); // 1970-01-01 was a Thursday (3)
            };
        }
        return IntColumn.create(name + "_" + fn, v);
    }

    @Override public String toString() { return e + ".dt()." + fn + "(" + (arg == null ? "" : "\"" + arg + "\"") + ")"; }

    /** Date/time types that compare with each other (a time of day only with a time of day). */
    static boolean comparable(ColumnType a, ColumnType b) {
        if (!Temporal.isTemporal(a) || !Temporal.isTemporal(b)) return false;
        return (Temporal.same(a, ColumnType.LOCAL_TIME)) == (Temporal.same(b, ColumnType.LOCAL_TIME));
    }

    /** Rows of {@code a} (a date/time column) whose comparison with {@code r} passes {@code test}. */
    static void compare(Column<?> a, Expr r, Table t, Selection out, IntPredicate test) {
        int n = a.size();
        if (r instanceof Lit lit) {
            long y = Temporal.literalMs(lit.value);
            if (a instanceof DateTimeColumn || a instanceof InstantColumn) {
                // packed date-times sort like their values: compare packed longs, no conversion per row
                long py = Temporal.epochMsToDateTime(y);
                for (int i = 0; i < n; i++) {
                    long x = a instanceof DateTimeColumn d ? d.getLongInternal(i) : ((InstantColumn) a).getLongInternal(i);
                    if (x != Long.MIN_VALUE && test.test(Long.compare(x, py))) out.add(i);
                }
                return;
            }
            for (int i = 0; i < n; i++) {
                long x = Temporal.epochMs(a, i);
                if (x != Temporal.MISSING && test.test(Long.compare(x, y))) out.add(i);
            }
            return;
        }
        long[] x = Temporal.epochMs(a), y = Temporal.epochMs(r.eval(t));
        for (int i = 0; i < n; i++) if (x[i] != Temporal.MISSING && y[i] != Temporal.MISSING && test.test(Long.compare(x[i], y[i]))) out.add(i);
    }

    /** {@code l - r} of date/times as milliseconds (LONG). */
    static Column<?> minus(Expr l, Expr r, Table t, String name) {
        long[] x = Temporal.epochMs(l.eval(t));
        long[] y;
        if (r instanceof Lit lit) {
            y = new long[x.length];
            java.util.Arrays.fill(y, Temporal.literalMs(lit.value));
        } else {
            y = Temporal.epochMs(r.eval(t));
        }
        long[] o = new long[x.length];
        for (int i = 0; i < o.length; i++) o[i] = x[i] == Temporal.MISSING || y[i] == Temporal.MISSING ? Long.MIN_VALUE : x[i] - y[i];
        return LongColumn.create(name, o);
    }
}

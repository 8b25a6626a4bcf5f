package org.jdask.dataframe;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.DateColumn;
import tech.tablesaw.api.DateTimeColumn;
import tech.tablesaw.api.InstantColumn;
import tech.tablesaw.api.TimeColumn;
import tech.tablesaw.columns.Column;

/**
 * Tablesaw's packed temporal values and epoch milliseconds, without objects per value.
 *
 * <p>Tablesaw stores a {@code LOCAL_DATE} as the int {@code year << 16 | month << 8 | day}, a
 * {@code LOCAL_TIME} as {@code hour << 24 | minute << 16 | millisecond-of-minute}, a
 * {@code LOCAL_DATE_TIME} as {@code date << 32 | time} and an {@code INSTANT} as the packed UTC
 * date-time (all to the millisecond; missing is {@code MIN_VALUE}). Packed values sort like the
 * values they stand for. Time-series code works on epoch milliseconds (UTC for local values).
 */
final class Temporal {
    private Temporal() {}

    static final long MISSING = Long.MIN_VALUE;
    static final long DAY_MS = 86_400_000L;

    static boolean isTemporal(ColumnType t) {
        return same(t, ColumnType.LOCAL_DATE) || same(t, ColumnType.LOCAL_DATE_TIME) || same(t, ColumnType.INSTANT) || same(t, ColumnType.LOCAL_TIME);
    }

    /**
     * Type equality by name: Tablesaw can hold two instances of a temporal column type (the
     * {@code ColumnType} constants and {@code DateTimeColumnType.instance()} initialize each other;
     * which one a column gets depends on which class a program touches first).
     */
    static boolean same(ColumnType t, ColumnType ref) {
        return t == ref || (t != null && t.name().equals(ref.name()));
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
    static long epochDay(int y, int m, int d) {
        y -= m <= 2 ? 1 : 0;
        int era = (y >= 0 ? y : y - 399) / 400;
        int yoe = y - era * 400;
        int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097L + doe - 719468;
    }

    /** Packed date of an epoch day (civil_from_days). */
    static int packDay(long z) {
        z += 719468;
        long era = (z >= 0 ? z : z - 146096) / 146097;
        long doe = z - era * 146097;
        long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        long y = yoe + era * 400;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        long d = doy - (153 * mp + 2) / 5 + 1;
        long m = mp + (mp < 10 ? 3 : -9);
        return packDate((int) (y + (m <= 2 ? 1 : 0)), (int) m, (int) d);
    }

    static int packDate(int y, int m, int d) {
        return (y << 16) | (m << 8) | d;
    }

    static int packTime(int h, int min, int msOfMinute) {
        return (h << 24) | (min << 16) | msOfMinute;
    }

    static long packDateTime(int date, int time) {
        return ((long) date << 32) | (time & 0xFFFFFFFFL);
    }

    static long dateToEpochMs(int packed) {
        return epochDay(packed >> 16, (packed >> 8) & 0xFF, packed & 0xFF) * DAY_MS;
    }

    static long timeToMs(int packed) {
        return ((packed >>> 24) * 60L + ((packed >>> 16) & 0xFF)) * 60_000L + (packed & 0xFFFF);
    }

    static long dateTimeToEpochMs(long packed) {
        return dateToEpochMs((int) (packed >> 32)) + timeToMs((int) packed);
    }

    static long epochMsToDateTime(long ms) {
        long day = Math.floorDiv(ms, DAY_MS);
        long rest = ms - day * DAY_MS;
        return packDateTime(packDay(day), msToTime(rest));
    }

    static int msToTime(long msOfDay) {
        int min = (int) (msOfDay / 60_000L);
        return packTime(min / 60, min % 60, (int) (msOfDay % 60_000L));
    }

    /** Epoch milliseconds of row {@code i} of a temporal column ({@link #MISSING} when missing). */
    static long epochMs(Column<?> c, int i) {
        if (c instanceof DateTimeColumn d) { long v = d.getLongInternal(i); return v == Long.MIN_VALUE ? MISSING : dateTimeToEpochMs(v); }
        if (c instanceof InstantColumn d) { long v = d.getLongInternal(i); return v == Long.MIN_VALUE ? MISSING : dateTimeToEpochMs(v); }
        if (c instanceof DateColumn d) { int v = d.getIntInternal(i); return v == Integer.MIN_VALUE ? MISSING : dateToEpochMs(v); }
        if (c instanceof TimeColumn d) { int v = d.getIntInternal(i); return v == Integer.MIN_VALUE ? MISSING : timeToMs(v); }
        throw new IllegalArgumentException("column '" + c.name() + "' is " + c.type().name() + ", not a date/time column");
    }

    /** The whole column as epoch milliseconds. */
    static long[] epochMs(Column<?> c) {
        long[] v = new long[c.size()];
        if (c instanceof DateTimeColumn || c instanceof InstantColumn) {
            // rows in time order share their date: convert a date once per run of equal dates
            DateTimeColumn dt = c instanceof DateTimeColumn d ? d : null;
            InstantColumn in = dt == null ? (InstantColumn) c : null;
            int lastDate = Integer.MIN_VALUE;
            long dayMs = 0;
            for (int i = 0; i < v.length; i++) {
                long p = dt != null ? dt.getLongInternal(i) : in.getLongInternal(i);
                if (p == Long.MIN_VALUE) { v[i] = MISSING; continue; }
                int date = (int) (p >> 32);
                if (date != lastDate) { lastDate = date; dayMs = dateToEpochMs(date); }
                v[i] = dayMs + timeToMs((int) p);
            }
            return v;
        }
        for (int i = 0; i < v.length; i++) v[i] = epochMs(c, i);
        return v;
    }

    /** A column of {@code type} named {@code name} from epoch milliseconds. */
    static Column<?> fromEpochMs(String name, ColumnType type, long[] ms) {
        int n = ms.length;
        if (Temporal.same(type, ColumnType.LOCAL_DATE) || Temporal.same(type, ColumnType.LOCAL_TIME)) {
            int[] v = new int[n];
            for (int i = 0; i < n; i++) {
                long x = ms[i];
                v[i] = x == MISSING ? Integer.MIN_VALUE : Temporal.same(type, ColumnType.LOCAL_DATE) ? packDay(Math.floorDiv(x, DAY_MS)) : msToTime(Math.floorMod(x, DAY_MS));
            }
            return Temporal.same(type, ColumnType.LOCAL_DATE) ? DateColumn.createInternal(name, v) : TimeColumn.createInternal(name, v);
        }
        long[] v = new long[n];
        for (int i = 0; i < n; i++) v[i] = ms[i] == MISSING ? Long.MIN_VALUE : epochMsToDateTime(ms[i]);
        if (Temporal.same(type, ColumnType.INSTANT)) return InstantColumn.createInternal(name, v);
        if (Temporal.same(type, ColumnType.LOCAL_DATE_TIME)) return DateTimeColumn.createInternal(name, v);
        throw new IllegalArgumentException(type.name() + " is not a date/time type");
    }

    /** Epoch milliseconds of a literal ({@code LocalDate}, {@code LocalDateTime}, {@code Instant}, {@code LocalTime}). */
    static long literalMs(Object v) {
        if (v instanceof LocalDateTime t) return t.toInstant(ZoneOffset.UTC).toEpochMilli();
        if (v instanceof LocalDate d) return d.toEpochDay() * DAY_MS;
        if (v instanceof Instant i) return i.toEpochMilli();
        if (v instanceof LocalTime t) return t.toNanoOfDay() / 1_000_000L;
        throw new IllegalArgumentException("not a date/time literal: " + v);
    }

    static ColumnType literalType(Object v) {
        if (v instanceof LocalDateTime) return ColumnType.LOCAL_DATE_TIME;
        if (v instanceof LocalDate) return ColumnType.LOCAL_DATE;
        if (v instanceof Instant) return ColumnType.INSTANT;
        if (v instanceof LocalTime) return ColumnType.LOCAL_TIME;
        return null;
    }

    /** The value of a literal in a column of {@code type} (a date bound of a date-time column is its midnight). */
    static Object boxed(ColumnType type, long ms) {
        if (ms == MISSING) return null;
        if (Temporal.same(type, ColumnType.LOCAL_DATE)) return LocalDate.ofEpochDay(Math.floorDiv(ms, DAY_MS));
        if (Temporal.same(type, ColumnType.LOCAL_TIME)) return LocalTime.ofNanoOfDay(Math.floorMod(ms, DAY_MS) * 1_000_000L);
        if (Temporal.same(type, ColumnType.INSTANT)) return Instant.ofEpochMilli(ms);
        return LocalDateTime.ofEpochSecond(Math.floorDiv(ms, 1000), (int) Math.floorMod(ms, 1000) * 1_000_000, ZoneOffset.UTC);
    }

    /**
     * A frequency such as {@code "1h"}, {@code "15min"}, {@code "7d"}, {@code "30s"}, {@code "500ms"},
     * {@code "1w"} in milliseconds; anything else fails listing the accepted units.
     */
    static long frequencyMs(String freq) {
        String f = freq == null ? "" : freq.trim();
        int i = 0;
        while (i < f.length() && Character.isDigit(f.charAt(i))) i++;
        String unit = f.substring(i);
        long n = i == 0 ? 1 : Long.parseLong(f.substring(0, Math.min(i, 12)));
        long per = switch (unit) {
            case "ms", "L" -> 1L;
            case "s", "S" -> 1000L;
            case "min", "T", "m" -> 60_000L;
            case "h", "H" -> 3_600_000L;
            case "d", "D" -> DAY_MS;
            case "w", "W" -> 7 * DAY_MS;
            default -> -1L;
        };
        if (per < 0 || n <= 0 || f.isEmpty() || f.contains(" ")) {
            throw new IllegalArgumentException("unknown frequency \"" + freq + "\": write a positive count and a unit without a space, "
                    + "one of ms, s, min, h, d, w (e.g. \"1h\", \"15min\", \"7d\")");
        }
        return n * per;
    }
}

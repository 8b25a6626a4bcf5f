package org.jdask.dataframe;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.List;
import tech.tablesaw.api.ColumnType;

/**
 * How one CSV column's dates are written, and a parser of those bytes straight into Tablesaw's
 * packed value (no {@code String}, no {@code java.time} object per value for the built-in kinds).
 *
 * <p>Kinds: {@code iso} (ISO 8601 {@code yyyy-MM-dd}, optionally {@code T} or a space, {@code
 * HH:mm[:ss[.fraction]]} and a zone {@code Z}/{@code ±hh[:mm]}), {@code us} ({@code M/d/yyyy}
 * with an optional time), {@code time} ({@code HH:mm[:ss[.f]]}), {@code epoch-s} and {@code
 * epoch-ms} (integers), and {@code pattern} (a {@link DateTimeFormatter} pattern given with
 * {@code CsvOptions.dateFormat}). Fractions beyond milliseconds are truncated (Tablesaw keeps
 * milliseconds).
 */
record DateFormat(String kind, String pattern) implements Serializable {
    /** The bytes are not a value of this format. */
    static final long FAIL = Long.MAX_VALUE;
    /** A date-time without a zone where an {@code INSTANT} needs one. */
    static final long NO_ZONE = Long.MAX_VALUE - 1;

    static final List<String> INFERRED = List.of("iso", "us", "time", "epoch-ms", "epoch-s");

    String describe() {
        return switch (kind) {
            case "iso" -> "ISO 8601 (yyyy-MM-dd[ HH:mm[:ss[.f]]][zone])";
            case "us" -> "MM/dd/yyyy[ HH:mm[:ss]]";
            case "time" -> "HH:mm[:ss[.f]]";
            case "epoch-s" -> "epoch seconds";
            case "epoch-ms" -> "epoch milliseconds";
            default -> "pattern \"" + pattern + "\"";
        };
    }

    /**
     * Infers a format and type from sample values (non-missing strings): the first built-in kind
     * that parses all of them; null when none does.
     */
    static Object[] infer(List<String> values) {
        if (values.isEmpty()) return null;
        int maxLen = 0;
        for (String v : values) maxLen = Math.max(maxLen, v.trim().length());
        for (String k : INFERRED) {
            DateFormat f = new DateFormat(k, null);
            boolean allDates = true, anyZone = false, ok = true;
            for (String v : values) {
                byte[] b = v.trim().getBytes(StandardCharsets.UTF_8);
                if (k.equals("epoch-ms") && maxLen < 12 || k.equals("epoch-s") && maxLen >= 12) { ok = false; break; }
                if (k.equals("time")) {
                    if (f.parse(b, 0, b.length, ColumnType.LOCAL_TIME) == FAIL) { ok = false; break; }
                    continue;
                }
                long r = f.parse(b, 0, b.length, ColumnType.INSTANT);
                if (r == FAIL) { ok = false; break; }
                if (r != NO_ZONE) anyZone = true;
                if (f.parse(b, 0, b.length, ColumnType.LOCAL_DATE) == FAIL) allDates = false;
            }
            if (!ok) continue;
            ColumnType t = switch (k) {
                case "time" -> ColumnType.LOCAL_TIME;
                case "epoch-s", "epoch-ms" -> ColumnType.INSTANT;
                default -> allDates ? ColumnType.LOCAL_DATE : anyZone ? ColumnType.INSTANT : ColumnType.LOCAL_DATE_TIME;
            };
            return new Object[] {f, t};
        }
        return null;
    }

    /** The packed value (int kinds widened) for a column of {@code type}, or {@link #FAIL}/{@link #NO_ZONE}. */
    long parse(byte[] b, int off, int len, ColumnType type) {
        return switch (kind) {
            case "iso" -> iso(b, off, len, type);
            case "us" -> us(b, off, len, type);
            case "time" -> Temporal.same(type, ColumnType.LOCAL_TIME) ? time(b, off, off + len, 0) : FAIL;
            case "epoch-s" -> epoch(b, off, len, type, 1000L);
            case "epoch-ms" -> epoch(b, off, len, type, 1L);
            default -> pattern(new String(b, off, len, StandardCharsets.UTF_8).trim(), type);
        };
    }

    private static int digits(byte[] b, int p, int n) {
        int v = 0;
        for (int i = 0; i < n; i++) {
            int d = b[p + i] - '0';
            if (d < 0 || d > 9) return -1;
            v = v * 10 + d;
        }
        return v;
    }

    private static boolean validDate(int y, int m, int d) {
        if (m < 1 || m > 12 || d < 1) return false;
        int max = switch (m) {
            case 2 -> (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
        return d <= max;
    }

    private long iso(byte[] b, int off, int len, ColumnType type) {
        int end = off + len;
        if (len < 10 || b[off + 4] != '-' || b[off + 7] != '-') return FAIL;
        int y = digits(b, off, 4), m = digits(b, off + 5, 2), d = digits(b, off + 8, 2);
        if (y < 0 || m < 0 || d < 0 || !validDate(y, m, d)) return FAIL;
        int date = Temporal.packDate(y, m, d);
        return dateThenTime(b, off + 10, end, type, date);
    }

    /** After the date: nothing (a date), or a separator, a time and an optional zone. */
    private static long dateThenTime(byte[] b, int p, int end, ColumnType type, int date) {
        if (p == end) {
            if (Temporal.same(type, ColumnType.LOCAL_DATE)) return date;
            if (Temporal.same(type, ColumnType.INSTANT)) return NO_ZONE;
            if (Temporal.same(type, ColumnType.LOCAL_DATE_TIME)) return Temporal.packDateTime(date, 0);
            return FAIL;
        }
        if (Temporal.same(type, ColumnType.LOCAL_DATE) || Temporal.same(type, ColumnType.LOCAL_TIME)) return FAIL;
        if (b[p] != 'T' && b[p] != ' ') return FAIL;
        long t = time(b, p + 1, end, 1);
        if (t == FAIL) return FAIL;
        int time = (int) t;
        int zoneAt = (int) (t >>> 32);
        if (zoneAt == end) return Temporal.same(type, ColumnType.INSTANT) ? NO_ZONE : Temporal.packDateTime(date, time);
        int offMin = zone(b, zoneAt, end);
        if (offMin == Integer.MIN_VALUE) return FAIL;
        if (Temporal.same(type, ColumnType.LOCAL_DATE_TIME)) return FAIL; // a zone in a local column: read it as INSTANT
        if (offMin == 0) return Temporal.packDateTime(date, time);
        long ms = Temporal.dateToEpochMs(date) + Temporal.timeToMs(time) - offMin * 60_000L;
        return Temporal.epochMsToDateTime(ms);
    }

    /**
     * {@code HH:mm[:ss[.f]]} from {@code p}. With {@code zoneAllowed} 0 the time must end at {@code
     * end} and the packed time is returned; with 1, the packed time is in the low 32 bits and the
     * index where a zone may start in the high 32.
     */
    private static long time(byte[] b, int p, int end, int zoneAllowed) {
        if (end - p < 5 || b[p + 2] != ':') return FAIL;
        int h = digits(b, p, 2), mi = digits(b, p + 3, 2);
        if (h < 0 || h > 23 || mi < 0 || mi > 59) return FAIL;
        p += 5;
        int s = 0, ms = 0;
        if (p < end && b[p] == ':') {
            if (end - p < 3) return FAIL;
            s = digits(b, p + 1, 2);
            if (s < 0 || s > 59) return FAIL;
            p += 3;
            if (p < end && (b[p] == '.' || b[p] == ',')) {
                p++;
                int k = 0;
                while (p < end && b[p] >= '0' && b[p] <= '9') {
                    if (k < 3) ms = ms * 10 + (b[p] - '0');
                    k++;
                    p++;
                }
                if (k == 0) return FAIL;
                for (; k < 3; k++) ms *= 10;
            }
        }
        int packed = Temporal.packTime(h, mi, s * 1000 + ms);
        if (zoneAllowed == 0) return p == end ? packed : FAIL;
        return ((long) p << 32) | (packed & 0xFFFFFFFFL);
    }

    /** Offset minutes of {@code Z}, {@code ±hh}, {@code ±hhmm}, {@code ±hh:mm}; MIN_VALUE when malformed. */
    private static int zone(byte[] b, int p, int end) {
        if (end - p == 1 && (b[p] == 'Z' || b[p] == 'z')) return 0;
        if (b[p] == ' ' && end - p > 1) p++;
        if (b[p] != '+' && b[p] != '-') return Integer.MIN_VALUE;
        int sign = b[p] == '-' ? -1 : 1;
        int n = end - p - 1;
        int h, m = 0;
        if (n == 2) h = digits(b, p + 1, 2);
        else if (n == 4) { h = digits(b, p + 1, 2); m = digits(b, p + 3, 2); }
        else if (n == 5 && b[p + 3] == ':') { h = digits(b, p + 1, 2); m = digits(b, p + 4, 2); }
        else return Integer.MIN_VALUE;
        if (h < 0 || h > 18 || m < 0 || m > 59) return Integer.MIN_VALUE;
        return sign * (h * 60 + m);
    }

    private long us(byte[] b, int off, int len, ColumnType type) {
        int end = off + len, p = off;
        int[] part = new int[3];
        for (int i = 0; i < 3; i++) {
            int s = p;
            while (p < end && b[p] >= '0' && b[p] <= '9') p++;
            int n = p - s;
            if (n == 0 || n > (i == 2 ? 4 : 2) || (i == 2 && n != 4)) return FAIL;
            part[i] = digits(b, s, n);
            if (i < 2) {
                if (p >= end || b[p] != '/') return FAIL;
                p++;
            }
        }
        if (!validDate(part[2], part[0], part[1])) return FAIL;
        return dateThenTime(b, p, end, type, Temporal.packDate(part[2], part[0], part[1]));
    }

    private static long epoch(byte[] b, int off, int len, ColumnType type, long unitMs) {
        int i = off, end = off + len;
        boolean neg = false;
        if (i < end && b[i] == '-') { neg = true; i++; }
        if (i == end || end - i > 16) return FAIL;
        long x = 0;
        for (; i < end; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) return FAIL;
            x = x * 10 + d;
        }
        long ms = (neg ? -x : x) * unitMs;
        if (Temporal.same(type, ColumnType.LOCAL_DATE)) return Temporal.packDay(Math.floorDiv(ms, Temporal.DAY_MS));
        if (Temporal.same(type, ColumnType.LOCAL_TIME)) return FAIL;
        return Temporal.epochMsToDateTime(ms);
    }

    private static final java.util.concurrent.ConcurrentHashMap<String, DateTimeFormatter> FORMATTERS = new java.util.concurrent.ConcurrentHashMap<>();

    private DateTimeFormatter formatter() {
        return FORMATTERS.computeIfAbsent(pattern, DateTimeFormatter::ofPattern);
    }

    private long pattern(String s, ColumnType type) {
        TemporalAccessor t;
        try {
            t = formatter().parse(s);
        } catch (RuntimeException e) {
            return FAIL;
        }
        try {
            if (Temporal.same(type, ColumnType.LOCAL_DATE)) return Temporal.packDay(LocalDate.from(t).toEpochDay());
            if (Temporal.same(type, ColumnType.LOCAL_TIME)) return Temporal.msToTime(LocalTime.from(t).toNanoOfDay() / 1_000_000L);
            LocalDateTime ldt = t.isSupported(ChronoField.HOUR_OF_DAY) ? LocalDateTime.from(t) : LocalDate.from(t).atStartOfDay();
            if (Temporal.same(type, ColumnType.INSTANT)) {
                if (!t.isSupported(ChronoField.OFFSET_SECONDS)) {
                    if (t.isSupported(ChronoField.INSTANT_SECONDS)) return Temporal.epochMsToDateTime(Instant.from(t).toEpochMilli());
                    return NO_ZONE;
                }
                return Temporal.epochMsToDateTime(ldt.toInstant(ZoneOffset.ofTotalSeconds(t.get(ChronoField.OFFSET_SECONDS))).toEpochMilli());
            }
            return Temporal.epochMsToDateTime(ldt.toInstant(ZoneOffset.UTC).toEpochMilli());
        } catch (RuntimeException e) {
            return FAIL;
        }
    }
}

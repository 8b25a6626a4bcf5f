package org.jdask;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place config values are read into types, used by {@link Config}'s getters, {@code
 * RunOptions}, the CLI and every reader of a time or size setting, so {@code "5s"} and {@code
 * "4GB"} mean the same wherever a time or a size is expected.
 *
 * <ul>
 *   <li>{@link #parseLiteral}: an environment variable or system property, as Dask reads its
 *       environment: a Python literal ({@code 3}, {@code 0.7}, {@code 'text'}, {@code [1, 2]},
 *       {@code {'a': 1}}, {@code True}/{@code False}/{@code None}), else {@code true}/{@code
 *       false}/{@code null}/{@code none} in any case, else the text itself;
 *   <li>{@link #parseDuration}: Dask's {@code parse_timedelta}: {@code "5s"}, {@code "100ms"},
 *       {@code "2 minutes"}, {@code "1.5h"}; a plain number is in the key's own unit (seconds
 *       unless the key says otherwise, such as {@code ...-ms});
 *   <li>{@link #parseBytes}: Dask's {@code parse_bytes}: {@code "4GB"}, {@code "512 MiB"},
 *       {@code "1e9"}, {@code "100"}; kB/MB/GB/TB/PB are powers of 1000, KiB/MiB/GiB/TiB/PiB
 *       powers of 1024 (a bare {@code G}, which Slurm and {@code -Xmx} read as GiB, is refused);
 *   <li>{@link #toInt}, {@link #toDouble}, {@link #toBoolean}: strict: {@code 2.5} is not an int.
 * </ul>
 * Every error names the key (or what was being read) and the value, and says what would do.
 */
public final class ConfigValues {
    private ConfigValues() {}

    // ------------------------------------------------------------------------- literals

    /** An environment or system-property value: a Python literal, else true/false/null/none (any case), else the text. */
    public static Object parseLiteral(String text) {
        if (text == null) return null;
        if (!text.isBlank()) {
            try {
                LiteralParser p = new LiteralParser(text);
                Object v = p.value();
                p.skipBlanks();
                if (p.at == text.length()) return v;
            } catch (IllegalArgumentException notALiteral) {
                // fall through: not a Python literal
            }
        }
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "none", "null" -> null;
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> text;
        };
    }

    /** A recursive-descent reader of Python literals (the subset Dask's {@code ast.literal_eval} sees in practice). */
    private static final class LiteralParser {
        final String s;
        int at;

        LiteralParser(String s) {
            this.s = s;
        }

        void skipBlanks() {
            while (at < s.length() && Character.isWhitespace(s.charAt(at))) at++;
        }

        IllegalArgumentException fail() {
            return new IllegalArgumentException("not a literal at " + at);
        }

        Object value() {
            skipBlanks();
            if (at >= s.length()) throw fail();
            char c = s.charAt(at);
            if (c == '\'' || c == '"') return string(c);
            if (c == '[') return sequence(']');
            if (c == '(') return sequence(')');
            if (c == '{') return dict();
            if (c == '-' || c == '+' || c == '.' || Character.isDigit(c)) return number();
            for (String word : new String[] {"True", "False", "None"}) {
                if (s.startsWith(word, at) && (at + word.length() == s.length() || !Character.isLetterOrDigit(s.charAt(at + word.length())))) {
                    at += word.length();
                    return word.equals("None") ? null : Boolean.valueOf(word.equals("True"));
                }
            }
            throw fail();
        }

        String string(char quote) {
            StringBuilder b = new StringBuilder();
            at++;
            while (at < s.length()) {
                char c = s.charAt(at++);
                if (c == quote) return b.toString();
                if (c == '\\' && at < s.length()) {
                    char e = s.charAt(at++);
                    b.append(switch (e) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        case 'r' -> '\r';
                        case '0' -> '\0';
                        default -> e;
                    });
                } else {
                    b.append(c);
                }
            }
            throw fail();
        }

        List<Object> sequence(char close) {
            List<Object> out = new ArrayList<>();
            at++;
            skipBlanks();
            if (at < s.length() && s.charAt(at) == close) {
                at++;
                return out;
            }
            while (true) {
                out.add(value());
                skipBlanks();
                if (at >= s.length()) throw fail();
                char c = s.charAt(at++);
                if (c == close) return out;
                if (c != ',') throw fail();
                skipBlanks();
                if (at < s.length() && s.charAt(at) == close) {
                    at++;
                    return out;
                }
            }
        }

        Map<Object, Object> dict() {
            Map<Object, Object> out = new LinkedHashMap<>();
            at++;
            skipBlanks();
            if (at < s.length() && s.charAt(at) == '}') {
                at++;
                return out;
            }
            while (true) {
                Object k = value();
                skipBlanks();
                if (at >= s.length() || s.charAt(at++) != ':') throw fail();
                out.put(k, value());
                skipBlanks();
                if (at >= s.length()) throw fail();
                char c = s.charAt(at++);
                if (c == '}') return out;
                if (c != ',') throw fail();
            }
        }

        private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d[\\d_]*)?(\\.\\d*)?([eE][+-]?\\d+)?");

        Object number() {
            Matcher m = NUMBER.matcher(s).region(at, s.length());
            if (!m.lookingAt() || m.end() == at) throw fail();
            String t = s.substring(at, m.end()).replace("_", "");
            if (t.equals("+") || t.equals("-") || t.equals(".") || t.endsWith("_")) throw fail();
            at = m.end();
            if (m.group(2) == null && m.group(3) == null) {
                long l;
                try {
                    l = Long.parseLong(t);
                } catch (NumberFormatException big) {
                    return Double.parseDouble(t);
                }
                return l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE ? (Object) (int) l : (Object) l;
            }
            try {
                return Double.parseDouble(t);
            } catch (NumberFormatException e) {
                throw fail();
            }
        }
    }

    // ------------------------------------------------------------------------- plain types

    /** Whether {@code v} means "not set" to the typed getters: null, or an empty/blank string. */
    public static boolean isUnset(Object v) {
        return v == null || (v instanceof String s && s.isBlank());
    }

    /** An int: an integral number in int range, or text of one; {@code 2.5} and {@code "many"} are refused naming {@code key}. */
    public static int toInt(Object v, String key) {
        long l = toLong(v, key, "an integer");
        if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("config " + key + " must be an integer, got " + v + " (out of int range)");
        }
        return (int) l;
    }

    private static long toLong(Object v, String key, String what) {
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) return ((Number) v).longValue();
        if (v instanceof Map || v instanceof List) throw new IllegalArgumentException("config " + key + " must be " + what + ", got " + v);
        String t = v instanceof Number ? null : v.toString().trim();
        double d;
        if (t != null) {
            try {
                return Long.parseLong(t);
            } catch (NumberFormatException e) {
                try {
                    d = Double.parseDouble(t);
                } catch (NumberFormatException e2) {
                    throw new IllegalArgumentException("config " + key + " must be " + what + ", got '" + v + "'");
                }
            }
        } else {
            d = ((Number) v).doubleValue();
        }
        if (d != Math.rint(d) || Double.isInfinite(d) || Math.abs(d) > 9.007199254740992E15) {
            throw new IllegalArgumentException("config " + key + " must be " + what + ", got " + v + " (not a whole number)");
        }
        return (long) d;
    }

    /** A double: a number or text of one, naming {@code key} otherwise. */
    public static double toDouble(Object v, String key) {
        if (v instanceof Number n) return n.doubleValue();
        try {
            return Double.parseDouble(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("config " + key + " must be a number, got '" + v + "'");
        }
    }

    /** A boolean: true/false (any case), yes/no, 1/0. */
    public static boolean toBoolean(Object v, String key) {
        if (v instanceof Boolean b) return b;
        String s = v.toString().trim().toLowerCase(Locale.ROOT);
        if (s.equals("true") || s.equals("yes") || s.equals("1")) return true;
        if (s.equals("false") || s.equals("no") || s.equals("0")) return false;
        throw new IllegalArgumentException("config " + key + " must be true or false, got '" + v + "'");
    }

    // ------------------------------------------------------------------------- durations

    private static final Pattern AMOUNT = Pattern.compile("([+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:e[+-]?\\d+)?)?\\s*([a-zµ]*)");

    private static final Map<String, Long> TIME_UNITS = new LinkedHashMap<>();

    static {
        unit(1L, "ns", "nanosecond", "nanoseconds");
        unit(1_000L, "us", "µs", "microsecond", "microseconds");
        unit(1_000_000L, "ms", "millisecond", "milliseconds");
        unit(1_000_000_000L, "s", "sec", "secs", "second", "seconds");
        unit(60_000_000_000L, "m", "min", "mins", "minute", "minutes");
        unit(3_600_000_000_000L, "h", "hr", "hrs", "hour", "hours");
        unit(86_400_000_000_000L, "d", "day", "days");
        unit(604_800_000_000_000L, "w", "wk", "week", "weeks");
    }

    private static void unit(long nanos, String... names) {
        for (String n : names) TIME_UNITS.put(n, nanos);
    }

    /**
     * A time from text: a number with a unit ({@code "5s"}, {@code "100 ms"}, {@code "2 minutes"},
     * {@code "1.5h"}, {@code "250us"}) or a plain number in {@code plainUnit}; refused naming {@code
     * what} when negative or not a time.
     */
    public static Duration parseDuration(String text, String what, ChronoUnit plainUnit) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        Matcher m = AMOUNT.matcher(t);
        Long unitNanos = null;
        if (!t.isEmpty() && m.matches() && m.group(1) != null) {
            unitNanos = m.group(2).isEmpty() ? (Long) plainUnit.getDuration().toNanos() : TIME_UNITS.get(m.group(2));
        }
        if (unitNanos == null) {
            throw new IllegalArgumentException(what + " '" + text + "' is not a time; give a number with a unit such as 5s, 100ms, "
                    + "2 minutes or 1.5h (a plain number is in " + plainUnit.toString().toLowerCase(Locale.ROOT) + ")");
        }
        return nanos(Double.parseDouble(m.group(1)), unitNanos, what, text);
    }

    private static Duration nanos(double amount, long unitNanos, String what, Object text) {
        double n = amount * unitNanos;
        if (!(n >= 0) || n > Long.MAX_VALUE) throw new IllegalArgumentException(what + " '" + text + "' must be a finite time >= 0");
        return Duration.ofNanos(Math.round(n));
    }

    /** A time setting: a {@link Duration}, a number in {@code plainUnit}, or text for {@link #parseDuration}. */
    public static Duration toDuration(Object v, String key, ChronoUnit plainUnit) {
        if (v instanceof Duration d) {
            if (d.isNegative()) throw new IllegalArgumentException("config " + key + " '" + v + "' must be a finite time >= 0");
            return d;
        }
        if (v instanceof Number n) return nanos(n.doubleValue(), plainUnit.getDuration().toNanos(), "config " + key, v);
        if (v instanceof Map || v instanceof List) throw new IllegalArgumentException("config " + key + " must be a time such as 5s, got " + v);
        return parseDuration(v.toString(), "config " + key, plainUnit);
    }

    // ------------------------------------------------------------------------- sizes

    private static final Map<String, Long> BYTE_UNITS = new LinkedHashMap<>();

    static {
        String[] p = {"k", "m", "g", "t", "p"};
        long dec = 1, bin = 1;
        BYTE_UNITS.put("", 1L);
        BYTE_UNITS.put("b", 1L);
        for (String x : p) {
            dec *= 1000;
            bin *= 1024;
            BYTE_UNITS.put(x + "b", dec);
            BYTE_UNITS.put(x + "ib", bin);
        }
    }

    /**
     * A size in bytes from text: {@code "4GB"}, {@code "512MiB"}, {@code "1.5 GB"}, {@code "1e9"}
     * or {@code "4000000000"}; refused naming {@code what} otherwise. Unlike Dask's {@code
     * parse_bytes}, a bare letter ({@code "24G"}) or a unit without a number ({@code "MB"}) is
     * refused: Slurm and JVM flags read {@code G} as GiB, Dask as GB, so jdask asks which.
     */
    public static long parseBytes(String text, String what) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException(what + " is empty; give a size like 4GB, 512MiB or a number of bytes");
        String t = text.trim().toLowerCase(Locale.ROOT).replace(" ", "");
        Matcher m = AMOUNT.matcher(t);
        Long mult = m.matches() ? BYTE_UNITS.get(m.group(2)) : null;
        if (mult == null || m.group(1) == null) {
            throw new IllegalArgumentException(what + " '" + text + "' is not a size like 4GB, 512MiB or a number of bytes");
        }
        return bytes(m.group(1) == null ? 1 : Double.parseDouble(m.group(1)), mult, what, text);
    }

    private static long bytes(double amount, long mult, String what, Object text) {
        double v = amount * mult;
        if (!(v >= 0) || v > Long.MAX_VALUE) throw new IllegalArgumentException(what + " '" + text + "' must be a finite size >= 0");
        return (long) v;
    }

    /** A size setting: a number of bytes, or text for {@link #parseBytes}. */
    public static long toBytes(Object v, String key) {
        if (v instanceof Number n) return bytes(n.doubleValue(), 1, "config " + key, v);
        if (v instanceof Map || v instanceof List) throw new IllegalArgumentException("config " + key + " must be a size such as 4GB, got " + v);
        return parseBytes(v.toString(), "config " + key);
    }
}

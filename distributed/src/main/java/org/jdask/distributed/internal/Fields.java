package org.jdask.distributed.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdask.distributed.internal.Wire.WireException;
import org.jdask.graph.Key;

/**
 * Reads one message's (or one nested record's) fields in wire order, each by name and type: the
 * only place that reads a header field by position ({@link Messages} uses it). A missing field,
 * an extra one, or a field of the wrong type throws {@link WireException} naming the op, the
 * field and what was there.
 */
public final class Fields {
    private final String where;
    private final List<?> values;
    private int next;

    Fields(Op op, List<?> values) {
        this(op.name(), values);
    }

    private Fields(String where, List<?> values) {
        this.where = where;
        this.values = values;
    }

    /** Whether a (trailing, optional) field follows. */
    boolean more() {
        return next < values.size();
    }

    /** Refuses fields nobody read: a message of another shape. */
    void end() {
        if (next < values.size()) throw new WireException(where + " has " + values.size() + " fields, expected " + next);
    }

    private Object get(String name) {
        if (next >= values.size()) {
            throw new WireException(where + " has " + values.size() + " fields: field " + next + " (" + name + ") is missing");
        }
        return values.get(next++);
    }

    private WireException bad(String name, String expected, Object got) {
        String shown = String.valueOf(got);
        if (shown.length() > 80) shown = shown.substring(0, 80) + "...";
        return new WireException(where + " field " + (next - 1) + " (" + name + ") must be " + expected + ", got "
                + (got == null ? "null" : got.getClass().getSimpleName() + " " + shown));
    }

    /** The next field, which must be a {@code type} ({@code expected} names it in the error). */
    private <T> T one(String name, Class<T> type, String expected) {
        Object o = get(name);
        if (!type.isInstance(o)) throw bad(name, expected, o);
        return type.cast(o);
    }

    /** The next field, a {@code type} or null. */
    private <T> T oneOrNull(String name, Class<T> type, String expected) {
        Object o = get(name);
        if (o != null && !type.isInstance(o)) throw bad(name, expected + " or null", o);
        return type.cast(o);
    }

    String str(String name) {
        return one(name, String.class, "a string");
    }

    String strOrNull(String name) {
        return oneOrNull(name, String.class, "a string");
    }

    long num(String name) {
        return one(name, Long.class, "an integer");
    }

    int integer(String name) {
        Object o = get(name);
        if (!(o instanceof Long n) || n != n.intValue()) throw bad(name, "a 32-bit integer", o);
        return n.intValue();
    }

    double dbl(String name) {
        return one(name, Number.class, "a number").doubleValue();
    }

    boolean bool(String name) {
        return one(name, Boolean.class, "a boolean");
    }

    Key key(String name) {
        return one(name, Key.class, "a key");
    }

    Key keyOrNull(String name) {
        return oneOrNull(name, Key.class, "a key");
    }

    Payload payload(String name) {
        return one(name, Payload.class, "a payload");
    }

    Payload payloadOrNull(String name) {
        return oneOrNull(name, Payload.class, "a payload");
    }

    <E extends Enum<E>> E enumOf(String name, Class<E> type) {
        String s = str(name);
        for (E e : type.getEnumConstants()) if (e.name().equals(s)) return e;
        throw bad(name, "one of " + Arrays.toString(type.getEnumConstants()), s);
    }

    private List<?> rawList(String name, boolean nullable) {
        Object o = get(name);
        if (o == null && nullable) return null;
        if (!(o instanceof List<?> l)) throw bad(name, nullable ? "a list or null" : "a list", o);
        return l;
    }

    private <T> List<T> listOf(String name, Class<T> type, boolean nullable, boolean nullElements) {
        List<?> l = rawList(name, nullable);
        if (l == null) return null;
        List<T> out = new ArrayList<>(l.size());
        for (Object o : l) {
            if (o == null && nullElements) out.add(null);
            else if (type.isInstance(o)) out.add(type.cast(o));
            else throw bad(name, "a list of " + type.getSimpleName(), o);
        }
        return out;
    }

    List<Key> keys(String name) {
        return listOf(name, Key.class, false, false);
    }

    List<Key> keysOrNull(String name) {
        return listOf(name, Key.class, true, false);
    }

    List<String> strs(String name) {
        return listOf(name, String.class, false, false);
    }

    List<String> strsWithNulls(String name) {
        return listOf(name, String.class, false, true);
    }

    Set<String> strSetOrNull(String name) {
        List<String> l = listOf(name, String.class, true, false);
        return l == null ? null : new HashSet<>(l);
    }

    List<Boolean> bools(String name) {
        return listOf(name, Boolean.class, false, false);
    }

    List<Long> longs(String name) {
        return listOf(name, Long.class, false, false);
    }

    /** A trailing optional list of integers: null when absent or null. */
    List<Long> longsOrAbsent(String name) {
        return more() ? listOf(name, Long.class, true, false) : null;
    }

    List<Payload> payloads(String name) {
        return listOf(name, Payload.class, false, false);
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> maps(String name) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<?, ?> m : listOf(name, Map.class, false, false)) out.add((Map<String, Object>) m);
        return out;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> map(String name) {
        return (Map<String, Object>) one(name, Map.class, "a map");
    }

    Map<String, Double> doubles(String name) {
        Map<String, Double> out = doublesOrNull(name);
        if (out == null) throw bad(name, "a map of numbers", null);
        return out;
    }

    Map<String, Double> doublesOrNull(String name) {
        Object o = get(name);
        if (o == null) return null;
        if (!(o instanceof Map<?, ?> m)) throw bad(name, "a map of numbers or null", o);
        Map<String, Double> out = new HashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getValue() instanceof Number n)) throw bad(name + "." + e.getKey(), "a number", e.getValue());
            out.put((String) e.getKey(), n.doubleValue());
        }
        return out;
    }

    /** A nested record: a list read field by field. */
    Fields record(String name) {
        return new Fields(where + "." + name, rawList(name, false));
    }

    /** A list of nested records. */
    List<Fields> records(String name) {
        List<?> l = rawList(name, false);
        List<Fields> out = new ArrayList<>(l.size());
        for (int i = 0; i < l.size(); i++) {
            if (!(l.get(i) instanceof List<?> r)) throw bad(name + "[" + i + "]", "a list", l.get(i));
            out.add(new Fields(where + "." + name + "[" + i + "]", r));
        }
        return out;
    }
}

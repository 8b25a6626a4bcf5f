package org.jdask.graph;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.jdask.fn.FnN;
import org.jdask.fn.Fns;

/**
 * A function applied to arguments. An argument is one of:
 * <ul>
 *   <li>a {@link Key}: replaced by that task's output when this task runs;
 *   <li>a {@link List} or {@link Map} (values): scanned for keys and nested tasks, rebuilt with
 *       their values (a list without keys is passed through as is);
 *   <li>a nested {@code Task}: evaluated in place (what {@link Optimize#inline} produces);
 *   <li>a {@link DataNode}: a quoted literal, passed as its value and never scanned (use it for
 *       big lists of plain data);
 *   <li>anything else: a literal value.
 * </ul>
 * Dependencies are found once, when the task is built.
 */
public final class Task implements Node {
    private static final long serialVersionUID = 1L;
    private static final Key[] NO_KEYS = new Key[0];
    /** Above this many keys, duplicates are removed with a hash set instead of pairwise checks. */
    private static final int PAIRWISE_DISTINCT = 16;
    /** Shared (never written) masks for tasks whose dynamic arguments are among the first six: no array per task. */
    private static final long[][] SMALL_BITS = new long[64][];

    static {
        for (int i = 0; i < SMALL_BITS.length; i++) SMALL_BITS[i] = new long[] {i};
    }

    private final FnN function;
    private final Object[] args;
    private final Key[] deps;
    /** Bit i set when args[i] needs substitution (holds a key, a nested task or a quoted literal). */
    private final long[] dynamic;

    private Task(FnN function, Object[] args) {
        this.function = Objects.requireNonNull(function, "task function");
        this.args = args;
        Key[] found = NO_KEYS;
        int count = 0;
        long[] dyn = args.length <= 64 ? null : new long[(args.length + 63) >>> 6];
        long dyn0 = 0;
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            boolean dynamic = false;
            if (a instanceof Key k) {
                if (count == found.length) found = Arrays.copyOf(found, Math.max(1, count * 2));
                found[count++] = k;
                dynamic = true;
            } else if (a instanceof DataNode) {
                dynamic = true;
            } else if (a instanceof Task || a instanceof List || a instanceof Map) {
                List<Key> more = new ArrayList<>();
                dynamic = collect(a, more);
                if (!more.isEmpty()) {
                    if (count + more.size() > found.length) found = Arrays.copyOf(found, Math.max(count + more.size(), count * 2));
                    for (Key k : more) found[count++] = k;
                }
            }
            if (dynamic) {
                if (dyn == null) dyn0 |= 1L << i;
                else dyn[i >>> 6] |= 1L << i;
            }
        }
        this.deps = distinct(found, count);
        this.dynamic = dyn != null ? dyn : dyn0 >= 0 && dyn0 < SMALL_BITS.length ? SMALL_BITS[(int) dyn0] : new long[] {dyn0};
        if (function.arity() >= 0 && function.arity() != args.length) {
            throw new IllegalArgumentException("function " + Fns.name(function) + " takes " + function.arity()
                    + " argument(s) but the task has " + args.length);
        }
    }

    /** A task calling {@code function} (an {@code Fn0..Fn6} or {@link FnN}) with {@code args}. */
    public static Task of(Object function, Object... args) {
        return new Task(Fns.of(function), args == null ? new Object[0] : args.clone());
    }

    /** Same as {@link #of} but takes ownership of the array (no copy). */
    public static Task ofArray(FnN function, Object[] args) {
        return new Task(function, args);
    }

    public FnN function() {
        return function;
    }

    /** The arguments, as built (keys unresolved). */
    public List<Object> args() {
        return Collections.unmodifiableList(Arrays.asList(args));
    }

    public int argCount() {
        return args.length;
    }

    public Object arg(int i) {
        return args[i];
    }

    @Override
    public List<Key> dependencies() {
        return Collections.unmodifiableList(Arrays.asList(deps));
    }

    /** Number of distinct keys this task reads. */
    public int dependencyCount() {
        return deps.length;
    }

    public Key dependency(int i) {
        return deps[i];
    }

    /** Runs the function with keys replaced by {@code values.apply(key)}. */
    public Object execute(Function<Key, Object> values) throws Exception {
        Object[] actual = args.length == 0 ? args : new Object[args.length];
        for (int i = 0; i < args.length; i++) {
            actual[i] = (dynamic[i >>> 6] & (1L << i)) != 0 ? substitute(args[i], values) : args[i];
        }
        return function.invoke(actual);
    }

    /** A copy with every key in {@code renames} replaced (used by fusion and inlining). */
    public Task replaceKeys(Map<Key, ?> replacements) {
        Object[] out = new Object[args.length];
        boolean changed = false;
        for (int i = 0; i < args.length; i++) {
            out[i] = (dynamic[i >>> 6] & (1L << i)) != 0 ? replace(args[i], replacements) : args[i];
            changed |= out[i] != args[i];
        }
        return changed ? new Task(function, out) : this;
    }

    /** The first {@code count} keys of {@code found} without repeats, in first-seen order. */
    private static Key[] distinct(Key[] found, int count) {
        if (count == 0) return NO_KEYS;
        if (count > PAIRWISE_DISTINCT) return new LinkedHashSet<>(Arrays.asList(found).subList(0, count)).toArray(NO_KEYS);
        int out = 0;
        for (int i = 0; i < count; i++) {
            Key k = found[i];
            boolean seen = false;
            for (int j = 0; j < out && !seen; j++) seen = found[j].equals(k);
            if (!seen) found[out++] = k;
        }
        return out == found.length ? found : Arrays.copyOf(found, out);
    }

    private static boolean collect(Object a, List<Key> found) {
        if (a instanceof Key k) {
            found.add(k);
            return true;
        }
        if (a instanceof DataNode) return true;
        if (a instanceof Task t) {
            Collections.addAll(found, t.deps);
            return true;
        }
        boolean any = false;
        if (a instanceof List<?> l) {
            for (Object o : l) any |= collect(o, found);
        } else if (a instanceof Map<?, ?> m) {
            for (Object o : m.values()) any |= collect(o, found);
        }
        return any;
    }

    private static Object substitute(Object a, Function<Key, Object> values) throws Exception {
        if (a instanceof Key k) return values.apply(k);
        if (a instanceof DataNode d) return d.value();
        if (a instanceof Task t) return t.execute(values);
        if (a instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object o : l) out.add(substitute(o, values));
            return Collections.unmodifiableList(out);
        }
        if (a instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) out.put(e.getKey(), substitute(e.getValue(), values));
            return Collections.unmodifiableMap(out);
        }
        return a;
    }

    private static Object replace(Object a, Map<Key, ?> r) {
        if (a instanceof Key k) return r.containsKey(k) ? r.get(k) : k;
        if (a instanceof Task t) return t.replaceKeys(r);
        if (a instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            boolean changed = false;
            for (Object o : l) {
                Object n = replace(o, r);
                changed |= n != o;
                out.add(n);
            }
            return changed ? out : l;
        }
        if (a instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            boolean changed = false;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                Object n = replace(e.getValue(), r);
                changed |= n != e.getValue();
                out.put(e.getKey(), n);
            }
            return changed ? out : m;
        }
        return a;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Task t && function.equals(t.function) && Arrays.deepEquals(args, t.args);
    }

    @Override
    public int hashCode() {
        return function.hashCode() * 31 + Arrays.deepHashCode(args);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(Fns.name(function)).append('(');
        for (int i = 0; i < args.length; i++) {
            if (i > 0) b.append(", ");
            b.append(shortString(args[i]));
        }
        return b.append(')').toString();
    }

    /** A bounded rendering of a value for graph printing and messages. */
    public static String describe(Object v) {
        return shortString(v);
    }

    static String shortString(Object v) {
        String s;
        if (v == null) s = "null";
        else if (v.getClass().isArray()) {
            int n = Array.getLength(v);
            s = v.getClass().getComponentType().getSimpleName() + "[" + n + "]";
        } else if (v instanceof String str) s = '"' + str + '"';
        else s = String.valueOf(v);
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}

package org.jdask;

import java.lang.ref.WeakReference;
import java.lang.reflect.Array;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.jdask.fn.Fn0;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;
import org.jdask.fn.Fn3;
import org.jdask.fn.Fn4;
import org.jdask.fn.Fn5;
import org.jdask.fn.Fn6;
import org.jdask.fn.FnN;
import org.jdask.fn.Fns;
import org.jdask.graph.DataNode;
import org.jdask.graph.IdentitySet;
import org.jdask.graph.Key;
import org.jdask.graph.Node;
import org.jdask.graph.Task;
import org.jdask.graph.TaskGraph;
import org.jdask.graph.Tokenizable;
import org.jdask.graph.Tokenize;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lazy value: one task in a graph, with the tasks it depends on (Dask's {@code delayed}).
 *
 * <pre>{@code
 * Delayed<Integer> x = Delayed.of(Ops::inc).apply(1);     // nothing runs yet
 * Delayed<Integer> z = Delayed.of(Ops::add).apply(x, 10); // arguments: values or Delayed
 * int r = z.compute();                                     // 12
 * }</pre>
 *
 * <p>A {@code Delayed} holds its own key and node plus references to the {@code Delayed}s it
 * reads, so building a chain of n calls is O(n) (the graph is assembled by one iterative walk when
 * it is needed), unlike merging a dictionary per call.
 *
 * <p>Keys: a call is impure by default — each {@code apply} gets a fresh random key, so calling a
 * random function twice gives two tasks. {@link DelayedFunction#pure()} (or config
 * {@code delayed-pure: true}) makes the key a token of the function and arguments, so identical
 * calls share one task. {@link DelayedFunction#name(String)} sets the key name outright.
 */
public final class Delayed<T> implements Lazy.Single<T>, Tokenizable {
    private static final Logger LOG = LoggerFactory.getLogger(Delayed.class);
    private static final Delayed<?>[] NONE = new Delayed<?>[0];

    private final Key key;
    private final Node node;
    private final Delayed<?>[] deps;
    /** Graph of an embedded collection (a Bag or DArray used as an argument), or null. */
    private final TaskGraph extra;
    private final int nout;

    private Delayed(Key key, Node node, Delayed<?>[] deps, TaskGraph extra, int nout) {
        this.key = key;
        this.node = node;
        this.deps = deps;
        this.extra = extra;
        this.nout = nout;
    }

    // ----------------------------------------------------------------------------- construction

    public static <R> DelayedFunction<R> of(Fn0<R> f) { return new DelayedFunction<>(f); }
    public static <A, R> DelayedFunction<R> of(Fn1<A, R> f) { return new DelayedFunction<>(f); }
    public static <A, B, R> DelayedFunction<R> of(Fn2<A, B, R> f) { return new DelayedFunction<>(f); }
    public static <A, B, C, R> DelayedFunction<R> of(Fn3<A, B, C, R> f) { return new DelayedFunction<>(f); }
    public static <A, B, C, D, R> DelayedFunction<R> of(Fn4<A, B, C, D, R> f) { return new DelayedFunction<>(f); }
    public static <A, B, C, D, E, R> DelayedFunction<R> of(Fn5<A, B, C, D, E, R> f) { return new DelayedFunction<>(f); }
    public static <A, B, C, D, E, F, R> DelayedFunction<R> of(Fn6<A, B, C, D, E, F, R> f) { return new DelayedFunction<>(f); }

    /**
     * Puts {@code value} in the graph once, under a key derived from its content, so many tasks
     * can read it without each holding a copy (and so the {@code processes}/{@code distributed}
     * schedulers ship it to each worker once). A {@code Delayed} is returned as is; another lazy
     * collection becomes a {@code Delayed} of its computed result.
     */
    @SuppressWarnings("unchecked")
    public static <T> Delayed<T> value(T value) {
        if (value instanceof Delayed<?> d) return (Delayed<T>) d;
        if (value instanceof Lazy<?> l) return (Delayed<T>) from(l);
        String prefix = value == null ? "value" : typeName(value);
        return new Delayed<>(Key.of(prefix + "-" + Tokenize.token(value)), new DataNode(value), NONE, null, -1);
    }

    /** Like {@link #value(Object)} with an explicit key name. */
    public static <T> Delayed<T> value(T value, String name) {
        return new Delayed<>(Key.of(name), new DataNode(value), NONE, null, -1);
    }

    /** Many delayed values as one delayed list (like {@code CompletableFuture.allOf}). */
    public static <T> Delayed<List<T>> all(Collection<? extends Delayed<? extends T>> parts) {
        List<Object> keys = new ArrayList<>(parts.size());
        Delayed<?>[] deps = new Delayed<?>[parts.size()];
        int i = 0;
        for (Delayed<? extends T> d : parts) {
            keys.add(d.key);
            deps[i++] = d;
        }
        Key k = Key.of("all-" + Tokenize.token(keys));
        return new Delayed<>(k, Task.ofArray(LIST_OF, new Object[] {keys}), deps, null, parts.size());
    }

    /** A {@code Delayed} of another collection's computed result (its graph plus a finish task). */
    public static <T> Delayed<T> from(Lazy<T> collection) {
        if (collection instanceof Delayed<T> d) return d;
        List<Key> keys = collection.keys();
        Key k = Key.of("finish-" + Tokenize.token(keys));
        Task t = Task.ofArray(new Finish<>(collection.finisher()), new Object[] {new ArrayList<Object>(keys)});
        return new Delayed<>(k, t, NONE, collection.graph(), -1);
    }

    // ----------------------------------------------------------------------------- Lazy

    /** This value's key. */
    public Key key() {
        return key;
    }


    @Override
    public TaskGraph graph() {
        // One iterative walk over the Delayed DAG (identity-deduplicated).
        IdentitySet seen = new IdentitySet(64);
        ArrayDeque<Delayed<?>> stack = new ArrayDeque<>();
        List<TaskGraph> extras = new ArrayList<>();
        List<Delayed<?>> all = new ArrayList<>();
        stack.push(this);
        seen.add(this);
        while (!stack.isEmpty()) {
            Delayed<?> d = stack.pop();
            all.add(d);
            if (d.extra != null) extras.add(d.extra);
            for (Delayed<?> dep : d.deps) if (seen.add(dep)) stack.push(dep);
        }
        TaskGraph.Builder b = TaskGraph.builder(all.size() + extras.stream().mapToInt(TaskGraph::size).sum());
        for (TaskGraph e : extras) b.putAll(e.nodes());
        for (int i = all.size() - 1; i >= 0; i--) {
            Delayed<?> d = all.get(i);
            if (d.node != null) b.put(d.key, d.node);
        }
        // everything came from walking this value's inputs (extras: collections it reads whole)
        if (extras.isEmpty()) b.closureOf(List.of(key));
        return b.build();
    }



    @Override
    public Delayed<T> rebuild(TaskGraph persisted) {
        return new Delayed<>(key, persisted.get(key), NONE, null, nout);
    }

    @Override
    public Delayed<T> persist() {
        return (Delayed<T>) Jdask.persist(this);
    }

    @Override
    public Object tokenIdentity() {
        return key;
    }

    // ----------------------------------------------------------------------------- derived values

    /** A delayed call of {@code fn} on this value. */
    public <R> Delayed<R> map(Fn1<? super T, R> fn) {
        return new DelayedFunction<R>(fn).apply(this);
    }

    /**
     * Element {@code i} of this value: a list, an array, or a tuple from {@link
     * DelayedFunction#nout(int)}. The key is deterministic.
     */
    public <E> Delayed<E> get(int i) {
        if (nout >= 0 && (i < 0 || i >= nout)) {
            throw new IndexOutOfBoundsException("index " + i + " out of range for " + key + " with nout=" + nout);
        }
        Key k = Key.of("getitem-" + Tokenize.token(key, i));
        return new Delayed<>(k, Task.ofArray(GET_ITEM, new Object[] {key, i}), new Delayed<?>[] {this}, null, -1);
    }

    /** The parts of a tuple built with {@code nout(n)}, each usable alone. */
    public List<Delayed<Object>> parts() {
        if (nout < 0) throw new IllegalStateException(key + " has no known length: build it with Delayed.of(f).nout(n)");
        List<Delayed<Object>> out = new ArrayList<>(nout);
        for (int i = 0; i < nout; i++) out.add(get(i));
        return out;
    }

    /** The declared number of outputs, or -1 when unknown. */
    public int nout() {
        return nout;
    }

    @Override
    public String toString() {
        return "Delayed(" + key + ")";
    }

    // ----------------------------------------------------------------------------- calls

    /**
     * A function waiting for arguments. Arguments may be plain values, {@code Delayed}s, other
     * lazy collections, or lists/maps holding any of these.
     */
    public static final class DelayedFunction<R> {
        private final Object function;
        private final FnN fn;
        private Boolean pure;
        private String name;
        private int nout = -1;

        DelayedFunction(Object function) {
            this.function = function;
            this.fn = Fns.of(function);
        }

        /** Deterministic key from function and arguments: identical calls run once. */
        public DelayedFunction<R> pure() {
            this.pure = Boolean.TRUE;
            return this;
        }

        /** Fresh key per call even when config {@code delayed-pure} is true. */
        public DelayedFunction<R> impure() {
            this.pure = Boolean.FALSE;
            return this;
        }

        /** The key name of the next call (Dask's {@code dask_key_name}). */
        public DelayedFunction<R> name(String keyName) {
            if (keyName == null || keyName.isEmpty()) throw new IllegalArgumentException("key name must not be empty");
            this.name = keyName;
            return this;
        }

        /** The result is a tuple (list or array) of {@code n} parts usable alone via {@code get(i)}. */
        public DelayedFunction<R> nout(int n) {
            if (n < 0) throw new IllegalArgumentException("nout must be >= 0, got " + n);
            this.nout = n;
            return this;
        }

        public Delayed<R> apply() { return call(); }
        public Delayed<R> apply(Object a) { return call(a); }
        public Delayed<R> apply(Object a, Object b) { return call(a, b); }
        public Delayed<R> apply(Object a, Object b, Object c) { return call(a, b, c); }
        public Delayed<R> apply(Object a, Object b, Object c, Object d) { return call(a, b, c, d); }
        public Delayed<R> apply(Object a, Object b, Object c, Object d, Object e) { return call(a, b, c, d, e); }
        public Delayed<R> apply(Object a, Object b, Object c, Object d, Object e, Object f) { return call(a, b, c, d, e, f); }

        private Delayed<R> call(Object... args) {
            if (fn.arity() >= 0 && fn.arity() != args.length) {
                throw new IllegalArgumentException(Fns.name(function) + " takes " + fn.arity() + " argument(s), got " + args.length);
            }
            List<Delayed<?>> deps = new ArrayList<>(args.length);
            Object[] taskArgs = new Object[args.length];
            for (int i = 0; i < args.length; i++) {
                taskArgs[i] = unpack(args[i], deps, 0);
                LargeObjects.check(args[i], i, function);
            }
            boolean isPure = pure != null ? pure : Config.getBoolean("delayed-pure", false);
            Key k;
            if (name != null) {
                k = Key.of(name);
            } else if (isPure) {
                k = Key.of(Fns.name(function) + "-" + Tokenize.token(function, taskArgs));
            } else {
                k = Key.of(randomName(Fns.name(function)));
            }
            name = null;
            return new Delayed<>(k, Task.ofArray(fn, taskArgs), deps.isEmpty() ? NONE : deps.toArray(NONE), null, nout);
        }
    }

    /** Replaces Delayed (and other collections) inside an argument by their keys. */
    private static Object unpack(Object a, List<Delayed<?>> deps, int depth) {
        if (a instanceof Delayed<?> d) {
            deps.add(d);
            return d.key;
        }
        if (a instanceof Lazy<?> l) {
            Delayed<?> d = from(l);
            deps.add(d);
            return d.key;
        }
        if (depth < 8 && a instanceof List<?> list) {
            List<Object> out = null;
            for (int i = 0; i < list.size(); i++) {
                Object o = list.get(i);
                Object n = unpack(o, deps, depth + 1);
                if (n != o && out == null) out = new ArrayList<>(list.subList(0, i));
                if (out != null) out.add(n);
            }
            return out == null ? a : out;
        }
        if (depth < 8 && a instanceof Map<?, ?> map) {
            Map<Object, Object> out = null;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                Object n = unpack(e.getValue(), deps, depth + 1);
                if (n != e.getValue() && out == null) {
                    out = new LinkedHashMap<>();
                    for (Map.Entry<?, ?> before : map.entrySet()) {
                        if (before == e) break;
                        out.put(before.getKey(), before.getValue());
                    }
                }
                if (out != null) out.put(e.getKey(), n);
            }
            return out == null ? a : out;
        }
        if (a instanceof Key || a instanceof Task) {
            // a literal Key or Task would be read as a graph reference: quote it
            return new DataNode(a);
        }
        return a;
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** {@code prefix-<32 random hex digits>} (128 random bits, like Dask's uuid4 keys), built in one buffer. */
    static String randomName(String prefix) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        int p = prefix.length();
        char[] c = new char[p + 33];
        prefix.getChars(0, p, c, 0);
        c[p] = '-';
        for (int half = 0; half < 2; half++) {
            long bits = r.nextLong();
            for (int i = 0; i < 16; i++) c[p + 1 + 16 * half + i] = HEX[(int) (bits >>> (60 - 4 * i)) & 15];
        }
        return new String(c);
    }

    private static String typeName(Object v) {
        if (v.getClass().isArray()) return v.getClass().getComponentType().getSimpleName() + "-array";
        String s = v.getClass().getSimpleName();
        return s.isEmpty() ? "value" : s.toLowerCase();
    }

    // ----------------------------------------------------------------------------- helper functions

    private static final FnN LIST_OF = new ListOf();
    private static final FnN GET_ITEM = new GetItem();

    private static final class ListOf implements FnN {
        @Override public Object invoke(Object[] a) { return a[0]; }
        @Override public int arity() { return 1; }
        @Override public String toString() { return "list"; }
        @Override public boolean equals(Object o) { return o instanceof ListOf; }
        @Override public int hashCode() { return 1; }
    }

    private static final class GetItem implements FnN {
        @Override
        public Object invoke(Object[] a) {
            Object v = a[0];
            int i = (Integer) a[1];
            if (v instanceof List<?> l) return l.get(i);
            if (v != null && v.getClass().isArray()) return Array.get(v, i);
            if (v instanceof Map<?, ?> m) return m.get(i);
            throw new IllegalArgumentException("cannot take element " + i + " of " + (v == null ? "null" : v.getClass().getName()));
        }
        @Override public int arity() { return 2; }
        @Override public String toString() { return "getitem"; }
        @Override public boolean equals(Object o) { return o instanceof GetItem; }
        @Override public int hashCode() { return 2; }
    }

    /** Turns a collection argument's key values into its result, through {@link Lazy#finisher()}. */
    private static final class Finish<T> implements FnN {
        private final org.jdask.fn.Fn1<List<Object>, T> finisher;

        Finish(org.jdask.fn.Fn1<List<Object>, T> finisher) {
            this.finisher = finisher;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Object invoke(Object[] a) throws Exception {
            return finisher.apply((List<Object>) a[0]);
        }

        @Override public Object target() { return finisher; }
        @Override public int arity() { return 1; }
        @Override public String toString() { return "finish"; }
    }

    /**
     * Warns when one large plain object is an argument of several delayed calls: each task then
     * carries it (and would ship it to workers each time).
     */
    static final class LargeObjects {
        private static final List<WeakReference<Object>> SEEN = new ArrayList<>();
        private static final List<WeakReference<Object>> WARNED = new ArrayList<>();

        static void check(Object arg, int position, Object function) {
            if (arg == null || arg instanceof Delayed || arg instanceof Lazy) return;
            long bytes = estimateBytes(arg);
            if (bytes == 0) return; // scalars and plain objects: no config lookup on the build hot path
            long limit = Config.getBytes("admin.large-object-warning-bytes", 1_000_000);
            if (bytes < limit) return;
            synchronized (SEEN) {
                if (contains(WARNED, arg)) return;
                if (!contains(SEEN, arg)) {
                    SEEN.add(new WeakReference<>(arg));
                    if (SEEN.size() > 256) SEEN.remove(0);
                    return;
                }
                WARNED.add(new WeakReference<>(arg));
                if (WARNED.size() > 256) WARNED.remove(0);
            }
            LOG.warn("argument {} of {} is a large plain object ({}, about {} MB) used directly by several tasks; "
                            + "each task holds its own reference and would ship it separately. Put it in the graph once with "
                            + "Delayed.value(x) (or client.scatter(x)) and pass that instead.",
                    position, Fns.name(function), Task.describe(arg),
                    String.format("%.1f", bytes / 1e6));
        }

        private static boolean contains(List<WeakReference<Object>> refs, Object o) {
            for (WeakReference<Object> r : refs) if (r.get() == o) return true;
            return false;
        }

        static long estimateBytes(Object v) {
            if (v.getClass().isArray()) {
                int n = Array.getLength(v);
                Class<?> c = v.getClass().getComponentType();
                if (c == double.class || c == long.class) return 8L * n;
                if (c == int.class || c == float.class) return 4L * n;
                if (c == short.class || c == char.class) return 2L * n;
                if (c == byte.class || c == boolean.class) return n;
                return 16L * n;
            }
            if (v instanceof CharSequence s) return 2L * s.length();
            if (v instanceof Collection<?> c) return 16L * c.size();
            if (v instanceof Map<?, ?> m) return 32L * m.size();
            return 0;
        }
    }
}

package org.jdask.bag;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jdask.bag.internal.TextBlock;
import org.jdask.bag.internal.TextReader;
import org.jdask.fn.Fn1;
import org.jdask.fn.FnN;
import org.jdask.fn.Fns;
import org.jdask.graph.Key;
import org.jdask.graph.Task;

/**
 * The task functions of bag layers. Each is a small serializable {@link FnN} over a partition
 * ({@code List}) plus its index, so a failure can name the partition key and record position.
 * Arguments: {@code a[0]} the input partition (or list of partitions), {@code a[1]} the index.
 */
final class PartFns {
    private PartFns() {}

    static BagRecordException fail(String op, Object fn, String layer, int part, long pos, Object record, Throwable e) {
        return new BagRecordException(fn == null ? op : op + "(" + Fns.name(fn) + ")", Key.of(layer, part), pos, Task.describe(record), e);
    }

    /** Record-wise map / filter / flatMap / pluck. */
    static final class Records implements FnN {
        static final int MAP = 0, FILTER = 1, FLATMAP = 2, PLUCK = 3;
        private final int kind;
        private final Fn1<Object, Object> fn;
        private final Object pluckKey;
        private final String layer;

        @SuppressWarnings("unchecked")
        Records(int kind, Fn1<?, ?> fn, Object pluckKey, String layer) {
            this.kind = kind;
            this.fn = (Fn1<Object, Object>) fn;
            this.pluckKey = pluckKey;
            this.layer = layer;
        }

        @Override
        public Object invoke(Object[] a) {
            List<?> in = (List<?>) a[0];
            int part = (Integer) a[1];
            int n = in.size();
            List<Object> out = new ArrayList<>(kind == MAP || kind == PLUCK ? n : Math.max(10, n >>> 4));
            for (int i = 0; i < n; i++) {
                Object x = in.get(i);
                try {
                    switch (kind) {
                        case MAP -> out.add(fn.apply(x));
                        case FILTER -> {
                            if ((Boolean) fn.apply(x)) out.add(x);
                        }
                        case FLATMAP -> {
                            Object r = fn.apply(x);
                            if (r == null) throw new NullPointerException("flatMap function returned null");
                            for (Object o : (Iterable<?>) r) out.add(o);
                        }
                        default -> out.add(pluck(x, pluckKey));
                    }
                } catch (Exception e) {
                    throw fail(opName(), kind == PLUCK ? null : fn, layer, part, i, x, e);
                }
            }
            return out;
        }

        /** This op as a push stage in front of {@code down} (positions count this op's own input). */
        TextReader.Sink sink(TextReader.Sink down, int part) {
            long[] pos = new long[1];
            return switch (kind) {
                case MAP -> x -> {
                    Object r;
                    try {
                        r = fn.apply(x);
                    } catch (Exception e) {
                        throw fail(opName(), fn, layer, part, pos[0], x, e);
                    }
                    pos[0]++;
                    down.accept(r);
                };
                case FILTER -> x -> {
                    boolean keep;
                    try {
                        keep = (Boolean) fn.apply(x);
                    } catch (Exception e) {
                        throw fail(opName(), fn, layer, part, pos[0], x, e);
                    }
                    pos[0]++;
                    if (keep) down.accept(x);
                };
                case FLATMAP -> x -> {
                    Object r;
                    try {
                        r = fn.apply(x);
                        if (r == null) throw new NullPointerException("flatMap function returned null");
                    } catch (Exception e) {
                        throw fail(opName(), fn, layer, part, pos[0], x, e);
                    }
                    pos[0]++;
                    for (Object o : (Iterable<?>) r) down.accept(o);
                };
                default -> x -> {
                    Object r;
                    try {
                        r = pluck(x, pluckKey);
                    } catch (Exception e) {
                        throw fail(opName(), null, layer, part, pos[0], x, e);
                    }
                    pos[0]++;
                    down.accept(r);
                };
            };
        }

        private String opName() {
            return switch (kind) {
                case MAP -> "map";
                case FILTER -> "filter";
                case FLATMAP -> "flatMap";
                default -> "pluck[" + pluckKey + "]";
            };
        }

        @Override public int arity() { return 2; }
        @Override public Object target() { return fn == null ? this : fn; }
        @Override public String toString() { return opName(); }
        @Override public boolean equals(Object o) {
            return o instanceof Records r && r.kind == kind && Objects.equals(r.fn, fn) && Objects.equals(r.pluckKey, pluckKey)
                    && r.layer.equals(layer);
        }
        @Override public int hashCode() { return layer.hashCode(); }
    }

    static Object pluck(Object x, Object key) {
        if (x instanceof Map<?, ?> m) {
            if (!m.containsKey(key)) throw new java.util.NoSuchElementException("no key " + key + " in " + Task.describe(x));
            return m.get(key);
        }
        if (x instanceof Map.Entry<?, ?> e && key instanceof Integer i) {
            if (i == 0) return e.getKey();
            if (i == 1) return e.getValue();
            throw new IndexOutOfBoundsException("index " + i + " of a pair");
        }
        if (x instanceof List<?> l && key instanceof Integer i) return l.get(i);
        if (x != null && x.getClass().isArray() && key instanceof Integer i) return Array.get(x, i);
        if (x instanceof Record r && key instanceof String name) {
            for (var c : r.getClass().getRecordComponents()) {
                if (c.getName().equals(name)) {
                    try {
                        c.getAccessor().setAccessible(true);
                        return c.getAccessor().invoke(r);
                    } catch (ReflectiveOperationException e) {
                        throw new IllegalStateException("cannot read component " + name + " of " + r.getClass().getName(), e);
                    }
                }
            }
        }
        throw new IllegalArgumentException("cannot pluck " + key + " from " + (x == null ? "null" : x.getClass().getName()));
    }

    /** A user function over a whole partition (mapPartitions, per-partition reductions). */
    static final class Whole implements FnN {
        private final Fn1<Object, Object> fn;
        private final String op;
        private final String layer;

        @SuppressWarnings("unchecked")
        Whole(String op, Fn1<?, ?> fn, String layer) {
            this.fn = (Fn1<Object, Object>) fn;
            this.op = op;
            this.layer = layer;
        }

        @Override
        public Object invoke(Object[] a) {
            try {
                return fn.apply(a[0]);
            } catch (Exception e) {
                if (e instanceof BagRecordException b) throw b;
                throw new BagRecordException(op + "(" + Fns.name(fn) + ")", Key.of(layer, (Integer) a[1]), -1,
                        ((List<?>) a[0]).size() + " records", e);
            }
        }

        @Override public int arity() { return 2; }
        @Override public Object target() { return fn; }
        /** Whether this is the built-in per-partition count (a pipeline then only counts). */
        boolean isCount() {
            return fn == (Object) Aggs.COUNT;
        }

        @Override public String toString() { return op; }
        @Override public boolean equals(Object o) { return o instanceof Whole w && w.fn.equals(fn) && w.op.equals(op) && w.layer.equals(layer); }
        @Override public int hashCode() { return layer.hashCode(); }
    }

    /** Combines a list of partial results (one tree level of a reduction), then optionally finishes. */
    static final class Combine implements FnN {
        private final Fn1<Object, Object> fn;
        private final Fn1<Object, Object> finish;
        private final String op;

        @SuppressWarnings("unchecked")
        Combine(String op, Fn1<?, ?> fn, Fn1<?, ?> finish) {
            this.fn = (Fn1<Object, Object>) fn;
            this.finish = (Fn1<Object, Object>) finish;
            this.op = op;
        }

        @Override
        public Object invoke(Object[] a) throws Exception {
            Object r = fn.apply(a[0]);
            return finish == null ? r : finish.apply(r);
        }

        @Override public int arity() { return 1; }
        @Override public Object target() { return fn; }
        @Override public String toString() { return op; }
        @Override public boolean equals(Object o) {
            return o instanceof Combine c && c.fn.equals(fn) && Objects.equals(c.finish, finish) && c.op.equals(op);
        }
        @Override public int hashCode() { return op.hashCode(); }
    }

    /** Reads the text blocks of one partition. */
    static final class ReadText implements FnN {
        static final ReadText INSTANCE = new ReadText();

        @Override
        public Object invoke(Object[] a) {
            @SuppressWarnings("unchecked")
            List<TextBlock> blocks = (List<TextBlock>) a[0];
            if (blocks.size() == 1) return TextReader.read(blocks.get(0));
            List<Object> out = new ArrayList<>();
            for (TextBlock b : blocks) TextReader.read(b, out);
            return out;
        }

        @Override public int arity() { return 1; }
        @Override public String toString() { return "read-text"; }
        @Override public boolean equals(Object o) { return o instanceof ReadText; }
        @Override public int hashCode() { return 7; }
    }

    /** Concatenates partitions (repartition to fewer). */
    static final class Concat implements FnN {
        @Override
        public Object invoke(Object[] a) {
            List<?> parts = (List<?>) a[0];
            int n = 0;
            for (Object p : parts) n += ((List<?>) p).size();
            List<Object> out = new ArrayList<>(n);
            for (Object p : parts) out.addAll((List<?>) p);
            return out;
        }

        @Override public int arity() { return 1; }
        @Override public String toString() { return "concat"; }
        @Override public boolean equals(Object o) { return o instanceof Concat; }
        @Override public int hashCode() { return 8; }
    }

    /** Piece {@code k} of {@code m} near-equal pieces of a partition (repartition to more). */
    static final class Slice implements FnN {
        @Override
        public Object invoke(Object[] a) {
            List<?> in = (List<?>) a[0];
            int k = (Integer) a[1];
            int m = (Integer) a[2];
            int n = in.size();
            return new ArrayList<>(in.subList((int) ((long) n * k / m), (int) ((long) n * (k + 1) / m)));
        }

        @Override public int arity() { return 3; }
        @Override public String toString() { return "slice"; }
        @Override public boolean equals(Object o) { return o instanceof Slice; }
        @Override public int hashCode() { return 9; }
    }

    /** Shuffle stage 1: split a partition into {@code nout} buckets by a stable hash of the key. */
    static final class Split implements FnN {
        private final Fn1<Object, Object> key;
        private final int nout;
        private final String layer;

        @SuppressWarnings("unchecked")
        Split(Fn1<?, ?> key, int nout, String layer) {
            this.key = (Fn1<Object, Object>) key;
            this.nout = nout;
            this.layer = layer;
        }

        @Override
        public Object invoke(Object[] a) {
            List<?> in = (List<?>) a[0];
            int part = (Integer) a[1];
            List<List<Object>> buckets = new ArrayList<>(nout);
            for (int j = 0; j < nout; j++) buckets.add(new ArrayList<>());
            for (int i = 0; i < in.size(); i++) {
                Object x = in.get(i);
                Object k;
                try {
                    k = key.apply(x);
                } catch (Exception e) {
                    throw fail("groupBy", key, layer, part, i, x, e);
                }
                buckets.get(Math.floorMod(stableHash(k), nout)).add(x);
            }
            return buckets;
        }

        @Override public int arity() { return 2; }
        @Override public Object target() { return key; }
        @Override public String toString() { return "shuffle-split"; }
        @Override public boolean equals(Object o) { return o instanceof Split s && s.key.equals(key) && s.nout == nout && s.layer.equals(layer); }
        @Override public int hashCode() { return layer.hashCode() + nout; }
    }

    /**
     * A hash that is the same in every JVM (the shuffle's split tasks may run in different
     * worker processes): enums by name, lists and entries by their parts, arrays by content, other
     * values by {@code hashCode} (Strings, boxed numbers and records of them are stable).
     */
    static int stableHash(Object k) {
        if (k == null) return 0;
        if (k instanceof Enum<?> e) return e.getDeclaringClass().getName().hashCode() * 31 + e.name().hashCode();
        if (k instanceof List<?> l) {
            int h = 1;
            for (Object o : l) h = 31 * h + stableHash(o);
            return h;
        }
        if (k instanceof Map.Entry<?, ?> e) return stableHash(e.getKey()) * 31 + stableHash(e.getValue());
        if (k.getClass().isArray()) {
            int h = 1;
            for (int i = 0, n = Array.getLength(k); i < n; i++) h = 31 * h + stableHash(Array.get(k, i));
            return h;
        }
        int h = k.hashCode();
        return h ^ (h >>> 16);
    }

    /** Shuffle stage 2: bucket {@code a[1]} of a split. */
    static final class Bucket implements FnN {
        @Override public Object invoke(Object[] a) { return ((List<?>) a[0]).get((Integer) a[1]); }
        @Override public int arity() { return 2; }
        @Override public String toString() { return "shuffle-pick"; }
        @Override public boolean equals(Object o) { return o instanceof Bucket; }
        @Override public int hashCode() { return 15; }
    }

    /** Shuffle stage 3: one output's buckets from every split, grouped by key in arrival order. */
    static final class Group implements FnN {
        private final Fn1<Object, Object> key;

        @SuppressWarnings("unchecked")
        Group(Fn1<?, ?> key) {
            this.key = (Fn1<Object, Object>) key;
        }

        @Override
        public Object invoke(Object[] a) throws Exception {
            List<?> buckets = (List<?>) a[0];
            Map<Object, List<Object>> groups = new LinkedHashMap<>();
            for (Object b : buckets) {
                for (Object x : (List<?>) b) {
                    groups.computeIfAbsent(key.apply(x), k -> new ArrayList<>()).add(x);
                }
            }
            List<Object> out = new ArrayList<>(groups.size());
            groups.forEach((k, v) -> out.add(new AbstractMap.SimpleImmutableEntry<>(k, v)));
            return out;
        }

        @Override public int arity() { return 1; }
        @Override public Object target() { return key; }
        @Override public String toString() { return "shuffle-group"; }
        @Override public boolean equals(Object o) { return o instanceof Group g && g.key.equals(key); }
        @Override public int hashCode() { return 13; }
    }

    /** Pairs the records of two partitions. */
    static final class Zip implements FnN {
        private final String layer;

        Zip(String layer) {
            this.layer = layer;
        }

        @Override
        public Object invoke(Object[] a) {
            List<?> x = (List<?>) a[0];
            List<?> y = (List<?>) a[1];
            if (x.size() != y.size()) {
                throw new IllegalArgumentException("zip: partition " + Key.of(layer, (Integer) a[2]) + " pairs " + x.size()
                        + " records with " + y.size() + "; zipped bags must have equally long partitions");
            }
            List<Object> out = new ArrayList<>(x.size());
            for (int i = 0; i < x.size(); i++) out.add(new AbstractMap.SimpleImmutableEntry<>(x.get(i), y.get(i)));
            return out;
        }

        @Override public int arity() { return 3; }
        @Override public String toString() { return "zip"; }
        @Override public boolean equals(Object o) { return o instanceof Zip z && z.layer.equals(layer); }
        @Override public int hashCode() { return layer.hashCode(); }
    }

    /** Writes a partition as text lines (a newline is added to records not ending with one). */
    static final class WriteText implements FnN {
        @Override
        public Object invoke(Object[] a) {
            List<?> in = (List<?>) a[0];
            String path = (String) a[1];
            Compression c = Compression.ofId((String) a[2]);
            Path p = Path.of(path);
            try {
                if (p.getParent() != null) Files.createDirectories(p.getParent());
                try (OutputStream os = c.wrap(Files.newOutputStream(p));
                     BufferedWriter w = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 16)) {
                    for (Object o : in) {
                        String s = Objects.toString(o);
                        w.write(s);
                        if (!s.endsWith("\n")) w.write('\n');
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + path + ": " + e, e);
            }
            return path;
        }

        @Override public int arity() { return 3; }
        @Override public String toString() { return "to-text"; }
        @Override public boolean equals(Object o) { return o instanceof WriteText; }
        @Override public int hashCode() { return 10; }
    }

    /** The list of its argument (collects many keys into one value). */
    static final class ListOf implements FnN {
        @Override public Object invoke(Object[] a) { return new ArrayList<>((List<?>) a[0]); }
        @Override public int arity() { return 1; }
        @Override public String toString() { return "list"; }
        @Override public boolean equals(Object o) { return o instanceof ListOf; }
        @Override public int hashCode() { return 11; }
    }
}

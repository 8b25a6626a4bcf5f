package org.jdask.graph;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import net.openhft.hashing.Access;
import net.openhft.hashing.LongTupleHashFunction;
import org.jdask.Config;
import org.jdask.fn.FnN;
import org.jdask.fn.Fns;

/**
 * Deterministic content tokens (Dask's {@code tokenize}): a 128-bit xxHash3 of a canonical
 * encoding of the arguments, printed as 32 hex digits. The same values give the same token in
 * every JVM run.
 *
 * <p>Encoding rules: primitives and boxes by value and type; strings by UTF-16 content; primitive
 * arrays hashed in bulk straight from the heap (a 320 MB {@code double[]} takes ~50 ms); lists
 * and arrays element by element; sets and maps order-independently (element tokens sorted),
 * matching their {@code equals}; records by class and components; enums by class and name;
 * {@link Key}s by name and index; {@link java.nio.file.Path}s by file system and text, {@code
 * Optional}s and {@code Charset}s by content; {@link Tokenizable} by its identity; lambdas and method
 * references by their {@link SerializedLambda} (implementation class, method, signature and
 * captured values), so the same code gives the same token across runs; other {@link
 * Serializable} objects by their serialized bytes. Anything else gets a random token (a warning
 * sign of a non-deterministic key), or an error when config
 * {@code tokenize.ensure-deterministic} is true. A value that contains itself (a list holding
 * itself, a record whose component points back) fails with an {@link IllegalArgumentException}
 * naming its class rather than overflowing the stack.
 *
 * <p>Stability: tokens depend only on the encoding above, never on identity hash codes or
 * iteration order of hashed collections; {@code TokenizeTest} pins golden tokens and checks them
 * in a fresh JVM. Primitive arrays are hashed in native byte order, so tokens of arrays agree
 * between little-endian machines (all mainstream JVM platforms).
 */
public final class Tokenize {
    private static final LongTupleHashFunction HASH = LongTupleHashFunction.xx128();
    private static final int MAX_DEPTH = 256;
    private static final long DOUBLE_BASE = sun.misc.Unsafe.ARRAY_DOUBLE_BASE_OFFSET;
    private static final long FLOAT_BASE = sun.misc.Unsafe.ARRAY_FLOAT_BASE_OFFSET;

    private Tokenize() {}

    /** Shorthand used for key names: the token of {@code values}. */
    public static String token(Object... values) {
        return tokenize(values);
    }

    /** A 32-hex-digit token of the arguments. */
    public static String tokenize(Object... values) {
        Encoder e = new Encoder();
        e.value(values == null ? new Object[] {null} : values, 0);
        long[] h = e.digest();
        return hex(h[0], h[1]);
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** 32 lower-case hex digits, {@code a}'s then {@code b}'s (one string: a 10,000-task map makes 10,000 of them). */
    private static String hex(long a, long b) {
        byte[] out = new byte[32];
        for (int i = 0; i < 16; i++) {
            out[15 - i] = HEX[(int) (a >>> (4 * i)) & 0xf];
            out[31 - i] = HEX[(int) (b >>> (4 * i)) & 0xf];
        }
        return new String(out, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** Accumulates a canonical byte encoding; big arrays go in as their own 128-bit digests. */
    private static final class Encoder {
        private byte[] buf = new byte[256];
        private int len;
        /**
         * Containers being encoded on the current path from depth {@link #TRACK_FROM} on, to report a
         * cycle instead of looping (created on first use: a call's arguments, an array and a list of
         * leaves, never need it). A cycle through shallower containers still repeats below that depth,
         * so it is caught there.
         */
        private IdentityHashMap<Object, Boolean> path;
        private static final int TRACK_FROM = 2;

        Encoder() {
            this(null);
        }

        Encoder(IdentityHashMap<Object, Boolean> path) {
            this.path = path;
        }

        long[] digest() {
            return HASH.hashBytes(buf, 0, len);
        }

        private void ensure(int n) {
            if (len + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }

        void tag(int t) {
            ensure(1);
            buf[len++] = (byte) t;
        }

        void putLong(long v) {
            ensure(8);
            for (int i = 0; i < 8; i++) buf[len++] = (byte) (v >>> (8 * i));
        }

        void putInt(int v) {
            ensure(4);
            for (int i = 0; i < 4; i++) buf[len++] = (byte) (v >>> (8 * i));
        }

        void putDigest(long[] d) {
            putLong(d[0]);
            putLong(d[1]);
        }

        /** UTF-16 code units, so every String (even one with an unpaired surrogate) has its own bytes. */
        void string(String s) {
            putInt(s.length());
            if (s.length() > 64) {
                putDigest(HASH.hashChars(s));
            } else {
                ensure(2 * s.length());
                for (int i = 0; i < s.length(); i++) {
                    char c = s.charAt(i);
                    buf[len++] = (byte) c;
                    buf[len++] = (byte) (c >>> 8);
                }
            }
        }

        void value(Object v, int depth) {
            if (depth > MAX_DEPTH) {
                throw new IllegalArgumentException("tokenize: value nested deeper than " + MAX_DEPTH + " levels (innermost: "
                        + (v == null ? "null" : v.getClass().getName()) + ")");
            }
            if (v == null || isLeaf(v)) {
                leaf(v);
                return;
            }
            boolean track = depth >= TRACK_FROM;
            if (track && path().put(v, Boolean.TRUE) != null) {
                throw new IllegalArgumentException("tokenize: a " + v.getClass().getName()
                        + " contains itself (a reference cycle); such a value has no content token");
            }
            try {
                composite(v, depth);
            } finally {
                if (track) path.remove(v);
            }
        }

        private IdentityHashMap<Object, Boolean> path() {
            if (path == null) path = new IdentityHashMap<>();
            return path;
        }

        private static boolean isLeaf(Object v) {
            if (v instanceof Tokenizable) return false;
            return v instanceof String || v instanceof Number || v instanceof Boolean || v instanceof Character
                    || v instanceof Key || v instanceof Enum<?> || v instanceof Class<?>;
        }

        private void leaf(Object v) {
            if (v == null) { tag(0); return; }
            if (v instanceof String s) { tag(1); string(s); return; }
            if (v instanceof Integer i) { tag(2); putInt(i); return; }
            if (v instanceof Long l) { tag(3); putLong(l); return; }
            if (v instanceof Double d) { tag(4); putLong(Double.doubleToLongBits(d)); return; }
            if (v instanceof Boolean b) { tag(b ? 5 : 6); return; }
            if (v instanceof Float f) { tag(7); putInt(Float.floatToIntBits(f)); return; }
            if (v instanceof Short s) { tag(8); putInt(s); return; }
            if (v instanceof Byte b) { tag(9); putInt(b); return; }
            if (v instanceof Character c) { tag(10); putInt(c); return; }
            if (v instanceof Key k) { tag(11); string(k.name()); int n = k.indexLength(); putInt(n); for (int i = 0; i < n; i++) putInt(k.index(i)); return; }
            if (v instanceof Enum<?> e) { tag(12); string(e.getDeclaringClass().getName()); string(e.name()); return; }
            if (v instanceof Class<?> c) { tag(13); string(c.getName()); return; }
            if (v instanceof Number n) { tag(24); string(v.getClass().getName()); string(n.toString()); return; }
            throw new AssertionError(v.getClass());
        }

        private void composite(Object v, int depth) {
            if (v instanceof Tokenizable t) { tag(14); string(v.getClass().getName()); value(t.tokenIdentity(), depth + 1); return; }
            if (v instanceof FnN f && f.target() != f) { value(f.target(), depth); return; }
            if (v.getClass().isArray()) { array(v, depth); return; }
            if (v instanceof List<?> l) { tag(20); putInt(l.size()); for (Object o : l) value(o, depth + 1); return; }
            if (v instanceof Set<?> s) { tag(21); unordered(s, depth); return; }
            if (v instanceof Map<?, ?> m) {
                tag(22);
                List<Object> entries = new ArrayList<>(m.size());
                for (Map.Entry<?, ?> e : m.entrySet()) entries.add(List.of(wrapNull(e.getKey()), wrapNull(e.getValue())));
                unordered(entries, depth);
                return;
            }
            if (v instanceof Collection<?> c) { tag(23); string(v.getClass().getName()); putInt(c.size()); for (Object o : c) value(o, depth + 1); return; }
            if (v instanceof java.nio.file.Path p) { tag(26); string(p.getFileSystem().provider().getScheme()); string(p.toString()); return; }
            if (v instanceof java.nio.charset.Charset cs) { tag(27); string(cs.name()); return; }
            if (v instanceof java.util.Optional<?> o) { tag(28); value(o.orElse(null), depth + 1); putInt(o.isPresent() ? 1 : 0); return; }
            if (v instanceof CharSequence cs) { tag(25); string(cs.toString()); return; }
            if (v.getClass().isRecord()) { record(v, depth); return; }
            SerializedLambda sl = Fns.serializedLambda(v);
            if (sl != null) { lambda(sl, depth); return; }
            if (v instanceof Serializable s) {
                byte[] bytes = serialize(s);
                if (bytes != null) {
                    tag(40);
                    string(v.getClass().getName());
                    putDigest(HASH.hashBytes(bytes));
                    return;
                }
                random(v, "it is Serializable but failed to serialize (a non-serializable field?)");
                return;
            }
            random(v, "it is not a primitive, String, collection, array, record, enum, serializable lambda, Serializable or Tokenizable");
        }

        /** A random token for {@code v}, or an error when config tokenize.ensure-deterministic is true. */
        private void random(Object v, String why) {
            if (Config.getBoolean("tokenize.ensure-deterministic", false)) {
                throw new IllegalArgumentException("cannot tokenize " + v.getClass().getName() + " deterministically: " + why
                        + " (config tokenize.ensure-deterministic is true; implement org.jdask.graph.Tokenizable to give it a token)");
            }
            tag(99);
            string(UUID.randomUUID().toString());
        }

        private static Object wrapNull(Object o) {
            return o == null ? NullMarker.INSTANCE : o;
        }

        private void unordered(Collection<?> items, int depth) {
            putInt(items.size());
            List<long[]> parts = new ArrayList<>(items.size());
            for (Object o : items) {
                Encoder sub = new Encoder(path()); // one path for the parts: a cycle through a set is still found
                sub.value(o == NullMarker.INSTANCE ? null : o, depth + 1);
                parts.add(sub.digest());
            }
            parts.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
            for (long[] p : parts) putDigest(p);
        }

        private void record(Object v, int depth) {
            tag(30);
            string(v.getClass().getName());
            for (RecordComponent rc : v.getClass().getRecordComponents()) {
                Object component;
                try {
                    java.lang.reflect.Method acc = rc.getAccessor();
                    acc.setAccessible(true);
                    component = acc.invoke(v);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    random(v, "its record component '" + rc.getName() + "' cannot be read (" + e + ")");
                    continue;
                }
                value(component, depth + 1);
            }
        }

        private void lambda(SerializedLambda sl, int depth) {
            tag(31);
            string(sl.getImplClass());
            string(sl.getImplMethodName());
            string(sl.getImplMethodSignature());
            string(sl.getInstantiatedMethodType());
            putInt(sl.getCapturedArgCount());
            for (int i = 0; i < sl.getCapturedArgCount(); i++) value(sl.getCapturedArg(i), depth + 1);
        }

        private void array(Object a, int depth) {
            tag(50);
            string(a.getClass().getComponentType().getName());
            if (a instanceof double[] d) { putInt(d.length); putDigest(HASH.hash(d, Access.unsafe(), DOUBLE_BASE, 8L * d.length)); }
            else if (a instanceof long[] l) { putInt(l.length); putDigest(HASH.hashLongs(l)); }
            else if (a instanceof int[] i) { putInt(i.length); putDigest(HASH.hashInts(i)); }
            else if (a instanceof byte[] b) { putInt(b.length); putDigest(HASH.hashBytes(b)); }
            else if (a instanceof char[] c) { putInt(c.length); putDigest(HASH.hashChars(c)); }
            else if (a instanceof short[] s) { putInt(s.length); putDigest(HASH.hashShorts(s)); }
            else if (a instanceof boolean[] b) { putInt(b.length); putDigest(HASH.hashBooleans(b)); }
            else if (a instanceof float[] f) { putInt(f.length); putDigest(HASH.hash(f, Access.unsafe(), FLOAT_BASE, 4L * f.length)); }
            else {
                Object[] o = (Object[]) a;
                putInt(o.length);
                for (Object x : o) value(x, depth + 1);
            }
        }

        /** Java-serialized bytes of {@code s}, or null when it does not serialize. */
        private static byte[] serialize(Serializable s) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(s);
            } catch (IOException | RuntimeException e) {
                return null;
            }
            return bytes.toByteArray();
        }
    }

    private enum NullMarker { INSTANCE }
}

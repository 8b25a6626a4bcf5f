package org.jdask.serialize;

import java.io.IOException;
import java.io.NotSerializableException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import org.jdask.codec.ValueCodec;
import org.jdask.SerializationException;
import org.jdask.graph.SerializationCheck;

/**
 * The one way jdask turns values into bytes for the {@code processes} and {@code distributed}
 * schedulers: each value is written by the codec that suits it, behind a one-byte tag, so
 * {@link #decode} knows which codec wrote a frame.
 *
 * <h2>Frame</h2>
 * <pre>
 *   tag 0          null (no payload)
 *   tag 1..5       double[], long[], int[], byte[], boolean[]: int32 length (little-endian) + elements
 *                  (little-endian, bulk-copied through ByteBuffer views; boolean as 0/1 bytes)
 *   tag 16         Apache Fory (Java mode, reference tracking on)
 *   tag 17         java.io serialization, for Serializable values Fory refuses
 *   tag 32..127    a module's {@link ValueCodec} (found with ServiceLoader), e.g. NDArray, Table
 * </pre>
 *
 * <h2>Why Fory and not Kryo</h2>
 * The dependency check ({@code shared/notes/deps.md}) measured Fory 1.6.0 at 2227 round trips/s
 * for a 1 MiB {@code double[]} against Kryo 5.6.2's 1036 and java.io's 617, and 6.1 M/s for a
 * small record against 2.2 M/s and 274 k/s. Fory round-trips serializable lambdas with no setup,
 * flag or warning; Kryo needs a {@code ClosureSerializer} registration and warns unless
 * {@code java.lang.invoke} is opened. Fory costs 3.7 MiB (janino) against Kryo's 0.5 MiB.
 * Primitive arrays skip both: a bulk copy is the limit any serializer can reach.
 *
 * <p>Measured here with {@code CodecBench} on 2 cores, JDK 17, encode + decode round trips per
 * second (JMH error column; the raw figure is noisy, so treat it as 1.5-3×), run with
 * {@code java @graph/target/classes/org/jdask/jvm-flags.txt -jar benchmarks/target/benchmarks.jar CodecBench -f 1 -wi 2 -i 3 -w 1 -r 1}:
 * <pre>
 *   payload            Codecs (raw/Fory)      Fory alone        java.io
 *   1 MiB double[]     2864 ± 2218 /s (raw)   1490 ± 92 /s      674 ± 131 /s
 *   small record       7.32 M ± 0.53 M /s     12.5 M ± 0.8 M /s  349 k ± 147 k /s
 * </pre>
 * The raw frame is ~1.9× Fory for a {@code double[]}; for a small record the facade costs
 * ~40% against a bare single-threaded {@code Fory} (thread-safe wrapper, policy callback and the
 * copy that prepends the tag byte) and is still ~21× java.io.
 *
 * <h2>Deserialization policy</h2>
 * Fory and java.io both instantiate whatever class a payload names, so a payload from an
 * untrusted peer could build "gadget" objects. {@link #decode} therefore refuses, with a
 * {@link SerializationException} naming the class and how to allow it, any class outside:
 * <ul>
 *   <li>{@code java.lang.*}, {@code java.util.*}, {@code java.time.*}, {@code java.math.*} and
 *       arrays of allowed types and of primitives &mdash; except reflection, class loaders,
 *       threads, processes, {@code System}/{@code Runtime}, method handles and executors;
 *   <li>{@code org.jdask.*};
 *   <li>{@code java.lang.invoke.SerializedLambda}, i.e. serializable lambdas and method
 *       references; their capturing class is itself checked, so a lambda written in a
 *       non-allowed class is refused too;
 *   <li>package prefixes listed in config key {@code serialization.allowed-packages} (a list or
 *       a comma-separated string, read at each check) or added with {@link #allow(String)}.
 * </ul>
 * The check is Fory's {@code TypeChecker} hook (Fory runs with class registration off, so user
 * types need no registration, only an allowed package) and an {@code ObjectInputFilter} for the
 * java.io fallback. Encoding applies the same policy, so a graph that could not be read back
 * fails where it is built. The policy is a guard against surprises, not authentication: peers
 * must still be authenticated (CURVE) before their bytes are decoded.
 *
 * <h2>Trusted classes and class loaders</h2>
 * Besides the allow-list, a class passes when it comes from the application's own class path or
 * from code a client shipped (any class loader but the JDK's), outside the JDK's packages:
 * the user's own code (issue 16), default package included; config {@code
 * serialization.trust-classpath: false} turns this off. JDK exceptions ({@code java.*}
 * throwables) always pass and are written with java.io serialization, which keeps class,
 * message, cause chain, suppressed exceptions and stack traces. Classes are resolved through the
 * thread's loader: a {@link #withLoader} one (a worker's per-client loader), else the context
 * class loader; a loader other than jdask's gets a Fory instance of its own, without code
 * generation (slower, same frames).
 *
 * <h2>Errors</h2>
 * Every failure is a {@link SerializationException}: an unserializable value names its class and,
 * through {@link SerializationCheck}, the field path to it; corrupt or truncated frames say so
 * instead of leaking an {@code IndexOutOfBoundsException} from a library.
 */
public final class Codecs {
    static final byte NULL = 0, FORY = 16, JAVA = 17;

    private static final ClassPolicy POLICY = new ClassPolicy();
    private static final ValueCodecs PLUGINS = ValueCodecs.load(POLICY);
    private static final ForyCodec FORY_CODEC = new ForyCodec(POLICY, PLUGINS, null);

    /** The {@link ValueCodec}s on the class path (for {@link RawFrame}'s split values). */
    static ValueCodecs plugins() {
        return PLUGINS;
    }
    /** Fory instances bound to other class loaders (per-client loaders of shipped code), dropped with their loader. */
    private static final Map<ClassLoader, ForyCodec> BY_LOADER = Collections.synchronizedMap(new WeakHashMap<>());
    private static final ThreadLocal<ClassLoader> LOADER = new ThreadLocal<>();
    private static final Codec DEFAULT = new Codec() {
        @Override
        public byte[] encode(Object value) {
            return Codecs.encode(value);
        }

        @Override
        public Object decode(byte[] bytes) {
            return Codecs.decode(bytes);
        }

        @Override
        public Object decode(ByteBuffer buffer) {
            return Codecs.decode(buffer);
        }
    };

    private Codecs() {}

    /** The facade as a {@link Codec}, for code that takes the SPI. */
    public static Codec codec() {
        return DEFAULT;
    }

    /** Allows classes whose name starts with {@code packagePrefix} (e.g. {@code "com.acme.model"}) in this JVM. */
    public static void allow(String packagePrefix) {
        POLICY.allow(packagePrefix);
    }

    /**
     * The package prefixes added with {@link #allow} in this JVM (not those from config), so a
     * scheduler can allow the same in the worker JVMs it starts.
     */
    public static java.util.List<String> allowedPackages() {
        return POLICY.added();
    }

    /** Entry of a task's config map that carries this JVM's {@link #allow} prefixes to a worker JVM. */
    private static final String ALLOWED_ENTRY = "jdask.codecs-allowed";

    /**
     * {@code config} plus the prefixes added with {@link #allow} in this JVM, for a worker JVM that
     * decodes tasks built here (it calls {@link #acceptAllowed} before decoding them); {@code config}
     * itself when none were added. The one way both the {@code processes} and the {@code
     * distributed} scheduler hand a client's {@code allow} calls to their worker JVMs.
     */
    public static java.util.Map<String, Object> carryAllowed(java.util.Map<String, Object> config) {
        java.util.List<String> added = POLICY.added();
        if (added.isEmpty() && CARRIED.isEmpty()) return config;
        java.util.Map<String, Object> out = new java.util.HashMap<>(config);
        if (!added.isEmpty()) out.put(ALLOWED_ENTRY, new java.util.ArrayList<>(added));
        out.putAll(CARRIED);
        return out;
    }

    /** Entries {@link #carryAllowed} adds besides the allowed prefixes (see {@link #carry}). */
    private static final Map<String, Object> CARRIED = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Makes {@link #carryAllowed} put {@code key = value} into every task config built in this JVM
     * from now on (null removes it): how a client tells worker JVMs where its code can be fetched
     * ({@code jdask.code}). Keys start with {@code jdask.}; the receiving side removes them.
     */
    public static void carry(String key, Object value) {
        if (!key.startsWith("jdask.")) throw new IllegalArgumentException("carried config keys start with 'jdask.', got '" + key + "'");
        if (value == null) CARRIED.remove(key);
        else CARRIED.put(key, value);
    }

    /**
     * Allows in this JVM the prefixes {@link #carryAllowed} put into {@code config} and returns the
     * config without that entry ({@code config} itself when it has none).
     */
    public static java.util.Map<String, Object> acceptAllowed(java.util.Map<String, Object> config) {
        if (config == null || !config.containsKey(ALLOWED_ENTRY)) return config;
        java.util.Map<String, Object> out = new java.util.HashMap<>(config);
        if (out.remove(ALLOWED_ENTRY) instanceof java.util.List<?> l) for (Object p : l) allow(String.valueOf(p));
        return out;
    }

    /**
     * Makes this thread resolve classes through {@code loader} (a worker's per-client loader of
     * shipped code) until the returned scope closes; null keeps the current one. Decoding and the
     * policy's class-path check both use it.
     */
    public static LoaderScope withLoader(ClassLoader loader) {
        ClassLoader before = LOADER.get();
        if (loader != null) LOADER.set(loader);
        return () -> {
            if (before == null) LOADER.remove();
            else LOADER.set(before);
        };
    }

    /** Closes a {@link #withLoader} scope (no checked exception). */
    public interface LoaderScope extends AutoCloseable {
        @Override
        void close();
    }

    /** The class loader classes are resolved through on this thread: a {@link #withLoader} one, else jdask's own. */
    static ClassLoader currentLoader() {
        ClassLoader l = LOADER.get();
        if (l != null) return l;
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : Codecs.class.getClassLoader();
    }

    /**
     * The Fory instance of this thread's class loader ({@link #currentLoader}): a {@link
     * #withLoader} one, else the context loader (a program's own loader, a test's), so a class is
     * always resolved where the caller sees it (Fory binds an instance to one loader).
     */
    private static ForyCodec fory() {
        ClassLoader l = currentLoader();
        if (l == null || l == Codecs.class.getClassLoader()) return FORY_CODEC;
        Object[] last = lastFory;
        if (last[0] == l) return (ForyCodec) last[1];
        ForyCodec c = BY_LOADER.computeIfAbsent(l, k -> new ForyCodec(POLICY, PLUGINS, k));
        lastFory = new Object[] {l, c};
        return c;
    }

    /** The last {loader, codec} pair {@link #fory} returned: most calls ask for the same loader. */
    private static volatile Object[] lastFory = new Object[2];

    /** Whether the policy lets {@code className} be deserialized (as named by {@code Class.getName}). */
    public static boolean isAllowed(String className) {
        return POLICY.allowed(className);
    }

    public static byte[] encode(Object value) {
        if (value == null) return new byte[] {NULL};
        byte raw = RawArrays.tagOf(value);
        if (raw != 0) return RawArrays.encode(raw, value);
        ValueCodec plugin = PLUGINS.forValue(value);
        if (plugin != null) return PLUGINS.encodeFrame(plugin, value);
        if (value instanceof Throwable t) {
            byte[] java = encodeThrowable(t);
            if (java != null) return java;
        }
        RuntimeException foryFailure;
        try {
            byte[] body = fory().serialize(value);
            byte[] out = new byte[body.length + 1];
            out[0] = FORY;
            System.arraycopy(body, 0, out, 1, body.length);
            return out;
        } catch (RuntimeException | StackOverflowError e) {
            SerializationException policy = policyFailure(e);
            if (policy != null) throw policy;
            foryFailure = e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
        if (value instanceof Serializable) {
            try {
                byte[] out = JavaSerialization.encode(JAVA, value);
                JavaSerialization.decode(out, 1, POLICY, currentLoader()); // same policy on the way out
                return out;
            } catch (NotSerializableException e) {
                foryFailure.addSuppressed(e);
            } catch (IOException e) {
                foryFailure.addSuppressed(e);
            }
        }
        // Let the reflective walk name the field path; fall back to the root's class.
        SerializationCheck.checkValue(null, value, "value");
        throw new SerializationException(null, value.getClass().getName(), null,
                "neither Fory nor java.io serialization can write it: " + foryFailure, foryFailure);
    }

    public static Object decode(byte[] frame) {
        if (frame == null || frame.length == 0) throw corrupt("empty frame (no tag byte)");
        return decode(ByteBuffer.wrap(frame));
    }

    /** Decodes the remaining bytes of {@code buffer} as one frame. */
    public static Object decode(ByteBuffer buffer) {
        if (!buffer.hasRemaining()) throw corrupt("empty frame (no tag byte)");
        ByteBuffer b = buffer.slice();
        byte tag = b.get();
        if (tag == NULL) {
            if (b.hasRemaining()) throw corrupt("null frame followed by " + b.remaining() + " bytes");
            return null;
        }
        if (tag >= RawArrays.DOUBLES && tag <= RawArrays.BOOLEANS) return RawArrays.decode(tag, b);
        if (tag == FORY) {
            if (!b.hasRemaining()) throw corrupt("Fory frame has no payload");
            try {
                return fory().deserialize(b);
            } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                SerializationException policy = policyFailure(e);
                if (policy != null) throw policy;
                throw corrupt("Fory frame of " + b.capacity() + " bytes cannot be read (truncated or corrupt): " + e, e);
            }
        }
        if (tag >= ValueCodecs.FIRST_TAG) return PLUGINS.decodeFrame(tag, b);
        if (tag == JAVA) {
            byte[] body = new byte[b.remaining() + 1];
            b.get(body, 1, body.length - 1);
            return JavaSerialization.decode(body, 1, POLICY, currentLoader());
        }
        throw corrupt("unknown frame tag " + tag + " (expected 0-5, " + FORY + ", " + JAVA
                + " or a registered ValueCodec tag; registered: " + PLUGINS.describe() + ")");
    }

    /**
     * An exception through java.io serialization, which keeps what a user reads in a remote error:
     * class, message, cause chain, suppressed exceptions and every stack trace (Fory loses the
     * trace of exceptions with a custom {@code readObject}, e.g. {@code UncheckedIOException}).
     * Null when java.io cannot write it (a non-serializable field): Fory then tries.
     */
    private static byte[] encodeThrowable(Throwable t) {
        try {
            byte[] out = JavaSerialization.encode(JAVA, t);
            JavaSerialization.decode(out, 1, POLICY, currentLoader()); // same policy on the way out
            return out;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The policy's own exception when it is somewhere in {@code e}'s cause chain. */
    private static SerializationException policyFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SerializationException s) return s;
            for (Throwable s : t.getSuppressed()) if (s instanceof SerializationException se) return se;
            if (t.getCause() == t) break;
        }
        return null;
    }

    static SerializationException corrupt(String message) {
        return corrupt(message, null);
    }

    static SerializationException corrupt(String message, Throwable cause) {
        return new SerializationException(null, "frame", null, message, cause);
    }
}

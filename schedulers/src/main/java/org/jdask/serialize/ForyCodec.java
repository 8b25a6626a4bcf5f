package org.jdask.serialize;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.apache.fory.Fory;
import org.apache.fory.config.ForyBuilder;
import org.apache.fory.config.Language;
import org.apache.fory.logging.LogLevel;
import org.apache.fory.logging.LoggerFactory;
import org.apache.fory.resolver.SharedRegistry;
import org.jdask.Config;

/**
 * Apache Fory in Java mode with reference tracking (shared and cyclic graphs survive), class
 * registration off and every class name it resolves passed through {@link ClassPolicy}; bound to
 * one class loader (null: the loader of the thread that builds the codec), as Fory resolves
 * classes through the loader it was built with.
 *
 * <p>Fory instances are not thread-safe: each call borrows an idle one or builds a new one, and
 * gives it back. Built on demand, so a JVM has as many as threads ever serialized at once. Not
 * Fory's own {@code buildThreadSafeFory()}: its pool builds {@code 4 x cores} instances up front
 * (8 on 2 cores, 64 on 16), each registering Fory's few hundred serializers and jdask's codecs,
 * which made the codecs' set-up ~0.4–0.9 s of a fresh JVM's first task (issue 17's cold start;
 * hints under load). The instances share one {@link SharedRegistry}, so a serializer generated
 * for one serves all.
 */
final class ForyCodec {
    private final ForyBuilder builder;
    private final ClassLoader loader;
    private final ValueCodecs plugins;
    private final ConcurrentLinkedDeque<Fory> idle = new ConcurrentLinkedDeque<>();

    static {
        // With async compilation, a JVM that exits while Fory still compiles serializers gets "Task ...
        // rejected from ThreadPoolExecutor[Shutting down]" warnings from Fory's JIT pool: harmless (the
        // interpreter-mode serializers did the work), so Fory's own log says only errors once the JVM exits.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LoggerFactory.setLogLevel(LogLevel.ERROR_LEVEL), "jdask-fory-quiet-exit"));
    }

    ForyCodec(ClassPolicy policy, ValueCodecs plugins, ClassLoader loader) {
        this.plugins = plugins;
        ForyBuilder b = Fory.builder();
        if (loader != null) {
            // another loader than jdask's (a client's shipped code, a program's own): Fory's generated serializers
            // are compiled against jdask's loader and fail to compile for some jdask classes holding user
            // code (seen with bag pipelines); its reflective serializers are slower but read the same frames
            b = b.withCodegen(false);
        }
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        this.loader = loader != null ? loader : context != null ? context : ForyCodec.class.getClassLoader();
        this.builder = b
                .withLanguage(Language.JAVA)
                // generated serializers are compiled on Fory's background threads while the first values of a
                // class go through its interpreter-mode serializer (same bytes): a worker JVM's first tasks do
                // not wait for Janino (seconds in a fresh JVM). serialization.fory-async-compilation: false restores it.
                .withAsyncCompilation(Config.getBoolean("serialization.fory-async-compilation", true))
                .withRefTracking(true)
                .requireClassRegistration(false)
                .suppressClassRegistrationWarnings(true)
                .withTypeChecker((resolver, className) -> {
                    policy.check(className, loader != null ? loader : Codecs.currentLoader()); // throws the policy's SerializationException
                    return true;
                })
                .withSharedRegistry(new SharedRegistry());
    }

    /** Set while this thread encodes: the policy then knows the classes it is asked about exist in this JVM. */
    static final ThreadLocal<Boolean> ENCODING = new ThreadLocal<>();

    byte[] serialize(Object v) {
        ENCODING.set(Boolean.TRUE);
        Fory f = borrow();
        try {
            return f.serialize(v);
        } finally {
            idle.offerFirst(f);
            ENCODING.remove();
        }
    }

    Object deserialize(ByteBuffer b) {
        Fory f = borrow();
        try {
            return f.deserialize(b);
        } finally {
            idle.offerFirst(f);
        }
    }

    /** The most recently returned idle instance (the warmest), or a new one. */
    private Fory borrow() {
        Fory f = idle.pollFirst();
        return f != null ? f : build();
    }

    /**
     * A new instance with jdask's wire types and value codecs registered (synchronized: the builder
     * is not thread-safe, and {@code build()} forgets its loader, so it is given again each time).
     */
    private synchronized Fory build() {
        Fory f = builder.withClassLoader(loader).build();
        WireTypes.registerWith(f); // first: task frames need no generated serializer (see WireTypes)
        plugins.registerWith(f);
        return f;
    }
}

package org.jdask.serialize;

import org.apache.fory.Fory;
import org.apache.fory.ThreadSafeFory;
import org.apache.fory.config.ForyBuilder;
import org.apache.fory.config.Language;
import org.apache.fory.logging.LogLevel;
import org.apache.fory.logging.LoggerFactory;
import org.jdask.Config;

/**
 * Apache Fory in Java mode with reference tracking (shared and cyclic graphs survive), class
 * registration off and every class name it resolves passed through {@link ClassPolicy}; bound to
 * one class loader (null: Fory's default), as Fory resolves classes through the loader it was built with.
 */
final class ForyCodec {
    private final ThreadSafeFory fory;

    static {
        // With async compilation, a JVM that exits while Fory still compiles serializers gets "Task ...
        // rejected from ThreadPoolExecutor[Shutting down]" warnings from Fory's JIT pool: harmless (the
        // interpreter-mode serializers did the work), so Fory's own log says only errors once the JVM exits.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LoggerFactory.setLogLevel(LogLevel.ERROR_LEVEL), "jdask-fory-quiet-exit"));
    }

    ForyCodec(ClassPolicy policy, ValueCodecs plugins, ClassLoader loader) {
        ForyBuilder b = Fory.builder();
        if (loader != null) {
            // another loader than jdask's (a client's shipped code, a program's own): Fory's generated serializers
            // are compiled against jdask's loader and fail to compile for some jdask classes holding user
            // code (seen with bag pipelines); its reflective serializers are slower but read the same frames
            b = b.withClassLoader(loader).withCodegen(false);
        }
        this.fory = b
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
                .buildThreadSafeFory();
        fory.registerCallback(plugins::registerWith);
    }

    /** Set while this thread encodes: the policy then knows the classes it is asked about exist in this JVM. */
    static final ThreadLocal<Boolean> ENCODING = new ThreadLocal<>();

    byte[] serialize(Object v) {
        ENCODING.set(Boolean.TRUE);
        try {
            return fory.serialize(v);
        } finally {
            ENCODING.remove();
        }
    }

    Object deserialize(java.nio.ByteBuffer b) {
        return fory.deserialize(b);
    }
}

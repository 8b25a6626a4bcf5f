package org.jdask.serialize;

import org.apache.fory.context.ReadContext;
import org.apache.fory.context.WriteContext;
import org.apache.fory.resolver.TypeResolver;
import org.apache.fory.serializer.Serializer;
import org.jdask.fn.FnN;

/**
 * A task function that travels as its own encoded frame, encoded once for all the tasks that call
 * it and decoded once per worker JVM and class loader (issue 17's fresh-cluster map): a client's
 * {@code map} wraps its function in one {@code FnFrame}, so 10,000 task frames carry the same
 * few hundred bytes and a worker decodes them through {@link FnFrameCache} instead of running
 * Fory's lambda resolution ({@code SerializedLambda} to the capturing class's {@code
 * $deserializeLambda$}, 25–40 µs a task in a fresh JVM) for every task. Dask does the same: its
 * workers keep the last 100 unpickled functions by their bytes ({@code cache_loads}).
 *
 * <p>The frame is decoded where the task runs, on first {@link #invoke} or {@link #resolve}
 * (never inside Fory's read of the task, which would need a second Fory instance on that thread),
 * through the thread's class loader ({@link Codecs#withLoader}: a worker's per-client loader of
 * shipped code), and cached under that loader; {@link #forget} drops a loader's functions when
 * its client leaves. A decoded function is shared by the tasks that carry the same bytes, as in
 * Dask: one whose captured objects are mutated by its calls sees the earlier calls' changes.
 */
public final class FnFrame implements FnN {
    private static final long serialVersionUID = 1L;

    private final byte[] frame;
    private final int arity;
    private transient volatile FnN decoded;

    private FnFrame(byte[] frame, int arity, FnN decoded) {
        this.frame = frame;
        this.arity = arity;
        this.decoded = decoded;
    }

    /** {@code fn} encoded once now (a {@link org.jdask.SerializationException} if it cannot be), for many tasks. */
    public static FnFrame of(FnN fn) {
        if (fn instanceof FnFrame f) return f;
        return new FnFrame(Codecs.encode(fn), fn.arity(), fn);
    }

    /** The function, decoded (and cached) through this thread's class loader on first use. */
    public FnN resolve() {
        FnN d = decoded;
        if (d == null) decoded = d = FnFrameCache.decode(frame);
        return d;
    }

    @Override
    public Object invoke(Object[] args) throws Exception {
        return resolve().invoke(args);
    }

    @Override
    public Object target() {
        return resolve().target();
    }

    @Override
    public int arity() {
        return arity;
    }

    /** Size of the encoded function in bytes. */
    public int frameSize() {
        return frame.length;
    }

    /** Drops the functions decoded through {@code loader} (a client's code loader, when its client leaves). */
    public static void forget(ClassLoader loader) {
        FnFrameCache.forget(loader);
    }

    /** Functions decoded from bytes in this JVM so far (cache misses); for tests and benchmarks. */
    public static long decodes() {
        return FnFrameCache.decodes();
    }

    /** Functions cached for {@code loader} (for tests). */
    public static int cached(ClassLoader loader) {
        return FnFrameCache.cached(loader);
    }

    @Override
    public String toString() {
        return "FnFrame(" + frame.length + " bytes" + (decoded != null ? ", " + decoded : "") + ")";
    }

    /**
     * Fory's wire form: arity, then the frame's length and bytes (two plain calls, as {@code
     * ValueCodecs}' adapter: Fory 1.6.0's {@code writeBytesWithSize} misreads large arrays).
     */
    @SuppressWarnings("rawtypes")
    static final class Wire extends Serializer {
        Wire(TypeResolver resolver) {
            super(resolver.getConfig(), FnFrame.class);
        }

        @Override
        public void write(WriteContext ctx, Object value) {
            FnFrame f = (FnFrame) value;
            ctx.getBuffer().writeVarInt32(f.arity);
            ctx.getBuffer().writeVarUInt32(f.frame.length);
            ctx.getBuffer().writeBytes(f.frame);
        }

        @Override
        public Object read(ReadContext ctx) {
            int arity = ctx.getBuffer().readVarInt32();
            int n = ctx.getBuffer().readVarUInt32();
            return new FnFrame(ctx.getBuffer().readBytes(n), arity, null);
        }
    }
}

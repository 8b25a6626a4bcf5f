package org.jdask.serialize;

import org.apache.fory.context.ReadContext;
import org.apache.fory.context.WriteContext;
import org.apache.fory.memory.MemoryBuffer;
import org.apache.fory.resolver.TypeResolver;
import org.apache.fory.serializer.Serializer;
import org.jdask.SerializationException;
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

    /**
     * The largest function frame read or written, 1 GiB: a function with its captured values; larger
     * data belongs in the graph (or scattered), and a length over it read from the wire is corrupt.
     */
    static final int MAX_BYTES = 1 << 30;

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
        byte[] frame = Codecs.encode(fn);
        if (frame.length > MAX_BYTES) {
            throw new SerializationException(null, fn.target().getClass().getName(), null, "the function with its captured values encodes to "
                    + frame.length + " bytes, over the " + MAX_BYTES + "-byte limit of a function frame: pass large data as a task argument", null);
        }
        return new FnFrame(frame, fn.arity(), fn);
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
     * ValueCodecs}' adapter: Fory 1.6.0's {@code writeBytesWithSize} misreads large arrays). A read
     * checks what it is told against the bytes there ({@link #checkRead}) before taking them, so a
     * truncated or corrupt task frame fails naming the length and the bytes left, not deep in Fory.
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
            MemoryBuffer b = ctx.getBuffer();
            int arity = b.readVarInt32();
            int at = b.readerIndex();
            int n = b.readVarUInt32();
            checkRead(arity, n, b.remaining(), at);
            return new FnFrame(b.readBytes(n), arity, null);
        }
    }

    /**
     * Refuses a function frame read from the wire whose arity or length cannot be right: an arity
     * below -1 (-1 is "any"), a length that is negative (over 2^31 as read), over {@link #MAX_BYTES}
     * or past the {@code remaining} bytes of the task frame; the message names the values read and
     * {@code at}, the length's offset in the Fory payload. The task's key is not known this deep in
     * the read; a worker decodes a task's spec as part of running it, so there the failure is that
     * task's error, under its key.
     */
    static void checkRead(int arity, int length, int remaining, int at) {
        String problem = arity < -1 ? "an arity of " + arity + " (expected -1 or more)"
                : length < 0 ? "a negative length " + length + " (" + Integer.toUnsignedString(length) + " as unsigned)"
                : length > MAX_BYTES ? "a length of " + length + " bytes, over the " + MAX_BYTES + "-byte limit of a function frame"
                : length > remaining ? "a length of " + length + " bytes, but only " + remaining + " bytes follow it"
                : null;
        if (problem == null) return;
        throw Codecs.corrupt("a map's function frame (FnFrame) read from the wire has " + problem + " (arity " + arity
                + ", length read at byte " + at + " of the Fory payload): the task frame is truncated or corrupt");
    }
}

package org.jdask.serialize;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import org.jdask.codec.ValueCodec;
import org.apache.fory.resolver.TypeResolver;
import org.apache.fory.context.ReadContext;
import org.apache.fory.context.WriteContext;
import org.apache.fory.serializer.Serializer;
import org.jdask.SerializationException;

/** The {@link ValueCodec}s on the class path, by tag and by type; one instance per process. */
final class ValueCodecs {
    static final int FIRST_TAG = 32, LAST_TAG = 127;

    private final ValueCodec[] byTag = new ValueCodec[LAST_TAG + 1];
    private final List<ValueCodec> all;
    /** Exact class → codec (or NONE), filled lazily so a lookup is one map get. */
    private final ConcurrentHashMap<Class<?>, ValueCodec> byClass = new ConcurrentHashMap<>();
    private static final ValueCodec NONE = new ValueCodec() {
        public byte tag() { return 0; }
        public Class<?> type() { return Void.class; }
        public byte[] encode(Object value) { throw new UnsupportedOperationException(); }
        public Object decode(ByteBuffer payload) { throw new UnsupportedOperationException(); }
    };

    private ValueCodecs(List<ValueCodec> codecs) {
        for (ValueCodec c : codecs) {
            int t = c.tag();
            if (t < FIRST_TAG || t > LAST_TAG)
                throw new IllegalStateException("ValueCodec " + c.getClass().getName() + " uses tag " + t
                        + "; plugin tags must be in " + FIRST_TAG + ".." + LAST_TAG);
            if (byTag[t] != null)
                throw new IllegalStateException("ValueCodecs " + byTag[t].getClass().getName() + " and "
                        + c.getClass().getName() + " both use tag " + t);
            byTag[t] = c;
        }
        List<ValueCodec> sorted = new ArrayList<>(codecs);
        sorted.sort(java.util.Comparator.comparingInt(ValueCodec::tag)); // same registration order in every JVM
        this.all = List.copyOf(sorted);
    }

    static ValueCodecs load(ClassPolicy policy) {
        List<ValueCodec> found = new ArrayList<>();
        try {
            for (ValueCodec c : ServiceLoader.load(ValueCodec.class, ValueCodecs.class.getClassLoader())) found.add(c);
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("cannot load a jdask ValueCodec: " + e.getMessage(), e);
        }
        ValueCodecs codecs = new ValueCodecs(found);
        for (ValueCodec c : found) policy.allowExact(c.type());
        return codecs;
    }

    /** The codec for {@code value}'s class, or null when none handles it. */
    ValueCodec forValue(Object value) {
        if (all.isEmpty()) return null;
        return forClass(value.getClass());
    }

    private ValueCodec find(Class<?> k) {
        for (ValueCodec c : all) if (c.type().isAssignableFrom(k)) return c;
        return NONE;
    }

    byte[] encodeFrame(ValueCodec c, Object value) {
        byte[] body = encodeBody(c, value);
        byte[] out = new byte[body.length + 1];
        out[0] = c.tag();
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    /** Writes {@code value}'s frame (tag, then the codec's payload, streamed where it can) to {@code out}. */
    void encodeFrame(ValueCodec c, Object value, OutputStream out) throws IOException {
        out.write(c.tag());
        try {
            c.encode(value, out);
        } catch (SerializationException e) {
            throw e;
        } catch (RuntimeException e) {
            throw cannotWrite(c, value, e);
        }
    }

    private static byte[] encodeBody(ValueCodec c, Object value) {
        try {
            return c.encode(value);
        } catch (SerializationException e) {
            throw e;
        } catch (RuntimeException e) {
            throw cannotWrite(c, value, e);
        }
    }

    /** A codec failed on {@code value}: the error names the value's class and the codec. */
    private static SerializationException cannotWrite(ValueCodec c, Object value, RuntimeException e) {
        return new SerializationException(null, value.getClass().getName(), null, c.getClass().getSimpleName() + " cannot write it: " + e, e);
    }

    Object decodeFrame(byte tag, ByteBuffer b) {
        ValueCodec c = byTag[tag];
        if (c == null)
            throw Codecs.corrupt("frame tag " + tag + " names no ValueCodec on this class path (registered: "
                    + describe() + "); is the module that wrote it missing here?");
        try {
            return c.decode(b);
        } catch (SerializationException e) {
            throw e;
        } catch (RuntimeException e) {
            throw Codecs.corrupt(c.getClass().getSimpleName() + " cannot read a frame of " + b.remaining()
                    + " bytes (truncated or corrupt): " + e, e);
        }
    }

    /** {@code c}'s head and elements for {@code value} (see {@link ValueCodec#split}), or null when it does not split. */
    ValueCodec.Parts split(ValueCodec c, Object value) {
        try {
            return c.split(value);
        } catch (RuntimeException e) {
            throw new SerializationException(null, value.getClass().getName(), null,
                    c.getClass().getSimpleName() + " cannot split it: " + e, e);
        }
    }

    /** The value of a split frame: the codec of {@code tag} joins {@code head} and {@code elements}. */
    Object joinFrame(byte tag, ByteBuffer head, Object elements) {
        ValueCodec c = tag >= FIRST_TAG && tag <= LAST_TAG ? byTag[tag] : null;
        if (c == null) throw Codecs.corrupt("split frame tag " + tag + " names no ValueCodec on this class path (registered: " + describe() + ")");
        try {
            return c.join(head, elements);
        } catch (RuntimeException e) {
            throw Codecs.corrupt(c.getClass().getSimpleName() + " cannot join a head of " + head.remaining() + " bytes and "
                    + java.lang.reflect.Array.getLength(elements) + " elements: " + e, e);
        }
    }

    /**
     * Registers each codec's type and serializer with a Fory instance, in tag order, so values
     * nested in lists, maps and records use the codec too. The type is registered (not only its
     * serializer) so a reader that has not seen the type yet knows its kind: with a serializer
     * alone, a JVM reading another JVM's frame first took the type for a plain struct.
     */
    void registerWith(org.apache.fory.Fory fory) {
        for (ValueCodec c : all) fory.registerSerializerAndType(c.type(), r -> new Adapter(r.getConfig(), c));
    }

    /** Fory's serializer factory hook: values nested in lists, maps and records use their codec too. */
    @SuppressWarnings("rawtypes")
    Serializer serializerFor(TypeResolver resolver, Class<?> type) {
        ValueCodec c = forClass(type);
        return c == null ? null : new Adapter(resolver.getConfig(), c);
    }

    private ValueCodec forClass(Class<?> type) {
        if (all.isEmpty()) return null;
        ValueCodec c = byClass.computeIfAbsent(type, this::find);
        return c == NONE ? null : c;
    }

    String describe() {
        if (all.isEmpty()) return "none";
        StringBuilder sb = new StringBuilder();
        for (ValueCodec c : all) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(c.tag()).append('=').append(c.type().getName());
        }
        return sb.toString();
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static final class Adapter extends Serializer {
        private final ValueCodec codec;

        Adapter(org.apache.fory.config.Config config, ValueCodec codec) {
            super(config, codec.type());
            this.codec = codec;
        }

        /*
         * Length then bytes, written and read as two plain calls: Fory 1.6.0's writeBytesWithSize and
         * readBytesAndSize disagree for arrays over 16 KiB (the reader returned the right length but
         * other bytes), which broke every Tablesaw table over ~16 KiB nested in a task or a list
         * (fromTable partitions sent to worker JVMs: "reading Arrow IPC: Unexpected end of stream").
         */
        @Override
        public void write(WriteContext ctx, Object value) {
            byte[] body = encodeBody(codec, value);
            ctx.getBuffer().writeVarUInt32(body.length);
            ctx.getBuffer().writeBytes(body);
        }

        @Override
        public Object read(ReadContext ctx) {
            int n = ctx.getBuffer().readVarUInt32();
            if (n < 0) throw Codecs.corrupt(codec.getClass().getSimpleName() + " payload length " + n + " is negative");
            return codec.decode(ByteBuffer.wrap(ctx.getBuffer().readBytes(n)));
        }
    }
}

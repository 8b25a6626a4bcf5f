package org.jdask.codec;

import java.nio.ByteBuffer;

/**
 * A codec for one value type that a module knows how to write faster or more safely than a general
 * serializer: {@code NDArray} blocks as raw buffers, Tablesaw tables as Arrow IPC. Modules register
 * one through {@link java.util.ServiceLoader} ({@code META-INF/services/org.jdask.codec.ValueCodec}),
 * so {@code jdask-schedulers} never depends on the collection modules. The interface lives in package {@code org.jdask.codec} of
 * {@code jdask-graph} (not in {@code org.jdask.serialize}, which is jdask-schedulers's package: no package is split across two jars) so collection modules implement it without depending on the schedulers.
 *
 * <p>{@code org.jdask.serialize.Codecs} (jdask-schedulers) uses a registered codec for a value whose class is exactly {@link #type()} or a
 * subclass of it, both at the top of a frame (tag {@link #tag()}) and nested inside other values
 * (lists, maps, records written by Fory), and lets the type through its deserialization policy:
 * the codec builds its values itself and never instantiates a class named by the payload.
 *
 * <p>Tags 32..127 are for these codecs; each must be unique in a JVM (a clash fails at start-up
 * naming both codecs). Taken: 32 {@code NDArray} (jdask-array), 33 Tablesaw {@code Table}
 * (jdask-dataframe).
 */
public interface ValueCodec {
    /** The frame tag, 32..127. */
    byte tag();

    /** The class this codec writes (and its subclasses). */
    Class<?> type();

    /** The payload for {@code value} (without the tag byte). */
    byte[] encode(Object value);

    /** Reads the value from {@code payload}'s remaining bytes. */
    Object decode(ByteBuffer payload);
}

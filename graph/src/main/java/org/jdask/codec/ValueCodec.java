package org.jdask.codec;

import java.io.IOException;
import java.io.OutputStream;
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
 * (jdask-dataframe), 34 a shuffle's split partition (jdask-dataframe).
 */
public interface ValueCodec {
    /** The frame tag, 32..127. */
    byte tag();

    /** The class this codec writes (and its subclasses). */
    Class<?> type();

    /** The payload for {@code value} (without the tag byte). */
    byte[] encode(Object value);

    /**
     * Writes the same payload as {@link #encode(Object)} to {@code out}; override to stream it in
     * pieces (a worker spilling a large value to disk then never holds a second whole copy of it).
     */
    default void encode(Object value, OutputStream out) throws IOException {
        out.write(encode(value));
    }

    /**
     * Optional: the bytes {@code value} holds in memory, counted cheaply (a table: its columns'
     * types and row counts), or -1 (the default) to size it by its encoded frame, which encodes it.
     * A worker's memory manager sizes every result, fetched value and task input a task may have
     * changed (a split handing its pieces to picks) with it.
     */
    default long sizeOf(Object value) {
        return -1;
    }

    /** Reads the value from {@code payload}'s remaining bytes. */
    Object decode(ByteBuffer payload);

    /**
     * Optional, for values that are mostly one primitive array (an {@code NDArray} block): the
     * payload as a small head and a run of elements, such that {@link #encode} writes exactly the
     * head's bytes followed by the elements, little-endian ({@code boolean}s as 0/1 bytes).
     * Transports that stream (the distributed bulk channel) then copy the elements straight from
     * the value's own array and read them into a new array of their final size, which
     * {@link #join} wraps: no {@code byte[]} of the whole value on either side. Null (the default):
     * the value travels as {@link #encode}'s bytes.
     */
    default Parts split(Object value) {
        return null;
    }

    /**
     * Builds a value from a head written by {@link #split} and its elements, read into a new
     * array ({@code double[]}, {@code long[]}, {@code int[]}, {@code byte[]} or {@code boolean[]})
     * of the type and length the sender's parts had. Throws {@link IllegalArgumentException} when
     * the head is malformed or does not fit the elements.
     */
    default Object join(ByteBuffer head, Object elements) {
        throw new UnsupportedOperationException(getClass().getName() + " does not split its values");
    }

    /**
     * A value as {@code head} and {@code count} elements of the primitive array {@code elements}
     * from index {@code from}.
     */
    record Parts(byte[] head, Object elements, int from, int count) {}
}

package org.jdask.serialize;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.jdask.SerializationException;

/**
 * Primitive arrays as tag + little-endian int length + the elements, written and read with
 * {@code ByteBuffer}'s bulk views (no per-element boxing, no library in the way).
 */
final class RawArrays {
    static final byte DOUBLES = 1, LONGS = 2, INTS = 3, BYTES = 4, BOOLEANS = 5;

    private RawArrays() {}

    /** The frame tag for {@code v}, or 0 when v is not a raw-coded array. */
    static byte tagOf(Object v) {
        if (v instanceof double[]) return DOUBLES;
        if (v instanceof long[]) return LONGS;
        if (v instanceof int[]) return INTS;
        if (v instanceof byte[]) return BYTES;
        if (v instanceof boolean[]) return BOOLEANS;
        return 0;
    }

    static byte[] encode(byte tag, Object v) {
        if (!RawFrame.isRaw(tag)) throw new IllegalArgumentException("not a raw tag: " + tag);
        int n = RawFrame.length(v);
        ByteBuffer b = header(tag, n, RawFrame.width(tag));
        RawFrame.put(b, v, 0, n);
        return b.array();
    }

    private static ByteBuffer header(byte tag, int n, int width) {
        long size = 5L + (long) n * width;
        if (size > Integer.MAX_VALUE - 8) {
            throw new SerializationException(null, "array", null, n + " elements of " + width + " bytes exceed a 2 GiB frame", null);
        }
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(tag).putInt(n);
        return b;
    }

    /** Decodes a frame whose tag byte (already read) is {@code tag}; {@code b} is positioned after it. */
    static Object decode(byte tag, ByteBuffer b) {
        b.order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < 4) throw Codecs.corrupt("raw array frame has no length (" + b.remaining() + " bytes after the tag)");
        int n = b.getInt();
        int width = RawFrame.width(tag);
        if (n < 0 || (long) n * width != b.remaining()) {
            throw Codecs.corrupt("raw array frame says " + n + " elements of " + width + " bytes but holds "
                    + b.remaining() + " bytes (truncated or corrupt)");
        }
        Object a = RawFrame.newArray(tag, n);
        RawFrame.get(b, a, 0, n);
        return a;
    }
}

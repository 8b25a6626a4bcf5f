package org.jdask.serialize;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.jdask.SerializationException;
import org.jdask.codec.ValueCodec;

/**
 * The raw-array {@link Codecs} frame (tag 1..5, int32 length, little-endian elements) written and
 * read piece by piece, for transports that stream a value in bounded buffers instead of building
 * its whole frame as one {@code byte[]}: the sender copies elements straight from the array into
 * its buffer, the receiver straight from its buffer into the final array. The bytes are exactly
 * those {@link Codecs#encode} writes, so a streamed frame and a whole one are interchangeable.
 *
 * <p>Values of a {@link ValueCodec} that splits them ({@code NDArray} blocks, see
 * {@link ValueCodec#split}) stream the same way: {@link #split} gives their head and their own
 * element array, {@link #join} builds the value from a head and an array read in full.
 */
public final class RawFrame {
    /** Bytes before the elements: the tag and the int32 length. */
    public static final int HEADER = 5;

    private RawFrame() {}

    /** The frame tag of {@code v}, or 0 when {@code v} is not a raw-coded primitive array. */
    public static byte tag(Object v) {
        return RawArrays.tagOf(v);
    }

    /** A value a {@link ValueCodec} splits: its frame tag, head and elements. */
    public record Split(byte tag, ValueCodec.Parts parts) {}

    /**
     * {@code v} as its codec's head and elements when a registered {@link ValueCodec} splits it
     * (the elements are a raw-coded array); null for any other value.
     */
    public static Split split(Object v) {
        if (v == null || tag(v) != 0) return null;
        ValueCodecs plugins = Codecs.plugins();
        ValueCodec c = plugins.forValue(v);
        if (c == null) return null;
        ValueCodec.Parts p = plugins.split(c, v);
        if (p == null) return null;
        if (tag(p.elements()) == 0 || p.from() < 0 || p.count() < 0 || p.from() + (long) p.count() > length(p.elements())) {
            throw new SerializationException(null, v.getClass().getName(), null, c.getClass().getSimpleName()
                    + " split it into elements that are not a primitive array range: " + p.elements().getClass().getName()
                    + " [" + p.from() + ", +" + p.count() + ")", null);
        }
        return new Split(c.tag(), p);
    }

    /** The value of codec {@code tag} from a head and the elements read in full (see {@link #split}); a corrupt-frame error otherwise. */
    public static Object join(byte tag, ByteBuffer head, Object elements) {
        return Codecs.plugins().joinFrame(tag, head, elements);
    }

    /** Whether {@code tag} (a frame's first byte) is a raw-array tag. */
    public static boolean isRaw(byte tag) {
        return tag >= RawArrays.DOUBLES && tag <= RawArrays.BOOLEANS;
    }

    /** Bytes per element for a raw tag. */
    public static int width(byte tag) {
        return tag == RawArrays.DOUBLES || tag == RawArrays.LONGS ? 8 : tag == RawArrays.INTS ? 4 : 1;
    }

    /** The element count of a raw-coded array. */
    public static int length(Object array) {
        return java.lang.reflect.Array.getLength(array);
    }

    /** The whole frame's size in bytes for a raw-coded array. */
    public static long frameSize(Object array) {
        return HEADER + (long) length(array) * width(tag(array));
    }

    /** A new array of {@code n} elements for a raw tag. */
    public static Object newArray(byte tag, int n) {
        return switch (tag) {
            case RawArrays.DOUBLES -> new double[n];
            case RawArrays.LONGS -> new long[n];
            case RawArrays.INTS -> new int[n];
            case RawArrays.BYTES -> new byte[n];
            case RawArrays.BOOLEANS -> new boolean[n];
            default -> throw new IllegalArgumentException("not a raw tag: " + tag);
        };
    }

    /**
     * Copies elements {@code [from, from + count)} of {@code array} into {@code dst} (at its
     * position, which advances); {@code dst} must have room for them.
     */
    public static void put(ByteBuffer dst, Object array, int from, int count) {
        ByteBuffer b = dst.order(ByteOrder.LITTLE_ENDIAN);
        int width;
        if (array instanceof double[] a) {
            b.asDoubleBuffer().put(a, from, count);
            width = 8;
        } else if (array instanceof long[] a) {
            b.asLongBuffer().put(a, from, count);
            width = 8;
        } else if (array instanceof int[] a) {
            b.asIntBuffer().put(a, from, count);
            width = 4;
        } else if (array instanceof byte[] a) {
            b.put(a, from, count);
            return;
        } else if (array instanceof boolean[] a) {
            for (int i = from; i < from + count; i++) b.put((byte) (a[i] ? 1 : 0));
            return;
        } else {
            throw new IllegalArgumentException("not a raw-coded array: " + array);
        }
        b.position(b.position() + count * width);
    }

    /**
     * Copies {@code count} elements from {@code src} (at its position, which advances) into
     * {@code array} from index {@code from}. A boolean byte other than 0 or 1 is a corrupt frame.
     */
    public static void get(ByteBuffer src, Object array, int from, int count) {
        ByteBuffer b = src.order(ByteOrder.LITTLE_ENDIAN);
        int width;
        if (array instanceof double[] a) {
            b.asDoubleBuffer().get(a, from, count);
            width = 8;
        } else if (array instanceof long[] a) {
            b.asLongBuffer().get(a, from, count);
            width = 8;
        } else if (array instanceof int[] a) {
            b.asIntBuffer().get(a, from, count);
            width = 4;
        } else if (array instanceof byte[] a) {
            b.get(a, from, count);
            return;
        } else if (array instanceof boolean[] a) {
            for (int i = from; i < from + count; i++) {
                byte x = b.get();
                if (x != 0 && x != 1) throw Codecs.corrupt("boolean[] frame holds byte " + x + " at element " + i);
                a[i] = x == 1;
            }
            return;
        } else {
            throw new IllegalArgumentException("not a raw-coded array: " + array);
        }
        b.position(b.position() + count * width);
    }
}

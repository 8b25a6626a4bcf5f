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
        switch (tag) {
            case DOUBLES -> {
                double[] a = (double[]) v;
                ByteBuffer b = header(tag, a.length, 8);
                b.asDoubleBuffer().put(a);
                return b.array();
            }
            case LONGS -> {
                long[] a = (long[]) v;
                ByteBuffer b = header(tag, a.length, 8);
                b.asLongBuffer().put(a);
                return b.array();
            }
            case INTS -> {
                int[] a = (int[]) v;
                ByteBuffer b = header(tag, a.length, 4);
                b.asIntBuffer().put(a);
                return b.array();
            }
            case BYTES -> {
                byte[] a = (byte[]) v;
                ByteBuffer b = header(tag, a.length, 1);
                b.put(a);
                return b.array();
            }
            case BOOLEANS -> {
                boolean[] a = (boolean[]) v;
                ByteBuffer b = header(tag, a.length, 1);
                byte[] out = b.array();
                for (int i = 0; i < a.length; i++) out[5 + i] = (byte) (a[i] ? 1 : 0);
                return out;
            }
            default -> throw new IllegalArgumentException("not a raw tag: " + tag);
        }
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
        int width = tag == DOUBLES || tag == LONGS ? 8 : tag == INTS ? 4 : 1;
        if (n < 0 || (long) n * width != b.remaining()) {
            throw Codecs.corrupt("raw array frame says " + n + " elements of " + width + " bytes but holds "
                    + b.remaining() + " bytes (truncated or corrupt)");
        }
        switch (tag) {
            case DOUBLES -> {
                double[] a = new double[n];
                b.asDoubleBuffer().get(a);
                return a;
            }
            case LONGS -> {
                long[] a = new long[n];
                b.asLongBuffer().get(a);
                return a;
            }
            case INTS -> {
                int[] a = new int[n];
                b.asIntBuffer().get(a);
                return a;
            }
            case BYTES -> {
                byte[] a = new byte[n];
                b.get(a);
                return a;
            }
            default -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    byte x = b.get();
                    if (x != 0 && x != 1) throw Codecs.corrupt("boolean[] frame holds byte " + x + " at element " + i);
                    a[i] = x == 1;
                }
                return a;
            }
        }
    }
}

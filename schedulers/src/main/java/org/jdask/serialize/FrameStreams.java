package org.jdask.serialize;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Function;
import org.jdask.SerializationException;
import org.jdask.codec.ValueCodec;

/**
 * {@link Codecs} frames written to and read from streams in pieces, for stores that hold a frame
 * as many small entries (a worker's spill store): a primitive array goes out and comes back through
 * a {@value #PIECE}-byte buffer, never as a second whole copy of itself; a value of a registered
 * {@link ValueCodec} (a table) goes out as its codec streams it; other values are encoded whole
 * (Fory produces one frame) and copied out in pieces. The bytes are exactly those of
 * {@link Codecs#encode}, so a frame written here can be read by {@link Codecs#decode} and the other
 * way round.
 */
public final class FrameStreams {
    /** Bytes moved per step. */
    static final int PIECE = 1 << 16;

    private FrameStreams() {}

    /** What a registered codec counts for {@code value} without encoding it ({@link ValueCodec#sizeOf}), or -1. */
    public static long sizeOf(Object value) {
        ValueCodec plugin = value == null ? null : Codecs.plugins().forValue(value);
        return plugin == null ? -1 : plugin.sizeOf(value);
    }

    /** Writes the frame of {@code value} to {@code out}; returns its length in bytes. */
    public static long encode(Object value, OutputStream out) throws IOException {
        byte tag = value == null ? 0 : RawArrays.tagOf(value);
        ValueCodec plugin = tag == 0 && value != null ? Codecs.plugins().forValue(value) : null;
        if (plugin != null) { // a table, a block: its codec streams the payload (no whole frame on the heap)
            Counting counted = new Counting(out);
            Codecs.plugins().encodeFrame(plugin, value, counted);
            return counted.n;
        }
        if (tag == 0 || tag == RawArrays.BOOLEANS) {
            byte[] frame = Codecs.encode(value);
            out.write(frame);
            return frame.length;
        }
        int n = java.lang.reflect.Array.getLength(value);
        int width = width(tag);
        if (5L + (long) n * width > Integer.MAX_VALUE - 8) {
            throw new SerializationException(null, "array", null, n + " elements of " + width + " bytes exceed a 2 GiB frame", null);
        }
        byte[] buf = new byte[(int) Math.min(PIECE, Math.max(5, (long) n * width))];
        ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        b.put(tag).putInt(n);
        out.write(buf, 0, 5);
        int per = buf.length / width;
        for (int from = 0; from < n; from += per) {
            int m = Math.min(per, n - from);
            b.clear();
            switch (tag) {
                case RawArrays.DOUBLES -> b.asDoubleBuffer().put((double[]) value, from, m);
                case RawArrays.LONGS -> b.asLongBuffer().put((long[]) value, from, m);
                case RawArrays.INTS -> b.asIntBuffer().put((int[]) value, from, m);
                default -> System.arraycopy((byte[]) value, from, buf, 0, m);
            }
            out.write(buf, 0, m * width);
        }
        return 5L + (long) n * width;
    }

    /**
     * Reads one frame of {@code length} bytes from {@code in}: a primitive-array frame is decoded
     * straight into its array; any other frame is read whole and handed to {@code whole} (a
     * worker keeps it as bytes, decoded later under the right class loader).
     */
    public static Object read(InputStream in, int length, Function<byte[], Object> whole) throws IOException {
        if (length < 1) throw Codecs.corrupt("empty frame (no tag byte)");
        int tag = in.read();
        if (tag < 0) throw new EOFException("frame of " + length + " bytes ends before its tag");
        if (tag < RawArrays.DOUBLES || tag > RawArrays.BYTES || length < 5) {
            byte[] frame = new byte[length];
            frame[0] = (byte) tag;
            readFully(in, frame, 1, length - 1);
            return whole.apply(frame);
        }
        byte[] head = new byte[4];
        readFully(in, head, 0, 4);
        int n = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int width = width((byte) tag);
        if (n < 0 || (long) n * width != length - 5L) {
            throw Codecs.corrupt("raw array frame says " + n + " elements of " + width + " bytes but holds " + (length - 5L)
                    + " bytes (truncated or corrupt)");
        }
        Object array = switch (tag) {
            case RawArrays.DOUBLES -> new double[n];
            case RawArrays.LONGS -> new long[n];
            case RawArrays.INTS -> new int[n];
            default -> new byte[n];
        };
        if (tag == RawArrays.BYTES) {
            readFully(in, (byte[]) array, 0, n);
            return array;
        }
        byte[] buf = new byte[(int) Math.min(PIECE, Math.max(width, (long) n * width))];
        ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        int per = buf.length / width;
        for (int from = 0; from < n; from += per) {
            int m = Math.min(per, n - from);
            readFully(in, buf, 0, m * width);
            b.clear();
            switch (tag) {
                case RawArrays.DOUBLES -> b.asDoubleBuffer().get((double[]) array, from, m);
                case RawArrays.LONGS -> b.asLongBuffer().get((long[]) array, from, m);
                default -> b.asIntBuffer().get((int[]) array, from, m);
            }
        }
        return array;
    }

    private static int width(byte tag) {
        return tag == RawArrays.DOUBLES || tag == RawArrays.LONGS ? 8 : tag == RawArrays.INTS ? 4 : 1;
    }

    private static void readFully(InputStream in, byte[] b, int off, int len) throws IOException {
        int got = in.readNBytes(b, off, len);
        if (got < len) throw new EOFException("frame ends " + (len - got) + " bytes early");
    }

    /** Counts the bytes written through it. */
    private static final class Counting extends java.io.FilterOutputStream {
        long n;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            n++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            n += len;
        }
    }
}

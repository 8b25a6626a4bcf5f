package org.jdask.distributed.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.jdask.serialize.RawFrame;

/**
 * A primitive array's {@code Codecs} frame as ZeroMQ chunk frames ({@link Wire}'s {@code CHUNKED}
 * payload) without a {@code byte[]} of the whole value: the sender fills each chunk from the array,
 * whole elements only; the receiver copies each chunk straight into an array of the final size
 * instead of joining the chunks and decoding the joined copy.
 */
final class RawChunks {
    private RawChunks() {}

    /** Whether {@code v} is a primitive array whose frame is over {@code chunk} bytes. */
    static boolean splits(Object v, int chunk) {
        return RawFrame.tag(v) != 0 && RawFrame.frameSize(v) > chunk;
    }

    /** The chunk frames of {@code array}'s frame, each at most {@code chunk} bytes and ending on an element. */
    static List<ByteBuffer> split(Object array, int chunk) {
        byte tag = RawFrame.tag(array);
        int width = RawFrame.width(tag);
        int n = RawFrame.length(array);
        int per = chunk / width;
        List<ByteBuffer> out = new ArrayList<>();
        int at = 0;
        boolean first = true;
        while (first || at < n) {
            int room = first ? (chunk - RawFrame.HEADER) / width : per;
            int count = Math.min(n - at, room);
            ByteBuffer b = ByteBuffer.allocate((first ? RawFrame.HEADER : 0) + count * width).order(ByteOrder.LITTLE_ENDIAN);
            if (first) b.put(tag).putInt(n);
            RawFrame.put(b, array, at, count);
            b.flip();
            out.add(b);
            at += count;
            first = false;
        }
        return out;
    }

    /**
     * The array in chunk frames {@code [first, first + n)} read into its final array, or null when
     * they are not a primitive array's frame cut on element boundaries (the caller joins them and
     * lets the codec decode or refuse them).
     */
    static Payload join(List<byte[]> frames, int first, int n) {
        byte[] f0 = frames.get(first);
        if (f0.length < RawFrame.HEADER || !RawFrame.isRaw(f0[0]) || RawFrame.width(f0[0]) == 1) return null; // bytes and booleans: the codec checks them
        byte tag = f0[0];
        int width = RawFrame.width(tag);
        int count = ByteBuffer.wrap(f0, 1, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        long total = 0;
        for (int i = first; i < first + n; i++) {
            int len = frames.get(i).length - (i == first ? RawFrame.HEADER : 0);
            if (len % width != 0) return null;
            total += len;
        }
        if (count < 0 || total != (long) count * width) return null;
        Object a = RawFrame.newArray(tag, count);
        int at = 0;
        for (int i = first; i < first + n; i++) {
            byte[] f = frames.get(i);
            int off = i == first ? RawFrame.HEADER : 0;
            int k = (f.length - off) / width;
            RawFrame.get(ByteBuffer.wrap(f, off, f.length - off).slice(), a, at, k);
            at += k;
        }
        return Payload.ofValue(a);
    }
}

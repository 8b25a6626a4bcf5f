package org.jdask.distributed.internal.bulk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.jdask.distributed.internal.Payload;
import org.jdask.graph.Key;
import org.jdask.serialize.Codecs;
import org.jdask.serialize.RawFrame;

/**
 * Keys, strings and values on a {@link BulkLink}. A value travels as its {@link Codecs} frame:
 * {@code int64 length} then the frame's bytes. A primitive array's frame is streamed from the
 * array itself through the link's 1 MiB buffer and read straight into a new array of its final
 * size; no {@code byte[]} of the whole value is made on either side. A value whose codec splits it
 * into a head and one primitive array ({@code NDArray} blocks, {@link RawFrame#split}) travels as
 * {@code int64 size, SPLIT, codec tag, int32 head length, head, array tag, int32 count, elements},
 * the elements streamed the same way and joined into the value on arrival. Other values (Fory,
 * Arrow frames) are encoded once by their codec and streamed from that frame.
 */
public final class BulkFrames {
    /** The largest frame a value may have (a Java array's limit). */
    static final long MAX_FRAME = Integer.MAX_VALUE - 16;
    /** In place of a frame tag: a split value follows (never a {@code Codecs} tag, which are 0..127). */
    static final byte SPLIT = -1;
    /** The largest head of a split value. */
    static final int MAX_HEAD = 1 << 20;

    private BulkFrames() {}

    public static void writeInt(BulkLink l, int v) throws IOException {
        l.room(4).putInt(v);
    }

    public static int readInt(BulkLink l) throws IOException {
        return l.need(4).getInt();
    }

    public static void writeLong(BulkLink l, long v) throws IOException {
        l.room(8).putLong(v);
    }

    public static long readLong(BulkLink l) throws IOException {
        return l.need(8).getLong();
    }

    public static void writeByte(BulkLink l, byte v) throws IOException {
        l.room(1).put(v);
    }

    public static byte readByte(BulkLink l) throws IOException {
        return l.need(1).get();
    }

    public static void writeString(BulkLink l, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        writeInt(l, b.length);
        writeBytes(l, b, 0, 1);
    }

    public static String readString(BulkLink l, int max) throws IOException {
        int n = readInt(l);
        if (n < 0 || n > max) throw new IOException("string of " + n + " bytes from " + l.peer() + " (at most " + max + "): corrupt stream");
        byte[] b = new byte[n];
        readArray(l, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    public static void writeKey(BulkLink l, Key k) throws IOException {
        writeString(l, k.name());
        writeInt(l, k.indexLength());
        for (int i = 0; i < k.indexLength(); i++) writeInt(l, k.index(i));
    }

    public static Key readKey(BulkLink l) throws IOException {
        String name = readString(l, 1 << 20);
        int n = readInt(l);
        if (n < 0 || n > 64) throw new IOException("key " + name + " with " + n + " indices from " + l.peer() + ": corrupt stream");
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = readInt(l);
        return Key.of(name, idx);
    }

    /**
     * Writes {@code p}'s frame: a primitive array straight from its elements, a payload that
     * arrived as bytes as those bytes, anything else encoded once by {@link Codecs}.
     */
    public static void writeValue(BulkLink l, Payload p) throws IOException {
        Object v = p.hasValue() ? p.value() : null;
        byte tag = p.hasValue() ? RawFrame.tag(v) : 0;
        if (tag != 0) {
            int n = RawFrame.length(v);
            writeLong(l, RawFrame.frameSize(v));
            ByteBuffer b = l.room(RawFrame.HEADER);
            b.put(tag).putInt(n);
            writeArray(l, v, 0, n);
            return;
        }
        RawFrame.Split split = p.hasValue() ? RawFrame.split(v) : null;
        if (split != null) {
            writeSplit(l, split);
            return;
        }
        byte[] frame = p.bytes();
        writeLong(l, frame.length);
        if (frame.length >= RawFrame.HEADER && RawFrame.isRaw(frame[0])) { // an array's frame kept as bytes: elements stay whole in records
            l.room(RawFrame.HEADER).put(frame, 0, RawFrame.HEADER);
            writeBytes(l, frame, RawFrame.HEADER, RawFrame.width(frame[0]));
        } else {
            writeBytes(l, frame, 0, 1);
        }
    }

    /**
     * Reads a frame written by {@link #writeValue}: a primitive array into its final array (as a
     * payload holding the value), any other frame as a payload of its bytes, decoded by the caller
     * when it wants the value (a worker keeps scattered bytes as they came).
     */
    public static Payload readValue(BulkLink l) throws IOException {
        long size = readLong(l);
        if (size < 1 || size > MAX_FRAME) throw new IOException("value frame of " + size + " bytes from " + l.peer() + ": corrupt stream");
        byte tag = readByte(l);
        if (RawFrame.isRaw(tag)) {
            int n = readInt(l);
            if (n < 0 || RawFrame.HEADER + (long) n * RawFrame.width(tag) != size) {
                throw new IOException("array frame of " + size + " bytes says " + n + " elements from " + l.peer() + ": corrupt stream");
            }
            Object a = RawFrame.newArray(tag, n);
            readArray(l, a);
            return Payload.ofValue(a);
        }
        if (tag == SPLIT) return Payload.ofValue(readSplit(l, size));
        byte[] frame = new byte[(int) size];
        frame[0] = tag;
        readInto(l, frame, 1);
        return Payload.ofBytes(frame);
    }

    private static void writeSplit(BulkLink l, RawFrame.Split split) throws IOException {
        byte[] head = split.parts().head();
        Object elements = split.parts().elements();
        byte elementTag = RawFrame.tag(elements);
        int count = split.parts().count();
        writeLong(l, 1 + 1 + 4 + head.length + RawFrame.HEADER + (long) count * RawFrame.width(elementTag));
        l.room(6).put(SPLIT).put(split.tag()).putInt(head.length);
        writeBytes(l, head, 0, 1);
        l.room(RawFrame.HEADER).put(elementTag).putInt(count);
        writeArray(l, elements, split.parts().from(), count);
    }

    /** The rest of a split value (after its size and the SPLIT byte): head, elements into their final array, joined. */
    private static Object readSplit(BulkLink l, long size) throws IOException {
        byte codec = readByte(l);
        int headLength = readInt(l);
        if (headLength < 0 || headLength > MAX_HEAD) throw new IOException("split value with a head of " + headLength + " bytes from " + l.peer() + ": corrupt stream");
        byte[] head = new byte[headLength];
        readArray(l, head);
        byte elementTag = readByte(l);
        int count = readInt(l);
        if (!RawFrame.isRaw(elementTag) || count < 0 || 1 + 1 + 4 + headLength + RawFrame.HEADER + (long) count * RawFrame.width(elementTag) != size) {
            throw new IOException("split value of " + size + " bytes says " + count + " elements of tag " + elementTag + " from " + l.peer() + ": corrupt stream");
        }
        Object elements = RawFrame.newArray(elementTag, count);
        readArray(l, elements);
        try {
            return RawFrame.join(codec, ByteBuffer.wrap(head), elements);
        } catch (RuntimeException e) {
            throw new IOException("split value from " + l.peer() + ": " + e.getMessage(), e);
        }
    }

    /** Streams {@code b} from {@code from} in records holding whole {@code width}-byte elements. */
    private static void writeBytes(BulkLink l, byte[] b, int from, int width) throws IOException {
        for (int at = from; at < b.length; ) {
            ByteBuffer buf = l.room(width);
            int count = Math.min(b.length - at, buf.remaining() / width * width);
            buf.put(b, at, count);
            at += count;
        }
    }

    /** Streams elements {@code [from, from + elements)} of a raw-coded array (a {@code byte[]} included). */
    private static void writeArray(BulkLink l, Object a, int from, int elements) throws IOException {
        copy(l, a, from, from + elements, true);
    }

    private static void readArray(BulkLink l, Object a) throws IOException {
        readInto(l, a, 0);
    }

    private static void readInto(BulkLink l, Object a, int from) throws IOException {
        copy(l, a, from, RawFrame.length(a), false);
    }

    /** Elements {@code [from, to)} of {@code a} into the link's buffers ({@code write}) or out of them, a buffer at a time. */
    private static void copy(BulkLink l, Object a, int from, int to, boolean write) throws IOException {
        int width = a instanceof byte[] ? 1 : RawFrame.width(RawFrame.tag(a));
        for (int at = from; at < to; ) {
            ByteBuffer b = write ? l.room(width) : l.need(width);
            int count = Math.min(to - at, b.remaining() / width);
            if (write) RawFrame.put(b, a, at, count);
            else RawFrame.get(b, a, at, count);
            at += count;
        }
    }
}

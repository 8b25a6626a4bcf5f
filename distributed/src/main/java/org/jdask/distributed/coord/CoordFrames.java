package org.jdask.distributed.coord;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jdask.distributed.internal.Messages.CoordReply;
import org.jdask.distributed.internal.Messages.CoordRequest;
import org.jdask.distributed.internal.Payload;
import org.jdask.distributed.internal.bulk.BulkFrames;
import org.jdask.distributed.internal.bulk.BulkLink;
import org.jdask.graph.Key;

/**
 * {@link CoordRequest}s and {@link CoordReply}s on a direct coordination link (a {@link BulkLink}
 * between a client's thread and the scheduler, see {@link CoordLinks}): the same fields as the
 * ZeroMQ messages, each message flushed as its own record (so the reader wakes once per message).
 * Values travel as their {@code Codecs} frames, never decoded by the scheduler.
 */
public final class CoordFrames {
    /** The longest name, lease id or error text accepted. */
    static final int MAX_STRING = 1 << 20;
    /** The most keys a message may carry. */
    static final int MAX_KEYS = 1 << 16;
    private static final byte NONE = 0, SOME = 1;

    private CoordFrames() {}

    public static void write(BulkLink l, CoordRequest r) throws IOException {
        BulkFrames.writeLong(l, r.id());
        BulkFrames.writeByte(l, (byte) r.action().ordinal());
        BulkFrames.writeString(l, r.name());
        BulkFrames.writeLong(l, r.timeoutMs());
        writeBody(l, new Body(r.value(), r.keys(), r.n(), r.lease()));
    }

    public static CoordRequest readRequest(BulkLink l) throws IOException {
        long id = BulkFrames.readLong(l);
        CoordOp action = ordinal(l, CoordOp.values(), "coordination request with unknown action ");
        String name = BulkFrames.readString(l, MAX_STRING);
        long timeoutMs = BulkFrames.readLong(l);
        Body b = readBody(l);
        return new CoordRequest(id, action, name, b.value(), b.keys(), b.n(), timeoutMs, b.text());
    }

    public static void write(BulkLink l, CoordReply r) throws IOException {
        BulkFrames.writeLong(l, r.id());
        BulkFrames.writeByte(l, (byte) r.status().ordinal());
        writeBody(l, new Body(r.value(), r.keys(), r.n(), r.error()));
    }

    public static CoordReply readReply(BulkLink l) throws IOException {
        long id = BulkFrames.readLong(l);
        CoordStatus status = ordinal(l, CoordStatus.values(), "coordination reply with unknown status ");
        Body b = readBody(l);
        return new CoordReply(id, status, b.value(), b.keys(), b.n(), b.text());
    }

    /** What requests and replies both end with: a value, keys, a number and a text (a lease id or an error). */
    private record Body(Payload value, List<Key> keys, long n, String text) {}

    /** Writes {@code b} and flushes the message as its record. */
    private static void writeBody(BulkLink l, Body b) throws IOException {
        writeValue(l, b.value());
        writeKeys(l, b.keys());
        BulkFrames.writeLong(l, b.n());
        writeNullable(l, b.text());
        l.flush();
    }

    private static Body readBody(BulkLink l) throws IOException {
        Payload value = readValue(l);
        List<Key> keys = readKeys(l);
        long n = BulkFrames.readLong(l);
        return new Body(value, keys, n, readNullable(l));
    }

    private static <E extends Enum<E>> E ordinal(BulkLink l, E[] all, String what) throws IOException {
        int i = BulkFrames.readByte(l);
        if (i < 0 || i >= all.length) throw new IOException(what + i + " from " + l.peer());
        return all[i];
    }

    private static void writeValue(BulkLink l, Payload p) throws IOException {
        BulkFrames.writeByte(l, p == null ? NONE : SOME);
        if (p != null) BulkFrames.writeValue(l, p);
    }

    private static Payload readValue(BulkLink l) throws IOException {
        return present(l) ? BulkFrames.readValue(l) : null;
    }

    private static void writeKeys(BulkLink l, List<Key> keys) throws IOException {
        BulkFrames.writeInt(l, keys.size());
        for (Key k : keys) BulkFrames.writeKey(l, k);
    }

    private static List<Key> readKeys(BulkLink l) throws IOException {
        int n = BulkFrames.readInt(l);
        if (n < 0 || n > MAX_KEYS) throw new IOException(n + " keys in a coordination message from " + l.peer() + ": corrupt stream");
        if (n == 0) return List.of();
        List<Key> keys = new ArrayList<>(n);
        for (int i = 0; i < n; i++) keys.add(BulkFrames.readKey(l));
        return keys;
    }

    private static void writeNullable(BulkLink l, String s) throws IOException {
        BulkFrames.writeByte(l, s == null ? NONE : SOME);
        if (s != null) BulkFrames.writeString(l, s);
    }

    private static String readNullable(BulkLink l) throws IOException {
        return present(l) ? BulkFrames.readString(l, MAX_STRING) : null;
    }

    private static boolean present(BulkLink l) throws IOException {
        byte b = BulkFrames.readByte(l);
        if (b != NONE && b != SOME) throw new IOException("coordination message from " + l.peer() + " has a bad presence byte " + b + ": corrupt stream");
        return b == SOME;
    }
}

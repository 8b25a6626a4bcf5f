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
        writeValue(l, r.value());
        writeKeys(l, r.keys());
        BulkFrames.writeLong(l, r.n());
        BulkFrames.writeLong(l, r.timeoutMs());
        writeNullable(l, r.lease());
        l.flush();
    }

    public static CoordRequest readRequest(BulkLink l) throws IOException {
        long id = BulkFrames.readLong(l);
        int op = BulkFrames.readByte(l);
        CoordOp[] ops = CoordOp.values();
        if (op < 0 || op >= ops.length) throw new IOException("coordination request with unknown action " + op + " from " + l.peer());
        String name = BulkFrames.readString(l, MAX_STRING);
        Payload value = readValue(l);
        List<Key> keys = readKeys(l);
        long n = BulkFrames.readLong(l);
        long timeoutMs = BulkFrames.readLong(l);
        return new CoordRequest(id, ops[op], name, value, keys, n, timeoutMs, readNullable(l));
    }

    public static void write(BulkLink l, CoordReply r) throws IOException {
        BulkFrames.writeLong(l, r.id());
        BulkFrames.writeByte(l, (byte) r.status().ordinal());
        writeValue(l, r.value());
        writeKeys(l, r.keys());
        BulkFrames.writeLong(l, r.n());
        writeNullable(l, r.error());
        l.flush();
    }

    public static CoordReply readReply(BulkLink l) throws IOException {
        long id = BulkFrames.readLong(l);
        int st = BulkFrames.readByte(l);
        CoordStatus[] all = CoordStatus.values();
        if (st < 0 || st >= all.length) throw new IOException("coordination reply with unknown status " + st + " from " + l.peer());
        Payload value = readValue(l);
        List<Key> keys = readKeys(l);
        long n = BulkFrames.readLong(l);
        return new CoordReply(id, all[st], value, keys, n, readNullable(l));
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

package org.jdask.distributed.internal.bulk;

import static org.jdask.distributed.internal.bulk.BulkFrames.readByte;
import static org.jdask.distributed.internal.bulk.BulkFrames.readInt;
import static org.jdask.distributed.internal.bulk.BulkFrames.readKey;
import static org.jdask.distributed.internal.bulk.BulkFrames.readLong;
import static org.jdask.distributed.internal.bulk.BulkFrames.readString;
import static org.jdask.distributed.internal.bulk.BulkFrames.readValue;
import static org.jdask.distributed.internal.bulk.BulkFrames.writeByte;
import static org.jdask.distributed.internal.bulk.BulkFrames.writeInt;
import static org.jdask.distributed.internal.bulk.BulkFrames.writeKey;
import static org.jdask.distributed.internal.bulk.BulkFrames.writeLong;
import static org.jdask.distributed.internal.bulk.BulkFrames.writeString;
import static org.jdask.distributed.internal.bulk.BulkFrames.writeValue;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdask.distributed.internal.Payload;
import org.jdask.graph.Key;

/**
 * The requests on a bulk connection (see {@code distributed/PROTOCOL.md}, "Bulk channel"). The
 * connection opens with the session's {@link #TOKEN}-byte token in the clear; everything after
 * is records ({@link BulkLink}), sealed when the session has a key.
 * <pre>
 *   GET   'G' n:int32 key*n                 -> 'D' (1 value | 0)*n       (found value, or missing)
 *   PUT   'P' n:int32 (key value)*n         -> 'A' n:int32 size:int64*n | 'E' message
 *   key   name:string nidx:int32 idx:int32*nidx     string: int32 length + UTF-8
 *   value frame length:int64 + the Codecs frame (arrays streamed element-wise)
 * </pre>
 */
public final class BulkProtocol {
    /** Bytes of a session token. */
    public static final int TOKEN = 16;
    static final byte GET = 'G', DATA = 'D', PUT = 'P', ACK = 'A', ERROR = 'E';
    private static final int MAX_KEYS = 10_000_000;

    private BulkProtocol() {}

    /** Values found (in request order) and keys the worker does not hold. */
    public record Got(Map<Key, Payload> found, List<Key> missing) {}

    /** Client side: asks for {@code keys}; values arrive into their final arrays. */
    public static Got get(BulkLink l, List<Key> keys) throws IOException {
        writeByte(l, GET);
        writeInt(l, keys.size());
        for (Key k : keys) writeKey(l, k);
        l.flush();
        Map<Key, Payload> found = new LinkedHashMap<>();
        List<Key> missing = new ArrayList<>();
        int at = 0;
        try {
            expect(l, DATA);
            for (; at < keys.size(); at++) {
                Key k = keys.get(at);
                if (readByte(l) == 1) found.put(k, readValue(l));
                else missing.add(k);
            }
        } catch (IOException e) {
            String which = keys.isEmpty() ? "no keys" : keys.get(Math.min(at, keys.size() - 1)).toString();
            throw new IOException("gathering " + which + " from worker " + l.peer() + ": " + e.getMessage(), e);
        }
        return new Got(found, missing);
    }

    /** Client side: stores {@code values} under {@code keys} on the worker; the bytes it holds per key. */
    public static List<Long> put(BulkLink l, List<Key> keys, List<Payload> values) throws IOException {
        writeByte(l, PUT);
        writeInt(l, keys.size());
        for (int i = 0; i < keys.size(); i++) {
            try {
                writeKey(l, keys.get(i));
                writeValue(l, values.get(i));
            } catch (IOException e) {
                throw new IOException("scattering " + keys.get(i) + " to worker " + l.peer() + ": " + e.getMessage(), e);
            }
        }
        l.flush();
        byte op = readByte(l);
        if (op == ERROR) throw new IOException("worker " + l.peer() + " refused the scatter: " + readString(l, 1 << 20));
        if (op != ACK) throw new IOException("worker " + l.peer() + " answered a scatter with op " + op + ": corrupt stream");
        int n = readInt(l);
        if (n != keys.size()) throw new IOException("worker " + l.peer() + " acknowledged " + n + " of " + keys.size() + " values");
        List<Long> sizes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) sizes.add(readLong(l));
        return sizes;
    }

    private static void expect(BulkLink l, byte op) throws IOException {
        byte got = readByte(l);
        if (got == ERROR) throw new IOException("worker " + l.peer() + " refused: " + readString(l, 1 << 20));
        if (got != op) throw new IOException("worker " + l.peer() + " answered with op " + got + " instead of " + (char) op + ": corrupt stream");
    }

    /**
     * Worker side: answers one request; false when the peer closed the connection between requests.
     * A request that cannot be read fails the connection (the peer sees it closed).
     */
    static boolean serve(BulkLink l, BulkServer.Store store) throws IOException {
        byte op;
        try {
            op = readByte(l);
        } catch (EOFException | SocketTimeoutException e) {
            return false; // the peer closed, or left the connection idle for the timeout: it opens a new one
        }
        int n = readInt(l);
        if (n < 0 || n > MAX_KEYS) throw new IOException("request for " + n + " keys: corrupt stream");
        if (op == GET) {
            List<Key> keys = new ArrayList<>(n);
            for (int i = 0; i < n; i++) keys.add(readKey(l));
            writeByte(l, DATA);
            for (Key k : keys) {
                Payload p = store.get(k);
                writeByte(l, (byte) (p == null ? 0 : 1));
                if (p != null) writeValue(l, p);
            }
            BulkServer.moved(keys.size());
        } else if (op == PUT) {
            List<Key> keys = new ArrayList<>(n);
            List<Payload> values = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                keys.add(readKey(l));
                values.add(readValue(l));
            }
            List<Long> sizes;
            try {
                sizes = store.put(keys, values);
            } catch (Exception e) {
                writeByte(l, ERROR);
                writeString(l, String.valueOf(e.getMessage()));
                l.flush();
                return true;
            }
            BulkServer.moved(n);
            writeByte(l, ACK);
            writeInt(l, sizes.size());
            for (long s : sizes) writeLong(l, s);
        } else {
            throw new IOException("unknown bulk request " + op + " from " + l.peer());
        }
        l.flush();
        return true;
    }
}

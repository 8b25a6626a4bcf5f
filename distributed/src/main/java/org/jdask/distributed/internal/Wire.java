package org.jdask.distributed.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jdask.graph.Key;
import org.zeromq.ZMQ;

/**
 * The wire format (see {@code distributed/PROTOCOL.md}): one ZeroMQ multipart message carries a
 * batch of messages as <em>one small header frame</em> followed by <em>payload frames</em>.
 *
 * <pre>
 *   frame 0   'J' 'D' version  count  (op fields)*count      -- the header
 *   frame 1.. payloads referenced from the header by index      -- Codecs frames, sent as is
 * </pre>
 * A payload bigger than 1 MiB (or {@code distributed.comm.max-frame-bytes}, if smaller)
 * goes as consecutive chunk frames (tag {@code CHUNKED}: first frame, count) and is joined on
 * arrival, so no single frame a receiver allocates for is large while values of any size up to
 * 2 GB still travel.
 * Header fields are a tiny tagged encoding (null, booleans, varint longs, doubles, strings, keys,
 * lists, string maps, payload references, small payloads inline); it is parsed without any reflection, so a malformed or
 * hostile header is rejected with a message before any payload is decoded.
 *
 * <p><b>Local references.</b> Between components in one JVM (inproc sockets), a payload is not
 * serialized: the value goes into a JVM-wide table and the header carries its 64-bit id; the
 * receiver takes it out. A receiver accepts such ids only from peers whose socket identity starts
 * with this JVM's random secret ({@link #localIdentity}), so a remote peer cannot name objects.
 */
public final class Wire {
    public static final int VERSION = 4;
    private static final byte M0 = 'J', M1 = 'D';
    private static final byte NULL = 0, TRUE = 1, FALSE = 2, LONG = 3, DOUBLE = 4, STRING = 5, KEY = 6, LIST = 7,
            MAP = 8, PAYLOAD = 9, LOCAL = 10, CHUNKED = 11, INLINE = 12, LOCAL_MESSAGE = 13;
    /**
     * Payloads of at most this many bytes travel inside the header (tag {@code INLINE}), up to
     * {@link #INLINE_BUDGET} bytes of them per batch: a burst of 10,000 map tasks' {@code COMPUTE}s
     * is one frame, not 10,001 (each ZeroMQ frame costs an allocation, a copy and a queue slot on
     * both sides), and the header stays far below the frame limit.
     */
    static final int INLINE_MAX = 512;
    static final int INLINE_BUDGET = 4 << 20;
    private static final int MAX_DEPTH = 32;

    private static final String SECRET;
    private static final AtomicLong IDS = new AtomicLong();
    private static final AtomicLong REFS = new AtomicLong(1);
    private static final ConcurrentHashMap<Long, Object> LOCAL_VALUES = new ConcurrentHashMap<>();

    static {
        byte[] b = new byte[8];
        new SecureRandom().nextBytes(b);
        StringBuilder sb = new StringBuilder("L");
        for (byte x : b) sb.append(String.format("%02x", x));
        SECRET = sb.toString();
    }

    /**
     * One message: an op and its positional fields. Between components of one JVM, {@code local}
     * is the typed message itself (see {@link Messages.Message#passLocally}): it crosses the socket
     * as a local reference (tag {@code LOCAL_MESSAGE}), not encoded and decoded field by field, and
     * {@link #fields} are made from it only if someone asks.
     */
    public record Msg(Op op, List<Object> fields, Messages.Message local) {
        public Msg(Op op, List<Object> fields) {
            this(op, fields, null);
        }

        @Override
        public List<Object> fields() {
            return fields != null ? fields : local.fields();
        }

        /** A message to send: {@code Msg.of(Op.FREE, keys)} (each argument is one field). */
        public static Msg of(Op op, Object... fields) {
            return new Msg(op, Arrays.asList(fields));
        }

        public Object get(int i) {
            if (i >= fields.size()) throw new WireException(op + " has " + fields.size() + " fields, field " + i + " was read");
            return fields.get(i);
        }

        public String str(int i) {
            Object o = get(i);
            if (o != null && !(o instanceof String)) throw new WireException(op + " field " + i + " must be a string, got " + o);
            return (String) o;
        }

        public long num(int i) {
            Object o = get(i);
            if (!(o instanceof Number n)) throw new WireException(op + " field " + i + " must be a number, got " + o);
            return n.longValue();
        }

        public double dbl(int i) {
            Object o = get(i);
            if (!(o instanceof Number n)) throw new WireException(op + " field " + i + " must be a number, got " + o);
            return n.doubleValue();
        }

        public boolean bool(int i) {
            Object o = get(i);
            if (!(o instanceof Boolean b)) throw new WireException(op + " field " + i + " must be a boolean, got " + o);
            return b;
        }

        public Key key(int i) {
            Object o = get(i);
            if (!(o instanceof Key k)) throw new WireException(op + " field " + i + " must be a key, got " + o);
            return k;
        }

        public Payload payload(int i) {
            Object o = get(i);
            if (o != null && !(o instanceof Payload)) throw new WireException(op + " field " + i + " must be a payload, got " + o);
            return (Payload) o;
        }

        @SuppressWarnings("unchecked")
        public List<Object> list(int i) {
            Object o = get(i);
            if (o == null) return List.of();
            if (!(o instanceof List)) throw new WireException(op + " field " + i + " must be a list, got " + o);
            return (List<Object>) o;
        }

        public List<Key> keys(int i) {
            List<Key> out = new ArrayList<>();
            for (Object o : list(i)) {
                if (!(o instanceof Key k)) throw new WireException(op + " field " + i + " must hold keys, got " + o);
                out.add(k);
            }
            return out;
        }

        @SuppressWarnings("unchecked")
        public Map<String, Object> map(int i) {
            Object o = get(i);
            if (o == null) return Map.of();
            if (!(o instanceof Map)) throw new WireException(op + " field " + i + " must be a map, got " + o);
            return (Map<String, Object>) o;
        }
    }

    /** A header that cannot be parsed, a wrong version, or a frame over the size limit. */
    public static final class WireException extends RuntimeException {
        public WireException(String message) {
            super(message);
        }
    }

    private Wire() {}

    /** A fresh socket identity marking a peer in this JVM (trusted with local references). */
    public static byte[] localIdentity() {
        return (SECRET + "-" + IDS.incrementAndGet()).getBytes(StandardCharsets.US_ASCII);
    }

    /** A fresh socket identity for a remote-capable peer. */
    public static byte[] remoteIdentity() {
        byte[] b = new byte[12];
        new SecureRandom().nextBytes(b);
        b[0] = 'R';
        return b;
    }

    public static boolean isLocal(byte[] identity) {
        if (identity == null || identity.length < SECRET.length()) return false;
        for (int i = 0; i < SECRET.length(); i++) if (identity[i] != SECRET.charAt(i)) return false;
        return true;
    }

    // ------------------------------------------------------------------ sending

    /**
     * Sends {@code batch} (prefixed with {@code identity} on a ROUTER); payloads by reference when
     * {@code local}. Never blocks: returns false, having sent nothing, when the socket has no live
     * peer to take the message (a DEALER whose connection is down, see {@link Zmq#socket}); the
     * caller keeps the batch and tries again, or gives up.
     */
    public static boolean send(ZMQ.Socket socket, byte[] identity, List<Msg> batch, boolean local) {
        Out out = new Out(64 + batch.size() * 32);
        List<ByteBuffer> payloads = new ArrayList<>();
        out.b(M0).b(M1).b((byte) VERSION).varint(batch.size());
        for (Msg m : batch) {
            out.b((byte) m.op().ordinal());
            if (local && m.local() != null) { // the typed message itself, by reference
                out.localRef(LOCAL_MESSAGE, m.local());
            } else {
                writeValue(out, m.fields(), payloads, local, 0);
            }
        }
        byte[] header = out.bytes();
        int frames = (identity != null ? 1 : 0) + 1 + payloads.size();
        int sent = 0;
        if (identity != null && !part(socket, identity, ++sent < frames)) return unsent(out);
        if (!part(socket, header, ++sent < frames)) {
            if (identity == null) return unsent(out);
            throw new WireException("a ROUTER took the identity frame but not the header");
        }
        for (ByteBuffer p : payloads) {
            boolean more = ++sent < frames;
            if (socket.sendByteBuffer(p, ZMQ.DONTWAIT | (more ? ZMQ.SNDMORE : 0)) < 0) {
                throw new WireException("payload frame " + (sent - 1) + " of a " + frames + "-frame message could not be queued");
            }
        }
        return true;
    }

    private static boolean unsent(Out out) {
        for (Long id : out.locals) LOCAL_VALUES.remove(id);
        return false;
    }

    private static boolean part(ZMQ.Socket socket, byte[] frame, boolean more) {
        return socket.send(frame, ZMQ.DONTWAIT | (more ? ZMQ.SNDMORE : 0));
    }

    /** The largest chunk frame. */
    private static final int CHUNK_CHECK = 1 << 20;

    /**
     * The chunk size: 1 MiB ({@code distributed.comm.max-frame-bytes} if smaller). Small enough that
     * many peers' chunks arriving at once fit {@link FrameGuard}'s budget, big enough that a chunk
     * costs ZeroMQ nothing noticeable.
     */
    static int chunkBytes() {
        return (int) Math.min(Zmq.maxFrameBytes(), CHUNK_CHECK);
    }

    private static void writeValue(Out out, Object v, List<ByteBuffer> payloads, boolean local, int depth) {
        if (depth > MAX_DEPTH) throw new IllegalArgumentException("header nested deeper than " + MAX_DEPTH);
        if (v == null) out.b(NULL);
        else if (v instanceof Boolean b) out.b(b ? TRUE : FALSE);
        else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) out.b(LONG).zigzag(((Number) v).longValue());
        else if (v instanceof Double || v instanceof Float) out.b(DOUBLE).dbl(((Number) v).doubleValue());
        else if (v instanceof String s) out.b(STRING).str(s);
        else if (v instanceof Key k) {
            out.b(KEY).str(k.name()).varint(k.indexLength());
            for (int i = 0; i < k.indexLength(); i++) out.zigzag(k.index(i));
        } else if (v instanceof List<?> l) {
            out.b(LIST).varint(l.size());
            for (Object o : l) writeValue(out, o, payloads, local, depth + 1);
        } else if (v instanceof Map<?, ?> m) {
            out.b(MAP).varint(m.size());
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.str(String.valueOf(e.getKey()));
                writeValue(out, e.getValue(), payloads, local, depth + 1);
            }
        } else if (v instanceof Payload p) {
            if (local && p.hasValue()) {
                out.localRef(LOCAL, p); // the payload itself: its frame, if already encoded, travels too
            } else if (p.encodedSize() < 0 && p.hasValue() && RawChunks.splits(p.value(), chunkBytes())) {
                List<ByteBuffer> chunks = RawChunks.split(p.value(), chunkBytes()); // from the array: no byte[] of the whole value
                out.b(CHUNKED).varint(payloads.size()).varint(chunks.size());
                payloads.addAll(chunks);
            } else {
                byte[] b = p.bytes();
                int chunk = b.length > 1024 ? chunkBytes() : Integer.MAX_VALUE; // 1024: the smallest frame limit
                if (b.length <= INLINE_MAX && out.inlined + b.length <= INLINE_BUDGET) {
                    out.inlined += b.length;
                    out.b(INLINE).varint(b.length).raw(b);
                } else if (b.length <= chunk) {
                    out.b(PAYLOAD).varint(payloads.size());
                    payloads.add(ByteBuffer.wrap(b));
                } else { // one value, several frames: no frame over the receiver's limit
                    int n = (int) ((b.length + (long) chunk - 1) / chunk);
                    out.b(CHUNKED).varint(payloads.size()).varint(n);
                    for (int off = 0; off < b.length; off += chunk) payloads.add(ByteBuffer.wrap(b, off, Math.min(chunk, b.length - off)).slice());
                }
            }
        } else {
            throw new IllegalArgumentException("cannot put a " + v.getClass().getName() + " into a message header: " + v);
        }
    }

    // ------------------------------------------------------------------ receiving

    /**
     * Reads one multipart message: the identity (when {@code router}), then frames. Returns null
     * when nothing is waiting. Frames over {@code maxFrame} bytes fail before the header is parsed.
     */
    public static Received receive(ZMQ.Socket socket, boolean router, long maxFrame) {
        return rest(socket, router, socket.recv(ZMQ.DONTWAIT), maxFrame);
    }

    /**
     * Like {@link #receive(ZMQ.Socket, boolean, long)}, but waits at most {@code timeoutMs} for a
     * message (sets the socket's receive timeout): for a thread that owns a socket and waits on
     * it alone, without a poller.
     */
    public static Received receive(ZMQ.Socket socket, boolean router, long maxFrame, int timeoutMs) {
        socket.setReceiveTimeOut(timeoutMs);
        return rest(socket, router, socket.recv(0), maxFrame);
    }

    private static Received rest(ZMQ.Socket socket, boolean router, byte[] first, long maxFrame) {
        if (first == null) return null;
        List<byte[]> frames = new ArrayList<>(2);
        byte[] identity = null;
        if (router) identity = first;
        else frames.add(first);
        while (socket.hasReceiveMore()) frames.add(socket.recv(0));
        return new Received(identity, frames, maxFrame);
    }

    /** A raw message; {@link #decode} parses it. */
    public static final class Received {
        public final byte[] identity;
        final List<byte[]> frames;
        final long maxFrame;

        Received(byte[] identity, List<byte[]> frames, long maxFrame) {
            this.identity = identity;
            this.frames = frames;
            this.maxFrame = maxFrame;
        }

        /** Size of the header frame (message fields without payload frames); 0 if there is none. */
        public int headerBytes() {
            return frames.isEmpty() ? 0 : frames.get(0).length;
        }

        /** Parses the batch; {@code allowLocal} lets local-reference payloads through. */
        public List<Msg> decode(boolean allowLocal) {
            if (frames.isEmpty()) throw new WireException("message without a header frame");
            for (int i = 0; i < frames.size(); i++) {
                if (frames.get(i).length > maxFrame) {
                    throw new WireException("frame " + i + " has " + frames.get(i).length + " bytes, over the limit of " + maxFrame
                            + " (distributed.comm.max-frame-bytes)");
                }
            }
            ByteBuffer in = ByteBuffer.wrap(frames.get(0)).order(ByteOrder.LITTLE_ENDIAN);
            try {
                if (in.remaining() < 3 || in.get() != M0 || in.get() != M1) {
                    throw new WireException("not a jdask message (header does not start with 'JD')");
                }
                int version = in.get();
                if (version != VERSION) {
                    throw new WireException("protocol version " + version + " is not supported (this side speaks " + VERSION + ")");
                }
                int n = (int) varint(in);
                if (n < 0 || n > frames.get(0).length) throw new WireException("bad message count " + n);
                List<Msg> out = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    Op op = Op.of(in.get() & 0xff);
                    if (in.hasRemaining() && in.get(in.position()) == LOCAL_MESSAGE) { // a peek: a hostile header may end here
                        out.add(localMessage(in, op, allowLocal));
                        continue;
                    }
                    Object fields = readValue(in, allowLocal, 0);
                    if (!(fields instanceof List<?> l)) throw new WireException(op + ": fields are not a list");
                    @SuppressWarnings("unchecked")
                    List<Object> lf = (List<Object>) l;
                    out.add(new Msg(op, lf));
                }
                if (in.hasRemaining()) throw new WireException(in.remaining() + " stray bytes after the last message");
                return out;
            } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException e) {
                // every read past a hostile header's end is the sender's error, never this loop's crash
                if (e instanceof WireException w) throw w;
                throw new WireException("malformed header (" + frames.get(0).length + " bytes): " + e);
            }
        }

        /** A typed message passed by reference within this JVM (tag {@code LOCAL_MESSAGE}). */
        private static Msg localMessage(ByteBuffer in, Op op, boolean allowLocal) {
            in.get();
            if (!(takeLocal(in, allowLocal, "local message") instanceof Messages.Message msg)) throw new WireException("unknown local message");
            if (msg.op() != op) throw new WireException("local message is a " + msg.op() + ", the header says " + op);
            return new Msg(op, null, msg);
        }

        /** The object a local reference ({@link Out#localRef}) names, taken out of the table; refused from outside this JVM. */
        private static Object takeLocal(ByteBuffer in, boolean allowLocal, String what) {
            long id = Double.doubleToRawLongBits(in.getDouble());
            if (!allowLocal) throw new WireException(what + " from a peer outside this JVM refused");
            Object o = LOCAL_VALUES.remove(id);
            if (o == null) throw new WireException("unknown " + what + " " + id);
            return o;
        }

        private Object readValue(ByteBuffer in, boolean allowLocal, int depth) {
            if (depth > MAX_DEPTH) throw new WireException("header nested deeper than " + MAX_DEPTH);
            byte tag = in.get();
            switch (tag) {
                case NULL: return null;
                case TRUE: return Boolean.TRUE;
                case FALSE: return Boolean.FALSE;
                case LONG: return unzigzag(varint(in));
                case DOUBLE: return in.getDouble();
                case STRING: return readString(in);
                case KEY: {
                    String name = readString(in);
                    int n = checkedCount(in);
                    int[] idx = new int[n];
                    for (int i = 0; i < n; i++) idx[i] = (int) unzigzag(varint(in));
                    return Key.of(name, idx);
                }
                case LIST: {
                    int n = checkedCount(in);
                    List<Object> l = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) l.add(readValue(in, allowLocal, depth + 1));
                    return l;
                }
                case MAP: {
                    int n = checkedCount(in);
                    Map<String, Object> m = new LinkedHashMap<>();
                    for (int i = 0; i < n; i++) m.put(readString(in), readValue(in, allowLocal, depth + 1));
                    return m;
                }
                case INLINE: {
                    int n = checkedCount(in);
                    byte[] b = new byte[n];
                    in.get(b);
                    return Payload.ofBytes(b);
                }
                case PAYLOAD: {
                    int i = (int) varint(in) + 1;
                    if (i < 1 || i >= frames.size()) throw new WireException("payload frame " + (i - 1) + " is missing (" + (frames.size() - 1) + " payload frames)");
                    return Payload.ofBytes(frames.get(i));
                }
                case CHUNKED: {
                    int first = (int) varint(in) + 1;
                    long n = varint(in);
                    if (first < 1 || n < 2 || first + n > frames.size()) {
                        throw new WireException("chunked payload of " + n + " frames from frame " + (first - 1) + " is missing (" + (frames.size() - 1) + " payload frames)");
                    }
                    Payload direct = RawChunks.join(frames, first, (int) n); // an array: straight into its final array
                    if (direct != null) return direct;
                    long total = 0;
                    for (int i = first; i < first + n; i++) total += frames.get(i).length;
                    if (total > Integer.MAX_VALUE - 16) throw new WireException("chunked payload of " + total + " bytes is over 2 GB");
                    byte[] all = new byte[(int) total];
                    int at = 0;
                    for (int i = first; i < first + n; i++) {
                        byte[] f = frames.get(i);
                        System.arraycopy(f, 0, all, at, f.length);
                        at += f.length;
                    }
                    return Payload.ofBytes(all);
                }
                case LOCAL: {
                    if (!(takeLocal(in, allowLocal, "local reference") instanceof Payload p)) throw new WireException("unknown local reference");
                    return p;
                }
                default: throw new WireException("unknown header tag " + tag);
            }
        }

        private int checkedCount(ByteBuffer in) {
            long n = varint(in);
            if (n < 0 || n > in.remaining()) throw new WireException("count " + n + " exceeds the header's remaining " + in.remaining() + " bytes");
            return (int) n;
        }

        private String readString(ByteBuffer in) {
            int n = checkedCount(in);
            String s = new String(in.array(), in.position(), n, StandardCharsets.UTF_8);
            in.position(in.position() + n);
            return s;
        }
    }

    private static long varint(ByteBuffer in) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in.get();
            v |= (long) (b & 0x7f) << shift;
            if (b >= 0) return v;
        }
        throw new WireException("varint longer than 10 bytes");
    }

    private static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    /** A growable little-endian byte buffer. */
    private static final class Out {
        byte[] a;
        int n;
        /** Local-reference ids this header put in the table (taken out again if it is not sent). */
        final List<Long> locals = new ArrayList<>(0);

        Out(int cap) {
            a = new byte[cap];
        }

        private void ensure(int more) {
            if (n + more > a.length) a = Arrays.copyOf(a, Math.max(a.length * 2, n + more));
        }

        Out b(byte x) {
            ensure(1);
            a[n++] = x;
            return this;
        }

        Out varint(long v) {
            ensure(10);
            while ((v & ~0x7fL) != 0) {
                a[n++] = (byte) ((v & 0x7f) | 0x80);
                v >>>= 7;
            }
            a[n++] = (byte) v;
            return this;
        }

        Out zigzag(long v) {
            return varint((v << 1) ^ (v >> 63));
        }

        Out dbl(double d) {
            ensure(8);
            long l = Double.doubleToRawLongBits(d);
            for (int i = 0; i < 8; i++) a[n++] = (byte) (l >>> (8 * i));
            return this;
        }

        /** Bytes of inlined payloads so far (at most {@link #INLINE_BUDGET}). */
        int inlined;

        Out str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            varint(b.length);
            return raw(b);
        }

        /** A reference to {@code o} within this JVM under {@code tag}: an id in the table, dropped again if the send fails. */
        Out localRef(byte tag, Object o) {
            long id = REFS.getAndIncrement();
            LOCAL_VALUES.put(id, o);
            locals.add(id);
            return b(tag).dbl(Double.longBitsToDouble(id));
        }

        Out raw(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, a, n, b.length);
            n += b.length;
            return this;
        }

        byte[] bytes() {
            return Arrays.copyOf(a, n);
        }
    }
}

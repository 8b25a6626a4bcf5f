package org.jdask.distributed.internal.bulk;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * One end of a bulk connection: a TCP socket channel carrying <em>records</em> of at most
 * {@link #RECORD} bytes, each {@code int32 length} + body. With a key (security on, see
 * {@link #seal}) every body is sealed with AES-256-GCM from the JDK (hardware AES where the CPU has
 * it): the nonce is the direction and a per-direction record counter, so a record replayed,
 * reordered, cut or altered fails authentication. The key is fresh per connection and reached both
 * ends over the CurveZMQ channel that negotiated the connection ({@link BulkServer}), so the bulk
 * socket is as private and authenticated as ZeroMQ's, at the JDK's cipher speed instead of
 * JeroMQ's pure-Java one.
 *
 * <p>Buffers are direct: elements are copied from an array into the send buffer and from the
 * receive buffer into an array, and the kernel reads and writes those buffers itself (no heap copy
 * in between). Writers ask for {@link #room} before small fields, so a field never straddles two
 * records; readers ask with {@link #need}. Every wait for the socket has the link's timeout: a peer
 * that stops mid-transfer, or stops reading, fails the call, never hangs it.
 */
public final class BulkLink implements Closeable {
    /** The largest record body: values stream through buffers of this size, never a whole-value array. */
    public static final int RECORD = 1 << 20;
    private static final int TAG = 16;

    private final SocketChannel ch;
    private final Selector selector;
    private final SelectionKey selection;
    private final String peer;
    private final int timeoutMs;
    private SecretKeySpec key;
    private Cipher cipher;
    private final int sendDir, recvDir;
    private long sendSeq, recvSeq;
    private final ByteBuffer lenOut = ByteBuffer.allocateDirect(4), lenIn = ByteBuffer.allocateDirect(4);
    /** The largest record body on this link ({@link #RECORD} unless given). */
    private final int record;
    private final ByteBuffer w, inBody;
    private final ByteBuffer[] lenAndBody = new ByteBuffer[2];
    private ByteBuffer sealedOut, sealedIn;
    private ByteBuffer r;
    private long received;
    /** When the owner last finished a request on this link (the client's pool drops stale links). */
    volatile long lastUsed = System.currentTimeMillis();

    /**
     * A plain link over a connected channel (switched to non-blocking here).
     *
     * @param peer    how errors name the other end ({@code tcp://host:port})
     * @param client  which direction this end sends in (the two ends must differ)
     */
    public BulkLink(SocketChannel ch, String peer, boolean client, int timeoutMs) throws IOException {
        this(ch, peer, client, timeoutMs, RECORD);
    }

    /**
     * A link whose records hold at most {@code recordBytes} (both ends must agree): small buffers
     * for a link that carries short messages, such as a coordination channel.
     */
    public BulkLink(SocketChannel ch, String peer, boolean client, int timeoutMs, int recordBytes) throws IOException {
        if (recordBytes < 64 || recordBytes > RECORD) throw new IllegalArgumentException("record size must be 64.." + RECORD + " bytes, got " + recordBytes);
        this.record = recordBytes;
        this.w = ByteBuffer.allocateDirect(recordBytes).order(ByteOrder.LITTLE_ENDIAN);
        this.inBody = ByteBuffer.allocateDirect(recordBytes).order(ByteOrder.LITTLE_ENDIAN);
        this.r = inBody.duplicate().order(ByteOrder.LITTLE_ENDIAN).limit(0);
        this.ch = ch;
        this.peer = peer;
        this.timeoutMs = Math.max(1, timeoutMs);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.configureBlocking(false);
        this.selector = Selector.open();
        this.selection = ch.register(selector, 0);
        this.sendDir = client ? 0 : 1;
        this.recvDir = client ? 1 : 0;
    }

    /** From now on records are sealed with {@code key} (32 bytes of AES key); null leaves the link plain. */
    public void seal(byte[] key) throws IOException {
        if (key == null) return;
        CipherWarmup.start(); // once per JVM: a fresh JVM's first ~100 MiB would otherwise run interpreted
        this.key = new SecretKeySpec(key, "AES");
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IOException("this JDK has no AES/GCM cipher for the secured bulk channel: " + e, e);
        }
        sealedOut = ByteBuffer.allocateDirect(record + TAG);
        sealedIn = ByteBuffer.allocateDirect(record + TAG);
    }

    public String peer() {
        return peer;
    }

    public boolean secured() {
        return key != null;
    }

    /** The send buffer with at least {@code n} bytes free ({@code n <=} the record size), sending the current record first if needed. */
    public ByteBuffer room(int n) throws IOException {
        if (w.remaining() < n) flush();
        return w;
    }

    /** Sends the buffered bytes as one record (nothing when empty). */
    public void flush() throws IOException {
        if (w.position() == 0) return;
        w.flip();
        ByteBuffer body = w;
        if (cipher != null) {
            sealedOut.clear();
            try {
                cipher.init(Cipher.ENCRYPT_MODE, key, nonce(sendDir, sendSeq++));
                cipher.doFinal(w, sealedOut);
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot seal a bulk record for " + peer + ": " + e, e);
            }
            body = sealedOut.flip();
        }
        lenOut.clear();
        lenOut.putInt(body.remaining()).flip();
        lenAndBody[0] = lenOut;
        lenAndBody[1] = body;
        write(lenAndBody); // one write: the peer wakes once for the record, not for its length and then its body
        w.clear();
    }

    /** Writes raw bytes before any record (the session token); the peer reads them with {@link #readRaw}. */
    public void writeRaw(byte[] b) throws IOException {
        write(ByteBuffer.wrap(b));
    }

    public void readRaw(byte[] b) throws IOException {
        read(ByteBuffer.wrap(b), "its session token");
    }

    /**
     * The receive buffer with at least {@code n} bytes left in the current record, reading the next
     * record when this one is used up; a field split across records is a protocol error.
     */
    public ByteBuffer need(int n) throws IOException {
        if (!r.hasRemaining()) readRecord();
        if (r.remaining() < n) {
            throw new IOException("bulk record from " + peer + " ends " + r.remaining() + " bytes into a " + n + "-byte field (corrupt stream)");
        }
        return r;
    }

    /** Bytes of record bodies received so far (for error messages). */
    public long received() {
        return received;
    }

    private void readRecord() throws IOException {
        lenIn.clear();
        read(lenIn, "a record");
        int len = lenIn.flip().getInt();
        if (len <= 0 || len > record + (cipher != null ? TAG : 0)) {
            throw new IOException("bulk record of " + len + " bytes from " + peer + " (at most " + record + "): corrupt stream or not a jdask peer");
        }
        inBody.clear();
        if (cipher == null) {
            read(inBody.limit(len), "a record");
        } else {
            sealedIn.clear().limit(len);
            read(sealedIn, "a record");
            sealedIn.flip();
            try {
                cipher.init(Cipher.DECRYPT_MODE, key, nonce(recvDir, recvSeq++));
                cipher.doFinal(sealedIn, inBody);
            } catch (AEADBadTagException e) {
                throw new IOException("a bulk record from " + peer + " failed authentication (altered, replayed or wrong key)", e);
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot open a bulk record from " + peer + ": " + e, e);
            }
        }
        inBody.flip();
        received += inBody.remaining();
        r = inBody.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    private void read(ByteBuffer b, String what) throws IOException {
        while (b.hasRemaining()) {
            int n;
            try {
                n = ch.read(b);
            } catch (IOException e) {
                throw new IOException("the bulk connection to " + peer + " failed while reading " + what + ": " + e.getMessage(), e);
            }
            if (n < 0) throw new EOFException("the bulk connection to " + peer + " closed mid-transfer (reading " + what + ") after " + received + " bytes");
            if (n == 0) await(SelectionKey.OP_READ, "mid-transfer after " + received + " bytes");
        }
    }

    private void write(ByteBuffer b) throws IOException {
        lenAndBody[0] = b;
        lenAndBody[1] = ByteBuffer.allocate(0);
        write(lenAndBody);
    }

    private void write(ByteBuffer[] bs) throws IOException {
        while (bs[bs.length - 1].hasRemaining() || bs[0].hasRemaining()) {
            long n;
            try {
                n = ch.write(bs);
            } catch (IOException e) { // "Broken pipe", "Connection reset": say who
                throw new IOException("the bulk connection to " + peer + " failed while sending: " + e.getMessage(), e);
            }
            if (n == 0) await(SelectionKey.OP_WRITE, "taking bytes (it stopped reading)");
        }
    }

    /**
     * Waits at most {@code waitMs} until the peer has sent something (or closed): true if the next
     * {@link #need} will find bytes without waiting for them to start arriving; false on timeout
     * or {@link #wakeup}. For a thread that waits for the next request or reply in slices, checking
     * other things in between.
     */
    public boolean awaitReadable(long waitMs) throws IOException {
        if (r.hasRemaining()) return true;
        selection.interestOps(SelectionKey.OP_READ);
        try {
            return selector.select(Math.max(1, waitMs)) > 0;
        } finally {
            selector.selectedKeys().clear();
            if (selection.isValid()) selection.interestOps(0);
        }
    }

    /** Any thread: ends the owner's current or next {@link #awaitReadable} early. */
    public void wakeup() {
        selector.wakeup();
    }

    private void await(int op, String what) throws IOException {
        selection.interestOps(op);
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        try {
            while (selector.select(Math.max(1, (deadline - System.nanoTime()) / 1_000_000L)) == 0) {
                if (!ch.isOpen()) throw new EOFException("the bulk connection to " + peer + " was closed " + what);
                if (System.nanoTime() - deadline >= 0) {
                    throw new SocketTimeoutException("no progress from " + peer + " for " + timeoutMs + " ms " + what + " (distributed.comm.timeouts.tcp)");
                }
            }
        } finally {
            selector.selectedKeys().clear();
            if (selection.isValid()) selection.interestOps(0);
        }
    }

    private static GCMParameterSpec nonce(int dir, long seq) {
        byte[] iv = new byte[12];
        ByteBuffer.wrap(iv).putInt(dir).putLong(seq);
        return new GCMParameterSpec(TAG * 8, iv);
    }

    /** Whether the channel is still usable for another request. */
    public boolean isOpen() {
        return ch.isOpen();
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}

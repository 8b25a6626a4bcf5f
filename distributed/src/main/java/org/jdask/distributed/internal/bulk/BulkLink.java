package org.jdask.distributed.internal.bulk;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * One end of a bulk connection: a plain TCP socket carrying <em>records</em> of at most
 * {@link #RECORD} bytes, each {@code int32 length} + body. With a key (security on) every body is
 * sealed with AES-256-GCM from the JDK (hardware AES where the CPU has it): the nonce is the
 * direction and a per-direction record counter, so a record replayed, reordered, cut or altered
 * fails authentication. The key is fresh per connection and reached both ends over the CurveZMQ
 * channel that negotiated the connection ({@link BulkServer}), so the bulk socket is as private and
 * authenticated as ZeroMQ's, at the JDK's cipher speed instead of JeroMQ's pure-Java one.
 *
 * <p>Writers ask for {@link #room} before small fields, so a field never straddles two records;
 * readers ask with {@link #need} and get the current record, reading the next one when it is used up.
 * Every read has the socket's timeout: a peer that stops mid-transfer fails the read, never hangs it.
 */
public final class BulkLink implements Closeable {
    /** The largest record body: values stream through buffers of this size, never a whole-value array. */
    public static final int RECORD = 1 << 20;
    private static final int TAG = 16;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final String peer;
    private final SecretKeySpec key;
    private final Cipher cipher;
    private final int sendDir, recvDir;
    private long sendSeq, recvSeq;
    private final byte[] wire;
    private final byte[] outBody = new byte[RECORD];
    private final ByteBuffer w = ByteBuffer.wrap(outBody).order(ByteOrder.LITTLE_ENDIAN);
    private final byte[] inWire;
    private final byte[] inBody = new byte[RECORD];
    private ByteBuffer r = ByteBuffer.wrap(inBody, 0, 0).order(ByteOrder.LITTLE_ENDIAN);
    private long received;
    /** When the owner last finished a request on this link (the client's pool drops stale links). */
    volatile long lastUsed = System.currentTimeMillis();

    /**
     * @param peer    how errors name the other end ({@code tcp://host:port})
     * @param key     32 bytes of AES key, or null for a plain link
     * @param client  which direction this end sends in (the two ends must differ)
     */
    public BulkLink(Socket socket, String peer, byte[] key, boolean client, int timeoutMs) throws IOException {
        this.socket = socket;
        this.peer = peer;
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(Math.max(1, timeoutMs));
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.sendDir = client ? 0 : 1;
        this.recvDir = client ? 1 : 0;
        this.wire = new byte[key == null ? 4 : 4 + RECORD + TAG];
        this.inWire = key == null ? null : new byte[RECORD + TAG];
        if (key == null) {
            this.key = null;
            this.cipher = null;
        } else {
            this.key = new SecretKeySpec(key, "AES");
            try {
                this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
            } catch (GeneralSecurityException e) {
                throw new IOException("this JDK has no AES/GCM cipher for the secured bulk channel: " + e, e);
            }
        }
    }

    public String peer() {
        return peer;
    }

    public boolean secured() {
        return key != null;
    }

    /** The send buffer with at least {@code n} bytes free ({@code n <= RECORD}), sending the current record first if needed. */
    public ByteBuffer room(int n) throws IOException {
        if (w.remaining() < n) flush();
        return w;
    }

    /** Sends the buffered bytes as one record (nothing when empty). */
    public void flush() throws IOException {
        int n = w.position();
        if (n == 0) return;
        int len = n;
        if (cipher != null) {
            try {
                cipher.init(Cipher.ENCRYPT_MODE, key, nonce(sendDir, sendSeq++));
                len = cipher.doFinal(outBody, 0, n, wire, 4);
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot seal a bulk record for " + peer + ": " + e, e);
            }
        }
        wire[0] = (byte) (len >>> 24);
        wire[1] = (byte) (len >>> 16);
        wire[2] = (byte) (len >>> 8);
        wire[3] = (byte) len;
        if (cipher != null) out.write(wire, 0, 4 + len);
        else { // plain: the body goes from the buffer it was built in
            out.write(wire, 0, 4);
            out.write(outBody, 0, n);
        }
        out.flush();
        w.clear();
    }

    /** Writes raw bytes before any record (the session token); the peer reads them with {@link #readRaw}. */
    public void writeRaw(byte[] b) throws IOException {
        out.write(b);
        out.flush();
    }

    public void readRaw(byte[] b) throws IOException {
        try {
            in.readFully(b);
        } catch (EOFException e) {
            throw new EOFException("the bulk connection from " + peer + " closed before its session token");
        }
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
        int len;
        try {
            len = in.readInt();
            if (len <= 0 || len > RECORD + (cipher != null ? TAG : 0)) {
                throw new IOException("bulk record of " + len + " bytes from " + peer + " (at most " + RECORD + "): corrupt stream or not a jdask peer");
            }
            in.readFully(cipher != null ? inWire : inBody, 0, len);
        } catch (EOFException e) {
            throw new EOFException("the bulk connection to " + peer + " closed mid-transfer after " + received + " bytes");
        } catch (SocketTimeoutException e) {
            throw new SocketTimeoutException("no bytes from " + peer + " for " + socket.getSoTimeout() + " ms mid-transfer after " + received
                    + " bytes (distributed.comm.timeouts.tcp)");
        }
        int n = len;
        if (cipher != null) {
            try {
                cipher.init(Cipher.DECRYPT_MODE, key, nonce(recvDir, recvSeq++));
                n = cipher.doFinal(inWire, 0, len, inBody, 0);
            } catch (AEADBadTagException e) {
                throw new IOException("a bulk record from " + peer + " failed authentication (altered, replayed or wrong key)", e);
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot open a bulk record from " + peer + ": " + e, e);
            }
        }
        received += n;
        r = ByteBuffer.wrap(inBody, 0, n).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static GCMParameterSpec nonce(int dir, long seq) {
        byte[] iv = new byte[12];
        ByteBuffer.wrap(iv).putInt(dir).putLong(seq);
        return new GCMParameterSpec(TAG * 8, iv);
    }

    /** Whether the socket is still usable for another request. */
    public boolean isOpen() {
        return !socket.isClosed();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}

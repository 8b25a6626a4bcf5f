package org.jdask.distributed;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.jdask.testing.Await;

/**
 * ZMTP 3 byte sequences (rfc.zeromq.org/spec/23) written by hand on a plain TCP socket, for tests
 * where every byte matters: the greeting, the READY command, and frame headers with any size.
 */
final class RawZmtp {
    private RawZmtp() {}

    /** {@code ff 00*8 7f 03 00 MECHANISM(padded to 20) 00(as-server) 00*31}: 64 bytes. */
    static byte[] greeting(String mechanism) {
        byte[] g = new byte[64];
        g[0] = (byte) 0xff;
        g[9] = 0x7f;
        g[10] = 3;
        byte[] m = mechanism.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(m, 0, g, 12, m.length);
        return g;
    }

    /** {@code 04 LEN 05 "READY" 0b "Socket-Type" 00 00 00 LEN TYPE}: a short command frame. */
    static byte[] ready(String socketType) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(5);
        body.writeBytes("READY".getBytes(StandardCharsets.US_ASCII));
        body.write(11);
        body.writeBytes("Socket-Type".getBytes(StandardCharsets.US_ASCII));
        byte[] t = socketType.getBytes(StandardCharsets.US_ASCII);
        body.writeBytes(new byte[] {0, 0, 0, (byte) t.length});
        body.writeBytes(t);
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(0x04);
        f.write(body.size());
        f.writeBytes(body.toByteArray());
        return f.toByteArray();
    }

    /** A long data frame's header: flags {@code 02} (| {@code 01} for more), then the 8-byte size, big-endian. */
    static byte[] longFrameHeader(long size, boolean more) {
        byte[] h = new byte[9];
        h[0] = (byte) (0x02 | (more ? 1 : 0));
        for (int i = 0; i < 8; i++) h[1 + i] = (byte) (size >>> (56 - 8 * i));
        return h;
    }

    /** {@code 02 ff ff ff ff ff ff ff ff}: a frame of size 2^64-1, read by JeroMQ 0.6.0 as -1. */
    static final byte[] NEGATIVE = longFrameHeader(-1L, false);

    /** {@code tcp://HOST:PORT} to a socket address. */
    static InetSocketAddress address(String tcp) {
        String hp = tcp.substring("tcp://".length());
        int colon = hp.lastIndexOf(':');
        return new InetSocketAddress(hp.substring(0, colon), Integer.parseInt(hp.substring(colon + 1)));
    }

    /**
     * Connects to {@code tcp} and writes {@code parts}; the caller closes the socket (or keeps it
     * open). A peer that hangs up part-way (it refused the greeting) is no error.
     */
    static Socket send(String tcp, byte[]... parts) throws IOException {
        Socket s = new Socket();
        s.connect(address(tcp), 5_000);
        s.setSoTimeout(5_000);
        try {
            OutputStream out = s.getOutputStream();
            for (byte[] p : parts) out.write(p);
            out.flush();
        } catch (SocketException hungUp) {
            // refused: what a secured port does to a plaintext greeting
        }
        return s;
    }

    /** Resident memory of process {@code pid} in bytes (VmRSS of /proc/PID/status). */
    static long rss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
        throw new IOException("no VmRSS in /proc/" + pid + "/status");
    }

    /** Waits until {@code done} holds, failing with {@code what} after {@code ms} ({@link Await#until}). */
    static void await(BooleanSupplier done, long ms, String what) throws InterruptedException {
        Await.until(done, Duration.ofMillis(ms), what);
    }
}

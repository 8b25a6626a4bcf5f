package org.jdask.distributed.internal.bulk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jdask.array.NDArray;
import org.jdask.distributed.internal.Payload;
import org.jdask.distributed.internal.bulk.BulkServer.Ticket;
import org.jdask.graph.Key;
import org.jdask.serialize.Codecs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bulk channel on real loopback sockets: values of every raw type and sizes around the 1 MiB
 * record boundary both ways, plain and sealed; a peer that cuts a transfer short or goes silent
 * fails the call naming its host:port and the key (no hang); a wrong key fails authentication;
 * a connection without an open session gets nothing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BulkChannelTest {
    static final int MIB = 1 << 20;

    /** A store over a map, as a worker's data is. */
    static BulkServer.Store store(Map<Key, Payload> m) {
        return new BulkServer.Store() {
            @Override
            public Payload get(Key k) {
                return m.get(k);
            }

            @Override
            public List<Long> put(List<Key> keys, List<Payload> values) {
                List<Long> out = new ArrayList<>();
                for (int i = 0; i < keys.size(); i++) {
                    m.put(keys.get(i), values.get(i));
                    out.add(1L);
                }
                return out;
            }
        };
    }

    static double[] doubles(int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = i * 0.5 - 7;
        return a;
    }

    static byte[] bytes(int n) {
        byte[] a = new byte[n];
        for (int i = 0; i < n; i++) a[i] = (byte) (i * 31 + 7);
        return a;
    }

    void roundTrip(boolean secure) throws Exception {
        Map<Key, Payload> held = new ConcurrentHashMap<>();
        try (BulkServer server = new BulkServer("127.0.0.1", store(held), secure, "test-worker", 30_000);
             BulkClient client = new BulkClient(w -> server.open(), 30_000)) {
            List<Key> keys = new ArrayList<>();
            List<Object> values = new ArrayList<>();
            for (int n : new int[] {0, 1, MIB - 1, MIB, MIB + 1, MIB - 5, MIB - 13}) values.add(bytes(n)); // bytes around the record size
            for (int n : new int[] {0, 1, MIB / 8 - 1, MIB / 8, MIB / 8 + 1, 3 * MIB / 8 + 1}) values.add(doubles(n));
            values.add(new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE});
            values.add(new int[] {-1, 2, 3});
            values.add(new boolean[] {true, false, true});
            values.add(List.of("a", "list", 3)); // a Fory frame
            values.add(null);
            values.add(Codecs.encode(doubles(MIB / 4))); // a byte[] that is itself an array's frame
            // NDArray blocks travel split (head + their own elements): a view, a bool block, one over a record, an empty one
            values.add(NDArray.of(doubles(3 * (MIB / 8 + 1)), 3, MIB / 8 + 1, 1).transpose(2, 0, 1)); // not contiguous: copied once
            values.add(NDArray.of(new boolean[] {true, false, false}, 3));
            values.add(NDArray.of(new long[] {Long.MIN_VALUE, 1}, 1, 2));
            values.add(NDArray.of(doubles(MIB / 8 + 1), MIB / 8 + 1));
            values.add(NDArray.of(new double[0], 0, 4));
            for (int i = 0; i < values.size(); i++) keys.add(Key.of("v", i));
            List<Payload> ps = new ArrayList<>();
            for (Object v : values) ps.add(Payload.ofValue(v));
            assertEquals(values.size(), client.put("tcp://127.0.0.1:1", keys, ps).size());
            for (int i = 0; i < values.size(); i++) {
                if (values.get(i) instanceof NDArray) assertTrue(held.get(keys.get(i)).hasValue(), "NDArray " + i + " arrived as bytes, not into its array");
            }
            for (int i = 0; i < values.size(); i++) assertSame(values.get(i), held.get(keys.get(i)).value(), "stored " + i);
            // served from stored bytes too (a worker keeps frames that came over ZeroMQ as bytes)
            held.put(Key.of("asbytes"), Payload.ofBytes(Codecs.encode(doubles(MIB / 8 + 3))));
            List<Key> ask = new ArrayList<>(keys);
            ask.add(Key.of("asbytes"));
            ask.add(Key.of("absent"));
            BulkProtocol.Got g = client.get("tcp://127.0.0.1:1", ask);
            for (int i = 0; i < values.size(); i++) assertSame(values.get(i), g.found().get(keys.get(i)).value(), "gathered " + i);
            assertArrayEquals(doubles(MIB / 8 + 3), (double[]) g.found().get(Key.of("asbytes")).value());
            assertEquals(List.of(Key.of("absent")), g.missing());
            // the connection is kept and reused
            assertEquals(1, client.get("tcp://127.0.0.1:1", List.of(keys.get(0))).found().size());
        }
    }

    static void assertSame(Object expected, Object actual, String what) {
        if (expected == null) assertNull(actual, what);
        else if (expected instanceof byte[] e) assertArrayEquals(e, (byte[]) actual, what);
        else if (expected instanceof double[] e) assertArrayEquals(e, (double[]) actual, what);
        else if (expected instanceof long[] e) assertArrayEquals(e, (long[]) actual, what);
        else if (expected instanceof int[] e) assertArrayEquals(e, (int[]) actual, what);
        else if (expected instanceof boolean[] e) assertArrayEquals(e, (boolean[]) actual, what);
        else assertEquals(expected, actual, what);
    }

    @Test
    void valuesRoundTripPlain() throws Exception {
        roundTrip(false);
    }

    @Test
    void valuesRoundTripSealed() throws Exception {
        roundTrip(true);
        // a sealed link started the JVM's one cipher warm-up (AES-GCM compiled before big transfers), which ends
        assertTrue(CipherWarmup.await(60_000), "the AES-GCM warm-up did not finish within 60 s");
    }

    /** A fake worker bulk port: reads the token and a request, then does {@code answer}. */
    static ServerSocket fakeWorker(Consumer<Socket> answer) throws IOException {
        ServerSocket ss = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try (Socket s = ss.accept()) {
                DataInputStream in = new DataInputStream(s.getInputStream());
                in.readFully(new byte[BulkProtocol.TOKEN]);
                int len = in.readInt();
                in.readFully(new byte[len]);
                answer.accept(s);
            } catch (IOException ignored) {
                // the test's side reports
            }
        });
        t.setDaemon(true);
        t.start();
        return ss;
    }

    /** Writes {@link #truncatedReply} of {@code elements} as one frame said to be {@code extra} bytes longer. */
    static void sendTruncated(Socket s, int elements, int extra) throws IOException {
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        byte[] r = truncatedReply(elements);
        out.writeInt(r.length + extra);
        out.write(r);
        out.flush();
    }

    /** A record: 'D', found, an 8 MB double[] frame's header and only {@code elements} of its elements. */
    static byte[] truncatedReply(int elements) {
        ByteBuffer b = ByteBuffer.allocate(1 + 1 + 8 + 5 + elements * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'D').put((byte) 1).putLong(5 + 8L * MIB).put((byte) 1).putInt(MIB);
        for (int i = 0; i < elements; i++) b.putDouble(i);
        return b.array();
    }

    static Ticket ticket(ServerSocket ss) {
        return new Ticket(ss.getLocalPort(), HexFormat.of().formatHex(new byte[BulkProtocol.TOKEN]), null);
    }

    @Test
    void aTransferCutShortFailsNamingTheWorkerAndTheKey() throws Exception {
        try (ServerSocket ss = fakeWorker(s -> {
            try {
                sendTruncated(s, 1000, 0); // then the socket closes: 8 MB promised, 8 KB sent
            } catch (IOException ignored) {
                // reported by the client
            }
        }); BulkClient client = new BulkClient(w -> ticket(ss), 30_000)) {
            IOException e = assertThrows(IOException.class, () -> client.get("tcp://127.0.0.1:9", List.of(Key.of("big-key", 3))));
            assertTrue(e.getMessage().contains("127.0.0.1:" + ss.getLocalPort()), e.getMessage());
            assertTrue(e.getMessage().contains("('big-key', 3)") || e.getMessage().contains("big-key"), e.getMessage());
            assertTrue(e.getMessage().contains("closed mid-transfer"), e.getMessage());
        }
    }

    @Test
    void aSilentPeerFailsWithinTheTimeoutNamingTheWorkerAndTheKey() throws Exception {
        try (ServerSocket ss = fakeWorker(s -> {
            try {
                sendTruncated(s, 10, 1000); // promises more than it sends, then stays silent
                Thread.sleep(10_000);
            } catch (IOException | InterruptedException ignored) {
                // reported by the client
            }
        }); BulkClient client = new BulkClient(w -> ticket(ss), 500)) {
            long t0 = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> client.get("tcp://127.0.0.1:9", List.of(Key.of("quiet-key"))));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(8), "the read waited for the peer instead of its timeout");
            assertTrue(e.getMessage().contains("127.0.0.1:" + ss.getLocalPort()), e.getMessage());
            assertTrue(e.getMessage().contains("quiet-key"), e.getMessage());
            assertTrue(e.getMessage().contains("distributed.comm.timeouts.tcp"), e.getMessage());
        }
    }

    @Test
    void aWrongKeyFailsAuthenticationAndAnUnknownTokenGetsNothing() throws Exception {
        Map<Key, Payload> held = new ConcurrentHashMap<>();
        held.put(Key.of("x"), Payload.ofValue(doubles(10)));
        try (BulkServer server = new BulkServer("127.0.0.1", store(held), true, "test-worker", 30_000)) {
            try (BulkClient wrongKey = new BulkClient(w -> {
                Ticket t = server.open();
                return new Ticket(t.port(), t.token(), HexFormat.of().formatHex(new byte[32]));
            }, 30_000)) {
                IOException e = assertThrows(IOException.class, () -> wrongKey.get("tcp://127.0.0.1:1", List.of(Key.of("x"))));
                assertTrue(e.getMessage().contains("127.0.0.1:" + server.port()), e.getMessage());
            }
            try (BulkClient noSession = new BulkClient(w -> new Ticket(server.port(), HexFormat.of().formatHex(new byte[16]), null), 30_000)) {
                IOException e = assertThrows(IOException.class, () -> noSession.get("tcp://127.0.0.1:1", List.of(Key.of("x"))));
                // closed without a byte: seen as a close, a reset or a broken pipe depending on timing
                assertTrue(e.getMessage().contains("127.0.0.1:" + server.port()), e.getMessage());
            }
            try (BulkClient good = new BulkClient(w -> server.open(), 30_000)) { // the server still serves
                assertArrayEquals(doubles(10), (double[]) good.get("tcp://127.0.0.1:1", List.of(Key.of("x"))).found().get(Key.of("x")).value());
            }
        }
    }

    @Test
    void aScatterCutShortStoresNothingAndTheWorkerServesOn() throws Exception {
        Map<Key, Payload> held = new ConcurrentHashMap<>();
        try (BulkServer server = new BulkServer("127.0.0.1", store(held), false, "test-worker", 30_000)) {
            Ticket t = server.open();
            try (BulkLink l = new BulkLink(SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), t.port())), "test", true, 30_000)) {
                l.writeRaw(HexFormat.of().parseHex(t.token()));
                BulkFrames.writeByte(l, (byte) 'P');
                BulkFrames.writeInt(l, 2); // promises two values
                BulkFrames.writeKey(l, Key.of("first"));
                BulkFrames.writeValue(l, Payload.ofValue(doubles(MIB / 4)));
                l.flush(); // and closes before the second
            }
            try (BulkClient good = new BulkClient(w -> server.open(), 30_000)) {
                assertEquals(List.of(Key.of("first")), good.get("tcp://127.0.0.1:1", List.of(Key.of("first"))).missing());
            }
            assertTrue(held.isEmpty(), "a scatter cut short stored " + held.keySet());
        }
    }
}

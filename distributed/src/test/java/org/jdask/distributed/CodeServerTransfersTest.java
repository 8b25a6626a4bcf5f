package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.jdask.Config;
import org.jdask.distributed.internal.Zap;
import org.jdask.distributed.internal.Zmq;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * A client's code server keeps answering while a large jar transfer is stuck (issue 16): the test
 * plays the scheduler's code relay (a CurveZMQ ROUTER the client's {@link CodeServer} dials out to)
 * and asks the client to push a jar onto a "bulk port" that accepts the connection and never
 * reads, so the push cannot finish. Other workers' ping, manifest and class requests must still be
 * answered while it hangs; with {@code distributed.client.code-transfers: 1} a second transfer (a
 * plain {@code jar}) waits for the first — transfers are bounded — and is answered, with the right
 * bytes, once the stuck one fails. Before transfers left the socket's thread, every request waited
 * behind the push (and a worker's liveness ping timing out drops the client's code loader).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CodeServerTransfersTest {
    @TempDir
    Path tmp;

    @Test
    void aStuckJarPushHoldsUpNoOtherRequestAndTransfersAreBounded() throws Exception {
        Security sec = Security.temporary();
        byte[] jarBytes = bigJar(tmp.resolve("big.jar"), 4 << 20);
        CodeOffer offer = new CodeOffer(List.of(getClass().getClassLoader()));
        offer.add(tmp.resolve("big.jar"));
        ZMQ.Socket relay = Zmq.socket(SocketType.ROUTER, Long.MAX_VALUE);
        Zap.Policy zap = sec.dataServer(relay, "test relay");
        List<Socket> held = new ArrayList<>();
        CodeServer server = null;
        try (ServerSocket blackhole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int relayPort = relay.bindToRandomPort("tcp://127.0.0.1");
            CompletableFuture<CodeServer> starting = CompletableFuture.supplyAsync(() -> { // it waits for the relay's answer to its hello
                try (var one = Config.set(CodeRequests.TRANSFERS_KEY, 1)) {
                    return CodeServer.startRelayed(sec, "tcp://127.0.0.1:" + relayPort, offer);
                }
            });
            relay.setReceiveTimeOut(1_000);
            byte[] client = null;
            for (long end = System.currentTimeMillis() + 30_000; client == null && System.currentTimeMillis() < end; ) {
                List<byte[]> m = recv(relay);
                if (m != null && m.size() == 2 && "hello".equals(str(m.get(1)))) client = m.get(0);
            }
            assertTrue(client != null, "the code server attached to the relay");
            relay.sendMore(client);
            relay.send(CodeRelay.HELLO);
            server = starting.get(30, TimeUnit.SECONDS);

            ask(relay, client, "w1", "manifest", "manifest", "");
            String manifest = str(expect(relay, "manifest", 30).body);
            String index = manifest.lines().filter(l -> l.contains("\tbig.jar\t")).map(l -> l.split("\t")[0]).findFirst().orElseThrow();
            ask(relay, client, "w1", "hash", "hash", index);
            String hash = str(expect(relay, "hash", 30).body);
            assertEquals(CodeOffer.sha256(jarBytes), hash);

            // the push: the "relay's bulk port" takes the connection and never reads or answers
            CompletableFuture<Void> connected = new CompletableFuture<>();
            Thread acceptor = new Thread(() -> {
                try {
                    Socket s = blackhole.accept();
                    synchronized (held) {
                        held.add(s);
                    }
                    connected.complete(null);
                } catch (IOException e) {
                    connected.completeExceptionally(e);
                }
            }, "blackhole");
            acceptor.setDaemon(true);
            acceptor.start();
            ask(relay, client, "w1", "push", CodeBulk.PUSH, hash + " " + blackhole.getLocalPort() + " 0011223344556677 null");
            connected.get(60, TimeUnit.SECONDS);
            ask(relay, client, "w2", "jar", "jar", hash); // a second transfer: waits for the stuck one (1 transfer thread)
            ask(relay, client, "w3", "ping", "ping", "");
            ask(relay, client, "w4", "manifest again", "manifest", "");
            ask(relay, client, "w5", "class", "class", "no.such.Klass");

            List<String> order = new ArrayList<>();
            for (int i = 0; i < 3; i++) order.add(next(relay, 60).rid);
            assertEquals(List.of("class", "manifest again", "ping"), order.stream().sorted().toList(),
                    "ping, manifest and class answered while the push hangs (got " + order + ")");

            synchronized (held) { // the bulk port gives up: the push fails, and the queued transfer runs
                for (Socket s : held) s.close();
            }
            Reply push = next(relay, 60);
            assertEquals("push", push.rid, "the stuck push is answered first");
            assertEquals("error", push.status, "the push failed: " + str(push.body));
            Reply jar = next(relay, 60);
            assertEquals("jar", jar.rid);
            assertEquals("ok", jar.status, str(jar.body));
            assertArrayEquals(jarBytes, jar.body);
        } finally {
            if (server != null) server.stop();
            zap.label("closed test relay");
            Zmq.close(relay);
        }
    }

    @Test
    void aTransferBoundBelowOneIsRefusedNamingTheOption() {
        try (var zero = Config.set(CodeRequests.TRANSFERS_KEY, 0)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CodeServer.startRelayed(Security.temporary(), "tcp://127.0.0.1:1", new CodeOffer(List.of())));
            assertTrue(e.getMessage().contains(CodeRequests.TRANSFERS_KEY) && e.getMessage().contains("got 0"), e.getMessage());
        }
    }

    private record Reply(String worker, String rid, String status, byte[] body) {}

    /** Sends {@code [client][worker][rid][op][arg]}, as the relay passes a worker's request on. */
    private static void ask(ZMQ.Socket relay, byte[] client, String worker, String rid, String op, String arg) {
        relay.sendMore(client);
        relay.sendMore(worker);
        relay.sendMore(rid);
        relay.sendMore(op);
        relay.send(arg);
    }

    /** The next answer {@code [client][answer][worker][rid][status][body]} within {@code seconds}. */
    private static Reply next(ZMQ.Socket relay, int seconds) {
        for (long end = System.currentTimeMillis() + seconds * 1000L; System.currentTimeMillis() < end; ) {
            List<byte[]> m = recv(relay);
            if (m == null || m.size() != 6 || !"answer".equals(str(m.get(1)))) continue;
            return new Reply(str(m.get(2)), str(m.get(3)), str(m.get(4)), m.get(5));
        }
        throw new AssertionError("no answer from the client's code server within " + seconds + " s");
    }

    private static Reply expect(ZMQ.Socket relay, String rid, int seconds) {
        Reply r = next(relay, seconds);
        assertEquals(rid, r.rid);
        assertEquals("ok", r.status, str(r.body));
        return r;
    }

    private static List<byte[]> recv(ZMQ.Socket s) {
        byte[] first = s.recv();
        if (first == null) return null;
        List<byte[]> m = new ArrayList<>(List.of(first));
        while (s.hasReceiveMore()) m.add(s.recv());
        return m;
    }

    private static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** A jar of one stored entry of {@code size} random bytes (a class file name, so the offer lists its package); its bytes. */
    private static byte[] bigJar(Path file, int size) throws IOException {
        byte[] filler = new byte[size];
        new Random(16).nextBytes(filler);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(file))) {
            out.putNextEntry(new JarEntry("bigjar/Filler.class"));
            out.write(filler);
            out.closeEntry();
        }
        return Files.readAllBytes(file);
    }
}

package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdask.Config;
import org.jdask.distributed.internal.Zmq;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * Code shipping through the scheduler's {@link CodeRelay} (issue 16): a client whose code server
 * binds no port at all (it only dials out to the relay) still gets its classes to a worker; a jar
 * passed on once is served by the relay itself after the client is gone; a worker asking for an
 * absent client gets an error naming the client and the relay. The whole path on a cluster with
 * worker JVMs runs in {@link CodeShippingTest} (the relay is the default route).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CodeRelayTest {
    @TempDir
    Path tmp;

    @Test
    void aClientThatServesNoPortShipsThroughTheRelayWhichCachesJars() throws Exception {
        Security sec = Security.temporary();
        Path classes = tmp.resolve("classes");
        CodeShippingTest.compile("shipped.Greeter", CodeShippingTest.GREETER.formatted("relayed"), classes);
        ClassLoader app = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader());
        try (CodeRelay relay = CodeRelay.start(sec, "127.0.0.1")) {
            String relayAddress = CodeRelay.announced(relay, "127.0.0.1");
            String scheduler = "tcp://127.0.0.1:1"; // a worker finds the relay at its scheduler's host
            CodeServer server = CodeServer.startRelayed(sec, relayAddress, new CodeOffer(List.of(app)));
            String ref = server.ref();
            String[] f = ref.split("\\|");
            try {
                assertEquals(CodeServer.RELAY_PREFIX + relayAddress, f[1], "no port of the client's own: " + ref);
                ClientCode worker;
                try (var space = Config.set("distributed.worker.local-directory", tmp.resolve("space").toString())) {
                    worker = ClientCode.forWorker(sec, scheduler); // an empty code cache: the jar must cross the relay
                }
                Class<?> g = Class.forName("shipped.Greeter", true, worker.loaderOf(ref));
                assertEquals("Greeting[text=relayed 5, n=5]", g.getMethod("greet", Integer.class).invoke(null, 5).toString());
            } finally {
                server.stop();
            }
            // the jar the worker fetched stays at the relay: another worker gets it with the client gone
            String hash = CodeOffer.sha256(CodeOffer.pack(classes));
            try (CodeClient other = CodeClient.of(f[1], f[0], scheduler, sec, 10_000)) {
                assertArrayEquals(CodeOffer.pack(classes), other.request("jar", hash));
                IOException gone = assertThrows(IOException.class, () -> other.request("manifest", ""));
                assertTrue(gone.getMessage().contains("client " + f[0] + " has no code connection to the scheduler")
                        && gone.getMessage().contains("relay tcp://127.0.0.1:" + relay.port()), gone.getMessage());
            }
        }
    }

    @Test
    void workersAskingForAJarOnItsWayWaitForItInsteadOfAskingTheClientAgain() throws Exception {
        Security sec = Security.temporary();
        byte[] jar = new byte[1 << 20];
        new java.util.Random(7).nextBytes(jar);
        String hash = CodeOffer.sha256(jar);
        try (CodeRelay relay = CodeRelay.start(sec, "127.0.0.1")) {
            String relayAddress = CodeRelay.announced(relay, "127.0.0.1");
            // the client: attached to the relay, it counts the jar requests it gets
            ZMQ.Socket client = Zmq.socket(SocketType.DEALER, Long.MAX_VALUE);
            try (CodeClient w1 = CodeClient.of(CodeServer.RELAY_PREFIX + relayAddress, "fake-client", "tcp://127.0.0.1:1", sec, 60_000);
                 CodeClient w2 = CodeClient.of(CodeServer.RELAY_PREFIX + relayAddress, "fake-client", "tcp://127.0.0.1:1", sec, 60_000)) {
                client.setIdentity(CodeServer.bytes("fake-client"));
                sec.toWorker(client);
                client.connect(relayAddress);
                client.send(CodeRelay.HELLO);
                attached(client);
                client.setReceiveTimeOut(30_000);
                CompletableFuture<byte[]> first = fetch(w1, hash), second;
                List<byte[]> push = recv(client);
                assertEquals(CodeBulk.PUSH, new String(push.get(2), StandardCharsets.UTF_8), "the first worker's ask reached the client");
                second = fetch(w2, hash); // asks while the client has not sent the jar yet
                client.setReceiveTimeOut(20);
                for (long end = System.currentTimeMillis() + 30_000; relay.waiting(hash) < 1; ) {
                    List<byte[]> again = recv(client);
                    assertEquals(null, again, "the second worker's ask must wait for the jar on its way, not reach the client again");
                    assertTrue(System.currentTimeMillis() < end, "the second worker never asked");
                }
                // the client pushes the jar onto the relay's bulk port and answers the one request
                String arg = new String(push.get(3), StandardCharsets.UTF_8);
                CodeBulk.push(relayAddress, arg.substring(arg.indexOf(' ') + 1), hash, jar, 30_000);
                client.sendMore(CodeRelay.ANSWER);
                client.sendMore(push.get(0));
                client.sendMore(push.get(1));
                client.sendMore(CodeServer.OK);
                client.send("pushed");
                assertArrayEquals(jar, first.get(60, TimeUnit.SECONDS));
                assertArrayEquals(jar, second.get(60, TimeUnit.SECONDS), "the waiting worker got it from the relay's cache");
                client.setReceiveTimeOut(300);
                assertEquals(null, recv(client), "the jar crossed the client's link once");
            } finally {
                Zmq.close(client);
            }
        }
    }

    @Test
    void aFetchUnderWayHoldsOthersBackUntilDoneOrStale() {
        JarWaiters w = new JarWaiters(1_000);
        JarWaiters.Waiter a = new JarWaiters.Waiter(new byte[] {1}, new byte[] {1}, true), b = new JarWaiters.Waiter(new byte[] {2}, new byte[] {2}, false);
        assertTrue(w.ask("h", a, 0), "the first ask goes to the client");
        assertTrue(!w.ask("h", b, 10) && w.waiting("h") == 1, "the second waits");
        assertTrue(w.ask("other", b, 10), "another jar is independent");
        assertEquals(List.of(b), w.done("h"));
        assertTrue(w.ask("h", a, 20), "after done, the next ask goes to the client again");
        JarWaiters.Waiter c = new JarWaiters.Waiter(new byte[] {3}, new byte[] {3}, false);
        assertTrue(!w.ask("h", c, 30), "c waits for a's fetch");
        assertTrue(w.ask("h", b, 1_020), "a fetch unanswered for staleMs holds nobody back");
        assertEquals(List.of(c), w.done("h"), "who waited for the stale fetch is answered with the new one");
        assertEquals(List.of(), w.done("nothing"));
    }

    /** Returns once the relay has answered the client's {@code [hello]}: from then on workers' requests reach it. */
    private static void attached(ZMQ.Socket client) {
        client.setReceiveTimeOut(30_000);
        List<byte[]> m = recv(client);
        assertTrue(m != null && m.size() == 1 && java.util.Arrays.equals(CodeRelay.HELLO, m.get(0)), "the relay answers the client's hello");
    }

    private static CompletableFuture<byte[]> fetch(CodeClient w, String hash) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return w.jar(hash);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** A message's frames ({@code [worker][request id][op][arg]} for a client), or null on time-out. */
    private static List<byte[]> recv(ZMQ.Socket s) {
        byte[] first = s.recv();
        if (first == null) return null;
        List<byte[]> m = new java.util.ArrayList<>(List.of(first));
        while (s.hasReceiveMore()) m.add(s.recv());
        return m;
    }

    @Test
    void theRouteIsTheRelayUnlessDirectIsAskedForOrTheSchedulerHasNone() {
        assertEquals("tcp://10.1.2.3:7001", CodeServer.route("tcp://10.1.2.3:8786", "tcp://0.0.0.0:7001"),
                "the relay at the host the client reaches the scheduler at");
        assertEquals("tcp://127.0.0.1:7001", CodeServer.route("inproc://jdask-scheduler-1", "tcp://127.0.0.1:7001"));
        assertEquals(null, CodeServer.route("tcp://10.1.2.3:8786", null));
        try (var direct = Config.set(CodeServer.ROUTE_KEY, "direct")) {
            assertEquals(null, CodeServer.route("tcp://10.1.2.3:8786", "tcp://10.1.2.3:7001"));
        }
        try (var bad = Config.set(CodeServer.ROUTE_KEY, "carrier-pigeon")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CodeServer.route("tcp://h:1", "tcp://h:2"));
            assertTrue(e.getMessage().contains(CodeServer.ROUTE_KEY) && e.getMessage().contains("carrier-pigeon"), e.getMessage());
        }
    }
}

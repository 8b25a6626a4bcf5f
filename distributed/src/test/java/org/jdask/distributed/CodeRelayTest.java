package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jdask.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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

package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jdask.Config;
import org.jdask.distributed.internal.bulk.BulkServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jars over the bulk channel ({@link CodeBulk}): a ticket fetches the offered jar once (single-use
 * token, AES-GCM key), a forged token or key gets nothing; a worker's {@link CodeClient#jar} takes
 * the bulk port of a client serving directly and of the scheduler's relay (which first fetches the
 * jar pushed by the client onto its own bulk port, keeps it, then hands out a ticket), gets the
 * bytes inline from a relay that cannot keep the jar, and falls back to CurveZMQ when the relay has
 * no bulk port. The full path
 * with worker JVMs runs in {@link CodeShippingTest} and the netns tests.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CodeBulkTest {
    @TempDir
    Path tmp;

    @Test
    void aTicketFetchesTheJarOnceAndForgedTicketsGetNothing() throws Exception {
        byte[] jar = "PK not really a jar".getBytes();
        String hash = CodeOffer.sha256(jar);
        CodeBulk bulk = CodeBulk.start("127.0.0.1", h -> h.equals(hash) ? jar : null, "test code port");
        try {
            String source = "tcp://127.0.0.1:1";
            String ticket = bulk.ticket();
            assertArrayEquals(jar, CodeBulk.fetch(source, ticket, hash, 10_000));
            assertThrows(IOException.class, () -> CodeBulk.fetch(source, ticket, hash, 10_000), "a token is single-use");
            String[] t = bulk.ticket().split(" ");
            assertThrows(IOException.class, () -> CodeBulk.fetch(source, t[0] + " " + "00".repeat(16) + " " + t[2], hash, 10_000), "forged token");
            String otherKey = (t[2].charAt(0) == '0' ? "1" : "0") + t[2].substring(1);
            assertThrows(IOException.class, () -> CodeBulk.fetch(source, t[0] + " " + t[1] + " " + otherKey, hash, 10_000), "wrong key");
            assertNull(CodeBulk.fetch(source, bulk.ticket(), CodeOffer.sha256(new byte[1]), 10_000), "a jar not offered");
            IOException bad = assertThrows(IOException.class, () -> CodeBulk.fetch(source, "garbage", hash, 10_000));
            assertTrue(bad.getMessage().contains("bad bulk ticket from " + source), bad.getMessage());
            IOException refused = assertThrows(IOException.class, () -> CodeBulk.push(source, bulk.ticket(), hash, jar, 10_000));
            assertTrue(refused.getMessage().contains("test code port takes no values"), refused.getMessage());
        } finally {
            bulk.close();
        }
        // a relay's port takes pushed jars, only under their own hash
        Map<String, byte[]> kept = new ConcurrentHashMap<>();
        CodeBulk relayPort = CodeBulk.start("127.0.0.1", kept::get, kept::put, "test relay port");
        try {
            String target = "tcp://127.0.0.1:1";
            CodeBulk.push(target, relayPort.ticket(), hash, jar, 10_000);
            assertArrayEquals(jar, kept.get(hash));
            String other = CodeOffer.sha256(new byte[] {1});
            IOException wrong = assertThrows(IOException.class, () -> CodeBulk.push(target, relayPort.ticket(), other, jar, 10_000));
            assertTrue(wrong.getMessage().contains("has another SHA-256: refused"), wrong.getMessage());
            assertEquals(Set.of(hash), kept.keySet());
        } finally {
            relayPort.close();
        }
    }

    /** Asks for the manifest and the hash of entry {@code name}, as a worker does before asking for a jar. */
    private static String hashOf(CodeClient w, String name) throws IOException {
        for (String line : new String(w.request("manifest", ""), StandardCharsets.UTF_8).split("\n")) {
            String[] f = line.split("\t");
            if (f.length >= 2 && f[1].equals(name)) return new String(w.request("hash", f[0]), StandardCharsets.UTF_8);
        }
        throw new AssertionError("no entry " + name + " in the manifest");
    }

    @Test
    void workersTakeJarsOverTheBulkPortDirectlyAndThroughTheRelayAndFallBackToCurveZmq() throws Exception {
        Security sec = Security.temporary();
        Path classes = tmp.resolve("classes");
        CodeShippingTest.compile("shipped.Greeter", CodeShippingTest.GREETER.formatted("bulk"), classes);
        byte[] jar = CodeOffer.pack(classes);
        String hash = CodeOffer.sha256(jar);
        CodeOffer offer = new CodeOffer(List.of(new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())));
        CodeServer direct = CodeServer.startPrivate(sec, "127.0.0.1", offer);
        try (CodeClient w = new CodeClient(direct.address(), sec, 10_000)) {
            assertEquals(hash, hashOf(w, "classes")); // as a worker does first: the offer packs the class directory
            long before = BulkServer.valuesMoved();
            assertArrayEquals(jar, w.jar(hash));
            assertTrue(BulkServer.valuesMoved() > before, "the jar crossed the client's bulk port");
        } finally {
            direct.stop();
        }
        // through the relay: "cached" (ticket after the relay fetched and kept it), "inline" (too big for its cache), "off" (no bulk port)
        for (String mode : List.of("cached", "inline", "off")) {
            CodeRelay relay;
            try (var c = Config.set(mode.equals("inline") ? "distributed.scheduler.code-cache-bytes" : "distributed.comm.bulk.enabled",
                    mode.equals("inline") ? "16" : String.valueOf(!mode.equals("off")))) {
                relay = CodeRelay.start(sec, "127.0.0.1");
            }
            try (relay) {
                CodeServer server = CodeServer.startRelayed(sec, CodeRelay.announced(relay, "127.0.0.1"), offer);
                String[] f = server.ref().split("\\|");
                try (CodeClient w = CodeClient.of(f[1], f[0], "tcp://127.0.0.1:1", sec, 10_000)) {
                    assertEquals(hash, hashOf(w, "classes"));
                    long before = BulkServer.valuesMoved();
                    assertArrayEquals(jar, w.jar(hash), mode);
                    assertArrayEquals(jar, w.jar(hash), mode + ", again");
                    // cached: the client pushes the jar onto the relay's bulk port once, the worker takes it from there twice;
                    // inline: pushed each time but not kept (over the cache budget), so it comes back inside CurveZMQ; off: CurveZMQ only
                    assertEquals(Map.of("cached", 3L, "inline", 2L, "off", 0L).get(mode), BulkServer.valuesMoved() - before, mode);
                } finally {
                    server.stop();
                }
            }
        }
    }
}

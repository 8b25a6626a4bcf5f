package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jdask.Config;
import org.jdask.fn.Fn1;
import org.jdask.graph.JavaCommand;
import org.jdask.graph.JvmFlags;
import org.jdask.graph.Task;
import org.jdask.serialize.ClassPath;
import org.jdask.serialize.Codecs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client-side warm-up a LocalCluster starts once its worker JVMs registered: once per JVM, off by config, and harmless. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientWarmupTest {
    @Test
    void offByConfigAndAtMostOncePerJvm() {
        try (Config.Scope ignored = Config.set("distributed.client.warm-up", false)) {
            assertFalse(ClientWarmup.startOnce(), "distributed.client.warm-up: false must not start the warm-up");
        }
        ClientWarmup.startOnce(); // started here, or earlier by a LocalCluster of this JVM
        assertFalse(ClientWarmup.startOnce(), "a second warm-up in one JVM");
    }

    @Test
    void theCodecsWorkAfterItRan() throws Exception {
        ClientWarmup.run();
        Fn1<Integer, Integer> inc = x -> x + 1;
        Task t = (Task) Codecs.decode(Codecs.encode(Task.of(inc, 1)));
        assertEquals(2, t.function().invoke(new Object[] {1}));
    }

    @Test
    void inAFreshJvmItSetsUpTheWireMessagesTheSchedulersFirstHelloNeeds() throws Exception {
        List<String> cmd = JavaCommand.of(JvmFlags.get());
        cmd.add("-Xlog:class+load=info");
        cmd.add("-cp");
        cmd.add(ClassPath.asString());
        cmd.add(ClientWarmupProbe.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(50, TimeUnit.SECONDS), "probe JVM did not exit");
        assertTrue(out.contains("WARM-UP DONE true"), out.lines().filter(l -> !l.contains("class,load")).toList().toString());
        // a worker's hello is decoded through these tables: built by the warm-up, not when the first worker arrives
        for (String c : List.of("distributed.internal.Messages$HelloWorker", "distributed.internal.Messages$Welcome", "graph.Tokenize",
                "distributed.TaskEntries")) {
            assertTrue(out.contains("org.jdask." + c + " "), c + " not loaded by the warm-up");
        }
    }
}

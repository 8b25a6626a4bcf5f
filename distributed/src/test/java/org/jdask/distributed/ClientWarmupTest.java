package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.concurrent.TimeUnit;
import org.jdask.Config;
import org.jdask.fn.Fn1;
import org.jdask.graph.Task;
import org.jdask.serialize.Codecs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client-side warm-up a LocalCluster starts while its worker JVMs start: once per JVM, off by config, and harmless. */
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
}

package org.jdask.distributed.internal.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jdask.Config;
import org.jdask.graph.Key;
import org.jdask.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The memory manager of a worker that owns its JVM (this test's) against back-to-back collections:
 * past {@code gc-thrash} it moves every result to disk and pauses, and resumes once collections
 * calm down. The collections are {@code System.gc()} in a loop; the threshold is low (0.05) so a
 * loaded machine still crosses it.
 */
@Timeout(60)
class GcThrashTest {
    record Event(boolean paused, String why) {}

    @Test
    void backToBackCollectionsSpillEverythingAndPauseUntilTheyCalmDown() {
        List<Event> events = new CopyOnWriteArrayList<>();
        MemoryManager.Listener listener = new MemoryManager.Listener() {
            @Override
            public void paused(boolean paused, String why) {
                events.add(new Event(paused, why));
            }

            @Override
            public void terminate(String why) {
                events.add(new Event(false, "terminate: " + why));
            }
        };
        MemoryPolicy policy = new MemoryPolicy(1L << 40, 0.6, 0.7, 0.8, 0.95); // far from every memory threshold
        try (Config.Scope scope = Config.set(Map.of(MemoryPolicy.PREFIX + "gc-thrash", 0.05));
             MemoryManager m = new MemoryManager(policy, LocalDirectory.create(null), SpillBufferTest.CODECS, true, listener)) {
            for (int i = 0; i < 3; i++) m.data().put(Key.of("x", i), SpillBufferTest.block(125_000, i), 1_000_000);
            assertEquals(3, m.data().stats().inMemory());
            Await.until(() -> {
                System.gc(); // back to back
                return !events.isEmpty();
            }, Duration.ofSeconds(30), "a pause for garbage collection", events::toString);
            Event first = events.get(0);
            assertTrue(first.paused() && first.why().contains("gc-thrash"), first.toString());
            // the store is created aside on the first spill (its compile does not hold up tasks), then every result goes
            Await.until(() -> m.data().stats().spilled() == 3, Duration.ofSeconds(30), "every result went to disk",
                    () -> m.data().stats().toString());
            assertTrue(m.paused());
            Await.until(() -> !m.paused(), Duration.ofSeconds(30), "resumed once collections calm down", events::toString);
        }
    }
}

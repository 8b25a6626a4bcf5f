package org.jdask.schedulers.processes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Worker JVMs start in parallel, and a start begun ahead of a run is the one the run uses (no timing asserts). */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PoolStartTest {
    @Test
    void jvmsAreAllSpawnedBeforeTheFirstConnectsAndAStartAheadIsReused() {
        try (ProcessPool pool = new ProcessPool(List.of(), 150_000)) {
            pool.ensureInBackground(2); // what a run does before it indexes its graph
            pool.ensure(2); // the run's own call: waits for the start under way, or does it itself
            assertEquals(2, pool.pids().size());
            StartTimes t = pool.lastStart();
            assertEquals(2, t.size(), t.toString());
            assertTrue(t.allSpawnedBeforeFirstConnect(), "a JVM was spawned only after another connected: " + t);
            assertEquals(0, pool.ensure(2), "nothing left to start");
            assertTrue(t == pool.lastStart(), "no second start");
        }
    }
}

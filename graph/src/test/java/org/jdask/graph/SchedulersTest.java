package org.jdask.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.jdask.Delayed;
import org.jdask.fn.Fn1;
import org.junit.jupiter.api.Test;

/** Scheduler lookup by name: an unknown name is a bad value (IllegalArgumentException, Dask's ValueError). */
class SchedulersTest {
    @Test
    void anUnknownNameIsAnArgumentErrorListingTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Schedulers.provider("nope"));
        assertTrue(e.getMessage().startsWith("unknown scheduler 'nope'; known schedulers: [") && e.getMessage().contains("reference"),
                e.getMessage());
        // the same through compute(), from a per-call value or a config scope
        Fn1<Integer, Integer> inc = x -> x + 1;
        Delayed<Integer> d = Delayed.of(inc).apply(1);
        e = assertThrows(IllegalArgumentException.class, () -> d.compute(Map.of("scheduler", "thread")));
        assertTrue(e.getMessage().contains("unknown scheduler 'thread'"), e.getMessage());
        try (var s = org.jdask.Config.set("scheduler", "nope")) {
            assertThrows(IllegalArgumentException.class, d::compute);
        }
        assertEquals(2, d.compute(Map.of("scheduler", "reference")));
        assertEquals(List.of("reference"), List.of(Schedulers.provider("reference").name()));
    }
}

package org.jdask.distributed.internal.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GcLoadTest {
    static final long S = 1_000_000_000L;

    @Test
    void fractionOfTheWindowSpentCollectingWithNoVerdictBeforeHalfAWindow() {
        GcLoad g = new GcLoad();
        assertEquals(0, g.add(0, 0));
        assertEquals(0, g.add(2 * S, 1_900), 1e-9, "2 s of samples: too short to call a trend");
        assertEquals(0.5, g.add(4 * S, 2_000), 1e-9, "2 s of collections in 4 s");
        // back to back collections: the window slides and the fraction climbs towards 1
        double f = 0;
        for (int i = 5; i <= 12; i++) f = g.add(i * S, 2_000 + (i - 4) * 950L);
        assertTrue(f > 0.9, "thrashing: " + f);
        // calm again: within a window the old collections fall out of it
        for (int i = 13; i <= 20; i++) f = g.add(i * S, 2_000 + 8 * 950L + (i - 12) * 10L);
        assertTrue(f < 0.05, "calm: " + f);
    }

    @Test
    void readsThisJvmAndItsLastFullCollection() {
        GcLoad g = new GcLoad();
        double f = g.sample();
        assertTrue(f >= 0 && f <= 1, "fraction " + f);
        System.gc();
        GcLoad.Full full = g.lastFull();
        assertNotNull(full, "a System.gc() is a full collection with every collector of JDK 17");
        assertTrue(full.heapUsedAfter() > 0 && full.heapUsedAfter() <= Runtime.getRuntime().maxMemory(), full.toString());
        assertTrue(full.endUptimeMs() <= GcLoad.uptimeMs(), full.toString());
    }
}

package org.jdask.distributed.internal.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jdask.Config;
import org.jdask.distributed.internal.memory.MemoryPolicy.Action;
import org.junit.jupiter.api.Test;

class MemoryPolicyTest {
    static final long MB = 1_000_000;
    final MemoryPolicy p = new MemoryPolicy(1000 * MB, 0.6, 0.7, 0.8, 0.95);

    @Test
    void thresholdsAreFractionsOfTheLimit() {
        assertEquals(600 * MB, p.targetBytes());
        assertEquals(700 * MB, p.spillBytes());
        assertEquals(800 * MB, p.pauseBytes());
        assertEquals(950 * MB, p.terminateBytes());
    }

    @Test
    void roomForDataIsWhatFitsUnderSpillBesideTheRecentUnmanagedPeakBetweenAQuarterOfTargetAndTarget() {
        assertEquals(600 * MB, p.roomForData(0), "nothing seen yet: target");
        assertEquals(600 * MB, p.roomForData(50 * MB), "fits beside it: target");
        assertEquals(400 * MB, p.roomForData(300 * MB), "700 spill - 300 held by tasks");
        assertEquals(150 * MB, p.roomForData(690 * MB), "never under a quarter of target");
        MemoryPolicy off = new MemoryPolicy(1000 * MB, 0, 0.7, 0.8, 0.95);
        assertEquals(Long.MAX_VALUE, off.roomForData(300 * MB), "no target: no spilling by it");
        try (Config.Scope scope = Config.set(java.util.Map.of(MemoryPolicy.PREFIX + "gc-thrash", false))) {
            assertEquals(0, MemoryPolicy.gcThrash(), "false turns the guard off");
        }
        try (Config.Scope bad = Config.set(java.util.Map.of(MemoryPolicy.PREFIX + "gc-thrash", 2.0))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, MemoryPolicy::gcThrash);
            assertTrue(e.getMessage().contains("gc-thrash"), e.getMessage());
        }
    }

    @Test
    void recentMaxIsTheLargestReadingOfTheWindow() {
        RecentMax m = new RecentMax(1000);
        assertEquals(0, m.peak(0));
        m.add(0, 50);
        m.add(100, 80);
        m.add(200, 30);
        assertEquals(80, m.peak(300));
        assertEquals(80, m.peak(1100));
        assertEquals(30, m.peak(1150), "80 left the window");
        assertEquals(0, m.peak(5000));
        m.add(5000, -10);
        assertEquals(0, m.peak(5000), "never negative");
    }

    @Test
    void withinASmallerLongLivedCapacitySpillAndPauseComeEarlierButNotTerminate() {
        MemoryPolicy q = p.within(500 * MB); // an old generation of half the limit
        assertEquals(p.limit(), q.limit(), "the limit still bounds one result");
        assertEquals(300 * MB, q.targetBytes(), 1);
        assertEquals(400 * MB, q.pauseBytes(), 1);
        assertEquals(p.terminateBytes(), q.terminateBytes(), "terminate stays: a restart loses every result");
        assertTrue(q.oversized(p.limit() + 1) && !q.oversized(p.limit()));
        assertEquals(p, p.within(0), "capacity unknown");
        assertEquals(p, p.within(2 * p.limit()), "not below the limit");
        assertTrue(MemoryPolicy.longLivedCapacity() <= Runtime.getRuntime().maxMemory());
    }

    @Test
    void decideWalksTheLadder() {
        assertEquals(Action.OK, p.decide(100 * MB, 500 * MB));
        assertEquals(Action.SPILL, p.decide(650 * MB, 650 * MB), "managed past target");
        assertEquals(Action.SPILL, p.decide(100 * MB, 750 * MB), "process past spill, tracker low");
        assertEquals(Action.PAUSE, p.decide(100 * MB, 850 * MB));
        assertEquals(Action.TERMINATE, p.decide(100 * MB, 960 * MB));
        assertEquals(Action.OK, new MemoryPolicy(0, 0.6, 0.7, 0.8, 0.95).decide(Long.MAX_VALUE / 2, Long.MAX_VALUE / 2), "no limit");
    }

    @Test
    void toSpillGetsBackUnderTargetAndNeverMoreThanIsManaged() {
        assertEquals(50 * MB, p.toSpill(650 * MB, 650 * MB));
        assertEquals(150 * MB, p.toSpill(300 * MB, 750 * MB), "process 750 > spill: back to 600");
        assertEquals(100 * MB, p.toSpill(100 * MB, 900 * MB), "at most what is managed");
        assertEquals(0, p.toSpill(100 * MB, 650 * MB));
    }

    @Test
    void zeroTurnsAStepOffAndOversizedMeansPastTheWholeLimit() {
        MemoryPolicy noPause = new MemoryPolicy(1000 * MB, 0.6, 0.7, 0, 0);
        assertEquals(Action.SPILL, noPause.decide(0, 990 * MB));
        assertTrue(p.oversized(1000 * MB + 1));
        assertFalse(p.oversized(1000 * MB));
        assertFalse(new MemoryPolicy(0, 0.6, 0.7, 0.8, 0.95).oversized(Long.MAX_VALUE));
    }

    @Test
    void configIsReadAndBadValuesNameTheKey() {
        try (Config.Scope s = Config.set("distributed.worker.memory.target", 0.5, "distributed.worker.memory.pause", false)) {
            MemoryPolicy c = MemoryPolicy.fromConfig(100);
            assertEquals(0.5, c.target());
            assertEquals(0.7, c.spill());
            assertEquals(0, c.pause());
        }
        try (Config.Scope s = Config.set("distributed.worker.memory.spill", 1.5)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MemoryPolicy.fromConfig(100));
            assertTrue(e.getMessage().contains("distributed.worker.memory.spill") && e.getMessage().contains("1.5"), e.getMessage());
        }
        assertTrue(MemoryPolicy.defaultLimit(4) > 0);
        assertEquals(MemoryPolicy.defaultLimit(1) / 2, MemoryPolicy.defaultLimit(2), 1.0);
    }
}

package org.jdask.distributed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jdask.distributed.internal.SchedulerWatch.Verdict;
import org.junit.jupiter.api.Test;

/** The worker's scheduler watch as a pure function of time: lost, retried, dead, and stalls not counted. */
class SchedulerWatchTest {
    @Test
    void silenceMeansLostThenRetriesThenDeadUnlessWelcomed() {
        SchedulerWatch w = new SchedulerWatch(30_000, 10_000, 60_000, 0);
        assertEquals(Verdict.FINE, w.check(29_000));
        w.heard(29_000);
        assertEquals(Verdict.FINE, w.check(59_000));
        assertEquals(Verdict.LOST, w.check(59_001));
        assertTrue(w.lost());
        assertEquals(Verdict.FINE, w.check(65_000));
        assertEquals(Verdict.RETRY, w.check(69_002));
        assertEquals(Verdict.FINE, w.check(70_000));
        assertEquals(Verdict.RETRY, w.check(79_003));
        assertEquals(Verdict.DEAD, w.check(119_002));
    }

    @Test
    void aWelcomeEndsTheLossAndReportsItsLength() {
        SchedulerWatch w = new SchedulerWatch(1_000, 500, 0, 0);
        assertEquals(-1, w.registered(10));
        assertEquals(Verdict.LOST, w.check(1_011));
        assertEquals(Verdict.RETRY, w.check(1_512));
        assertEquals(489, w.registered(1_500));
        assertFalse(w.lost());
        assertEquals(Verdict.FINE, w.check(2_400));
        assertEquals(Verdict.LOST, w.check(2_501));
        assertEquals(Verdict.RETRY, w.check(1_000_000_000)); // no death timeout: never dead, it keeps trying
    }

    @Test
    void timeTheWorkerItselfDidNotRunIsNotSilence() {
        SchedulerWatch w = new SchedulerWatch(1_000, 500, 2_000, 0);
        w.stalled(5_000); // a 5 s GC pause of the worker
        assertEquals(Verdict.FINE, w.check(5_900));
        assertEquals(Verdict.LOST, w.check(6_001));
        w.stalled(10_000);
        assertEquals(Verdict.FINE, w.check(16_002)); // the pause does not bring death closer
        assertEquals(Verdict.DEAD, w.check(18_002));
    }
}

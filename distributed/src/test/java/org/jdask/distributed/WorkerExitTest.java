package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * How a worker JVM ends (issue 15): a worker whose I/O loop crashed, out of memory or otherwise,
 * no longer exits 0 (its nanny's log said it ended normally); out of memory it halts with status 3
 * from inside the loop's own catch, which {@link WorkerMemory#isOutOfMemory} recognizes even
 * wrapped (a codec or a library rethrowing it as its cause).
 */
class WorkerExitTest {
    @Test
    void aCrashedLoopIsNotAZeroExit() {
        assertEquals(0, WorkerMain.exitStatus(false, false, null), "closed by the scheduler or its nanny");
        assertEquals(WorkerMain.EXIT_CRASHED, WorkerMain.exitStatus(false, false, "java.lang.IllegalStateException: boom"));
        assertEquals(WorkerMain.EXIT_NO_SCHEDULER, WorkerMain.exitStatus(true, false, null));
        assertEquals(WorkerMemory.EXIT_RETIRED, WorkerMain.exitStatus(false, true, null));
        assertTrue(NannyMemory.explain(WorkerMain.EXIT_OUT_OF_MEMORY).contains("heap exhausted outside a task"));
        assertTrue(NannyMemory.explain(WorkerMain.EXIT_CRASHED).contains("crashed"));
    }

    @Test
    void outOfMemoryIsSeenThroughWrappers() {
        OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
        assertTrue(WorkerMemory.isOutOfMemory(oom));
        assertTrue(WorkerMemory.isOutOfMemory(new IllegalStateException("cannot create the spill store", new RuntimeException(oom))));
        assertFalse(WorkerMemory.isOutOfMemory(new IllegalStateException("boom")));
        assertFalse(WorkerMemory.isOutOfMemory(new StackOverflowError()));
        // in a JVM that is not a worker's own (this one: in-process workers share it) nothing halts
        WorkerMemory.haltIfOutOfMemory(oom, "a test");
    }
}

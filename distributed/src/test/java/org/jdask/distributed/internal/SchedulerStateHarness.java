package org.jdask.distributed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * What the scheduler state machine tests share: one {@link SchedulerState}, events fed to it at
 * the clock {@link #now}, and its own consistency check after every test.
 */
abstract class SchedulerStateHarness {
    SchedulerState s;
    long now = 0;

    SchedulerStateHarness(SchedulerState.Options options) {
        s = new SchedulerState(options);
    }

    List<SchedulerInstruction> on(SchedulerEvent e) {
        return s.handle(e, now);
    }

    @AfterEach
    void consistent() {
        assertEquals(List.of(), s.validate());
    }
}

package org.jdask.distributed.internal;

import java.util.ArrayList;
import java.util.List;

/** Picking instructions out of what {@link SchedulerState#handle} returned, for the scheduler state tests. */
final class Instructions {
    private Instructions() {}

    /** The instructions of {@code type} among {@code is}, in order. */
    static <T> List<T> only(Class<T> type, List<SchedulerInstruction> is) {
        List<T> out = new ArrayList<>();
        for (SchedulerInstruction i : is) if (type.isInstance(i)) out.add(type.cast(i));
        return out;
    }
}

package org.jdask.distributed.internal;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The states of a task in the scheduler, and the table of allowed transitions (Dask's
 * {@code _transitions_table}). Every change of {@link SchedulerTask#state} goes through
 * {@link #check}, so an unexpected move fails loudly with both states named instead of silently
 * corrupting the scheduler.
 */
public enum TaskState {
    /** Known, not needed right now; its spec is kept so it can be recomputed. */
    RELEASED,
    /** Needed; waits for dependencies to reach memory. */
    WAITING,
    /** Ready root task held back in the scheduler until a worker has a free slot. */
    QUEUED,
    /** Ready, but no worker satisfies its restrictions (worker names, resources). */
    NO_WORKER,
    /** Sent to one worker, which runs it (or holds it ready). */
    PROCESSING,
    /** Its value sits on one or more workers. */
    MEMORY,
    /** It (or a dependency) failed; the exception is kept for clients. */
    ERRED,
    /** Dropped from the scheduler: nothing wants it and nothing depends on it. */
    FORGOTTEN;

    private static final Map<TaskState, Set<TaskState>> ALLOWED = new EnumMap<>(TaskState.class);

    static {
        ALLOWED.put(RELEASED, EnumSet.of(WAITING, MEMORY, ERRED, FORGOTTEN));
        ALLOWED.put(WAITING, EnumSet.of(QUEUED, NO_WORKER, PROCESSING, RELEASED, ERRED));
        ALLOWED.put(QUEUED, EnumSet.of(PROCESSING, RELEASED, ERRED));
        ALLOWED.put(NO_WORKER, EnumSet.of(WAITING, PROCESSING, QUEUED, RELEASED, ERRED));
        ALLOWED.put(PROCESSING, EnumSet.of(MEMORY, RELEASED, ERRED));
        ALLOWED.put(MEMORY, EnumSet.of(RELEASED));
        ALLOWED.put(ERRED, EnumSet.of(RELEASED, FORGOTTEN));
        ALLOWED.put(FORGOTTEN, EnumSet.noneOf(TaskState.class));
    }

    /** Whether the table has the edge {@code from -> to}. */
    public static boolean allowed(TaskState from, TaskState to) {
        return ALLOWED.get(from).contains(to);
    }

    /** Fails with both states and the key named when {@code from -> to} is not in the table. */
    static void check(Object key, TaskState from, TaskState to) {
        if (!allowed(from, to)) {
            throw new IllegalStateException("task " + key + ": transition " + from + " -> " + to
                    + " is not in the table (allowed from " + from + ": " + ALLOWED.get(from) + ")");
        }
    }

    /** States in which the task's result is final for a client (memory or erred). */
    public boolean isDone() {
        return this == MEMORY || this == ERRED;
    }
}

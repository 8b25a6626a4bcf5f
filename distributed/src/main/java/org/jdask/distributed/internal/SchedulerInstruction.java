package org.jdask.distributed.internal;

import java.util.List;
import java.util.Map;
import org.jdask.graph.Key;

/** What {@link SchedulerState#handle} asks its shell to send. */
public sealed interface SchedulerInstruction {
    /** Run {@code key} on {@code worker}; {@code whoHas} says where each dependency's value is. */
    record Compute(String worker, Key key, Object spec, Object config, Map<Key, List<String>> whoHas, Prio prio,
                   Map<String, Double> resources) implements SchedulerInstruction {}

    /** {@code worker} should drop these keys (data, or tasks it has not finished). */
    record Free(String worker, List<Key> keys) implements SchedulerInstruction {}

    /** Ask {@code worker} to give {@code key} back if it has not started it. */
    record Steal(String worker, Key key) implements SchedulerInstruction {}

    /** The scheduler drops {@code worker} (heartbeat timeout, or {@link #RESTART}): close it. */
    record CloseWorker(String worker, String reason) implements SchedulerInstruction {}

    /** Ask {@code worker} to fetch {@code key} from {@code from} and keep it (a move: retirement, rebalance). */
    record Acquire(String worker, Key key, List<String> from) implements SchedulerInstruction {}

    /**
     * Tell {@code client} its retire or rebalance request {@code requestId} is done: {@code moved}
     * results changed worker; {@code error} is null unless it could not be done.
     */
    record MovesDone(String client, long requestId, int moved, String error) implements SchedulerInstruction {}

    /** The reason of a {@link CloseWorker} for a retired worker: its keeper does not replace it. */
    String RETIRE = DataMoves.RETIRE;

    /** The reason of a {@link CloseWorker} sent by a restart: the worker's keeper starts a new one. */
    String RESTART = "restart";

    /** What a client is told about a key it wants. */
    enum ReportKind { MEMORY, ERRED, LOST, CANCELLED }

    /**
     * Tell {@code client} about {@code key}: in memory on {@code workers}; erred with {@code
     * exception} (blaming {@code blame}, the task that actually failed); lost (will be
     * recomputed); or cancelled.
     */
    record Report(String client, Key key, ReportKind kind, List<String> workers, Object exception, Key blame)
            implements SchedulerInstruction {}

    /** For listeners: {@code key} finished on worker number {@code worker}. */
    record TaskDone(String client, Key key, int worker, boolean failed) implements SchedulerInstruction {}
}

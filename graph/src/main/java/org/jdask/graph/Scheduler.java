package org.jdask.graph;

import java.util.List;

/**
 * Runs a task graph. Implementations: the local engine's {@code sync} and {@code threads}, the
 * {@code processes} pool, and the {@code distributed} client; found by name through {@link
 * SchedulerProvider}.
 *
 * <p>Contract (checked by the contract test suite every scheduler runs): returns the values of
 * {@code outputs} in order; runs each key at most once per call (barring retries after a lost
 * worker); a task that throws ends the run with {@link org.jdask.TaskFailedException} naming the
 * key, with the user's exception as cause; a graph with a missing dependency or a cycle fails
 * before any task runs; interrupting the calling thread cancels the run.
 */
public interface Scheduler {
    List<Object> get(TaskGraph graph, List<Key> outputs, RunOptions options);
}

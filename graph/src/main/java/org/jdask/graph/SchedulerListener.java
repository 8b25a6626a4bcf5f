package org.jdask.graph;

/**
 * Callbacks a scheduler makes during a run (Dask's local callbacks). All methods have empty
 * defaults; implement the ones you need. {@code pretask}/{@code posttask} are called on the thread
 * that runs the task (or, for remote workers, on the thread that tracks it), so implementations
 * must be thread-safe and cheap.
 *
 * <p>Register for every run in this JVM with {@link Listeners#register}, or for one run through
 * {@link RunOptions#listeners()}.
 */
public interface SchedulerListener {
    /** The run starts: {@code graph} is the optimized graph about to run. */
    default void start(TaskGraph graph) {}

    /** {@code key} starts on worker number {@code worker} (0-based; a thread or a worker JVM). */
    default void pretask(Key key, int worker) {}

    /** {@code key} finished on {@code worker}; {@code failed} when it threw. */
    default void posttask(Key key, Object result, int worker, boolean failed) {}

    /** The run ended; {@code error} is null on success. */
    default void finish(Throwable error) {}
}

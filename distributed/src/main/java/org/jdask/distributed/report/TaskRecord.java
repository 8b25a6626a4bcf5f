package org.jdask.distributed.report;

/**
 * One executed task of the scheduler's task stream (the dashboard's, and the performance report's
 * Gantt chart): which worker and thread ran it, when, and whether it failed. Times are
 * milliseconds since the epoch on the worker's clock; {@code prefix} is the function's name (Dask's
 * key prefix), the row a task is counted under in per-function summaries.
 *
 * @param key the task's key as text
 * @param prefix the function's name (the key up to its token for data and aliases)
 * @param worker the address of the worker that ran it
 * @param thread the worker thread (1..nthreads; 0 when the worker did not say)
 * @param startMs when it started
 * @param stopMs when it ended ({@code >= startMs})
 * @param erred whether it raised an exception
 */
public record TaskRecord(String key, String prefix, String worker, int thread, long startMs, long stopMs, boolean erred) {
    /** {@code stopMs - startMs}. */
    public long durationMs() {
        return stopMs - startMs;
    }
}

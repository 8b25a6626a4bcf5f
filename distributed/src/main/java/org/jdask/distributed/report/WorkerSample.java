package org.jdask.distributed.report;

/**
 * One worker's memory and transfers at one moment of a {@link PerformanceReport}, from the
 * scheduler's worker list (figures of the worker's last heartbeat). Bytes; transfers are counted
 * since the worker started (values fetched from peers), so differences between samples are what
 * moved in between.
 *
 * @param timeMs when the client took the sample (ms since the epoch)
 * @param worker the worker's address
 * @param managed bytes of results held in memory
 * @param unmanaged the rest of the worker process's memory
 * @param spilled in-memory size of results spilled to disk
 * @param transfers values fetched from other workers so far
 * @param transferBytes their bytes (encoded) so far
 */
public record WorkerSample(long timeMs, String worker, long managed, long unmanaged, long spilled, long transfers, long transferBytes) {
    /** {@code managed + unmanaged}: the process's memory. */
    public long memory() {
        return managed + unmanaged;
    }
}

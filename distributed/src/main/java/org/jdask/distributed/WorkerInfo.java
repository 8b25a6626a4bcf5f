package org.jdask.distributed;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One worker as the scheduler last saw it (Dask's {@code scheduler_info()["workers"][address]}):
 * see {@link Client#workerInfo()}. Memory figures come from the worker's last heartbeat (every
 * {@code distributed.worker.heartbeat-interval}), so they lag by up to one beat.
 *
 * @param address where the worker serves its data (its id)
 * @param memoryLimit bytes the worker may use (its memory manager spills, pauses and restarts at fractions of it)
 * @param managedBytes bytes of results held in memory
 * @param spilledBytes bytes of results spilled to its disk store (their in-memory size)
 * @param unmanagedBytes process memory not held by results (code, buffers, running tasks, garbage)
 * @param status {@code "running"}, {@code "paused"} (past {@code distributed.worker.memory.pause}) or {@code "closing"}
 * @param spillCount values spilled so far
 * @param unspillCount spilled values read back into memory so far
 */
public record WorkerInfo(String address, String name, int nthreads, long memoryLimit, long managedBytes, long spilledBytes,
                         long unmanagedBytes, String status, int keys, int processing, long spillCount, long unspillCount) {

    /** From the scheduler's worker list entries (see PROTOCOL.md, {@code WORKERS_REPLY}), by address. */
    static Map<String, WorkerInfo> of(List<Map<String, Object>> workers) {
        Map<String, WorkerInfo> out = new LinkedHashMap<>();
        for (Map<String, Object> w : workers) {
            String address = (String) w.get("address");
            out.put(address, new WorkerInfo(address, String.valueOf(w.get("name")), (int) num(w, "nthreads"), num(w, "memory_limit"),
                    num(w, "managed"), num(w, "spilled"), num(w, "unmanaged"), String.valueOf(w.getOrDefault("status", "running")),
                    (int) num(w, "keys"), (int) num(w, "processing"), num(w, "spill_count"), num(w, "unspill_count")));
        }
        return out;
    }

    private static long num(Map<String, Object> w, String field) {
        return w.get(field) instanceof Number n ? n.longValue() : 0;
    }
}

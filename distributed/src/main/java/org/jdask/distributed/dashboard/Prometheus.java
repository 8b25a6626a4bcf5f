package org.jdask.distributed.dashboard;

import java.util.Locale;
import java.util.Map;
import org.jdask.distributed.dashboard.Dashboard.PrefixView;
import org.jdask.distributed.dashboard.Dashboard.Snapshot;
import org.jdask.distributed.dashboard.Dashboard.WorkerView;
import org.jdask.distributed.internal.TaskState;

/**
 * {@code /metrics} in the Prometheus text exposition format 0.0.4: per metric one {@code # HELP}
 * and one {@code # TYPE} line, then its samples grouped together; label values escape {@code \},
 * {@code "} and newline; every line ends with {@code \n}.
 */
final class Prometheus {
    private Prometheus() { }

    static String render(Snapshot s) {
        StringBuilder b = new StringBuilder(2048);
        head(b, "jdask_workers", "gauge", "Workers connected to the scheduler.");
        sample(b, "jdask_workers", null, null, s.workers().size());
        head(b, "jdask_tasks", "gauge", "Tasks the scheduler knows, by state.");
        for (Map.Entry<TaskState, Integer> e : s.states().entrySet()) {
            sample(b, "jdask_tasks", "state", e.getKey().name().toLowerCase(Locale.ROOT).replace('_', '-'), e.getValue());
        }
        head(b, "jdask_tasks_completed_total", "counter", "Tasks completed since the scheduler started.");
        sample(b, "jdask_tasks_completed_total", null, null, s.completed());
        head(b, "jdask_tasks_erred_total", "counter", "Task failures reported by workers since the scheduler started.");
        sample(b, "jdask_tasks_erred_total", null, null, s.erred());
        head(b, "jdask_prefix_tasks_done_total", "counter", "Tasks completed, by function name.");
        for (PrefixView p : s.prefixes()) sample(b, "jdask_prefix_tasks_done_total", "prefix", p.name(), p.done());
        worker(b, s, "jdask_worker_threads", "gauge", "Threads per worker.", "nthreads");
        worker(b, s, "jdask_worker_processing_tasks", "gauge", "Tasks sent to the worker and not finished.", "processing");
        worker(b, s, "jdask_worker_stored_keys", "gauge", "Results the worker holds.", "keys");
        worker(b, s, "jdask_worker_stored_bytes", "gauge", "Estimated bytes of the results the worker holds.", "nbytes");
        worker(b, s, "jdask_worker_memory_bytes", "gauge", "Resident memory of the worker's process, last heartbeat.", "memory");
        worker(b, s, "jdask_worker_memory_limit_bytes", "gauge", "The worker's memory limit.", "memory_limit");
        worker(b, s, "jdask_worker_managed_bytes", "gauge", "Bytes of results the worker holds in memory (memory manager).", "managed");
        worker(b, s, "jdask_worker_spilled_bytes", "gauge", "Bytes of results the worker spilled to disk (their in-memory size).", "spilled");
        worker(b, s, "jdask_worker_unmanaged_bytes", "gauge", "Process memory not held by results.", "unmanaged");
        worker(b, s, "jdask_worker_spill_total", "counter", "Values the worker spilled to disk.", "spill_count");
        worker(b, s, "jdask_worker_unspill_total", "counter", "Spilled values the worker read back.", "unspill_count");
        worker(b, s, "jdask_worker_paused", "gauge", "1 while the worker's memory manager holds it paused.", "paused");
        worker(b, s, "jdask_worker_cpu_percent", "gauge", "CPU use of the worker's process since its previous heartbeat (100 = one core).", "cpu");
        return b.toString();
    }

    private static void worker(StringBuilder b, Snapshot s, String name, String type, String help, String field) {
        head(b, name, type, help);
        for (WorkerView w : s.workers()) {
            Object v = switch (field) {
                case "nthreads" -> w.nthreads();
                case "processing" -> w.processing();
                case "keys" -> w.keys();
                case "nbytes" -> w.nbytes();
                case "paused" -> "paused".equals(w.metrics().get("status")) ? 1 : 0;
                default -> w.metrics().get(field);
            };
            if (v instanceof Number n) sample(b, name, "worker", w.address(), n.doubleValue());
        }
    }

    private static void head(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder b, String name, String label, String value, double v) {
        b.append(name);
        if (label != null) {
            b.append('{').append(label).append("=\"")
                    .append(value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append("\"}");
        }
        b.append(' ');
        if (Double.isNaN(v)) b.append("NaN");
        else if (Double.isInfinite(v)) b.append(v > 0 ? "+Inf" : "-Inf");
        else if (v == Math.rint(v) && Math.abs(v) < 1e15) b.append((long) v);
        else b.append(v);
        b.append('\n');
    }
}

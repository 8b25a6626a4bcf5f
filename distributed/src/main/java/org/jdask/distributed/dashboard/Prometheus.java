package org.jdask.distributed.dashboard;

import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
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
        scalar(b, "jdask_workers", "gauge", "Workers connected to the scheduler.", s.workers().size());
        head(b, "jdask_tasks", "gauge", "Tasks the scheduler knows, by state.");
        for (Map.Entry<TaskState, Integer> e : s.states().entrySet()) {
            sample(b, "jdask_tasks", "state", e.getKey().name().toLowerCase(Locale.ROOT).replace('_', '-'), e.getValue());
        }
        scalar(b, "jdask_tasks_completed_total", "counter", "Tasks completed since the scheduler started.", s.completed());
        scalar(b, "jdask_tasks_erred_total", "counter", "Task failures reported by workers since the scheduler started.", s.erred());
        head(b, "jdask_prefix_tasks_done_total", "counter", "Tasks completed, by function name.");
        for (PrefixView p : s.prefixes()) sample(b, "jdask_prefix_tasks_done_total", "prefix", p.name(), p.done());
        for (WorkerMetric m : WorkerMetric.values()) {
            head(b, m.name, m.type, m.help);
            for (WorkerView w : s.workers()) {
                if (m.read.apply(w) instanceof Number n) sample(b, m.name, "worker", w.address(), n.doubleValue());
            }
        }
        return b.toString();
    }

    /**
     * The per-worker metrics, one sample per worker, in this order: the scheduler's own counts, then
     * the worker's last heartbeat ({@link WorkerView#metrics}: a value that is not a number is left out).
     */
    private enum WorkerMetric {
        THREADS("jdask_worker_threads", "gauge", "Threads per worker.", WorkerView::nthreads),
        PROCESSING("jdask_worker_processing_tasks", "gauge", "Tasks sent to the worker and not finished.", WorkerView::processing),
        STORED_KEYS("jdask_worker_stored_keys", "gauge", "Results the worker holds.", WorkerView::keys),
        STORED_BYTES("jdask_worker_stored_bytes", "gauge", "Estimated bytes of the results the worker holds.", WorkerView::nbytes),
        MEMORY("jdask_worker_memory_bytes", "gauge", "Resident memory of the worker's process, last heartbeat.", heartbeat("memory")),
        MEMORY_LIMIT("jdask_worker_memory_limit_bytes", "gauge", "The worker's memory limit.", heartbeat("memory_limit")),
        MANAGED("jdask_worker_managed_bytes", "gauge", "Bytes of results the worker holds in memory (memory manager).",
                heartbeat("managed")),
        SPILLED("jdask_worker_spilled_bytes", "gauge", "Bytes of results the worker spilled to disk (their in-memory size).",
                heartbeat("spilled")),
        UNMANAGED("jdask_worker_unmanaged_bytes", "gauge", "Process memory not held by results.", heartbeat("unmanaged")),
        SPILLS("jdask_worker_spill_total", "counter", "Values the worker spilled to disk.", heartbeat("spill_count")),
        UNSPILLS("jdask_worker_unspill_total", "counter", "Spilled values the worker read back.", heartbeat("unspill_count")),
        PAUSED("jdask_worker_paused", "gauge", "1 while the worker's memory manager holds it paused.",
                w -> "paused".equals(w.metrics().get("status")) ? 1 : 0),
        CPU("jdask_worker_cpu_percent", "gauge", "CPU use of the worker's process since its previous heartbeat (100 = one core).",
                heartbeat("cpu"));

        final String name, type, help;
        final Function<WorkerView, Object> read;

        WorkerMetric(String name, String type, String help, Function<WorkerView, Object> read) {
            this.name = name;
            this.type = type;
            this.help = help;
            this.read = read;
        }

        private static Function<WorkerView, Object> heartbeat(String field) {
            return w -> w.metrics().get(field);
        }
    }

    /** A metric of one sample without labels. */
    private static void scalar(StringBuilder b, String name, String type, String help, double value) {
        head(b, name, type, help);
        sample(b, name, null, null, value);
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

package org.jdask.benchmarks;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdask.distributed.report.TaskRecord;

/**
 * Where a distributed run's time went, from the scheduler's task stream: per task prefix (the
 * shuffle's read-csv, sample, range-split, getitem, sort, summary) and worker, how many tasks ran,
 * their summed run time (compute plus storing the result, which may spill), and the span from the
 * first start to the last stop. A worker's busy fraction (summed run time over the job's wall
 * time) below 1 is time it waited: paused, fetching, or given nothing to do.
 */
final class TaskPhases {
    private TaskPhases() {}

    private static final class Phase {
        int tasks;
        long busyMs, firstStart = Long.MAX_VALUE, lastStop;
    }

    /**
     * One line per prefix and worker, and one busy line per worker, for a run of {@code wallMs}
     * that started at {@code startMs} (wall clock): what came before the first task (building the
     * graph, an eager step in the client such as {@code setIndex}'s divisions) is said apart.
     */
    static String describe(List<TaskRecord> stream, long startMs, long wallMs) {
        Map<String, Phase> phases = new TreeMap<>();
        Map<String, Long> busy = new TreeMap<>();
        long t0 = Long.MAX_VALUE;
        for (TaskRecord r : stream) t0 = Math.min(t0, r.startMs());
        for (TaskRecord r : stream) {
            Phase p = phases.computeIfAbsent(r.prefix() + " @ " + r.worker(), k -> new Phase());
            p.tasks++;
            p.busyMs += r.durationMs();
            p.firstStart = Math.min(p.firstStart, r.startMs());
            p.lastStop = Math.max(p.lastStop, r.stopMs());
            busy.merge(r.worker(), r.durationMs(), Long::sum);
        }
        StringBuilder b = new StringBuilder(String.format("phases (prefix @ worker: tasks, summed run s, span from the first task s);"
                + " the first task started %.1f s into the job:%n", stream.isEmpty() ? 0 : (t0 - startMs) / 1e3));
        for (Map.Entry<String, Phase> e : phases.entrySet()) {
            Phase p = e.getValue();
            b.append(String.format("  %-60s %6d tasks %8.1f s   %6.1f .. %6.1f s%n", e.getKey(), p.tasks, p.busyMs / 1e3,
                    (p.firstStart - t0) / 1e3, (p.lastStop - t0) / 1e3));
        }
        busy.forEach((w, ms) -> b.append(String.format("  busy %s: %.1f s of %.1f s (%.0f %%)%n", w, ms / 1e3, wallMs / 1e3,
                100.0 * ms / Math.max(1, wallMs))));
        return b.toString();
    }
}

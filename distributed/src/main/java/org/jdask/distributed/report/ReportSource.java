package org.jdask.distributed.report;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What a {@link PerformanceReport} reads from its client: the scheduler's worker list and task stream (one round trip each). */
public interface ReportSource {
    /** The scheduler's view of its workers (as {@code Client.workers()}). */
    List<Map<String, Object>> workers();

    /** The task stream's records that ended at or after {@code sinceMs}; empty when the scheduler keeps none (no dashboard). */
    Optional<List<TaskRecord>> taskStream(long sinceMs);

    /** The scheduler's address, for the report's title. */
    String schedulerAddress();
}

package org.jdask.schedulers.processes;

import java.util.Map;
import org.jdask.graph.SchedulerContract;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The scheduler contract suite on {@code processes} (2 worker JVMs). A few contract tests observe
 * task side effects through objects shared in memory with the test (a counter, a latch, an
 * anonymous class holding the test instance); those cannot hold across JVMs and are skipped here
 * with the reason, and {@link ProcessesSchedulerTest} checks the same properties across processes
 * (runs-once and cancellation with marker files).
 */
@ExtendWith(ProcessesSchedulerContractTest.SharedMemoryOnly.class)
class ProcessesSchedulerContractTest extends SchedulerContract {
    @Override
    protected String schedulerName() {
        return "processes";
    }

    @Override
    protected java.util.List<Object> run(org.jdask.graph.TaskGraph graph, java.util.List<org.jdask.graph.Key> outputs,
            org.jdask.graph.SchedulerListener... listeners) {
        try (var scope = org.jdask.Config.set("num-workers", 2)) {
            return super.run(graph, outputs, listeners);
        }
    }

    /** Skips the contract tests that need task and test to share memory. */
    static final class SharedMemoryOnly implements ExecutionCondition {
        private static final Map<String, String> REASONS = Map.of(
                "sharedDependencyRunsOnce", "counts calls in an AtomicInteger of the test JVM; see ProcessesSchedulerTest.sharedDependencyRunsOnceAcrossProcesses",
                "interruptingTheCallerCancelsTheRun", "its task captures a CountDownLatch (not serializable); see ProcessesSchedulerTest.interruptCancelsAndKillsBusyWorkers",
                "errorsInTasksBecomeTaskFailedException", "its anonymous Fn1 holds the test instance (this$0), which is not serializable; see ProcessesSchedulerTest.stackOverflowInATask");

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            String m = context.getTestMethod().map(java.lang.reflect.Method::getName).orElse("");
            String why = REASONS.get(m);
            return why == null ? ConditionEvaluationResult.enabled("runs on processes")
                    : ConditionEvaluationResult.disabled("shared memory only: " + why);
        }
    }
}

package org.jdask.schedulers.processes;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.jdask.Config;
import org.jdask.graph.NamedSchedulerProvider;
import org.jdask.graph.RunOptions;
import org.jdask.graph.Scheduler;
import org.jdask.graph.Schedulers;

/**
 * {@code processes}: tasks run in a pool of worker JVMs ({@link ProcessPool}), {@code num-workers}
 * of them (blank: the number of cores). Config (defaults in {@code jdask/defaults.yaml} of this
 * module): {@code processes.retries} (default 1): how many times a run starts over on a replacement
 * worker after a worker JVM died; {@code processes.worker-jvm-options}: extra JVM options for the
 * workers (e.g. {@code -Xmx4g}); {@code processes.start-timeout-ms}; {@code
 * processes.drain-timeout-ms}: after a task failed, how long running siblings may take before
 * their workers are killed and replaced.
 *
 * <p>Inside a worker JVM a nested {@code compute()} asking for {@code processes} runs on {@code
 * sync} in that worker: workers never start pools of their own.
 */
public final class ProcessesSchedulerProvider extends NamedSchedulerProvider {
    public ProcessesSchedulerProvider() {
        super("processes", "processes: a pool of num-workers worker JVMs, started once and reused (default: cores)");
    }

    @Override
    public Scheduler scheduler(RunOptions options) {
        if (System.getProperty(WorkerMain.WORKER_PROPERTY) != null) return Schedulers.provider("sync").scheduler(options);
        int retries = options.configInt("processes.retries", 1);
        if (retries < 0) throw new IllegalArgumentException("config processes.retries must be >= 0, got " + retries);
        long drainMillis = options.configDuration("processes.drain-timeout-ms", Duration.ofSeconds(5), ChronoUnit.MILLIS).toMillis();
        return new ProcessScheduler(workers(options), retries, drainMillis, jvmOptions(options.config("processes.worker-jvm-options", null)));
    }

    /** {@code num-workers} from the run's config; blank or unset means the number of cores. */
    static int workers(RunOptions options) {
        int n = options.numWorkers();
        if (n > 64) throw new IllegalArgumentException("config num-workers must be <= 64 for processes, got " + n);
        return n;
    }

    static List<String> workerJvmOptions() {
        return jvmOptions(Config.get("processes.worker-jvm-options"));
    }

    static long startTimeoutMillis() {
        return Config.getDuration("processes.start-timeout-ms", Duration.ofSeconds(60), ChronoUnit.MILLIS).toMillis();
    }

    /** A config value of JVM options (a whitespace-separated string or a list) as a list; empty for none. */
    public static List<String> jvmOptions(Object v) {
        if (v == null) return List.of();
        if (v instanceof Collection<?> c) return c.stream().map(String::valueOf).filter(s -> !s.isBlank()).toList();
        String s = v.toString().trim();
        return s.isEmpty() ? List.of() : Arrays.asList(s.split("\\s+"));
    }
}

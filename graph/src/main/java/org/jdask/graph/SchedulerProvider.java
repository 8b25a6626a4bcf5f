package org.jdask.graph;

/**
 * Service-provider interface for schedulers, found with {@link java.util.ServiceLoader}: a module
 * lists its providers in {@code META-INF/services/org.jdask.graph.SchedulerProvider}, so putting
 * {@code jdask-distributed} on the classpath is all it takes to get {@code scheduler=distributed}.
 */
public interface SchedulerProvider {
    /** The name used in config ({@code scheduler: threads}); unique among providers. */
    String name();

    /** One line for listings and error messages. */
    default String description() {
        return name();
    }

    /**
     * The scheduler to use for a run with {@code options}. Providers may return a shared instance
     * (a process pool is started once and reused).
     */
    Scheduler scheduler(RunOptions options);
}

package org.jdask.schedulers;

import org.jdask.graph.RunOptions;
import org.jdask.graph.Scheduler;
import org.jdask.graph.SchedulerProvider;

/**
 * {@code sync}: the {@link LocalEngine} with one worker, the calling thread. Every task runs on
 * the thread that called {@code compute()}, in priority order, so it is the scheduler to debug
 * with (breakpoints and stack traces go straight into the user's function).
 */
public final class SyncSchedulerProvider implements SchedulerProvider {
    static final LocalEngine ENGINE = new LocalEngine(Runnable::run, 1);

    @Override
    public String name() {
        return "sync";
    }

    @Override
    public String description() {
        return "sync: one worker, the calling thread (for debugging)";
    }

    @Override
    public Scheduler scheduler(RunOptions options) {
        return ENGINE;
    }
}

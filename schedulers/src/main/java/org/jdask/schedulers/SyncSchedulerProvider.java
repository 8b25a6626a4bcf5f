package org.jdask.schedulers;

import org.jdask.graph.NamedSchedulerProvider;
import org.jdask.graph.RunOptions;
import org.jdask.graph.Scheduler;

/**
 * {@code sync}: the {@link LocalEngine} with one worker, the calling thread. Every task runs on
 * the thread that called {@code compute()}, in priority order, so it is the scheduler to debug
 * with (breakpoints and stack traces go straight into the user's function).
 */
public final class SyncSchedulerProvider extends NamedSchedulerProvider {
    static final LocalEngine ENGINE = new LocalEngine(Runnable::run, 1);

    public SyncSchedulerProvider() {
        super("sync", "sync: one worker, the calling thread (for debugging)");
    }

    @Override
    public Scheduler scheduler(RunOptions options) {
        return ENGINE;
    }
}

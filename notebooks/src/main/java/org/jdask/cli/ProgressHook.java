package org.jdask.cli;

import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdask.graph.Key;
import org.jdask.graph.Listeners;
import org.jdask.graph.SchedulerListener;
import org.jdask.graph.TaskGraph;

/**
 * Progress for the demo's run, as an {@link AutoCloseable} to hold around {@code compute()}.
 *
 * <p>Uses {@code org.jdask.diagnostics.ProgressBar} (module jdask-schedulers) when it is on the
 * classpath, else prints one line per finished task through a {@link SchedulerListener}.
 *
 * <p>TODO(cli): once jdask-schedulers with ProgressBar is merged, replace this class with the
 * direct call {@code try (var bar = new ProgressBar(err)) { ... }} and delete the fallback.
 */
final class ProgressHook implements AutoCloseable {
    static final String PROGRESS_BAR = "org.jdask.diagnostics.ProgressBar";

    private final AutoCloseable delegate;
    private final String kind;

    private ProgressHook(AutoCloseable delegate, String kind) {
        this.delegate = delegate;
        this.kind = kind;
    }

    /** The progress bar drawing on {@code out} if available, else task lines on {@code out}. */
    static ProgressHook open(PrintStream out) {
        try {
            Class<?> c = Class.forName(PROGRESS_BAR, true, ProgressHook.class.getClassLoader());
            return new ProgressHook((AutoCloseable) c.getConstructor(PrintStream.class).newInstance(out), "bar");
        } catch (ClassNotFoundException e) {
            return new ProgressHook(Listeners.register(new TaskLines(out)), "lines");
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("cannot start " + PROGRESS_BAR + ": " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException(PROGRESS_BAR + " is on the classpath but has no public (PrintStream) "
                    + "constructor or is not AutoCloseable: " + e, e);
        }
    }

    /** {@code "bar"} for the real progress bar, {@code "lines"} for the fallback. */
    String kind() {
        return kind;
    }

    @Override
    public void close() {
        try {
            delegate.close();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("closing progress display", e);
        }
    }

    /** The fallback: {@code [ 3/12] done calc_mean-...} per finished task. */
    static final class TaskLines implements SchedulerListener {
        private final PrintStream out;
        private final AtomicInteger done = new AtomicInteger();
        private volatile int total;

        TaskLines(PrintStream out) {
            this.out = out;
        }

        @Override
        public void start(TaskGraph graph) {
            done.set(0);
            total = graph.size();
        }

        @Override
        public void posttask(Key key, Object result, int worker, boolean failed) {
            int n = done.incrementAndGet();
            String width = Integer.toString(Integer.toString(total).length());
            synchronized (out) {
                out.printf("[%" + width + "d/%d] %s %s (worker %d)%n", n, total, failed ? "FAILED" : "done", key, worker);
            }
        }
    }
}

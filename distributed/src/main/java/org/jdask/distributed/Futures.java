package org.jdask.distributed;

import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jdask.distributed.internal.ClientState;

/**
 * Helpers over many futures: {@link #asCompleted}, {@link #wait} and {@link #progress}, as in
 * {@code dask.distributed}.
 */
public final class Futures {
    private Futures() {}

    /**
     * The futures in the order they finish (or fail, or are cancelled). Iterating blocks until the
     * next one is done.
     */
    public static <T> Iterable<Future<T>> asCompleted(Collection<Future<T>> futures) {
        LinkedBlockingQueue<Future<T>> q = new LinkedBlockingQueue<>();
        int n = futures.size();
        for (Future<T> f : futures) f.addDoneCallback(q::add);
        return () -> new Iterator<>() {
            int taken;

            @Override
            public boolean hasNext() {
                return taken < n;
            }

            @Override
            public Future<T> next() {
                if (taken >= n) throw new NoSuchElementException();
                try {
                    Future<T> f = q.take();
                    taken++;
                    return f;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new org.jdask.JdaskException("interrupted while waiting for futures");
                }
            }
        };
    }

    /** Waits until every future is done; fails with {@link TimeoutException} listing the pending ones. */
    public static void wait(Collection<? extends Future<?>> futures, long timeout, TimeUnit unit) throws TimeoutException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (Future<?> f : futures) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (!f.client.awaitDone(f.state, Math.max(0, left))) {
                List<Object> pending = new ArrayList<>();
                for (Future<?> g : futures) if (!g.done()) pending.add(g.key());
                throw new TimeoutException(pending.size() + " of " + futures.size() + " futures not done after "
                        + unit.toMillis(timeout) + " ms: " + (pending.size() > 10 ? pending.subList(0, 10) + "..." : pending));
            }
        }
        Reference.reachabilityFence(futures); // keeps the keys wanted while we wait
    }

    /**
     * Draws a console progress bar (the {@link org.jdask.diagnostics.ProgressBar} of local runs) on
     * {@code System.out} until every future is done (finished, failed or cancelled), like Dask's
     * {@code progress(futures)}:
     * <pre>{@code
     * Futures.progress(client.map(Ops::slowInc, items));
     * // [########################################] 100% | 500/500 tasks | 3.2 s
     * }</pre>
     * A future of {@link Client#compute} counts every task of its graph; other futures count one
     * each. Failures count as done: look at each future's {@link Future#exception()}. Fails if the
     * client is closed or loses its scheduler.
     */
    public static void progress(Collection<? extends Future<?>> futures) {
        progress(futures, Long.MAX_VALUE, TimeUnit.MILLISECONDS, System.out);
    }

    /** {@link #progress(Collection)} for at most {@code timeout}; returns whether every future is done. */
    public static boolean progress(Collection<? extends Future<?>> futures, long timeout, TimeUnit unit) {
        return progress(futures, timeout, unit, System.out);
    }

    /**
     * {@link #progress(Collection, long, TimeUnit)} drawing on {@code out}: redrawn in place on an
     * interactive {@code System.out}, else one line per redraw (at most 10 a second), always ending
     * with a line for the final state ({@code 100%} when all are done).
     */
    public static boolean progress(Collection<? extends Future<?>> futures, long timeout, TimeUnit unit, java.io.PrintStream out) {
        boolean inPlace = out == System.out && System.console() != null;
        org.jdask.diagnostics.ProgressBar bar = org.jdask.diagnostics.ProgressBar.unregistered(out, java.time.Duration.ofMillis(100), inPlace);
        long deadline = timeout == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + unit.toNanos(timeout);
        long total = 0;
        for (Future<?> f : futures) total += f.state.tasks;
        while (true) {
            long done = 0;
            boolean all = true;
            for (Future<?> f : futures) {
                ClientState.KeyState s = f.state;
                if (s.done.isDone()) done += s.tasks;
                else {
                    all = false;
                    java.util.concurrent.atomic.AtomicInteger counted = s.tasksDone;
                    if (counted != null) done += Math.min(counted.get(), s.tasks - 1);
                }
            }
            boolean timedOut = System.nanoTime() - deadline > 0 && deadline != Long.MAX_VALUE;
            bar.update(done, total, all || timedOut);
            if (all) return true;
            if (timedOut) return false;
            for (Future<?> f : futures) f.client.checkOpen();
            try {
                Thread.sleep(deadline == Long.MAX_VALUE ? 50 : Math.max(1, Math.min(50, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new org.jdask.JdaskException("interrupted while showing progress");
            }
        }
    }
}

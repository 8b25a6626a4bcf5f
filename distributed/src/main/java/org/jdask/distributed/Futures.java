package org.jdask.distributed;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Helpers over many futures: {@link #asCompleted} and {@link #wait}, as in {@code dask.distributed}. */
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
    }
}

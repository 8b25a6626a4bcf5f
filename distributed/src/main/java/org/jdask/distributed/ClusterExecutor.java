package org.jdask.distributed;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.jdask.fn.Fn0;

/**
 * {@link Client#executorService()}: existing {@code ExecutorService} code ({@code submit},
 * {@code invokeAll}, {@code execute}) runs on the cluster unchanged. Every call is its own impure
 * task. With worker JVMs the callables must be serializable; with in-process workers they are
 * passed as they are. Shutting it down does not close the client.
 */
final class ClusterExecutor extends AbstractExecutorService {
    private final Client client;
    private volatile boolean shutdown;

    ClusterExecutor(Client client) {
        this.client = client;
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        if (shutdown) throw new java.util.concurrent.RejectedExecutionException("executor is shut down");
        Fn0<T> fn = task::call;
        return client.submit(fn, SubmitOptions.pure(false));
    }

    @Override
    public Future<?> submit(Runnable task) {
        return submit(() -> {
            task.run();
            return null;
        });
    }

    @Override
    public <T> Future<T> submit(Runnable task, T result) {
        return submit(() -> {
            task.run();
            return result;
        });
    }

    @Override
    public <T> List<java.util.concurrent.Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        List<java.util.concurrent.Future<T>> out = new ArrayList<>();
        for (Callable<T> c : tasks) out.add(submit(c));
        for (java.util.concurrent.Future<T> f : out) {
            Future<T> df = (Future<T>) f;
            client.awaitDone(df.state, -1);
            if (Thread.interrupted()) throw new InterruptedException();
        }
        return out;
    }

    @Override
    public void execute(Runnable command) {
        submit(command);
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return true;
    }
}

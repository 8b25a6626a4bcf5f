package org.jdask.distributed;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jdask.SerializationException;
import org.jdask.TaskFailedException;
import org.jdask.fn.FnN;

/**
 * {@link Client#executorService()}: existing {@code ExecutorService} code ({@code submit},
 * {@code invokeAll}, {@code invokeAny}, {@code execute}) runs on the cluster unchanged. Every call
 * is its own impure task whose key is named after the callable.
 *
 * <p>Unlike {@link AbstractExecutorService}'s defaults, nothing here wraps a task in a
 * {@code FutureTask} that would have to travel: the callable or runnable itself is the task's
 * function. With worker JVMs it must therefore be {@link Serializable} (a record or class
 * implementing {@code Callable} and {@code Serializable}, or a lambda cast to {@code (Callable<T> &
 * Serializable)}); anything else is refused at submission with a {@link RejectedExecutionException}
 * naming its class. With in-process workers callables are passed as they are.
 *
 * <p>{@code invokeAny} submits every callable, returns the first successful result and cancels the
 * others. {@code shutdown} stops accepting tasks; it does not close the client, and
 * {@link #awaitTermination} waits for tasks given to {@link #execute}.
 */
final class ClusterExecutor extends AbstractExecutorService {
    private final Client client;
    /** Futures of {@link #execute}d tasks: held until done, or the task would be released (and dropped) at once. */
    private final Set<Future<?>> executing = ConcurrentHashMap.newKeySet();
    private volatile boolean shutdown;

    ClusterExecutor(Client client) {
        this.client = client;
    }

    /**
     * A {@link Callable}, or a {@link Runnable} and the result to give when it has run (one of the
     * two is null), as a task function named after it (its {@link #target()}).
     */
    record ExecutorTask(Callable<?> callable, Runnable runnable, Object result) implements FnN {
        @Override
        public Object invoke(Object[] args) throws Exception {
            if (callable != null) return callable.call();
            runnable.run();
            return result;
        }

        @Override
        public Object target() {
            return callable != null ? callable : runnable;
        }

        @Override
        public int arity() {
            return 0;
        }
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        return start(new ExecutorTask(check(task), null, null));
    }

    @Override
    public Future<?> submit(Runnable task) {
        return start(new ExecutorTask(null, check(task), null));
    }

    @Override
    public <T> Future<T> submit(Runnable task, T result) {
        return start(new ExecutorTask(null, check(task), result));
    }

    @Override
    public void execute(Runnable command) {
        Future<?> f = submit(command);
        executing.add(f);
        f.addDoneCallback(executing::remove);
    }

    private <T> T check(T task) {
        if (task == null) throw new NullPointerException("task");
        if (shutdown) throw new RejectedExecutionException("executor is shut down");
        if (client.sendsBytes() && !(task instanceof Serializable)) {
            throw new RejectedExecutionException("task " + task.getClass().getName() + " is not Serializable, so it cannot be sent to "
                    + "worker JVMs: implement Serializable (e.g. a record implementing Callable and Serializable) or cast a lambda "
                    + "to (Callable<T> & Serializable)");
        }
        return task;
    }

    private <T> Future<T> start(FnN fn) {
        try {
            return client.submitFn(fn, SubmitOptions.pure(false));
        } catch (SerializationException e) {
            throw new RejectedExecutionException("task " + fn.target().getClass().getName() + " cannot be sent to worker JVMs: "
                    + e.getMessage(), e);
        }
    }

    private <T> List<Future<T>> startAll(Collection<? extends Callable<T>> tasks) {
        List<Future<T>> out = new ArrayList<>(tasks.size());
        try {
            for (Callable<T> c : tasks) out.add(submit(c));
        } catch (RuntimeException e) {
            for (Future<T> f : out) f.cancel();
            throw e;
        }
        return out;
    }

    @Override
    public <T> List<java.util.concurrent.Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        List<Future<T>> fs = startAll(tasks);
        for (Future<T> f : fs) {
            client.awaitDone(f.state, -1);
            if (Thread.interrupted()) {
                for (Future<T> g : fs) g.cancel();
                throw new InterruptedException();
            }
        }
        return new ArrayList<>(fs);
    }

    /** As the JDK's: tasks not done at the timeout are cancelled (and are done, as cancelled, on return). */
    @Override
    public <T> List<java.util.concurrent.Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        List<Future<T>> fs = startAll(tasks);
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (Future<T> f : fs) {
            if (!client.awaitDone(f.state, Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())))) break;
        }
        if (Thread.interrupted()) {
            for (Future<T> g : fs) g.cancel();
            throw new InterruptedException();
        }
        for (Future<T> f : fs) if (!f.done()) f.cancel();
        for (Future<T> f : fs) client.awaitDone(f.state, 10_000); // the scheduler confirms each cancellation
        return new ArrayList<>(fs);
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        try {
            return any(tasks, -1);
        } catch (TimeoutException e) {
            throw new IllegalStateException(e); // no timeout was given
        }
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        return any(tasks, Math.max(0, unit.toNanos(timeout)));
    }

    /** The first successful result; the other tasks are cancelled. {@code nanos < 0}: no timeout. */
    private <T> T any(Collection<? extends Callable<T>> tasks, long nanos)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (tasks.isEmpty()) throw new IllegalArgumentException("invokeAny needs at least one task");
        List<Future<T>> fs = startAll(tasks);
        LinkedBlockingQueue<Future<T>> done = new LinkedBlockingQueue<>();
        for (Future<T> f : fs) f.addDoneCallback(done::add);
        long deadline = System.nanoTime() + nanos;
        ExecutionException last = null;
        try {
            for (int finished = 0; finished < fs.size(); ) {
                long wait = nanos < 0 ? TimeUnit.SECONDS.toNanos(1) : Math.min(TimeUnit.SECONDS.toNanos(1), deadline - System.nanoTime());
                if (nanos >= 0 && wait <= 0) {
                    throw new TimeoutException("none of " + fs.size() + " tasks succeeded within " + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms");
                }
                Future<T> f = done.poll(wait, TimeUnit.NANOSECONDS);
                if (f == null) {
                    client.checkOpen(); // fails if the client was closed or lost its scheduler
                    continue;
                }
                finished++;
                try {
                    return f.result();
                } catch (TaskFailedException e) {
                    last = new ExecutionException(e.getCause());
                } catch (CancellationException | org.jdask.JdaskException e) {
                    last = new ExecutionException(e);
                }
            }
            throw last;
        } finally {
            for (Future<T> f : fs) if (!f.done()) f.cancel();
        }
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    /** Stops accepting tasks and cancels those given to {@link #execute} that are still running. */
    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        for (Future<?> f : executing) f.cancel();
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown && executing.isEmpty();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (!isTerminated()) {
            if (System.nanoTime() > deadline) return false;
            Thread.sleep(10);
        }
        return true;
    }
}

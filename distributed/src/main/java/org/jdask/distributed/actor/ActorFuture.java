package org.jdask.distributed.actor;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jdask.JdaskException;

/**
 * The result of one actor call (Dask's {@code ActorFuture}): a {@link java.util.concurrent.Future}
 * whose {@link #result()} returns the method's value or throws an {@link ActorException} naming
 * the actor. Calls are pipelined: {@code handle.call(...)} returns at once, so a thousand calls
 * cost about one round trip, not a thousand; they run on the actor in the order they were made.
 *
 * <p>Unlike a task's {@code org.jdask.distributed.Future}, it holds no data on the cluster (the
 * value travels back with the reply) and cannot be passed to {@code submit}. Cancelling it does not
 * stop the call on the worker; it only stops waiting.
 */
public final class ActorFuture<R> implements Future<R> {
    private final String actor;
    final CompletableFuture<R> done;

    ActorFuture(String actor, CompletableFuture<R> done) {
        this.actor = actor;
        this.done = done;
    }

    /** The method's value; waits as long as it takes (a lost worker fails it, see {@link ActorLostException}). */
    public R result() {
        try {
            return done.join();
        } catch (CompletionException e) {
            throw unwrap(e.getCause());
        } catch (CancellationException e) {
            throw new ActorException(actor, "call on actor " + actor + " was cancelled", e);
        }
    }

    /** The method's value, waiting at most {@code timeout}. */
    public R result(long timeout, TimeUnit unit) throws TimeoutException {
        try {
            return done.get(timeout, unit);
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        } catch (TimeoutException e) {
            throw new TimeoutException("call on actor " + actor + " did not return within " + unit.toMillis(timeout) + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ActorException(actor, "interrupted while waiting for a call on actor " + actor, e);
        }
    }

    private RuntimeException unwrap(Throwable t) {
        if (t instanceof ActorException a) return a;
        if (t instanceof JdaskException j) return new ActorException(actor, "actor " + actor + ": " + j.getMessage(), j);
        return new ActorException(actor, "actor " + actor + ": " + t, t);
    }

    /** A {@link CompletableFuture} of the value, to compose with ({@code thenApply}, {@code allOf}). */
    public CompletableFuture<R> toCompletableFuture() {
        return done.copy();
    }

    /** The actor this call went to. */
    public String actor() {
        return actor;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return done.cancel(mayInterruptIfRunning);
    }

    @Override
    public boolean isCancelled() {
        return done.isCancelled();
    }

    @Override
    public boolean isDone() {
        return done.isDone();
    }

    @Override
    public R get() throws InterruptedException, ExecutionException {
        return done.get();
    }

    @Override
    public R get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        return done.get(timeout, unit);
    }

    @Override
    public String toString() {
        return "ActorFuture(" + actor + ", " + (done.isCompletedExceptionally() ? "error" : done.isDone() ? "done" : "pending") + ")";
    }
}

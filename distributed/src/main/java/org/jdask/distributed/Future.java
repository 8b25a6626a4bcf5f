package org.jdask.distributed;

import java.lang.ref.Reference;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jdask.distributed.internal.ClientState;
import org.jdask.graph.Key;

/**
 * A remote result: the value of {@link #key()} computed (or scattered) on the cluster, living on a
 * worker until no future refers to it. Like Dask's {@code Future}: {@link #result()} fetches the
 * value from the worker holding it, {@link #done()} does not block, {@link #cancel()} asks the
 * scheduler to stop; unlike {@link CompletableFuture} it is reference-counted: when the last
 * {@code Future} of a key is {@linkplain #release() released} or garbage-collected, the scheduler
 * frees the data.
 *
 * <p>Implements {@link java.util.concurrent.Future} so it fits {@code ExecutorService} code; a
 * task's failure comes out of {@link #result()} as {@link org.jdask.TaskFailedException} and out
 * of {@link #get()} as {@link ExecutionException}.
 */
public final class Future<T> implements java.util.concurrent.Future<T> {
    final Client client;
    final ClientState.KeyState state;
    private final Function<Object, T> post;
    private final KeyRef ref;

    Future(Client client, Key key, Function<Object, T> post) {
        this.client = client;
        this.post = post;
        this.ref = client.acquire(key, this); // lookup and reference count in one step
        this.state = ref.state;
    }

    public Key key() {
        return state.key;
    }

    /** Waits for the value and fetches it (no timeout; fails if the scheduler is lost). */
    public T result() {
        checkHeld();
        try {
            return post.apply(client.resultOf(state, -1));
        } finally {
            // a future used only for result() would otherwise be unreachable while its caller
            // waits (once JIT-compiled): the cleaner would release its key and the scheduler forget it
            Reference.reachabilityFence(this);
        }
    }

    private void checkHeld() {
        if (ref.released()) throw new IllegalStateException("future " + state.key + " was released; its data may be gone");
    }

    /** Waits at most {@code timeout} for the value. */
    public T result(long timeout, TimeUnit unit) throws TimeoutException {
        checkHeld();
        long ms = Math.max(0, unit.toMillis(timeout));
        try {
            if (!client.awaitDone(state, ms)) {
                throw new TimeoutException("future " + state.key + " not done after " + ms + " ms (status " + state.status + ")");
            }
            return post.apply(client.resultOf(state, ms));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** Finished, failed or cancelled (does not block). */
    public boolean done() {
        return state.done.isDone();
    }

    /** PENDING, FINISHED, ERROR, CANCELLED or LOST (being recomputed). */
    public String status() {
        return state.status.name();
    }

    /** The failure (the user's exception, or a {@link org.jdask.KilledWorkerException}), or null. */
    public Throwable exception() {
        checkHeld();
        client.awaitDone(state, -1);
        Reference.reachabilityFence(this);
        return state.exception;
    }

    /** Asks the scheduler to stop computing this key; the future becomes cancelled. */
    public boolean cancel() {
        return client.cancel(state);
    }

    /** Runs {@code callback} once this future is done (at once if it already is), on a client thread. */
    public Future<T> addDoneCallback(Consumer<Future<T>> callback) {
        state.done.whenComplete((v, e) -> callback.accept(this));
        return this;
    }

    /** A {@link CompletableFuture} completed with the value (fetched when done) or the failure. */
    public CompletableFuture<T> toCompletableFuture() {
        CompletableFuture<T> cf = new CompletableFuture<>();
        state.done.whenComplete((v, e) -> FETCHERS.execute(() -> {
            try {
                cf.complete(result());
            } catch (RuntimeException ex) {
                cf.completeExceptionally(ex);
            }
        }));
        return cf;
    }

    /**
     * Threads that fetch values for {@link #toCompletableFuture()}: reused between futures (the common
     * pool would start a thread per task on a 2-core machine, where its parallelism is 1).
     */
    private static final java.util.concurrent.ExecutorService FETCHERS = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "jdask-future-fetch");
        t.setDaemon(true);
        return t;
    });

    /** Drops this future's hold on the data now (it is also dropped when the future is collected). */
    public void release() {
        ref.release();
    }

    // java.util.concurrent.Future

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return cancel();
    }

    @Override
    public boolean isCancelled() {
        return state.status == ClientState.Status.CANCELLED;
    }

    @Override
    public boolean isDone() {
        return done();
    }

    @Override
    public T get() throws ExecutionException {
        try {
            return result();
        } catch (org.jdask.TaskFailedException e) {
            throw new ExecutionException(e.getCause());
        }
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws ExecutionException, TimeoutException {
        try {
            return result(timeout, unit);
        } catch (org.jdask.TaskFailedException e) {
            throw new ExecutionException(e.getCause());
        }
    }

    @Override
    public String toString() {
        return "Future(" + state.key + ", " + state.status + ")";
    }
}

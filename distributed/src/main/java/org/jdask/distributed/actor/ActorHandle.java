package org.jdask.distributed.actor;

import java.io.Serializable;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;

/**
 * A stateful object living on one worker (Dask's {@code Actor}): {@code client.submitActor(Counter::new)}
 * builds it there and returns this handle; each {@link #call} sends the method straight to that
 * worker (not through the scheduler), where it runs on the actor's own thread, one call at a time,
 * in the order the calls were made from each client. Results come back as {@link ActorFuture}s.
 *
 * <pre>{@code
 * try (ActorHandle<Counter> counter = client.submitActor(Counter::new)) {
 *     for (int i = 0; i < 1000; i++) counter.call(Counter::increment); // pipelined, no waiting
 *     int n = counter.call(Counter::increment).result();             // 1001
 *     counter.call(Counter::add, 5).result();                         // a method with an argument
 *     counter.run(Counter::reset).result();                           // a void method
 * }
 * }</pre>
 *
 * <h2>Lifetime</h2>
 * The actor lives while a handle holds it: this one, and handles other clients attached with
 * {@code client.actor(handle.ref())}. {@link #close()} (or the garbage collector, once this handle
 * is unreachable) releases this handle's hold; calls already sent still run. If the worker dies,
 * pending and later calls fail with {@link ActorLostException}; the actor is not rebuilt (as in
 * Dask). If a client JVM dies without releasing its handles, the actor stays until its worker ends.
 *
 * <h2>Methods</h2>
 * Methods are passed as serializable functions ({@code Counter::increment}, {@code c -> c.total()}):
 * with worker JVMs they, their arguments and results cross the network like task functions, so
 * their classes must be allowed ({@code Codecs.allow(prefix)}). A method that throws fails its
 * future with an {@link ActorException} whose cause is the method's exception; the actor stays.
 */
public final class ActorHandle<T> implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    /** A method without a result, e.g. {@code Counter::reset}. */
    @FunctionalInterface
    public interface Action<T> extends Serializable {
        void accept(T actor) throws Exception;
    }

    private final Actors actors;
    private final ActorRef<T> ref;
    private final Cleaner.Cleanable hold;
    private final AtomicBoolean released = new AtomicBoolean();

    ActorHandle(Actors actors, ActorRef<T> ref) {
        this.actors = actors;
        this.ref = ref;
        this.hold = CLEANER.register(this, new Release(actors, ref));
    }

    /** Drops one hold on the worker; a static class so the cleaner does not keep the handle reachable. */
    private record Release(Actors actors, ActorRef<?> ref) implements Runnable {
        @Override
        public void run() {
            actors.release(ref);
        }
    }

    /** Runs {@code method} on the actor (after the calls made before it) and returns its result. */
    public <R> ActorFuture<R> call(Fn1<? super T, ? extends R> method) {
        checkHeld();
        return actors.call(ref, method, false, null);
    }

    /** Runs {@code method(actor, arg)}, e.g. {@code call(Counter::add, 5)}; {@code arg} travels as data, as task arguments do. */
    public <A, R> ActorFuture<R> call(Fn2<? super T, ? super A, ? extends R> method, A arg) {
        checkHeld();
        return actors.call(ref, method, true, arg);
    }

    /** Runs a method without a result, e.g. {@code run(Counter::reset)}; the future completes with null when it returned. */
    public ActorFuture<Void> run(Action<? super T> action) {
        checkHeld();
        return actors.call(ref, action, false, null);
    }

    private void checkHeld() {
        if (released.get()) throw new IllegalStateException("actor handle " + ref.name() + " was released (close()): attach a new one with client.actor(ref)");
    }

    /** The actor's name, e.g. {@code Counter-3f2a9c1b} (its class's simple name and a token), used in every error about it. */
    public String name() {
        return ref.name();
    }

    /** The address of the worker holding the actor. */
    public String worker() {
        return ref.worker();
    }

    /** Serializable coordinates of the actor, for {@code otherClient.actor(ref)}. */
    public ActorRef<T> ref() {
        return ref;
    }

    /** Releases this handle's hold on the actor (once; later calls on this handle are refused). */
    @Override
    public void close() {
        if (released.compareAndSet(false, true)) hold.clean();
    }

    @Override
    public String toString() {
        return "ActorHandle(" + ref.name() + " on " + ref.worker() + (released.get() ? ", released" : "") + ")";
    }
}

package org.jdask.distributed.actor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;
import org.jdask.Config;
import org.jdask.JdaskException;
import org.jdask.RemoteTaskError;
import org.jdask.distributed.internal.Messages;
import org.jdask.distributed.internal.Messages.Message;
import org.jdask.distributed.internal.Payload;
import org.jdask.fn.Fn0;
import org.jdask.graph.Key;
import org.jdask.graph.SerializationCheck;
import org.jdask.serialize.Codecs;

/**
 * One client's side of its actors: creates them on a worker, sends calls straight to the worker
 * that holds each one (the client's connection to that worker's data port, as for gather), and
 * watches for lost workers.
 *
 * <h2>How a call travels</h2>
 * {@code handle.call(m)} encodes {@code m} on the calling thread, queues an {@code ACTOR_CALL} on
 * the client's I/O thread and returns an {@link ActorFuture}; the worker's I/O thread hands the call
 * to the actor's own thread (calls from one client arrive, and run, in order) and the reply
 * completes the future. Nothing waits between calls, so calls pipeline.
 *
 * <h2>Lost workers</h2>
 * A request to a dead worker gets no answer (ZeroMQ keeps retrying the connection), so while calls
 * are pending a watchdog asks the scheduler every {@code distributed.actor.check-interval} (1 s)
 * which workers it has; a worker no longer among them fails every pending call on its actors with
 * an {@link ActorLostException} naming the actor and the worker, and later calls fail at once.
 */
public final class Actors implements AutoCloseable {
    /** What the actors need from their client (its I/O thread and a scheduler round trip). */
    public interface Transport {
        /** Sends a request built with a fresh id to {@code worker}'s data port; completed by the reply. */
        CompletableFuture<Message> request(String worker, LongFunction<Message> build);

        /** The workers the scheduler has now (a round trip). */
        List<String> workers();

        /** Throws if the client is closed or lost its scheduler. */
        void checkOpen();
    }

    private final Transport transport;
    private final long checkMs = Config.getDuration("distributed.actor.check-interval", Duration.ofSeconds(1)).toMillis();
    private final long createMs = Config.getDuration("distributed.actor.create-timeout", Duration.ofSeconds(60)).toMillis();
    /** Pending calls by worker, each with its actor's name (the watchdog fails them if the worker goes). */
    private final Map<String, Map<CompletableFuture<?>, String>> pending = new ConcurrentHashMap<>();
    /** Workers found gone, with why: calls to them fail at once. */
    private final Map<String, String> lost = new ConcurrentHashMap<>();
    /** Round-robin placement, seeded so that clients do not all start on the same worker. */
    private final AtomicInteger nextWorker = new AtomicInteger((int) (System.nanoTime() & 0xffff));
    private volatile ScheduledExecutorService watchdog;
    private volatile boolean closed;

    public Actors(Transport transport) {
        this.transport = transport;
    }

    // ------------------------------------------------------------------ create, attach, release

    /**
     * Builds an actor with {@code ctor} on {@code worker} (null: the next worker round-robin) and
     * returns its handle once it is built; a constructor that throws fails here, naming the worker.
     */
    public <T> ActorHandle<T> create(Fn0<T> ctor, String worker) {
        Objects.requireNonNull(ctor, "submitActor: the constructor (e.g. Counter::new) is null");
        transport.checkOpen();
        List<String> workers = transport.workers();
        if (workers.isEmpty()) throw new JdaskException("submitActor: the scheduler has no workers to hold an actor");
        String w;
        if (worker == null) {
            List<String> sorted = new ArrayList<>(workers);
            Collections.sort(sorted);
            w = sorted.get(Math.floorMod(nextWorker.getAndIncrement(), sorted.size()));
        } else if (workers.contains(worker)) {
            w = worker;
        } else {
            throw new IllegalArgumentException("submitActor: no worker " + worker + " in the cluster; its workers are " + workers);
        }
        String token = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        String provisional = "actor-" + token;
        // refused before anything is sent, with the path to what cannot travel (as for tasks)
        if (remote(w)) SerializationCheck.checkValue(Key.of(provisional), ctor, "constructor of the actor");
        Payload p = encode(provisional, ctor, w, "the constructor");
        List<String> allowed = new ArrayList<>(Codecs.allowedPackages());
        Object className = await(send(provisional, w, id -> new Messages.ActorCreate(id, token, p, allowed)), provisional,
                "building actor " + provisional + " on worker " + w);
        return new ActorHandle<>(this, new ActorRef<>(className + "-" + token, w));
    }

    /** A new handle (a new hold) on the actor {@code ref} names; fails if the worker no longer has it. */
    public <T> ActorHandle<T> attach(ActorRef<T> ref) {
        Objects.requireNonNull(ref, "actor ref");
        transport.checkOpen();
        List<String> allowed = new ArrayList<>(Codecs.allowedPackages());
        await(send(ref.name(), ref.worker(), id -> new Messages.ActorHold(id, ref.token(), 1, allowed)), ref.name(),
                "attaching to actor " + ref.name() + " on worker " + ref.worker());
        return new ActorHandle<>(this, ref);
    }

    /** Drops one hold (a handle closed or collected); nothing is waited for. */
    void release(ActorRef<?> ref) {
        if (closed || lost.containsKey(ref.worker())) return;
        transport.request(ref.worker(), id -> new Messages.ActorHold(id, ref.token(), -1, List.of()));
    }

    // ------------------------------------------------------------------ calls

    /** {@code method} is an {@code Fn1}, an {@code Fn2} (with {@code arg}) or an {@link ActorHandle.Action}. */
    <R> ActorFuture<R> call(ActorRef<?> ref, Object method, boolean hasArg, Object arg) {
        Objects.requireNonNull(method, "the method to call on actor " + ref.name());
        transport.checkOpen();
        Payload fn = encodeMethod(ref.name(), method, ref.worker());
        Payload a = hasArg ? encode(ref.name(), arg, ref.worker(), "the argument of a call") : null;
        @SuppressWarnings("unchecked")
        CompletableFuture<R> out = (CompletableFuture<R>) send(ref.name(), ref.worker(), id -> new Messages.ActorCall(id, ref.token(), fn, a));
        return new ActorFuture<>(ref.name(), out);
    }

    /**
     * Method references and lambdas that capture nothing ({@code Counter::increment}) are one object
     * per call site, so each is encoded once and its bytes reused: encoding a lambda costs far more
     * than the call itself. Capturing lambdas are encoded per call (their captures may change).
     */
    private Payload encodeMethod(String actor, Object method, String worker) {
        if (!remote(worker)) return Payload.ofValue(method);
        Payload p = encodedMethods.get(method);
        if (p != null) return p;
        p = encode(actor, method, worker, "the method call");
        if (ActorHost.stateless(method)) encodedMethods.put(method, p);
        return p;
    }

    /** Encoded stateless methods by instance (weak: a class unloaded with its call sites is not kept). */
    private final Map<Object, Payload> encodedMethods = Collections.synchronizedMap(new WeakHashMap<>());

    /** Sends a request about {@code actor} to {@code worker}, tracked until answered; completes with the reply's value. */
    private CompletableFuture<Object> send(String actor, String worker, LongFunction<Message> build) {
        CompletableFuture<Object> out = new CompletableFuture<>();
        String why = lost.get(worker);
        if (why != null) {
            out.completeExceptionally(lostError(actor, worker, why, 0));
            return out;
        }
        Map<CompletableFuture<?>, String> mine = pending.computeIfAbsent(worker, w -> new ConcurrentHashMap<>());
        mine.put(out, actor);
        ensureWatchdog();
        transport.request(worker, build).whenComplete((m, e) -> {
            mine.remove(out);
            if (e != null) out.completeExceptionally(new ActorException(actor, "actor " + actor + " on worker " + worker + ": " + e.getMessage(), e));
            else if (m instanceof Messages.ActorReply r && r.ok()) out.complete(r.result() == null ? null : r.result().value());
            else if (m instanceof Messages.ActorReply r) out.completeExceptionally(failure(actor, worker, r.result() == null ? null : r.result().value()));
            else if (m instanceof Messages.ErrorMsg err) out.completeExceptionally(new ActorException(actor, "worker " + worker + " refused a request about actor " + actor + ": " + err.text(), null));
            else out.completeExceptionally(new ActorException(actor, "worker " + worker + " answered " + m.op() + " about actor " + actor, null));
        });
        return out;
    }

    private static ActorException failure(String actor, String worker, Object error) {
        Throwable cause = error instanceof Throwable t ? t : null;
        String type = cause instanceof RemoteTaskError r ? r.originalType() : cause == null ? String.valueOf(error) : cause.getClass().getName();
        String msg = cause == null || cause.getMessage() == null ? type : type + ": " + cause.getMessage();
        return new ActorException(actor, "actor " + actor + " on worker " + worker + ": " + msg, cause);
    }

    private <T> T await(CompletableFuture<Object> f, String actor, String what) {
        try {
            @SuppressWarnings("unchecked")
            T v = (T) f.get(createMs, TimeUnit.MILLISECONDS);
            return v;
        } catch (TimeoutException e) {
            throw new ActorException(actor, what + ": no answer within " + createMs + " ms (distributed.actor.create-timeout)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ActorException(actor, "interrupted while " + what, e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof ActorException a) {
                throw a instanceof ActorLostException ? a : new ActorException(actor, what + " failed: " + a.getMessage(), a.getCause());
            }
            throw new ActorException(actor, what + " failed: " + c, c);
        }
    }

    /** The object as a payload; for worker JVMs encoded here (not on the I/O thread), so a failure names the actor. */
    private static Payload encode(String actor, Object value, String worker, String role) {
        Payload p = Payload.ofValue(value);
        if (!remote(worker)) return p;
        try {
            p.bytes();
        } catch (RuntimeException e) {
            SerializationCheck.checkValue(Key.of(actor), value, role + " of actor " + actor); // names the path when it can
            throw new ActorException(actor, role + " of actor " + actor + " cannot be sent to worker " + worker + ": " + e, e);
        }
        return p;
    }

    private static boolean remote(String worker) {
        return !worker.startsWith("inproc://");
    }

    // ------------------------------------------------------------------ lost workers

    private void ensureWatchdog() {
        if (watchdog != null || closed) return;
        synchronized (this) {
            if (watchdog != null) return;
            ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "jdask-actor-watchdog");
                t.setDaemon(true);
                return t;
            });
            s.scheduleWithFixedDelay(this::check, checkMs, checkMs, TimeUnit.MILLISECONDS);
            watchdog = s;
        }
    }

    /** Fails the pending calls of workers the scheduler no longer has. */
    private void check() {
        boolean any = false;
        for (Map<CompletableFuture<?>, String> m : pending.values()) any |= !m.isEmpty();
        if (!any || closed) return;
        List<String> alive;
        try {
            alive = transport.workers();
        } catch (RuntimeException e) {
            return; // the scheduler did not answer: the client's own watchdog handles a lost scheduler
        }
        for (Map.Entry<String, Map<CompletableFuture<?>, String>> e : pending.entrySet()) {
            if (!e.getValue().isEmpty() && !alive.contains(e.getKey())) {
                workerLost(e.getKey(), "it left the cluster (its JVM died, or it was closed, retired or restarted)");
            }
        }
    }

    private void workerLost(String worker, String why) {
        lost.put(worker, why);
        Map<CompletableFuture<?>, String> calls = pending.getOrDefault(worker, Map.of());
        Map<String, Integer> perActor = new java.util.HashMap<>();
        for (String a : calls.values()) perActor.merge(a, 1, Integer::sum);
        for (Map.Entry<CompletableFuture<?>, String> c : calls.entrySet()) {
            c.getKey().completeExceptionally(lostError(c.getValue(), worker, why, perActor.getOrDefault(c.getValue(), 0)));
        }
        calls.clear();
    }

    private static ActorLostException lostError(String actor, String worker, String why, int pendingCalls) {
        return new ActorLostException(actor, worker, "actor " + actor + " is lost: its worker " + worker + " is gone: " + why
                + (pendingCalls > 0 ? " (" + pendingCalls + " call(s) were pending)" : "")
                + "; actors are not recovered (as in Dask): create a new one with client.submitActor");
    }

    /** Stops the watchdog (the client is closing; its connection fails the pending calls). */
    @Override
    public void close() {
        closed = true;
        ScheduledExecutorService s = watchdog;
        if (s != null) s.shutdownNow();
    }
}

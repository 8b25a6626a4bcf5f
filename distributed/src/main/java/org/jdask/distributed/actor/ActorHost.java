package org.jdask.distributed.actor;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jdask.distributed.internal.Messages;
import org.jdask.distributed.internal.Messages.Message;
import org.jdask.distributed.internal.Payload;
import org.jdask.fn.Fn0;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;
import org.jdask.serialize.Codecs;

/**
 * A worker's actors: the objects clients built here with {@code submitActor}, each with its own
 * thread, so calls to one actor run one at a time in arrival order while different actors (and
 * the worker's tasks) run in parallel. The worker's I/O thread hands over {@code ACTOR_*} messages
 * from its data port ({@link #handle}); decoding, the constructor, the methods and encoding the
 * results all happen on the actor's thread, and replies go back through the worker's I/O thread.
 *
 * <p>Dask runs all actors of a worker on one shared thread by default; here each actor has its
 * own, so a slow actor does not hold up the others.
 */
public final class ActorHost implements AutoCloseable {
    /** Sends a reply to the peer with ZeroMQ identity {@code identity} (from the worker's I/O thread). */
    public interface Replies {
        void send(byte[] identity, boolean local, Message reply);
    }

    private static final class Hosted {
        final String token;
        final ExecutorService thread;
        /** Set on the actor's thread; read there only. */
        Object object;
        Throwable failed;
        String name;
        /** Handles holding the actor (I/O thread only). */
        int holds = 1;

        Hosted(String token, String worker) {
            this.token = token;
            this.name = "actor-" + token;
            this.thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "jdask-actor-" + token + "@" + worker);
                t.setDaemon(true);
                return t;
            });
        }
    }

    private final Map<String, Hosted> actors = new ConcurrentHashMap<>();
    private final Supplier<String> address;
    private final Function<Throwable, Payload> errors;
    private final Replies replies;

    /**
     * @param address the worker's address (for messages)
     * @param errors an exception as a payload that surely decodes in another JVM (the worker's)
     * @param replies how replies leave through the worker's data port
     */
    public ActorHost(Supplier<String> address, Function<Throwable, Payload> errors, Replies replies) {
        this.address = address;
        this.errors = errors;
        this.replies = replies;
    }

    /** I/O thread: takes {@code m} if it is an actor message (true), else leaves it to the caller (false). */
    public boolean handle(Message m, byte[] identity, boolean local) {
        long id = m instanceof Messages.ActorCreate c ? c.id() : m instanceof Messages.ActorCall c ? c.id()
                : m instanceof Messages.ActorHold h ? h.id() : -1;
        if (id < 0) return false;
        try {
            if (m instanceof Messages.ActorCreate c) create(c, identity, local);
            else if (m instanceof Messages.ActorCall c) call(c, identity, local);
            else hold((Messages.ActorHold) m, identity, local);
        } catch (RuntimeException e) { // answered as this request's failure: the client's future must not wait forever
            fail(id, identity, local, e);
        }
        return true;
    }

    /** Actors held here now. */
    public int size() {
        return actors.size();
    }

    private void create(Messages.ActorCreate c, byte[] identity, boolean local) {
        for (String prefix : c.allowed()) Codecs.allow(prefix); // the client's Codecs.allow, as for tasks
        if (actors.containsKey(c.actor())) {
            fail(c.id(), identity, local, new IllegalArgumentException("actor " + c.actor() + " already exists on worker " + address.get()));
            return;
        }
        Hosted h = new Hosted(c.actor(), address.get());
        actors.put(c.actor(), h);
        h.thread.execute(() -> {
            try {
                Object o = ((Fn0<?>) c.ctor().value()).apply();
                if (o == null) throw new IllegalArgumentException("the constructor of actor " + h.name + " returned null");
                h.object = o;
                h.name = o.getClass().getSimpleName() + "-" + h.token;
                replies.send(identity, local, new Messages.ActorReply(c.id(), true, Payload.ofValue(o.getClass().getSimpleName())));
            } catch (Throwable e) {
                h.failed = e;
                fail(c.id(), identity, local, e);
            }
        });
    }

    private void call(Messages.ActorCall c, byte[] identity, boolean local) {
        Hosted h = actors.get(c.actor());
        if (h == null) {
            fail(c.id(), identity, local, new IllegalStateException("no actor " + c.actor() + " on worker " + address.get()
                    + " (released by every handle, or the worker was restarted)"));
            return;
        }
        try {
            h.thread.execute(() -> run(h, c, identity, local));
        } catch (RejectedExecutionException e) {
            fail(c.id(), identity, local, new IllegalStateException("actor " + h.name + " on worker " + address.get() + " was released"));
        }
    }

    /** The actor's thread: one call. */
    private void run(Hosted h, Messages.ActorCall c, byte[] identity, boolean local) {
        if (h.failed != null) {
            fail(c.id(), identity, local, new IllegalStateException("actor " + h.name + " could not be built: " + h.failed, h.failed));
            return;
        }
        Object v;
        try {
            v = apply(method(c.fn()), h.object, c.arg());
        } catch (Throwable e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            fail(c.id(), identity, local, e);
            return;
        }
        Payload p = v == null ? null : Payload.ofValue(v);
        if (p != null && !local) {
            try {
                p.bytes(); // encoded here, not on the I/O thread
            } catch (RuntimeException e) {
                fail(c.id(), identity, local, new IllegalStateException("the result of a call on actor " + h.name + " ("
                        + v.getClass().getName() + ") cannot be sent back: " + e.getMessage(), e));
                return;
            }
        }
        replies.send(identity, local, new Messages.ActorReply(c.id(), true, p));
    }

    @SuppressWarnings("unchecked")
    private static Object apply(Object method, Object actor, Payload arg) throws Exception {
        if (method instanceof Fn1<?, ?> f) return ((Fn1<Object, Object>) f).apply(actor);
        if (method instanceof Fn2<?, ?, ?> f) return ((Fn2<Object, Object, Object>) f).apply(actor, arg == null ? null : arg.value());
        if (method instanceof ActorHandle.Action<?> a) {
            ((ActorHandle.Action<Object>) a).accept(actor);
            return null;
        }
        throw new IllegalArgumentException("an actor call needs an Fn1, Fn2 or ActorHandle.Action, got " + method.getClass().getName());
    }

    /**
     * The decoded method: a stateless lambda (a method reference) comes as the same bytes on every
     * call, so it is decoded once and kept (at most {@value #CACHED} of them); decoding a lambda
     * costs far more than calling it.
     */
    private Object method(Payload p) {
        if (p.hasValue()) return p.value(); // a client in this JVM: the object itself
        ByteBuffer key = ByteBuffer.wrap(p.bytes());
        Object m;
        synchronized (decoded) {
            m = decoded.get(key);
        }
        if (m != null) return m;
        m = p.value();
        if (stateless(m)) {
            synchronized (decoded) {
                decoded.put(key, m);
            }
        }
        return m;
    }

    static final int CACHED = 256;
    private final Map<ByteBuffer, Object> decoded = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Object> eldest) {
            return size() > CACHED;
        }
    };

    /** A lambda or method reference that captures nothing: sharing one instance between calls is safe. */
    static boolean stateless(Object fn) {
        Class<?> c = fn.getClass();
        return c.isSynthetic() && c.getDeclaredFields().length == 0;
    }

    private void hold(Messages.ActorHold m, byte[] identity, boolean local) {
        for (String prefix : m.allowed()) Codecs.allow(prefix);
        Hosted h = actors.get(m.actor());
        if (h == null) {
            fail(m.id(), identity, local, new IllegalStateException("no actor " + m.actor() + " on worker " + address.get()
                    + " (released by every handle, or the worker was restarted)"));
            return;
        }
        h.holds += m.delta();
        if (h.holds <= 0) {
            actors.remove(m.actor());
            h.thread.shutdown(); // calls already queued still run; the thread ends after them
        }
        replies.send(identity, local, new Messages.ActorReply(m.id(), true, null));
    }

    private void fail(long id, byte[] identity, boolean local, Throwable e) {
        replies.send(identity, local, new Messages.ActorReply(id, false, local ? Payload.ofValue(e) : errors.apply(e)));
    }

    /** The worker is stopping: every actor's thread is interrupted and the objects dropped. */
    @Override
    public void close() {
        for (Hosted h : actors.values()) h.thread.shutdownNow();
        actors.clear();
    }
}

package org.jdask.distributed.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jdask.JdaskException;
import org.jdask.distributed.internal.Messages.Message;
import org.jdask.graph.Key;

/**
 * What a client knows about its keys, as a state machine without sockets: one {@link KeyState}
 * per key, shared by every future of that key, with a reference count (Dask counts references
 * per key per client). Reports from the scheduler update the states; the last reference going
 * away sends {@code RELEASE}. Messages go to {@code send} while the state's lock is held, so a
 * {@code RELEASE} of a key always reaches the scheduler before a later submit of the same key
 * re-wants it.
 *
 * <p>It knows nothing of {@code Future} or {@code Client}: the client's futures hold a
 * {@link KeyState} and count on it through {@link #acquire}/{@link #decref}.
 */
public final class ClientState {
    /** A key's status as the client knows it. */
    public enum Status { PENDING, FINISHED, ERROR, CANCELLED, LOST }

    /** Shared by every future of one key in this client. */
    public static final class KeyState {
        public final Key key;
        public volatile Status status = Status.PENDING;
        public volatile List<String> workers = List.of();
        public volatile Throwable exception;
        public volatile Key blame;
        /** Completed when the key is done (finished, failed or cancelled); replaced when a result is lost. */
        public volatile CompletableFuture<Void> done = new CompletableFuture<>();
        final AtomicInteger refs = new AtomicInteger();
        /** For progress bars: tasks behind this key (a compute's whole graph) and how many finished. */
        public volatile int tasks = 1;
        public volatile AtomicInteger tasksDone;
        /** When a waiter next asks the scheduler whether it still holds this key (nanoTime; 0: not waited on yet). */
        public volatile long nextCheck;

        KeyState(Key key) {
            this.key = key;
        }

        public int refs() {
            return refs.get();
        }

        /** Fails this key (if not done yet) with {@code t}, blaming itself. */
        public void fail(Throwable t) {
            if (done.isDone()) return;
            exception = t;
            blame = key;
            status = Status.ERROR;
            done.complete(null);
        }

        @Override
        public String toString() {
            return key + " " + status + " refs=" + refs.get();
        }
    }

    private final Map<Key, KeyState> keys = new ConcurrentHashMap<>();
    private final Consumer<Message> send;
    private final Object lock = new Object();
    private boolean closed;

    /** {@code send} queues a message for the scheduler (called with this state's lock held). */
    public ClientState(Consumer<Message> send) {
        this.send = send;
    }

    /** Key -> status and references of every key: the whole state in one comparable value. */
    public Map<Key, String> snapshot() {
        Map<Key, String> m = new TreeMap<>();
        keys.forEach((k, s) -> m.put(k, s.status + " refs=" + s.refs.get()));
        return m;
    }

    public KeyState get(Key key) {
        return keys.get(key);
    }

    /** One more reference to {@code key} (a new future, or a run holding its outputs). */
    public KeyState acquire(Key key) {
        synchronized (lock) {
            KeyState s = keys.computeIfAbsent(key, KeyState::new);
            s.refs.incrementAndGet();
            return s;
        }
    }

    /** One reference to {@code s} less; the last one sends {@code RELEASE} and forgets the key. */
    public void decref(KeyState s) {
        synchronized (lock) {
            if (s.refs.decrementAndGet() == 0 && !closed && keys.remove(s.key, s)) send.accept(new Messages.Release(List.of(s.key)));
        }
    }

    /** Drops one reference to each of {@code ks} (held with {@link #acquire}), releasing those that reach zero. */
    public void release(Collection<Key> ks) {
        drop(ks, false);
    }

    /** As {@link #release}, but asks the scheduler to cancel them (for every client's interest in them). */
    public void cancel(Collection<Key> ks) {
        drop(ks, true);
    }

    private void drop(Collection<Key> ks, boolean cancel) {
        synchronized (lock) {
            List<Key> out = new ArrayList<>();
            for (Key k : new LinkedHashSet<>(ks)) {
                KeyState s = keys.get(k);
                if (s == null) continue;
                if (s.refs.decrementAndGet() <= 0 && keys.remove(k, s)) out.add(k);
            }
            if (cancel) send.accept(new Messages.Cancel(new ArrayList<>(new LinkedHashSet<>(ks))));
            else if (!out.isEmpty() && !closed) send.accept(new Messages.Release(out));
        }
    }

    /** Applies a report from the scheduler to the key's state (ignored for a key this client forgot). */
    public void apply(Messages.Report r) {
        KeyState s = keys.get(r.key());
        if (s == null) return;
        switch (r.kind()) {
            case MEMORY -> {
                s.workers = r.workers();
                s.status = Status.FINISHED;
                s.done.complete(null);
            }
            case ERRED -> {
                Throwable t;
                try {
                    Object v = r.exception() == null ? null : r.exception().value();
                    t = v instanceof Throwable th ? th : new JdaskException("task " + r.key() + " failed: " + v);
                } catch (RuntimeException e) {
                    t = e;
                }
                s.exception = t;
                s.blame = r.blame() != null ? r.blame() : r.key();
                s.status = Status.ERROR;
                s.done.complete(null);
            }
            case LOST -> {
                if (s.status == Status.FINISHED) {
                    s.status = Status.LOST;
                    s.done = new CompletableFuture<>();
                }
            }
            case CANCELLED -> {
                Object reason = r.exception() == null ? null : r.exception().value();
                cancelled(s, reason == null ? "" : " " + reason);
            }
        }
    }

    /** Marks {@code s} cancelled; {@code detail} follows "future K was cancelled". */
    public static void cancelled(KeyState s, String detail) {
        s.status = Status.CANCELLED;
        s.exception = new CancellationException("future " + s.key + " was cancelled" + detail);
        s.done.complete(null);
    }

    /** Fails every key not done yet (the scheduler is lost, or the client closed). */
    public void failPending(Throwable t) {
        for (KeyState s : keys.values()) s.fail(t);
    }

    /** After a restart: every key ends cancelled and is forgotten (new futures of the same keys start afresh). */
    public void cancelAll(String detail) {
        synchronized (lock) {
            for (KeyState s : keys.values()) if (!s.done.isDone() || s.status != Status.CANCELLED) cancelled(s, detail);
            keys.clear();
        }
    }

    /** No more {@code RELEASE}s (the client said goodbye: the scheduler releases everything). */
    public void close() {
        synchronized (lock) {
            closed = true;
        }
    }
}

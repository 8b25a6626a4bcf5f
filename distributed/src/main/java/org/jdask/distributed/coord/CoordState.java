package org.jdask.distributed.coord;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.jdask.distributed.internal.Messages.CoordReply;
import org.jdask.distributed.internal.Messages.CoordRequest;
import org.jdask.distributed.internal.Messages.TopicMessage;
import org.jdask.distributed.internal.Payload;
import org.jdask.graph.Key;

/**
 * The scheduler's coordination objects as a pure state machine: named queues, variables,
 * semaphores (a lock is a semaphore of one lease), events and pub/sub topics. No sockets: the
 * scheduler's I/O shell feeds it {@link #handle requests}, {@link #tick ticks} and
 * {@link #removeClient departures} with the time, and carries out the {@link Out}s it returns.
 *
 * <h2>How it works</h2>
 * Values are {@link Payload}s the scheduler never decodes. A value that is a future travels as
 * its key: while a queue item or a variable holds it, the shell keeps the key alive under a
 * holder name ({@link Hold}: {@code queue:NAME#n}, {@code variable:NAME#n}), so its data outlives
 * the client that put it; a {@code get} makes the getting client want the key before the holder
 * lets go ({@link Drop}), so the data is never unwanted in between.
 *
 * <p>A wait (queue get on an empty queue, put on a full one, variable get before any set,
 * acquire with no free lease, event wait) parks the request with a deadline; the reply comes when
 * it can be served, or with {@link CoordStatus#TIMEOUT} at the first tick past the deadline. A
 * timeout of 0 is "do not wait".
 *
 * <p><b>Leases.</b> A semaphore lease belongs to a client. Every request of that client, and the
 * {@code LEASE_REFRESH} it sends every third of the lease time while it holds one, counts as a
 * sign of life; a client silent for {@code leaseMs} (its JVM died, kill -9, a worker JVM gone)
 * loses its leases at the next tick and waiting acquirers get them. A client that says goodbye
 * loses them at once.
 */
public final class CoordState {
    /** What the shell must do. */
    public sealed interface Out permits Reply, Push, Hold, Drop { }

    /** Send {@code reply} to {@code client}. */
    public record Reply(String client, CoordReply reply) implements Out { }

    /** Send a topic message to a subscribed {@code client}. */
    public record Push(String client, TopicMessage message) implements Out { }

    /** Keep {@code keys} alive for {@code holder} (a client id or a holder name). */
    public record Hold(String holder, List<Key> keys) implements Out { }

    /** {@code holder} no longer keeps {@code keys}. */
    public record Drop(String holder, List<Key> keys) implements Out { }

    /** A value; {@code gone}: why the future it held is no more (after a restart), else null. */
    private record Item(Payload value, List<Key> keys, String holder, String gone) {
        Item(Payload value, List<Key> keys, String holder) {
            this(value, keys, holder, null);
        }

        /** This item with its future replaced by the reason it is gone (its key is forgotten). */
        Item released(String why) {
            return keys.isEmpty() ? this : new Item(null, List.of(), holder, "it held future " + keys.get(0) + ", " + why);
        }
    }

    /** A parked request; {@code item}: what a blocked put brings, {@code lease}: what an acquire asks. */
    private record Waiter(String client, long id, long deadline, Item item, String lease) { }

    private static final class Queue {
        final ArrayDeque<Item> items = new ArrayDeque<>();
        final ArrayDeque<Waiter> getters = new ArrayDeque<>(), putters = new ArrayDeque<>();
        long maxsize;
    }

    private static final class Variable {
        Item value;
        final ArrayDeque<Waiter> getters = new ArrayDeque<>();
    }

    private static final class Semaphore {
        final long max;
        /** lease id -> holding client */
        final Map<String, String> leases = new LinkedHashMap<>();
        final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

        Semaphore(long max) {
            this.max = max;
        }
    }

    private static final class Event {
        boolean set;
        final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    }

    private final long leaseMs;
    private final Map<String, Queue> queues = new HashMap<>();
    private final Map<String, Variable> variables = new HashMap<>();
    private final Map<String, Semaphore> semaphores = new HashMap<>();
    private final Map<String, Event> events = new HashMap<>();
    private final Map<String, Set<String>> subscribers = new HashMap<>();
    /** Last sign of life of every client holding a lease. */
    private final Map<String, Long> lastSeen = new HashMap<>();
    private long holders;
    private List<Out> out;

    /** {@code leaseMs}: how long a lease outlives its client's last sign of life. */
    public CoordState(long leaseMs) {
        if (leaseMs <= 0) throw new IllegalArgumentException("lease time must be > 0 ms, got " + leaseMs);
        this.leaseMs = leaseMs;
    }

    public long leaseMs() {
        return leaseMs;
    }

    /** One request of {@code client} at {@code now}. */
    public List<Out> handle(String client, CoordRequest r, long now) {
        out = new ArrayList<>();
        if (lastSeen.containsKey(client)) lastSeen.put(client, now);
        long deadline = r.timeoutMs() <= 0 ? now : now + r.timeoutMs();
        String name = r.name();
        switch (r.action()) {
            case QUEUE_PUT -> put(client, r, deadline);
            case QUEUE_GET -> {
                Queue q = queue(name, 0);
                if (!q.items.isEmpty()) giveItem(client, r.id(), q);
                else if (deadline > now) q.getters.add(new Waiter(client, r.id(), deadline, null, null));
                else reply(client, r.id(), CoordStatus.TIMEOUT, null, List.of(), 0, "empty");
            }
            case QUEUE_SIZE -> {
                Queue q = queues.get(name);
                reply(client, r.id(), CoordStatus.OK, null, List.of(), q == null ? 0 : q.items.size(), null);
            }
            case VARIABLE_SET -> setVariable(client, r);
            case VARIABLE_GET -> {
                Variable v = variables.computeIfAbsent(name, k -> new Variable());
                if (v.value != null) replyItem(client, r.id(), v.value);
                else if (deadline > now) v.getters.add(new Waiter(client, r.id(), deadline, null, null));
                else reply(client, r.id(), CoordStatus.TIMEOUT, null, List.of(), 0, "not set");
            }
            case VARIABLE_DELETE -> {
                Variable v = variables.get(name);
                if (v != null && v.getters.isEmpty()) variables.remove(name);
                if (v != null && v.value != null) out.add(new Drop(v.value.holder(), v.value.keys()));
                if (v != null) v.value = null;
                reply(client, r.id(), CoordStatus.OK, null, List.of(), 0, null);
            }
            case SEMAPHORE_ACQUIRE -> acquire(client, r, deadline, now);
            case SEMAPHORE_RELEASE -> {
                Semaphore s = semaphores.get(name);
                boolean held = s != null && client.equals(s.leases.get(r.lease()));
                if (held) {
                    s.leases.remove(r.lease());
                    grant(name, s, now);
                }
                reply(client, r.id(), held ? CoordStatus.OK : CoordStatus.REFUSED, null, List.of(), 0,
                        held ? null : "lease " + r.lease() + " is not held (released already, or expired: its holder was silent for "
                                + leaseMs + " ms)");
            }
            case LEASE_REFRESH -> {
                if (r.id() != 0) reply(client, r.id(), CoordStatus.OK, null, List.of(), leaseMs, null);
            }
            case EVENT_SET -> {
                Event e = events.computeIfAbsent(name, k -> new Event());
                e.set = true;
                for (Waiter w : e.waiters) reply(w.client(), w.id(), CoordStatus.OK, null, List.of(), 1, null);
                e.waiters.clear();
                reply(client, r.id(), CoordStatus.OK, null, List.of(), 1, null);
            }
            case EVENT_CLEAR -> {
                Event e = events.get(name);
                if (e != null) e.set = false;
                reply(client, r.id(), CoordStatus.OK, null, List.of(), 0, null);
            }
            case EVENT_WAIT -> {
                Event e = events.computeIfAbsent(name, k -> new Event());
                if (e.set) reply(client, r.id(), CoordStatus.OK, null, List.of(), 1, null);
                else if (deadline > now) e.waiters.add(new Waiter(client, r.id(), deadline, null, null));
                else reply(client, r.id(), CoordStatus.TIMEOUT, null, List.of(), 0, "not set");
            }
            case EVENT_IS_SET -> {
                Event e = events.get(name);
                reply(client, r.id(), CoordStatus.OK, null, List.of(), e != null && e.set ? 1 : 0, null);
            }
            case PUBLISH -> {
                for (String sub : subscribers.getOrDefault(name, Set.of())) out.add(new Push(sub, new TopicMessage(name, r.value())));
                if (r.id() != 0) reply(client, r.id(), CoordStatus.OK, null, List.of(), 0, null);
            }
            case SUBSCRIBE -> {
                subscribers.computeIfAbsent(name, k -> new LinkedHashSet<>()).add(client);
                reply(client, r.id(), CoordStatus.OK, null, List.of(), 0, null);
            }
            case UNSUBSCRIBE -> {
                Set<String> subs = subscribers.get(name);
                if (subs != null && subs.remove(client) && subs.isEmpty()) subscribers.remove(name);
                if (r.id() != 0) reply(client, r.id(), CoordStatus.OK, null, List.of(), 0, null);
            }
        }
        return done();
    }

    /** Times out parked requests past their deadline and expires leases of silent clients. */
    public List<Out> tick(long now) {
        out = new ArrayList<>();
        for (Queue q : queues.values()) {
            expire(q.getters, now, "no item");
            expire(q.putters, now, "the queue stayed full (maxsize " + q.maxsize + ")");
        }
        for (Variable v : variables.values()) expire(v.getters, now, "not set");
        for (Event e : events.values()) expire(e.waiters, now, "not set");
        for (Semaphore s : semaphores.values()) expire(s.waiters, now, "no free lease (" + s.max + " held)");
        Set<String> silent = new LinkedHashSet<>();
        for (Map.Entry<String, Long> e : lastSeen.entrySet()) if (now - e.getValue() > leaseMs) silent.add(e.getKey());
        for (String c : silent) dropLeases(c, now);
        return done();
    }

    /** {@code client} left (goodbye): its leases go at once, its parked requests and subscriptions too. */
    public List<Out> removeClient(String client, long now) {
        out = new ArrayList<>();
        dropWaiters(w -> w.client().equals(client));
        subscribers.values().forEach(s -> s.remove(client));
        subscribers.values().removeIf(Set::isEmpty);
        dropLeases(client, now);
        return done();
    }

    /**
     * {@code client}'s request {@code id} is no longer waited for (the connection it came on ended:
     * the calling thread was interrupted or gave up): if it is parked, it is dropped, so a queue item
     * or a lease is not handed to a request nobody reads. A blocked put's item goes with it.
     */
    public List<Out> cancel(String client, long id) {
        out = new ArrayList<>();
        dropWaiters(w -> w.client().equals(client) && w.id() == id);
        return done();
    }

    /** Forgets the parked requests {@code gone} picks; a blocked put's future is dropped with it. */
    private void dropWaiters(Predicate<Waiter> gone) {
        for (Queue q : queues.values()) {
            q.getters.removeIf(gone);
            for (Iterator<Waiter> it = q.putters.iterator(); it.hasNext(); ) {
                Waiter w = it.next();
                if (!gone.test(w)) continue;
                if (!w.item().keys().isEmpty()) out.add(new Drop(w.item().holder(), w.item().keys()));
                it.remove();
            }
        }
        for (Variable v : variables.values()) v.getters.removeIf(gone);
        for (Event e : events.values()) e.waiters.removeIf(gone);
        for (Semaphore s : semaphores.values()) s.waiters.removeIf(gone);
    }

    /**
     * {@code client.restart()} (asked by {@code client}) forgot every task. Names, plain values,
     * leases and events stay (as in Dask, whose coordination extensions have no restart hook); a
     * variable or queue item that held a future now holds the reason instead: its next get is
     * refused with it (a queue moves on past it) rather than handing out a future of a forgotten
     * key. Nothing to drop: the scheduler forgot the holds with the tasks.
     */
    public List<Out> restart(String client) {
        out = new ArrayList<>();
        String why = "which client.restart() (asked by " + client + ") released with every task";
        for (Queue q : queues.values()) {
            List<Item> items = new ArrayList<>(q.items);
            q.items.clear();
            for (Item it : items) q.items.add(it.released(why));
            List<Waiter> putters = new ArrayList<>(q.putters);
            q.putters.clear();
            for (Waiter w : putters) q.putters.add(new Waiter(w.client(), w.id(), w.deadline(), w.item().released(why), w.lease()));
        }
        for (Variable v : variables.values()) if (v.value != null) v.value = v.value.released(why);
        return done();
    }

    /** Leases held, by semaphore name (for tests and the dashboard). */
    public Map<String, List<String>> leases() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        semaphores.forEach((n, s) -> m.put(n, List.copyOf(s.leases.keySet())));
        return m;
    }

    /** Items waiting in queue {@code name}. */
    public int queueSize(String name) {
        Queue q = queues.get(name);
        return q == null ? 0 : q.items.size();
    }

    // ---------------------------------------------------------------- queues, variables

    private Queue queue(String name, long maxsize) {
        Queue q = queues.computeIfAbsent(name, k -> new Queue());
        if (q.maxsize == 0 && q.items.isEmpty() && maxsize > 0) q.maxsize = maxsize;
        return q;
    }

    private Item item(String kind, String name, CoordRequest r) {
        String holder = kind + ":" + name + "#" + (++holders);
        if (!r.keys().isEmpty()) out.add(new Hold(holder, r.keys()));
        return new Item(r.value(), r.keys(), holder);
    }

    private void put(String client, CoordRequest r, long deadline) {
        Queue q = queue(r.name(), r.n());
        if (q.maxsize > 0 && q.items.size() >= q.maxsize) {
            if (r.timeoutMs() > 0) {
                q.putters.add(new Waiter(client, r.id(), deadline, item("queue", r.name(), r), null));
            } else {
                reply(client, r.id(), CoordStatus.TIMEOUT, null, List.of(), q.items.size(), "full (maxsize " + q.maxsize + ")");
            }
            return;
        }
        q.items.add(item("queue", r.name(), r));
        reply(client, r.id(), CoordStatus.OK, null, List.of(), q.items.size(), null);
        if (!q.getters.isEmpty()) {
            Waiter g = q.getters.poll();
            giveItem(g.client(), g.id(), q);
        }
    }

    /** Hands the first item of {@code q} to a getter; a blocked putter's item takes the freed place. */
    private void giveItem(String client, long id, Queue q) {
        Item it = q.items.poll();
        replyItem(client, id, it);
        if (!it.keys().isEmpty()) out.add(new Drop(it.holder(), it.keys()));
        Waiter p = q.putters.poll();
        if (p != null) {
            q.items.add(p.item());
            reply(p.client(), p.id(), CoordStatus.OK, null, List.of(), q.items.size(), null);
        }
    }

    private void replyItem(String client, long id, Item it) {
        if (it.gone() != null) {
            reply(client, id, CoordStatus.REFUSED, null, List.of(), 0, it.gone());
            return;
        }
        if (!it.keys().isEmpty()) out.add(new Hold(client, it.keys())); // the getter wants the data before any holder lets go
        reply(client, id, CoordStatus.OK, it.value(), it.keys(), 0, null);
    }

    private void setVariable(String client, CoordRequest r) {
        Variable v = variables.computeIfAbsent(r.name(), k -> new Variable());
        Item old = v.value;
        v.value = item("variable", r.name(), r);
        if (old != null && !old.keys().isEmpty()) out.add(new Drop(old.holder(), old.keys()));
        for (Waiter w : v.getters) replyItem(w.client(), w.id(), v.value);
        v.getters.clear();
        reply(client, r.id(), CoordStatus.OK, null, List.of(), 0, null);
    }

    // ---------------------------------------------------------------- semaphores

    private void acquire(String client, CoordRequest r, long deadline, long now) {
        if (r.n() < 1 || r.lease() == null) {
            reply(client, r.id(), CoordStatus.REFUSED, null, List.of(), 0, "an acquire needs a lease id and at least 1 lease, got " + r.n());
            return;
        }
        Semaphore s = semaphores.computeIfAbsent(r.name(), k -> new Semaphore(r.n()));
        if (s.max != r.n()) {
            reply(client, r.id(), CoordStatus.REFUSED, null, List.of(), s.max, "'" + r.name() + "' has " + s.max
                    + " leases; it was asked for with " + r.n());
            return;
        }
        if (client.equals(s.leases.get(r.lease()))) { // a retried acquire of a lease already held
            reply(client, r.id(), CoordStatus.OK, null, List.of(), leaseMs, null);
        } else if (s.leases.size() < s.max && s.waiters.isEmpty()) {
            take(s, client, r.id(), r.lease(), now);
        } else if (deadline > now) {
            s.waiters.add(new Waiter(client, r.id(), deadline, null, r.lease()));
        } else {
            reply(client, r.id(), CoordStatus.TIMEOUT, null, List.of(), 0, "no free lease (" + s.max + " held)");
        }
    }

    private void take(Semaphore s, String client, long id, String lease, long now) {
        s.leases.put(lease, client);
        lastSeen.put(client, now);
        reply(client, id, CoordStatus.OK, null, List.of(), leaseMs, null); // n: the lease time, so the client refreshes in time
    }

    private void grant(String name, Semaphore s, long now) {
        while (s.leases.size() < s.max && !s.waiters.isEmpty()) {
            Waiter w = s.waiters.poll();
            take(s, w.client(), w.id(), w.lease(), now);
        }
        if (s.leases.isEmpty() && s.waiters.isEmpty()) semaphores.remove(name);
    }

    private void dropLeases(String client, long now) {
        lastSeen.remove(client);
        for (Map.Entry<String, Semaphore> e : new ArrayList<>(semaphores.entrySet())) {
            if (e.getValue().leases.values().removeIf(client::equals)) grant(e.getKey(), e.getValue(), now);
        }
    }

    // ---------------------------------------------------------------- helpers

    private void expire(ArrayDeque<Waiter> waiters, long now, String why) {
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.deadline() > now) continue;
            it.remove();
            if (w.item() != null && !w.item().keys().isEmpty()) out.add(new Drop(w.item().holder(), w.item().keys()));
            reply(w.client(), w.id(), CoordStatus.TIMEOUT, null, List.of(), 0, why);
        }
    }

    private void reply(String client, long id, CoordStatus status, Payload value, List<Key> keys, long n, String error) {
        out.add(new Reply(client, new CoordReply(id, status, value, keys, n, error)));
    }

    private List<Out> done() {
        List<Out> r = out;
        out = null;
        return r;
    }
}

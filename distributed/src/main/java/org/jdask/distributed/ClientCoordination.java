package org.jdask.distributed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongFunction;
import org.jdask.Config;
import org.jdask.JdaskException;
import org.jdask.distributed.coord.CoordOp;
import org.jdask.distributed.coord.CoordTransport;
import org.jdask.distributed.internal.Messages;
import org.jdask.distributed.internal.Messages.CoordReply;
import org.jdask.distributed.internal.Messages.CoordRequest;
import org.jdask.distributed.internal.SchedulerEvent.Scattered;
import org.jdask.graph.Key;
import org.slf4j.LoggerFactory;

/**
 * One client's side of the coordination objects ({@code client.queue(name)}, ...) and of
 * {@code whoHas}/{@code hasWhat}/{@code replicate}: requests through the client's connection,
 * futures adopted from keys the scheduler hands over, lease refreshes while leases are held, and
 * topic messages fanned out to this client's subscriptions.
 */
final class ClientCoordination implements CoordTransport, AutoCloseable {
    private final Client client;
    private final AtomicInteger leases = new AtomicInteger();
    private final Map<String, List<Consumer<Object>>> subscriptions = new ConcurrentHashMap<>();
    private ScheduledExecutorService refresher; // guarded by this
    /** The calling threads' own connections for round trips (see {@link CoordChannels}). */
    private final CoordChannels channels;

    ClientCoordination(Client client) {
        this.client = client;
        this.channels = new CoordChannels(client);
    }

    @Override
    public CoordReply call(LongFunction<CoordRequest> build, long waitMs, String what) {
        client.checkOpen();
        CoordReply direct = channels.call(build.apply(channels.nextId()), waitMs, what);
        if (direct != null) return direct;
        return client.waitFor(client.conn.request(null, build::apply), CoordReply.class, what, waitMs);
    }

    @Override
    public void send(CoordRequest request) {
        client.checkOpen();
        client.conn.send(request);
    }

    @Override
    public Future<Object> adopt(Key key) {
        Future<Object> f = new Future<>(client, key, Function.identity());
        client.conn.send(new Messages.UpdateGraph(List.of(), List.of(key), false)); // the scheduler reports it to this client
        return f;
    }

    @Override
    public synchronized void leaseTaken(long leaseMs) {
        leases.incrementAndGet();
        if (refresher != null) return;
        refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jdask-lease-refresh " + client.id);
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(100, leaseMs / 3);
        refresher.scheduleWithFixedDelay(() -> {
            try {
                if (leases.get() > 0) client.conn.send(new CoordRequest(0, CoordOp.LEASE_REFRESH, "", null, List.of(), 0, 0, null));
            } catch (RuntimeException e) {
                LoggerFactory.getLogger(ClientCoordination.class).debug("lease refresh failed: {}", e.toString());
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void leaseReturned() {
        leases.updateAndGet(n -> Math.max(0, n - 1));
    }

    @Override
    public void subscribe(String topic, Consumer<Object> sink) {
        subscriptions.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(sink);
    }

    @Override
    public void unsubscribe(String topic, Consumer<Object> sink) {
        List<Consumer<Object>> sinks = subscriptions.get(topic);
        if (sinks == null || !sinks.remove(sink) || !sinks.isEmpty()) return;
        subscriptions.remove(topic, sinks);
        client.conn.send(new CoordRequest(0, CoordOp.UNSUBSCRIBE, topic, null, List.of(), 0, 0, null));
    }

    /** Client I/O thread: a message on a topic this client subscribed to. */
    void deliver(Messages.TopicMessage m) {
        List<Consumer<Object>> sinks = subscriptions.get(m.topic());
        if (sinks == null || sinks.isEmpty()) return;
        Object v;
        try {
            v = m.value() == null ? null : m.value().value();
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(ClientCoordination.class).warn("dropped a message on topic '{}': cannot decode it: {}", m.topic(), e.toString());
            return;
        }
        for (Consumer<Object> s : sinks) s.accept(v);
    }

    @Override
    public long defaultTimeoutMs() {
        return Config.getDuration("distributed.coordination.timeout", Duration.ofSeconds(60)).toMillis();
    }

    @Override
    public String scheduler() {
        return client.conn.schedulerAddress;
    }

    // ------------------------------------------------------------------ who has what, replicas

    private List<Scattered> holders(List<Key> keys, boolean all) {
        return client.waitFor(client.conn.request(null, id -> new Messages.WhoHas(id, keys, all)), Messages.WhoHasReply.class,
                "whoHas", 10_000).holders();
    }

    Map<Key, List<String>> whoHas(Collection<? extends Future<?>> futures) {
        client.checkOpen();
        Map<Key, List<String>> out = new LinkedHashMap<>();
        for (Scattered s : holders(keysOf(futures), false)) out.put(s.key(), s.workers());
        return out;
    }

    Map<String, List<Key>> hasWhat() {
        client.checkOpen();
        Map<String, List<Key>> out = new LinkedHashMap<>();
        for (String w : client.workerAddresses()) out.put(w, new ArrayList<>());
        for (Scattered s : holders(List.of(), true)) {
            for (String w : s.workers()) out.computeIfAbsent(w, x -> new ArrayList<>()).add(s.key());
        }
        return out;
    }

    /** Asks for copies on {@code n} workers, then waits (config {@code distributed.client.replicate-timeout}, 60 s) until they are there. */
    void replicate(Collection<? extends Future<?>> futures, int n) {
        if (n < 1) throw new IllegalArgumentException("replicate: n must be >= 1, got " + n);
        client.checkOpen();
        List<Key> keys = keysOf(futures);
        long timeout = Config.getDuration("distributed.client.replicate-timeout", Duration.ofSeconds(60)).toMillis();
        long deadline = System.currentTimeMillis() + timeout;
        for (Future<?> f : futures) { // only results in memory can be copied
            if (!client.awaitDone(f.state, timeout)) throw new JdaskException("replicate: " + f.key() + " not computed after " + timeout + " ms");
        }
        client.conn.send(new Messages.Replicate(keys, n));
        while (true) {
            int want = Math.min(n, client.workerAddresses().size());
            List<Key> missing = new ArrayList<>();
            for (Scattered s : holders(keys, false)) if (s.workers().size() < want) missing.add(s.key());
            if (missing.isEmpty()) return;
            if (System.currentTimeMillis() > deadline) {
                throw new JdaskException("replicate: " + missing.size() + " of " + keys.size() + " keys (first " + missing.get(0) + ") are on fewer than "
                        + want + " workers after " + timeout + " ms (distributed.client.replicate-timeout)");
            }
            Client.sleep(50);
        }
    }

    private static List<Key> keysOf(Collection<? extends Future<?>> futures) {
        List<Key> keys = new ArrayList<>(futures.size());
        for (Future<?> f : futures) keys.add(f.key());
        return keys;
    }

    @Override
    public synchronized void close() {
        channels.close();
        if (refresher != null) refresher.shutdownNow();
        refresher = null;
    }
}

package org.jdask.distributed;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdask.Config;
import org.jdask.distributed.dashboard.Dashboard;
import org.jdask.distributed.internal.Op;
import org.jdask.distributed.internal.Payload;
import org.jdask.distributed.internal.Prio;
import org.jdask.distributed.internal.SchedulerEvent;
import org.jdask.distributed.internal.SchedulerEvent.NewTask;
import org.jdask.distributed.internal.SchedulerInstruction;
import org.jdask.distributed.internal.SchedulerInstruction.*;
import org.jdask.distributed.internal.SchedulerState;
import org.jdask.distributed.internal.TransitionLog;
import org.jdask.distributed.internal.Wire;
import org.jdask.distributed.internal.Wire.Msg;
import org.jdask.distributed.internal.Zmq;
import org.jdask.graph.Key;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * The distributed scheduler process: a ZeroMQ ROUTER socket and one thread that turns incoming
 * messages into {@link SchedulerEvent}s for {@link SchedulerState} and sends the instructions it
 * returns. All scheduling logic lives in the state machine; this class only does I/O. A large
 * message (ingesting 100,000 tasks can take seconds on a loaded machine) is applied by a helper
 * thread while the socket thread keeps answering clients' liveness pings, so a busy scheduler is
 * never mistaken for a lost one.
 *
 * <p>Messages are handled in batches: everything waiting on the socket is read, applied, and the
 * resulting messages are sent once per destination, so a burst of 10,000 finished tasks costs a
 * handful of sends. Every second tick ({@code 200 ms}) checks heartbeats and balances work.
 *
 * <p>A malformed, oversized or wrong-version message is logged and answered with {@code ERROR};
 * it never stops the scheduler.
 */
public final class SchedulerServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulerServer.class);
    private static final AtomicInteger INPROC = new AtomicInteger();
    private static final long TICK_MS = 200;

    private final SchedulerState state;
    private final Security security;
    private volatile org.jdask.distributed.internal.Zap.Policy zap;
    private final String host;
    private final int requestedPort;
    private final long maxFrame;
    private final Thread thread;
    /** Messages waiting for the state, in arrival order (scheduler thread only). */
    private final java.util.ArrayDeque<Inbound> pending = new java.util.ArrayDeque<>();
    /** Applies large messages off the socket thread; while it runs, only it touches the state. */
    private final ExecutorService bigMessages;
    private volatile boolean ingesting;
    private volatile String wakeAddress;

    /** A decoded batch, or ({@code batch == null}) a large raw message the state thread decodes. */
    private record Inbound(byte[] identity, List<Msg> batch, Wire.Received raw) { }

    /** Messages with a header larger than this are decoded on the state thread, not the I/O thread. */
    private static final int DECODE_ON_IO_MAX = 64 * 1024;
    private final CountDownLatch bound = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile String address, inprocAddress;
    private volatile RuntimeException startFailure;
    private volatile List<Map<String, Object>> workerSnapshot = List.of();
    private volatile ClusterLoad loadSnapshot = new ClusterLoad(List.of(), 0, 0);
    /** The web dashboard, or null; its hooks run on the thread that owns the state. */
    private volatile Dashboard dashboard;

    private ZMQ.Socket router;
    private final Map<String, Peer> peers = new HashMap<>();
    private final Map<String, Peer> workerPeers = new HashMap<>();
    /** Workers' memory figures and paused status, from their heartbeats. */
    private final SchedulerMemory workerMemory = new SchedulerMemory();
    private final Map<String, Peer> clientPeers = new HashMap<>();
    private final Map<Peer, List<Msg>> outbox = new LinkedHashMap<>();
    private final Map<String, List<Key>> datasets = new HashMap<>();
    private int clientCounter;

    private static final class Peer {
        final byte[] identity;
        final boolean local;
        String client, worker;

        Peer(byte[] identity) {
            this.identity = identity;
            this.local = Wire.isLocal(identity);
        }
    }

    /** Starts a scheduler listening on {@code host:port} (port 0 picks a free one) and in-process. */
    public static SchedulerServer start(String host, int port) {
        return start(host, port, null, null);
    }

    /**
     * Like {@link #start(String, int)}; with {@code security} non-null the TCP port is a CurveZMQ
     * server that admits only the cluster's key (see {@link Security}). No dashboard.
     */
    public static SchedulerServer start(String host, int port, Security security) {
        return start(host, port, security, null);
    }

    /** Like {@link #start(String, int, Security, String)} without security. */
    public static SchedulerServer start(String host, int port, String dashboardAddress) {
        return start(host, port, null, dashboardAddress);
    }

    /**
     * Starts a scheduler; with {@code security} non-null the TCP port is a CurveZMQ server that
     * admits only the cluster's key (see {@link Security}). The web dashboard listens at
     * {@code dashboardAddress} ({@code ":8787"}, {@code "HOST:PORT"}, {@code ":0"} for a free
     * port; null or {@code "none"} for no dashboard).
     */
    public static SchedulerServer start(String host, int port, Security security, String dashboardAddress) {
        SchedulerServer s = new SchedulerServer(host, port, options(), security);
        s.awaitBound();
        try {
            s.dashboard = Dashboard.start(s.address, host, dashboardAddress);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** {@code http://HOST:PORT/status}, or null without a dashboard. */
    public String dashboardLink() {
        Dashboard d = dashboard;
        return d == null ? null : d.link();
    }

    static SchedulerState.Options options() {
        return new SchedulerState.Options(
                Config.getDouble("distributed.scheduler.worker-saturation", 1.1),
                Config.getInt("distributed.scheduler.allowed-failures", 3),
                (long) (Config.getDouble("distributed.scheduler.worker-ttl", 60) * 1000),
                Config.getDouble("distributed.scheduler.unknown-task-duration", 0.5),
                Config.getBoolean("distributed.scheduler.work-stealing", true),
                Config.getInt("distributed.scheduler.transition-log-length", 100_000),
                Config.getDouble("distributed.scheduler.root-queue-seconds", 0.02));
    }

    static long maxFrameBytes() {
        return (long) Config.getDouble("distributed.comm.max-frame-bytes", Integer.MAX_VALUE);
    }

    private SchedulerServer(String host, int port, SchedulerState.Options options, Security security) {
        this.security = security;
        this.state = new SchedulerState(options);
        this.host = host;
        this.requestedPort = port;
        this.maxFrame = maxFrameBytes();
        this.bigMessages = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "jdask-scheduler-ingest");
            t.setDaemon(true);
            return t;
        });
        this.thread = new Thread(this::runIo, "jdask-scheduler");
        thread.setDaemon(true);
        thread.start();
    }

    private void awaitBound() {
        try {
            if (!bound.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("scheduler did not bind within 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the scheduler", e);
        }
        if (startFailure != null) throw startFailure;
    }

    /** {@code tcp://host:port} that workers and clients in other processes connect to. */
    public String address() {
        return address;
    }

    /** {@code inproc://...} for components in this JVM (no serialization of payloads). */
    public String inprocAddress() {
        return inprocAddress;
    }

    /** Whether the TCP port requires CurveZMQ with the cluster's key. */
    public boolean isSecure() {
        return security != null;
    }

    /**
     * Peers refused at the TCP port so far (unknown CURVE key, plaintext or non-ZeroMQ connections,
     * failed handshakes); always 0 without security.
     */
    public long refusedPeers() {
        org.jdask.distributed.internal.Zap.Policy z = zap;
        return z == null ? 0 : z.refused();
    }

    /** Workers as last seen by the scheduler thread: address, name, nthreads, processing, keys. */
    public List<Map<String, Object>> workers() {
        return workerSnapshot;
    }

    /** Workers and waiting tasks as last seen by the scheduler thread (refreshed every tick), for {@link Adaptive}. */
    public ClusterLoad load() {
        return loadSnapshot;
    }

    /**
     * The scheduler thread: owns the ROUTER socket and, in the common case, applies each message to
     * the state and sends the results itself (no hand-off, so a chain of tasks costs one hop per
     * task). A large message (a big graph, header over 64 KiB) is decoded and applied by a helper
     * thread instead; until it is done this thread does not touch the state, queues what arrives
     * behind it (order per peer is kept) and keeps answering liveness pings ({@code WORKERS} with
     * request id 0) from the last worker snapshot, so a scheduler busy with a large graph is never
     * mistaken for a lost one.
     */
    private void runIo() {
        ZMQ.Socket wake = null;
        try {
            router = Zmq.socket(SocketType.ROUTER, maxFrame);
            router.setRouterMandatory(false);
            if (security != null) zap = security.schedulerServer(router, "scheduler " + host);
            int port = requestedPort == 0 ? router.bindToRandomPort("tcp://" + host) : bindPort(requestedPort);
            address = "tcp://" + host + ":" + port;
            if (zap != null) zap.label("scheduler " + address);
            int n = INPROC.incrementAndGet();
            inprocAddress = "inproc://jdask-scheduler-" + n;
            router.bind(inprocAddress);
            wake = Zmq.socket(SocketType.PULL, maxFrame);
            wakeAddress = "inproc://jdask-scheduler-wake-" + n;
            wake.bind(wakeAddress);
            LOG.info("Scheduler at: {}{}", address, security == null ? "" : " (CurveZMQ, " + security + ")");
        } catch (RuntimeException e) {
            startFailure = new IllegalStateException("scheduler cannot listen on " + host + ":" + requestedPort + ": " + e.getMessage(), e);
            Zmq.close(wake);
            Zmq.close(router);
            running = false;
            bound.countDown();
            return;
        }
        bound.countDown();
        ZMQ.Poller poller = Zmq.context().createPoller(2);
        poller.register(router, ZMQ.Poller.POLLIN);
        poller.register(wake, ZMQ.Poller.POLLIN);
        long nextTick = System.currentTimeMillis() + TICK_MS;
        try {
            while (running) {
                // while the helper ingests, ticks wait: sleep until a message or the wake-up, never spin
                poller.poll(ingesting ? TICK_MS : Math.max(0, nextTick - System.currentTimeMillis()));
                while (wake.recv(ZMQ.DONTWAIT) != null) {
                    // wake-up only
                }
                for (int i = 0; i < 10_000 && running; i++) {
                    Wire.Received r = receive();
                    if (r == null) break;
                    ingest(r);
                }
                if (ingesting) continue;
                processPending();
                long now = System.currentTimeMillis();
                if (!ingesting && now >= nextTick) {
                    apply(new SchedulerEvent.Tick(), null);
                    nextTick = now + TICK_MS;
                    publishSnapshot();
                }
                if (!ingesting) {
                    Dashboard d = dashboard;
                    if (d != null) d.poll(state, now);
                    flush();
                }
            }
        } catch (org.zeromq.ZMQException e) {
            if (running) LOG.error("scheduler socket failed", e);
        } catch (RuntimeException | Error e) {
            LOG.error("scheduler loop crashed", e);
        } finally {
            running = false;
            bigMessages.shutdownNow();
            poller.close();
            Zmq.close(wake);
            Zmq.close(router);
        }
    }

    /** Applies queued messages in arrival order until one is large (handed to the helper thread). */
    private void processPending() {
        Inbound in;
        while (!ingesting && (in = pending.poll()) != null) {
            if (in.raw() == null) {
                handle(in);
                continue;
            }
            flush(); // what earlier messages produced goes out before the long work starts
            ingesting = true;
            Inbound big = in;
            bigMessages.execute(() -> {
                try {
                    handle(big);
                } catch (RuntimeException | Error e) {
                    LOG.error("scheduler failed on a large message", e);
                } finally {
                    ingesting = false; // volatile: publishes the state changes to the socket thread
                    ZMQ.Socket w = Zmq.socket(SocketType.PUSH, maxFrame);
                    try {
                        w.connect(wakeAddress);
                        w.send(new byte[0], ZMQ.DONTWAIT);
                    } catch (RuntimeException e) {
                        if (running) LOG.warn("cannot wake the scheduler thread: {}", e.toString());
                    } finally {
                        Zmq.close(w);
                    }
                }
            });
        }
    }

    /** Decodes small messages, answers pings at once, queues the rest in arrival order. */
    private void ingest(Wire.Received r) {
        if (r.headerBytes() > DECODE_ON_IO_MAX) { // a big graph: decoded by the helper thread
            pending.add(new Inbound(r.identity, null, r));
            return;
        }
        boolean local = Wire.isLocal(r.identity);
        List<Msg> batch;
        try {
            batch = r.decode(local);
        } catch (Wire.WireException e) {
            LOG.warn("refused a message from {}: {}", new String(r.identity, StandardCharsets.ISO_8859_1), e.getMessage());
            sendNow(r.identity, List.of(Msg.of(Op.ERROR, e.getMessage())), local);
            return;
        }
        List<Msg> rest = null;
        for (int i = 0; i < batch.size(); i++) {
            Msg m = batch.get(i);
            if (m.op() == Op.WORKERS && m.fields().size() == 1 && m.get(0) instanceof Number id && id.longValue() == 0) {
                if (rest == null) rest = new ArrayList<>(batch.subList(0, i));
                sendNow(r.identity, List.of(Msg.of(Op.WORKERS_REPLY, 0L, new ArrayList<Object>(workerSnapshot))), local);
            } else if (rest != null) {
                rest.add(m);
            }
        }
        List<Msg> forState = rest == null ? batch : rest;
        if (!forState.isEmpty()) pending.add(new Inbound(r.identity, forState, null));
    }

    private void sendNow(byte[] identity, List<Msg> batch, boolean local) {
        try {
            Wire.send(router, identity, batch, local);
        } catch (RuntimeException ex) {
            LOG.warn("cannot answer {}: {}", new String(identity, StandardCharsets.ISO_8859_1), ex.toString());
        }
    }

    private int bindPort(int port) {
        router.bind("tcp://" + host + ":" + port);
        return port;
    }

    private Wire.Received receive() {
        try {
            return Wire.receive(router, true, maxFrame);
        } catch (org.zeromq.ZMQException e) {
            if (!running) return null;
            throw e;
        }
    }

    private void handle(Inbound in) {
        String id = new String(in.identity(), StandardCharsets.ISO_8859_1);
        Peer peer = peers.computeIfAbsent(id, k -> new Peer(in.identity()));
        List<Msg> batch = in.batch();
        if (batch == null) {
            try {
                batch = in.raw().decode(peer.local);
            } catch (Wire.WireException e) {
                LOG.warn("refused a message from {}: {}", describe(peer), e.getMessage());
                queue(peer, Msg.of(Op.ERROR, e.getMessage()));
                return;
            }
        }
        for (Msg m : batch) {
            try {
                handle(peer, m);
            } catch (RuntimeException e) {
                LOG.warn("cannot handle {} from {}: {}", m.op(), describe(peer), e.toString());
                queue(peer, Msg.of(Op.ERROR, m.op() + ": " + e.getMessage()));
            }
        }
    }

    private static String describe(Peer p) {
        return p.worker != null ? "worker " + p.worker : p.client != null ? "client " + p.client : "an unknown peer";
    }

    private void handle(Peer peer, Msg m) {
        switch (m.op()) {
            case HELLO_CLIENT -> {
                peer.client = m.str(0) + "-" + (++clientCounter);
                clientPeers.put(peer.client, peer);
                apply(new SchedulerEvent.AddClient(peer.client), null);
                queue(peer, Msg.of(Op.WELCOME, peer.client, Wire.VERSION, workerList()));
            }
            case HELLO_WORKER -> {
                String addr = m.str(0);
                peer.worker = addr;
                Peer old = workerPeers.put(addr, peer);
                if (old != null && old != peer) old.worker = null;
                Map<String, Double> res = new HashMap<>();
                m.map(3).forEach((k, v) -> res.put(k, ((Number) v).doubleValue()));
                long memoryLimit = m.fields().size() > 4 && m.get(4) instanceof Number n ? n.longValue() : 0;
                apply(new SchedulerEvent.AddWorker(addr, m.str(1), (int) m.num(2), res, memoryLimit), null);
                publishSnapshot();
                queue(peer, Msg.of(Op.WELCOME, addr, Wire.VERSION, List.of()));
                LOG.info("Register worker {} ({} threads)", addr, m.num(2));
            }
            case UPDATE_GRAPH -> {
                List<NewTask> tasks = new ArrayList<>();
                for (Object o : m.list(0)) {
                    Msg t = new Msg(Op.UPDATE_GRAPH, asList(o));
                    java.util.Set<String> workers = null;
                    if (t.get(7) != null) {
                        workers = new java.util.HashSet<>();
                        for (Object w : t.list(7)) workers.add(String.valueOf(w));
                    }
                    Map<String, Double> res = null;
                    if (t.get(8) != null) {
                        res = new HashMap<>();
                        for (Map.Entry<String, Object> e : t.map(8).entrySet()) res.put(e.getKey(), ((Number) e.getValue()).doubleValue());
                    }
                    tasks.add(new NewTask(t.key(0), t.payload(1), t.payload(2), t.keys(3), (int) t.num(4), (int) t.num(5),
                            (int) t.num(6), workers, res, t.str(9)));
                }
                requireClient(peer);
                apply(new SchedulerEvent.UpdateGraph(peer.client, tasks, m.keys(1), m.bool(2)), peer);
            }
            case RELEASE -> apply(new SchedulerEvent.ReleaseKeys(requireClient(peer), m.keys(0)), peer);
            case CANCEL -> apply(new SchedulerEvent.CancelKeys(requireClient(peer), m.keys(0)), peer);
            case UPDATE_DATA -> {
                List<SchedulerEvent.Scattered> list = new ArrayList<>();
                for (Object o : m.list(0)) {
                    Msg s = new Msg(Op.UPDATE_DATA, asList(o));
                    List<String> ws = new ArrayList<>();
                    for (Object w : s.list(1)) ws.add(String.valueOf(w));
                    list.add(new SchedulerEvent.Scattered(s.key(0), ws, s.num(2)));
                }
                apply(new SchedulerEvent.UpdateData(requireClient(peer), list), peer);
            }
            case STORY -> {
                List<Object> lines = new ArrayList<>();
                for (TransitionLog.Entry e : state.story(m.key(1))) lines.add(e.toString());
                queue(peer, Msg.of(Op.STORY_REPLY, m.num(0), lines));
            }
            case RETIRE_WORKERS -> {
                List<String> addresses = new ArrayList<>();
                for (Object a : m.list(1)) addresses.add(String.valueOf(a));
                apply(new SchedulerEvent.RetireWorkers(requireClient(peer), m.num(0), addresses), peer);
                publishSnapshot();
            }
            case REBALANCE -> apply(new SchedulerEvent.Rebalance(requireClient(peer), m.num(0)), peer);
            case WORKERS -> queue(peer, Msg.of(Op.WORKERS_REPLY, m.num(0), workerList(),
                    List.of((long) state.queuedCount(), (long) state.unrunnableCount())));
            case PUBLISH -> {
                String name = m.str(0);
                List<Key> keys = m.keys(1);
                String holder = "dataset:" + name;
                List<Key> old = datasets.put(name, keys);
                apply(new SchedulerEvent.UpdateGraph(holder, List.of(), keys, false), peer);
                if (old != null) apply(new SchedulerEvent.ReleaseKeys(holder, old), peer);
            }
            case GET_DATASET -> {
                List<Key> keys = datasets.get(m.str(1));
                queue(peer, Msg.of(Op.DATASET_REPLY, m.num(0), keys == null ? null : new ArrayList<Object>(keys)));
            }
            case GOODBYE -> {
                if (peer.client != null) {
                    apply(new SchedulerEvent.RemoveClient(peer.client), peer);
                    clientPeers.remove(peer.client);
                }
                if (peer.worker != null) {
                    apply(new SchedulerEvent.RemoveWorker(peer.worker, "worker closed"), peer);
                    workerPeers.remove(peer.worker);
                }
                peers.remove(new String(peer.identity, StandardCharsets.ISO_8859_1));
            }
            case RESTART -> {
                LOG.info("Restart requested by client {}", requireClient(peer));
                datasets.clear();
                apply(new SchedulerEvent.Restart(peer.client), peer);
                publishSnapshot();
            }
            case HEARTBEAT -> {
                if (peer.worker != null) {
                    Dashboard d = dashboard;
                    if (d != null && !m.fields().isEmpty() && m.get(0) instanceof Map) d.heartbeat(peer.worker, m.map(0));
                    apply(new SchedulerEvent.Heartbeat(peer.worker), peer);
                    if (!m.fields().isEmpty() && m.get(0) instanceof Map) {
                        SchedulerEvent status = workerMemory.heartbeat(peer.worker, m.map(0));
                        if (status != null) {
                            apply(status, peer);
                            publishSnapshot();
                        }
                    }
                }
            }
            case FINISHED -> {
                Dashboard d = dashboard;
                if (d != null) { // optional fields 3, 4: start (ms since epoch) and thread number, for the task stream
                    boolean timed = m.fields().size() > 4;
                    d.taskFinished(state, requireWorker(peer), m.key(0), m.dbl(2), timed ? m.num(3) : -1, timed ? (int) m.num(4) : 0,
                            System.currentTimeMillis());
                }
                apply(new SchedulerEvent.TaskFinished(requireWorker(peer), m.key(0), m.num(1), m.dbl(2)), peer);
            }
            case ERRED -> {
                Dashboard d = dashboard;
                if (d != null) d.taskErred(state, requireWorker(peer), m.key(0), System.currentTimeMillis());
                apply(new SchedulerEvent.TaskErred(requireWorker(peer), m.key(0), m.payload(1)), peer);
            }
            case MISSING -> apply(new SchedulerEvent.MissingData(requireWorker(peer), m.key(0), m.key(1), m.str(2)), peer);
            case STEAL_ANSWER -> apply(new SchedulerEvent.StealResponse(requireWorker(peer), m.key(0), m.bool(1)), peer);
            case WORKER_DIED -> {
                String addr = m.str(0);
                LOG.info("Remove worker {}: {}", addr, m.str(1));
                Peer wp = workerPeers.remove(addr);
                if (wp != null) wp.worker = null;
                apply(new SchedulerEvent.RemoveWorker(addr, m.str(1)), peer);
            }
            default -> throw new IllegalArgumentException("the scheduler does not accept " + m.op());
        }
    }

    private static List<Object> asList(Object o) {
        if (!(o instanceof List<?> l)) throw new Wire.WireException("expected a list entry, got " + o);
        @SuppressWarnings("unchecked")
        List<Object> r = (List<Object>) l;
        return r;
    }

    private static String requireClient(Peer p) {
        if (p.client == null) throw new IllegalStateException("a client must send HELLO_CLIENT first");
        return p.client;
    }

    private static String requireWorker(Peer p) {
        if (p.worker == null) throw new IllegalStateException("not a registered worker (send HELLO_WORKER first, or it was removed)");
        return p.worker;
    }

    private List<Object> workerList() {
        List<Object> out = new ArrayList<>();
        for (SchedulerState.WorkerInfo w : state.workers().values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("address", w.address());
            m.put("name", w.name());
            m.put("nthreads", w.nthreads());
            m.put("processing", w.processingCount());
            m.put("keys", w.keyCount());
            m.put("nbytes", w.nbytes());
            m.put("memory_limit", w.memoryLimit());
            m.put("sole", w.soleCount());
            m.put("status", w.status());
            workerMemory.describe(w.address(), m);
            out.add(m);
        }
        workerMemory.retain(state.workers().keySet());
        return out;
    }

    private void publishSnapshot() {
        List<Map<String, Object>> snap = new ArrayList<>();
        for (Object o : workerList()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) o;
            snap.add(m);
        }
        workerSnapshot = List.copyOf(snap);
        loadSnapshot = new ClusterLoad(workerSnapshot, state.queuedCount(), state.unrunnableCount());
    }

    private void apply(SchedulerEvent e, Peer from) {
        List<SchedulerInstruction> out;
        try {
            out = state.handle(e, System.currentTimeMillis());
        } catch (IllegalArgumentException ex) {
            if (e instanceof SchedulerEvent.UpdateGraph u && from != null) {
                // the client's futures of this update fail with the reason instead of waiting forever
                for (Key k : u.wanted()) {
                    queue(from, Msg.of(Op.REPORT, k, "ERRED", List.of(), Payload.ofValue(new IllegalArgumentException(ex.getMessage())), k));
                }
            } else if (from != null) {
                queue(from, Msg.of(Op.ERROR, ex.getMessage()));
            }
            LOG.warn("refused {}: {}", e.getClass().getSimpleName(), ex.getMessage());
            return;
        }
        for (SchedulerInstruction i : out) execute(i);
    }

    private void execute(SchedulerInstruction i) {
        if (i instanceof Compute c) {
            Peer p = workerPeers.get(c.worker());
            if (p == null) return;
            List<Object> deps = new ArrayList<>(c.whoHas().size());
            c.whoHas().forEach((k, ws) -> deps.add(List.of(k, new ArrayList<Object>(ws))));
            Prio pr = c.prio();
            queue(p, Msg.of(Op.COMPUTE, c.key(), c.spec(), c.config(), deps, List.of(pr.user(), pr.generation(), pr.order()),
                    c.resources().isEmpty() ? null : new LinkedHashMap<String, Object>(c.resources())));
        } else if (i instanceof Free f) {
            Peer p = workerPeers.get(f.worker());
            if (p != null) queue(p, Msg.of(Op.FREE, new ArrayList<Object>(f.keys())));
        } else if (i instanceof Steal s) {
            Peer p = workerPeers.get(s.worker());
            if (p != null) queue(p, Msg.of(Op.STEAL, s.key()));
        } else if (i instanceof CloseWorker cw) {
            Peer p = workerPeers.remove(cw.worker());
            LOG.warn("Remove worker {}: {}", cw.worker(), cw.reason());
            if (p != null) {
                p.worker = null;
                queue(p, Msg.of(Op.CLOSE, cw.reason()));
            }
        } else if (i instanceof Report r) {
            Peer p = clientPeers.get(r.client());
            if (p == null) return;
            Object exc = r.exception();
            Payload ep = exc == null ? null : exc instanceof Payload pl ? pl : Payload.ofValue(exc);
            queue(p, Msg.of(Op.REPORT, r.key(), r.kind().name(), new ArrayList<Object>(r.workers()), ep, r.blame()));
        } else if (i instanceof SchedulerInstruction.Acquire a) {
            Peer p = workerPeers.get(a.worker());
            if (p != null) queue(p, Msg.of(Op.ACQUIRE, a.key(), new ArrayList<Object>(a.from())));
        } else if (i instanceof SchedulerInstruction.MovesDone d) {
            Peer p = clientPeers.get(d.client());
            if (p != null) queue(p, Msg.of(Op.MOVES_DONE, d.requestId(), (long) d.moved(), d.error()));
            publishSnapshot();
        } else if (i instanceof TaskDone d) {
            Peer p = clientPeers.get(d.client());
            if (p != null) queue(p, Msg.of(Op.TASK_DONE, d.key(), d.worker(), d.failed()));
        }
    }

    private void queue(Peer p, Msg m) {
        outbox.computeIfAbsent(p, k -> new ArrayList<>()).add(m);
    }

    private void flush() {
        if (outbox.isEmpty()) return;
        for (Map.Entry<Peer, List<Msg>> e : outbox.entrySet()) {
            try {
                Wire.send(router, e.getKey().identity, e.getValue(), e.getKey().local);
            } catch (RuntimeException ex) {
                LOG.warn("cannot send {} message(s) to {}: {}", e.getValue().size(), describe(e.getKey()), ex.toString());
            }
        }
        outbox.clear();
    }

    /** Stops the scheduler thread and closes its socket (within a few hundred ms). */
    @Override
    public void close() {
        running = false;
        Dashboard d = dashboard;
        if (d != null) d.close();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

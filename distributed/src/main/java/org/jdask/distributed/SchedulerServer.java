package org.jdask.distributed;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdask.Config;
import org.jdask.distributed.coord.ChannelRoutes;
import org.jdask.distributed.coord.CoordLinks;
import org.jdask.distributed.coord.CoordOp;
import org.jdask.distributed.coord.CoordState;
import org.jdask.distributed.coord.CoordStatus;
import org.jdask.distributed.dashboard.Dashboard;
import org.jdask.distributed.internal.InprocKick;
import org.jdask.distributed.internal.Messages;
import org.jdask.distributed.internal.Messages.Message;
import org.jdask.distributed.internal.Op;
import org.jdask.distributed.internal.Payload;
import org.jdask.distributed.internal.SchedulerEvent;
import org.jdask.distributed.internal.SchedulerInstruction;
import org.jdask.distributed.internal.SchedulerInstruction.*;
import org.jdask.distributed.internal.SchedulerInstruction.ReportKind;
import org.jdask.distributed.internal.SchedulerState;
import org.jdask.distributed.internal.SchedulerTask;
import org.jdask.distributed.internal.SchedulerWorker;
import org.jdask.distributed.internal.TransitionLog;
import org.jdask.distributed.internal.Wire;
import org.jdask.distributed.internal.Wire.Msg;
import org.jdask.distributed.internal.Watchdog;
import org.jdask.distributed.internal.WorkerEvent;
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
    /** How often a worker's count of keys only it holds is refreshed ({@link #sole}). */
    private static final long SOLE_EVERY_MS = 1000;
    /** Per worker address: {sole count, when counted} (scheduler thread). */
    private final Map<String, long[]> soleCounts = new HashMap<>();
    /** Whether a message since the last count may have left keys with one holder (scheduler thread). */
    private boolean soleDirty = true;
    /** Messages after which keys may have one holder more: scattered data, workers coming and going, moves. */
    private static final Set<Op> SOLE_CHANGES = EnumSet.of(Op.UPDATE_DATA, Op.HELLO_WORKER, Op.GOODBYE, Op.WORKER_DIED, Op.MISSING,
            Op.RESTART, Op.RETIRE_WORKERS, Op.REBALANCE, Op.REPLICATE);
    /** How often the socket thread looks whether the helper finished a large message. */
    private static final long INGEST_CHECK_MS = 5;

    private final SchedulerState state;
    private final Security security;
    private volatile CodeRelay codeRelay;
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

    /**
     * A decoded batch, or ({@code batch == null}) a large raw message the helper decodes; {@code big}:
     * applied by the helper thread (a large raw message, or a large graph an in-process client passed by reference).
     */
    private record Inbound(byte[] identity, List<Msg> batch, Wire.Received raw, boolean big) { }

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
    /**
     * Queues, variables, locks, semaphores, events and topics (issue 19): a pure state machine under
     * a lock, served here (carried out by {@link #coord}) and by clients' direct links' threads.
     */
    private final CoordLinks coordination;
    /** Wakes this thread when a direct link's thread hands over coordination outputs. */
    private final InprocKick coordKick = new InprocKick(() -> inprocAddress);
    /** Clients' direct coordination channels and where their pending replies go. */
    private final ChannelRoutes<Peer> channels = new ChannelRoutes<>();
    /** {@code channels.size()} as of the last change, for other threads. */
    private volatile int channelCount;
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
                Config.getDuration("distributed.scheduler.worker-ttl", Duration.ofSeconds(60)).toMillis(),
                Config.getDuration("distributed.scheduler.unknown-task-duration", Duration.ofMillis(500)).toNanos() / 1e9,
                Config.getBoolean("distributed.scheduler.work-stealing", true),
                Config.getInt("distributed.scheduler.transition-log-length", 100_000),
                Config.getDuration("distributed.scheduler.root-queue-seconds", Duration.ofMillis(20)).toNanos() / 1e9);
    }

    static long maxFrameBytes() {
        return Zmq.maxFrameBytes();
    }

    private SchedulerServer(String host, int port, SchedulerState.Options options, Security security) {
        this.security = security;
        this.state = new SchedulerState(options);
        this.host = host;
        this.requestedPort = port;
        this.maxFrame = maxFrameBytes();
        this.coordination = new CoordLinks(new CoordState(Config.getDuration("distributed.scheduler.locks.lease-timeout", Duration.ofSeconds(30)).toMillis()),
                host, security != null, WorkerBulk.timeoutMs(), coordKick::kick);
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
            LOG.info("Scheduler at: {}{}", address, security == null ? "" : " (CurveZMQ, " + security + ")");
            codeRelay = CodeRelay.startOrWarn(security, host); // issue 16: workers fetch client code through the scheduler
        } catch (RuntimeException e) {
            startFailure = new IllegalStateException("scheduler cannot listen on " + host + ":" + requestedPort + ": " + e.getMessage(), e);
            Zmq.close(router);
            running = false;
            bound.countDown();
            return;
        }
        bound.countDown();
        long nextTick = System.currentTimeMillis() + TICK_MS;
        Watchdog.Beat beat = Watchdog.watch("scheduler " + address, why -> { });
        try {
            while (running) {
                beat.beat();
                // a blocking receive on the ROUTER, not a poller: JeroMQ's poll loops without sleeping
                // while the socket's mailbox holds commands but no message, which cost a CPU and
                // milliseconds per round trip on 2 cores. While the helper ingests, ticks wait and
                // the flag it clears is checked every INGEST_CHECK_MS.
                Wire.Received first = receive(ingesting ? INGEST_CHECK_MS : Math.max(0, nextTick - System.currentTimeMillis()));
                if (first != null) ingest(first);
                for (int i = 0; first != null && i < 10_000 && running; i++) {
                    Wire.Received r = receive(0);
                    if (r == null) break;
                    ingest(r);
                }
                if (ingesting) continue;
                processPending();
                for (List<CoordState.Out> f; !ingesting && (f = coordination.forwarded()) != null; ) coord(f); // from direct links' threads
                long now = System.currentTimeMillis();
                if (!ingesting && now >= nextTick) {
                    apply(new SchedulerEvent.Tick(), null);
                    coord(coordination.tick(now));
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
            beat.close();
            bigMessages.shutdownNow();
            Zmq.close(router);
        }
    }

    /** Applies queued messages in arrival order until one is large (handed to the helper thread). */
    private void processPending() {
        Inbound in;
        while (!ingesting && (in = pending.poll()) != null) {
            if (!in.big()) {
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
                    ingesting = false; // volatile: publishes the state changes to the socket thread (it looks every INGEST_CHECK_MS)
                }
            });
        }
    }

    /** Decodes small messages, answers pings at once, queues the rest in arrival order. */
    private void ingest(Wire.Received r) {
        if (r.headerBytes() > DECODE_ON_IO_MAX) { // a big graph: decoded by the helper thread
            pending.add(new Inbound(r.identity, null, r, true));
            return;
        }
        boolean local = Wire.isLocal(r.identity);
        List<Msg> batch;
        try {
            batch = r.decode(local);
        } catch (Wire.WireException e) {
            LOG.warn("refused a message from {}: {}", new String(r.identity, StandardCharsets.ISO_8859_1), e.getMessage());
            sendNow(r.identity, List.of(new Messages.ErrorMsg(e.getMessage()).msg()), local);
            return;
        }
        List<Msg> rest = null;
        boolean heartbeat = false;
        for (int i = 0; i < batch.size(); i++) {
            Msg m = batch.get(i);
            heartbeat |= m.op() == Op.HEARTBEAT;
            if (m.op() == Op.WORKERS && isPing(m)) {
                if (rest == null) rest = new ArrayList<>(batch.subList(0, i));
                sendNow(r.identity, List.of(new Messages.WorkersReply(0, workerSnapshot, null).msg()), local);
            } else if (rest != null) {
                rest.add(m);
            }
        }
        // answered here, not by the state thread: a worker hears its scheduler even while a big graph is ingested
        if (heartbeat) sendNow(r.identity, List.of(new Messages.Heartbeat(Map.of()).msg()), local);
        List<Msg> forState = rest == null ? batch : rest;
        boolean big = false; // a large graph an in-process client passed by reference (UpdateGraph.passLocally): the helper applies it
        for (Msg m : forState) big |= m.op() == Op.UPDATE_GRAPH && m.local() != null;
        if (!forState.isEmpty()) pending.add(new Inbound(r.identity, forState, null, big));
    }

    /** A liveness ping: {@code WORKERS} with request id 0 (a malformed one is left to the state thread, which refuses it). */
    private static boolean isPing(Msg m) {
        try {
            return Messages.decode(m, Messages.Workers.class).id() == 0;
        } catch (RuntimeException e) {
            return false;
        }
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

    /** The next message, waiting at most {@code timeoutMs} (0: only one already there). */
    private Wire.Received receive(long timeoutMs) {
        try {
            return Wire.receive(router, true, maxFrame, (int) Math.min(timeoutMs, Integer.MAX_VALUE));
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
                queue(peer, new Messages.ErrorMsg(e.getMessage()));
                return;
            }
        }
        for (Msg m : batch) {
            try {
                handle(peer, m);
            } catch (Wire.WireException e) { // a wrong shape, or another protocol version
                LOG.warn("refused {} from {}: {}", m.op(), describe(peer), e.getMessage());
                queue(peer, new Messages.ErrorMsg("refused " + m.op() + ": " + e.getMessage()));
            } catch (RuntimeException e) {
                LOG.warn("cannot handle {} from {}: {}", m.op(), describe(peer), e.toString());
                queue(peer, new Messages.ErrorMsg(m.op() + ": " + e.getMessage()));
            }
        }
    }

    private static String describe(Peer p) {
        return p.worker != null ? "worker " + p.worker : p.client != null ? "client " + p.client : "an unknown peer";
    }

    /** One message from {@code peer}: decoded and shape-checked by {@link Messages}, then turned into events. */
    private void handle(Peer peer, Msg raw) {
        if (SOLE_CHANGES.contains(raw.op())) soleDirty = true;
        Message msg = Messages.decode(raw);
        if (msg instanceof Messages.HelloClient h) {
            Messages.checkVersion("client " + h.name(), h.version());
            peer.client = h.name() + "-" + (++clientCounter);
            clientPeers.put(peer.client, peer);
            apply(new SchedulerEvent.AddClient(peer.client), null);
            queue(peer, new Messages.Welcome(peer.client, Wire.VERSION, workerMaps(), CodeRelay.announced(codeRelay, host)));
        } else if (msg instanceof Messages.HelloWorker h) {
            Messages.checkVersion("worker " + h.address(), h.version());
            peer.worker = h.address();
            Peer old = workerPeers.put(h.address(), peer);
            if (old != null && old != peer) old.worker = null;
            apply(new SchedulerEvent.AddWorker(h.address(), h.name(), h.nthreads(), h.resources(), h.memoryLimit()), null);
            publishSnapshot();
            queue(peer, new Messages.Welcome(h.address(), Wire.VERSION, List.of(), CodeRelay.announced(codeRelay, host))); // the worker's own relay
            LOG.info("Register worker {} ({} threads)", h.address(), h.nthreads());
        } else if (msg instanceof Messages.UpdateGraph u) {
            apply(new SchedulerEvent.UpdateGraph(requireClient(peer), u.tasks(), u.wanted(), u.report()), peer);
        } else if (msg instanceof Messages.Release r) {
            apply(new SchedulerEvent.ReleaseKeys(requireClient(peer), r.keys()), peer);
        } else if (msg instanceof Messages.Cancel c) {
            apply(new SchedulerEvent.CancelKeys(requireClient(peer), c.keys()), peer);
        } else if (msg instanceof Messages.UpdateData u) {
            apply(new SchedulerEvent.UpdateData(requireClient(peer), u.keys()), peer);
        } else if (msg instanceof Messages.Story st) {
            List<String> lines = new ArrayList<>();
            for (TransitionLog.Entry e : state.story(st.key())) lines.add(e.toString());
            queue(peer, new Messages.StoryReply(st.id(), lines));
        } else if (msg instanceof Messages.KeyState ks) {
            List<String> states = new ArrayList<>();
            List<Boolean> wanted = new ArrayList<>();
            for (Key k : ks.keys()) {
                SchedulerTask t = state.task(k);
                states.add(t == null ? null : t.state().name());
                wanted.add(t != null && peer.client != null && t.whoWants().contains(peer.client));
            }
            queue(peer, new Messages.KeyStateReply(ks.id(), states, wanted));
        } else if (msg instanceof Messages.RetireWorkers rw) {
            apply(new SchedulerEvent.RetireWorkers(requireClient(peer), rw.id(), rw.addresses()), peer);
            publishSnapshot();
        } else if (msg instanceof Messages.Rebalance rb) {
            apply(new SchedulerEvent.Rebalance(requireClient(peer), rb.id()), peer);
        } else if (msg instanceof Messages.Workers w) {
            queue(peer, new Messages.WorkersReply(w.id(), workerMaps(), List.of((long) state.queuedCount(), (long) state.unrunnableCount())));
        } else if (msg instanceof Messages.Publish pub) {
            String holder = "dataset:" + pub.name();
            List<Key> old = datasets.put(pub.name(), pub.keys());
            apply(new SchedulerEvent.UpdateGraph(holder, List.of(), pub.keys(), false), peer);
            if (old != null) apply(new SchedulerEvent.ReleaseKeys(holder, old), peer);
        } else if (msg instanceof Messages.TaskStream ts) { // the performance report (issue 19): the dashboard's records
            Dashboard d = dashboard;
            queue(peer, new Messages.TaskStreamReply(ts.id(), d != null, d == null ? List.of() : d.taskStream(ts.sinceMs())));
        } else if (msg instanceof Messages.GetDataset g) {
            queue(peer, new Messages.DatasetReply(g.id(), datasets.get(g.name())));
        } else if (msg instanceof Messages.CoordRequest cr) {
            String client = requireClient(peer);
            if (cr.action() == CoordOp.CHANNEL_CLOSE) closeChannel(client, cr.name());
            else {
                if (peer != clientPeers.get(client)) channels.request(client, cr.id(), peer); // its reply goes back to the channel
                coord(coordination.handle(client, cr, System.currentTimeMillis()));
            }
        } else if (msg instanceof Messages.CoordChannel cc) { // another connection of this client, for its threads' round trips
            String client = requireClient(peer);
            Peer ch = peers.computeIfAbsent(cc.identity(), k -> new Peer(k.getBytes(StandardCharsets.ISO_8859_1)));
            if (ch.client != null || ch.worker != null) throw new IllegalArgumentException("COORD_CHANNEL: that identity is already " + describe(ch));
            ch.client = client;
            channels.attach(client, ch);
            channelCount = channels.size();
            queue(peer, new Messages.CoordReply(cc.id(), CoordStatus.OK, null, List.of(), 0, null));
        } else if (msg instanceof Messages.BulkHello bh) { // a direct coordination link for one of the client's threads
            queue(peer, coordination.open(bh.id(), requireClient(peer)));
        } else if (msg instanceof Messages.LongRunning lr) {
            apply(new SchedulerEvent.Seceded(requireWorker(peer), lr.key()), peer);
        } else if (msg instanceof Messages.WhoHas wh) {
            queue(peer, SchedulerQueries.whoHas(state, wh));
        } else if (msg instanceof Messages.Replicate rp) {
            apply(new SchedulerEvent.Replicate(rp.keys(), rp.n()), peer);
        } else if (msg instanceof Messages.Goodbye) {
            if (peer.client != null && peer == clientPeers.get(peer.client)) {
                for (Peer ch : channels.removeClient(peer.client)) peers.remove(new String(ch.identity, StandardCharsets.ISO_8859_1));
                channelCount = channels.size();
                coord(coordination.removeClient(peer.client, System.currentTimeMillis()));
                apply(new SchedulerEvent.RemoveClient(peer.client), peer);
                clientPeers.remove(peer.client);
            }
            if (peer.worker != null) {
                apply(new SchedulerEvent.RemoveWorker(peer.worker, "worker closed"), peer);
                workerPeers.remove(peer.worker);
            }
            peers.remove(new String(peer.identity, StandardCharsets.ISO_8859_1));
        } else if (msg instanceof Messages.Restart) {
            LOG.info("Restart requested by client {}", requireClient(peer));
            datasets.clear();
            apply(new SchedulerEvent.Restart(peer.client), peer);
            coord(coordination.restart(peer.client)); // values that were futures now say why they are gone
            publishSnapshot();
        } else if (msg instanceof Messages.Heartbeat h) {
            if (peer.worker != null) {
                Dashboard d = dashboard;
                if (d != null) d.heartbeat(peer.worker, h.metrics());
                apply(new SchedulerEvent.Heartbeat(peer.worker), peer);
                SchedulerEvent status = workerMemory.heartbeat(peer.worker, h.metrics()); // paused or resumed
                if (status != null) {
                    apply(status, peer);
                    publishSnapshot();
                }
            }
        } else if (msg instanceof Messages.Finished f) {
            Dashboard d = dashboard;
            if (d != null) { // startMs and thread place the task in the task stream
                d.taskFinished(state, requireWorker(peer), f.key(), f.seconds(), f.startMs() == null ? -1 : f.startMs(),
                        f.thread() == null ? 0 : f.thread(), System.currentTimeMillis());
            }
            apply(new SchedulerEvent.TaskFinished(requireWorker(peer), f.key(), f.nbytes(), f.seconds()), peer);
        } else if (msg instanceof Messages.Erred e) {
            Dashboard d = dashboard;
            if (d != null) d.taskErred(state, requireWorker(peer), e.key(), System.currentTimeMillis());
            apply(new SchedulerEvent.TaskErred(requireWorker(peer), e.key(), e.exception()), peer);
        } else if (msg instanceof Messages.Missing mi) {
            apply(new SchedulerEvent.MissingData(requireWorker(peer), mi.key(), mi.dep(), mi.from()), peer);
        } else if (msg instanceof Messages.StealAnswer sa) {
            apply(new SchedulerEvent.StealResponse(requireWorker(peer), sa.key(), sa.released()), peer);
        } else if (msg instanceof Messages.Released rl) {
            apply(new SchedulerEvent.TaskReleased(requireWorker(peer), rl.key()), peer);
        } else if (msg instanceof Messages.WorkerDied wd) {
            Messages.checkVersion("the nanny of " + wd.address(), wd.version());
            LOG.info("Remove worker {}: {}", wd.address(), wd.reason());
            Peer wp = workerPeers.remove(wd.address());
            if (wp != null) wp.worker = null;
            apply(new SchedulerEvent.RemoveWorker(wd.address(), wd.reason()), peer);
        } else {
            throw new IllegalArgumentException("the scheduler does not accept " + raw.op());
        }
    }

    /** {@code client} closed its direct coordination channel {@code identity}: the peer and its routes go. */
    private void closeChannel(String client, String identity) {
        Peer ch = peers.get(identity);
        if (ch == null || !client.equals(ch.client) || ch == clientPeers.get(client)) return; // not one of its channels
        if (channels.detach(client, ch)) peers.remove(identity);
        channelCount = channels.size();
    }

    /** Direct coordination links (TCP, answered by their own threads) clients have open now. */
    public int coordLinks() {
        return coordination.size();
    }

    /** Direct coordination channels (ZeroMQ channels and links) clients have open now (all clients). */
    public int coordChannels() {
        return channelCount + coordination.size();
    }

    private static String requireClient(Peer p) {
        if (p.client == null) throw new IllegalStateException("a client must send HELLO_CLIENT first");
        return p.client;
    }

    private static String requireWorker(Peer p) {
        if (p.worker == null) throw new IllegalStateException("not a registered worker (send HELLO_WORKER first, or it was removed)");
        return p.worker;
    }

    private List<Map<String, Object>> workerMaps() {
        List<Map<String, Object>> out = new ArrayList<>();
        long now = System.currentTimeMillis();
        if (soleCounts.size() > state.workers().size()) soleCounts.keySet().retainAll(state.workers().keySet());
        boolean fresh = soleDirty;
        soleDirty = false;
        for (SchedulerWorker w : state.workers().values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("address", w.address());
            m.put("name", w.name());
            m.put("nthreads", w.nthreads());
            m.put("processing", w.processingCount());
            m.put("keys", w.keyCount());
            m.put("nbytes", w.nbytes());
            m.put("memory_limit", w.memoryLimit());
            m.put("sole", sole(w, now, fresh));
            m.put("status", w.status());
            workerMemory.describe(w.address(), m);
            out.add(m);
        }
        workerMemory.retain(state.workers().keySet());
        return out;
    }

    /**
     * Keys only {@code w} holds and nobody can recompute (scattered), for {@link Adaptive}; counted
     * at most once a second per worker: the count walks every key the worker holds, and the snapshot
     * is published every tick, which made it a fifth of the scheduler thread's time in a 10,000-task map.
     * Counted afresh after anything that can leave a key with one holder ({@link #SOLE_CHANGES}, a
     * worker closed): a stale count may only be too high (Adaptive keeps a worker a second longer),
     * never too low (it would retire the only holder).
     */
    private int sole(SchedulerWorker w, long now, boolean fresh) {
        long[] c = soleCounts.get(w.address());
        if (c == null || fresh || now - c[1] >= SOLE_EVERY_MS) {
            c = new long[] {w.soleCount(), now};
            soleCounts.put(w.address(), c);
        }
        return (int) c[0];
    }

    private void publishSnapshot() {
        List<Map<String, Object>> snap = new ArrayList<>();
        snap.addAll(workerMaps());
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
                    queue(from, new Messages.Report(k, ReportKind.ERRED, List.of(),
                            Payload.ofValue(new IllegalArgumentException(ex.getMessage())), k));
                }
            } else if (from != null) {
                queue(from, new Messages.ErrorMsg(ex.getMessage()));
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
            queue(p, new Messages.Compute(new WorkerEvent.Compute(c.key(), c.spec(), c.config(), c.whoHas(), c.prio(), c.resources())));
        } else if (i instanceof Free f) {
            Peer p = workerPeers.get(f.worker());
            if (p != null) queue(p, new Messages.Free(f.keys()));
        } else if (i instanceof Steal s) {
            Peer p = workerPeers.get(s.worker());
            if (p != null) queue(p, new Messages.Steal(s.key()));
        } else if (i instanceof CloseWorker cw) {
            soleDirty = true; // its keys' other copies may be the last ones now
            Peer p = workerPeers.remove(cw.worker());
            if (SchedulerInstruction.RETIRE.equals(cw.reason())) LOG.info("Remove worker {}: {}", cw.worker(), cw.reason()); // planned
            else LOG.warn("Remove worker {}: {}", cw.worker(), cw.reason());
            if (p != null) {
                p.worker = null;
                queue(p, new Messages.Close(cw.reason()));
            }
        } else if (i instanceof Report r) {
            Peer p = clientPeers.get(r.client());
            if (p == null) return;
            Object exc = r.exception();
            Payload ep = exc == null ? null : exc instanceof Payload pl ? pl : Payload.ofValue(exc);
            queue(p, new Messages.Report(r.key(), r.kind(), r.workers(), ep, r.blame()));
        } else if (i instanceof SchedulerInstruction.Acquire a) {
            Peer p = workerPeers.get(a.worker());
            if (p != null) queue(p, new Messages.Acquire(a.key(), a.from()));
        } else if (i instanceof SchedulerInstruction.MovesDone d) {
            Peer p = clientPeers.get(d.client());
            if (p != null) queue(p, new Messages.MovesDone(d.requestId(), d.moved(), d.error()));
            publishSnapshot();
        } else if (i instanceof TaskDone d) {
            Peer p = clientPeers.get(d.client());
            if (p != null) queue(p, new Messages.TaskDone(d.key(), d.worker(), d.failed()));
        }
    }

    /** Carries out what the coordination state asked for: replies, topic messages, holds on keys. */
    private void coord(List<CoordState.Out> outs) {
        for (CoordState.Out o : outs) {
            if (o instanceof CoordState.Reply r) {
                if (coordination.deliver(r.client(), r.reply())) continue; // its request came over a direct link
                Peer p = channels.replyTo(r.client(), r.reply().id());
                if (p == null) p = clientPeers.get(r.client());
                if (p != null) queue(p, r.reply());
            } else if (o instanceof CoordState.Push p && clientPeers.get(p.client()) != null) queue(clientPeers.get(p.client()), p.message());
            else if (o instanceof CoordState.Hold h) apply(new SchedulerEvent.UpdateGraph(h.holder(), List.of(), h.keys(), false), null);
            else if (o instanceof CoordState.Drop d) apply(new SchedulerEvent.ReleaseKeys(d.holder(), d.keys()), null);
        }
    }

    private void queue(Peer p, Message m) {
        queue(p, m.msg());
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
        coordination.close();
        if (codeRelay != null) codeRelay.close();
        Dashboard d = dashboard;
        if (d != null) d.close();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        coordKick.close();
    }
}

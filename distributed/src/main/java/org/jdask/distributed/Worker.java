package org.jdask.distributed;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdask.Config;
import org.jdask.RemoteTaskError;
import org.jdask.distributed.coord.TaskThreads;
import org.jdask.distributed.coord.WorkerClient;
import org.jdask.distributed.actor.ActorHost;
import org.jdask.distributed.internal.Messages;
import org.jdask.distributed.internal.Messages.Message;
import org.jdask.distributed.internal.Payload;
import org.jdask.distributed.internal.Sizes;
import org.jdask.distributed.internal.Wire;
import org.jdask.distributed.internal.Wire.Msg;
import org.jdask.distributed.internal.SchedulerInstruction;
import org.jdask.distributed.internal.SchedulerWatch;
import org.jdask.distributed.internal.Watchdog;
import org.jdask.distributed.internal.WorkerEvent;
import org.jdask.distributed.internal.WorkerInstruction;
import org.jdask.distributed.internal.WorkerInstruction.*;
import org.jdask.distributed.internal.WorkerState;
import org.jdask.distributed.internal.Zmq;
import org.jdask.distributed.internal.bulk.BulkServer;
import org.jdask.distributed.internal.memory.MemoryManager;
import org.jdask.distributed.internal.memory.MemoryPolicy;
import org.jdask.distributed.internal.memory.SpillBuffer;
import org.jdask.graph.Key;
import org.jdask.serialize.Codecs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * A worker: runs tasks the scheduler sends on {@code nthreads} threads, keeps their results, and
 * serves them to peers and clients from its own ROUTER socket (data never goes through the
 * scheduler). All decisions are {@link WorkerState}'s; this class is its I/O shell: one thread
 * owns every socket, executor threads hand results back through a queue and an inproc wake-up
 * socket.
 *
 * <p>Values are kept in a map as given, or as the {@link Payload} they arrived in (decoded on first
 * use, and served to peers as the same bytes without re-encoding). This store is the seam where
 * spilling to disk plugs in.
 */
public final class Worker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
    private static final AtomicInteger COUNTER = new AtomicInteger();
    /** Stands for a null result in the store. */
    static final Object NULL = new Object();

    /**
     * How a worker is set up; {@link #defaults()} then the {@code with*} methods.
     *
     * @param memoryLimit bytes the worker may use, 0 for the default (the machine's memory divided by
     *     the workers on it, see {@link MemoryPolicy#defaultLimit}): a worker JVM's heap size
     *     ({@code -Xmx}, set by its {@link Nanny}); its memory manager spills, pauses and terminates
     *     at the fractions {@code distributed.worker.memory.*} of it
     * @param localDirectory where the worker creates its own scratch directory (spill store): null
     *     for the temp directory; must exist and be writable
     */
    public record Options(String name, int nthreads, Map<String, Double> resources, String host, long memoryLimit,
                          Path localDirectory) {
        public Options(String name, int nthreads, Map<String, Double> resources, String host, long memoryLimit) {
            this(name, nthreads, resources, host, memoryLimit, null);
        }

        /** Below this a worker JVM cannot even load its codecs. */
        static final long MIN_MEMORY_LIMIT = 32L << 20;

        public static Options defaults() {
            return new Options(null, Runtime.getRuntime().availableProcessors(), Map.of(), "127.0.0.1", 0);
        }

        public Options withName(String n) {
            return new Options(n, nthreads, resources, host, memoryLimit, localDirectory);
        }

        public Options withThreads(int n) {
            if (n < 1) throw new IllegalArgumentException("nthreads must be >= 1, got " + n);
            return new Options(name, n, resources, host, memoryLimit, localDirectory);
        }

        public Options withResources(Map<String, Double> r) {
            return new Options(name, nthreads, Map.copyOf(r), host, memoryLimit, localDirectory);
        }

        public Options withHost(String h) {
            return new Options(name, nthreads, resources, h, memoryLimit, localDirectory);
        }

        /** A memory limit in bytes (0: none); at least 32 MiB. */
        public Options withMemoryLimit(long bytes) {
            if (bytes != 0 && bytes < MIN_MEMORY_LIMIT) {
                throw new IllegalArgumentException("memory limit " + bytes + " bytes is below the 32 MiB a worker needs (0 means no limit)");
            }
            return new Options(name, nthreads, resources, host, bytes, localDirectory);
        }

        /** Where the worker's own scratch directory goes ({@code --local-directory}); null: the temp directory. */
        public Options withLocalDirectory(Path dir) {
            return new Options(name, nthreads, resources, host, memoryLimit, dir);
        }

        /** A memory limit like {@code "4GB"}, {@code "512MiB"} or a number of bytes (a clear error otherwise). */
        public Options withMemoryLimit(String text) {
            return withMemoryLimit(org.jdask.distributed.internal.Sizes.parse(text, "memory limit"));
        }
    }

    private final String schedulerAddress;
    private final Options options;
    private final Security security;
    private volatile org.jdask.distributed.internal.Zap.Policy zap;
    private final boolean local;
    /** Code shipped by clients (null for a worker in the client's own JVM). */
    private final ClientCode clientCode;
    private final long maxFrame;
    private WorkerState state; // guarded by stateLock; replaced when the scheduler is lost
    /** Results and fetched values, spilled to disk least-recently-used past the memory target. */
    private final SpillBuffer<Key> data;
    /** The bulk port: large values to and from clients off JeroMQ (null for in-process workers or when off). */
    BulkServer bulk; // I/O thread
    private final MemoryManager memory;
    /** The resolved memory limit (the default when none was given). */
    private final long memoryLimit;
    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    private volatile ExecutorService executor; // replaced (its threads interrupted) when the scheduler is lost
    private final ThreadFactory executorThreads;
    /** Incremented when the work is dropped: a task started before that reports to no one. */
    private volatile int epoch;
    private final SchedulerWatch watch;
    /** The executor thread inside each running task (for a cancel's interrupt); it is also the lock. */
    private final Map<Key, Thread> runningThreads = new HashMap<>();
    /** Whether the scheduler welcomed this worker and has not been lost since (I/O thread). */
    private boolean registered, pollerStale;
    private final Thread thread;
    private final CountDownLatch welcomed = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final long heartbeatMs, fetchTimeoutMs;
    private volatile boolean running = true, crashed;
    private volatile String address;
    private volatile String failure;
    private volatile Runnable onClose = () -> { };
    private volatile String closeReason;

    private ZMQ.Socket sched, server;
    private volatile org.jdask.distributed.internal.Wakeup wakeup;
    /** Runs tasks on the executor threads. */
    private final TaskCompute compute;
    /** What the data port answers (I/O thread). */
    private final WorkerDataPort dataPort = new WorkerDataPort(this);
    /** Task inputs being fetched from peers (I/O thread). */
    private final PeerFetches fetches;
    /** Messages for the scheduler, flushed by the I/O thread once per loop turn (guarded by {@link #stateLock}). */
    private final org.jdask.distributed.internal.Outbox toScheduler = new org.jdask.distributed.internal.Outbox();
    /**
     * Guards {@link #state}, {@link #toScheduler} and the store updates that go with an event: the
     * I/O thread and executor threads both apply events (an executor thread applies its own
     * task's completion and runs the next ready task at once, without a hand-off to the I/O thread).
     */
    private final Object stateLock = new Object();
    private final org.jdask.distributed.dashboard.WorkerMetrics metrics;
    /** Executor thread numbers (1..nthreads) for the task stream. */
    /** The task whose ExecuteDone is being applied, with its start (ms) and thread: FINISHED carries them. */
    private Key doneKey;
    private long doneStart;
    private int doneThread;


    /** Actors clients built here (issue 19); their calls come to the data port. */
    final ActorHost actors = new ActorHost(this::address, this::errorPayload,
            (identity, peerLocal, reply) -> {
                Msg m = reply.msg();
                post(() -> Wire.send(server, identity, List.of(m), peerLocal));
            });

    /**
     * Starts a worker connected to the scheduler at {@code schedulerAddress} ({@code tcp://...},
     * or {@code inproc://...} for a scheduler in this JVM); returns once the scheduler welcomed it.
     */
    public static Worker start(String schedulerAddress, Options options) {
        return start(schedulerAddress, options, null);
    }

    /**
     * Like {@link #start(String, Options)}; with {@code security} non-null the worker connects to
     * the scheduler and to peers with CurveZMQ and its data port admits only the cluster's key
     * (over {@code inproc://} nothing changes).
     */
    public static Worker start(String schedulerAddress, Options options, Security security) {
        Worker w = new Worker(schedulerAddress, options, security);
        w.awaitWelcome();
        return w;
    }

    private Worker(String schedulerAddress, Options options, Security security) {
        this.security = schedulerAddress.startsWith("inproc://") ? null : security;
        this.schedulerAddress = schedulerAddress;
        this.options = options;
        this.memory = WorkerMemory.open(options, !schedulerAddress.startsWith("inproc://"), NULL, new MemoryManager.Listener() {
            @Override
            public void paused(boolean paused, String why) {
                memoryPaused(paused, why);
            }

            @Override
            public void terminate(String why) {
                memoryTerminate(why);
            }
        });
        this.data = memory.data();
        this.memoryLimit = memory.policy().limit();
        this.metrics = new org.jdask.distributed.dashboard.WorkerMetrics(memoryLimit);
        this.local = schedulerAddress.startsWith("inproc://");
        this.clientCode = local ? null : ClientCode.forWorker(security, schedulerAddress);
        this.compute = new TaskCompute(clientCode, this::value, this::errorPayload, memory, memoryLimit, data);
        this.maxFrame = SchedulerServer.maxFrameBytes();
        this.heartbeatMs = Config.getDuration("distributed.worker.heartbeat-interval", Duration.ofMillis(500)).toMillis();
        this.fetchTimeoutMs = Config.getDuration("distributed.comm.timeouts.fetch", Duration.ofSeconds(30)).toMillis();
        this.fetches = new PeerFetches(() -> address, maxFrame, fetchTimeoutMs, this.security, this::fetched);
        this.state = new WorkerState(options.nthreads(), options.resources(), 10_000);
        state.fetchBudget(WorkerMemory.fetchBudget(memory.policy(), local));
        int n = COUNTER.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        ThreadFactory tf = r -> {
            Thread t = new Thread(r, "jdask-worker-" + n + "-exec-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.executorThreads = tf;
        this.executor = TaskThreads.pool(options.nthreads(), tf);
        long lostMs = Config.getDuration("distributed.comm.timeouts.scheduler-lost", Duration.ofSeconds(30)).toMillis();
        long retryMs = Math.min(10_000, Config.getDuration("distributed.comm.timeouts.connect", Duration.ofSeconds(10)).toMillis());
        long deathMs = Config.getDuration("distributed.worker.death-timeout", Duration.ZERO).toMillis();
        this.watch = new SchedulerWatch(Math.max(lostMs, 3 * heartbeatMs), retryMs, deathMs, System.currentTimeMillis());
        this.thread = new Thread(() -> run(n), "jdask-worker-" + n);
        thread.setDaemon(true);
        thread.start();
    }

    private void awaitWelcome() {
        long timeout = Config.getDuration("distributed.comm.timeouts.connect", Duration.ofSeconds(10)).toMillis();
        try {
            if (!welcomed.await(timeout, TimeUnit.MILLISECONDS)) {
                close();
                throw new IllegalStateException("worker could not reach the scheduler at " + schedulerAddress + " within "
                        + timeout + " ms (distributed.comm.timeouts.connect)" + (local ? ""
                        : security == null ? "; if the scheduler uses security, start the worker with its keys (--security-dir)"
                        : "; the CurveZMQ handshake may have failed: check that the scheduler's public key is " + security.schedulerPublicKey()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while connecting to " + schedulerAddress, e);
        }
        if (failure != null) {
            close();
            throw new IllegalStateException("worker failed to start: " + failure);
        }
    }

    /** The address peers and clients fetch data from; also the worker's id at the scheduler. */
    public String address() {
        return address;
    }

    public String name() {
        return options.name() == null ? address : options.name();
    }

    /** Peers refused at this worker's data port (see {@link SchedulerServer#refusedPeers()}); 0 without security. */
    public long refusedPeers() {
        org.jdask.distributed.internal.Zap.Policy z = zap;
        return z == null ? 0 : z.refused();
    }

    /**
     * Bytes this worker may use (0: no limit), as given in its {@link Options}. The seam of the
     * memory manager (a later issue): it compares what the data store holds against this and the
     * fractions {@code distributed.worker.memory.target/spill/pause/terminate}.
     */
    public long memoryLimit() {
        return memoryLimit;
    }

    /** The worker's own directory (its spill store lives here; deleted when the worker stops). */
    public Path localDirectory() {
        return memory.directory().path();
    }

    /** Managed bytes in memory, on disk, and whether the memory manager paused the worker (see {@code workerInfo()}). */
    public Map<String, Object> memoryMetrics() {
        return memory.metrics();
    }

    /** Memory manager: paused or resumed (monitor thread). */
    private void memoryPaused(boolean paused, String why) {
        LOG.info("{} {}: {}", paused ? "paused:" : "resumed:", address, why);
        post(() -> {
            apply(new WorkerEvent.Pause(paused, why), System.currentTimeMillis());
            heartbeat(); // the scheduler learns at once, not at the next beat
        });
    }

    /** Memory manager: past terminate. The JVM exits without goodbye, so the nanny restarts it and the scheduler recovers. */
    private void memoryTerminate(String why) {
        String line = "restarting: memory: worker " + address + ": " + why;
        LOG.error(line);
        System.out.println(line);
        System.out.flush();
        Runtime.getRuntime().halt(WorkerMemory.EXIT_MEMORY);
    }

    /** Number of values held. */
    public int dataSize() {
        return data.size();
    }

    /**
     * Whether the scheduler closed this worker for {@code client.restart()}: whoever keeps it (a
     * nanny, {@code LocalCluster}) starts a new one in its place.
     */
    public boolean restartRequested() {
        return org.jdask.distributed.internal.SchedulerInstruction.RESTART.equals(closeReason);
    }

    /** Whether the scheduler closed this worker to retire it ({@code client.retireWorkers}): nobody replaces it. */
    public boolean retired() {
        return org.jdask.distributed.internal.SchedulerInstruction.RETIRE.equals(closeReason);
    }

    /** Called once after the worker stops (the scheduler closed it, or {@link #close}). */
    public void onClose(Runnable r) {
        this.onClose = r;
    }

    private void run(int n) {
        ZMQ.Poller poller = null;
        Watchdog.Beat beat = null;
        try {
            server = Zmq.socket(SocketType.ROUTER, maxFrame);
            if (security != null) zap = security.dataServer(server, "worker data port");
            if (local) {
                address = "inproc://jdask-worker-" + n;
                server.bind(address);
            } else {
                int port = server.bindToRandomPort("tcp://" + options.host());
                address = "tcp://" + options.host() + ":" + port;
                if (zap != null) zap.label("worker " + address);
                bulk = WorkerBulk.start(options.host(), address, security != null, this::forPeer, this::storeBulk);
            }
            wakeup = new org.jdask.distributed.internal.Wakeup("jdask-worker-wake-" + n, maxFrame);
            connectScheduler();
            poller = Zmq.context().createPoller(8);
            poller.register(sched, ZMQ.Poller.POLLIN);
            poller.register(server, ZMQ.Poller.POLLIN);
            poller.register(wakeup.socket(), ZMQ.Poller.POLLIN);
            long nextBeat = System.currentTimeMillis() + heartbeatMs;
            beat = Watchdog.watch("worker " + address, why -> { });
            while (running) {
                beat.beat();
                long pollMs = Math.max(1, toScheduler.pollMillis(Math.min(heartbeatMs, nextBeat - System.currentTimeMillis())));
                long pollStart = System.currentTimeMillis();
                poller.poll(pollMs);
                long overslept = System.currentTimeMillis() - pollStart - pollMs;
                if (overslept > 1000) watch.stalled(overslept); // this loop did not run: not the scheduler's silence
                if (!running) break;
                wakeup.drain(); // before draining the inbox: a post after this sends a new wake-up
                Runnable r;
                while ((r = inbox.poll()) != null) r.run();
                for (int i = 0; i < 10_000; i++) {
                    Wire.Received m = Wire.receive(sched, false, maxFrame);
                    if (m == null) break;
                    fromScheduler(m);
                }
                for (int i = 0; i < 1000; i++) {
                    Wire.Received m = Wire.receive(server, true, maxFrame);
                    if (m == null) break;
                    dataPort.serve(server, m);
                }
                fetches.receive(1000);
                long now = System.currentTimeMillis();
                fetches.expire(now);
                if (now >= nextBeat) {
                    if (registered || welcomed.getCount() > 0) heartbeat();
                    nextBeat = now + heartbeatMs;
                }
                if (registered || watch.lost()) onWatch(watch.check(now), now);
                flushScheduler();
                // peer sockets created while handling messages (or a new scheduler socket) join the poll set
                if (pollerStale || poller.getSize() < 3 + fetches.peerCount()) {
                    pollerStale = false;
                    poller.close();
                    poller = Zmq.context().createPoller(4 + fetches.peerCount());
                    poller.register(sched, ZMQ.Poller.POLLIN);
                    poller.register(server, ZMQ.Poller.POLLIN);
                    poller.register(wakeup.socket(), ZMQ.Poller.POLLIN);
                    for (ZMQ.Socket s : fetches.sockets()) poller.register(s, ZMQ.Poller.POLLIN);
                }
            }
            try {
                if (!crashed) {
                    send(new Messages.Goodbye());
                    flushScheduler();
                }
            } catch (RuntimeException ignored) {
                // closing anyway
            }
        } catch (org.zeromq.ZMQException e) {
            if (running) {
                failure = e.toString();
                LOG.error("worker {} socket failed", address, e);
            }
        } catch (RuntimeException | Error e) {
            failure = e.toString();
            LOG.error("worker {} loop crashed", address, e);
        } finally {
            running = false;
            if (beat != null) beat.close();
            welcomed.countDown();
            if (poller != null) poller.close();
            executor.shutdownNow();
            actors.close();
            if (wakeup != null) wakeup.close();
            Zmq.close(sched);
            Zmq.close(server);
            if (bulk != null) bulk.close();
            fetches.close();
            try {
                memory.close(); // drops the data, deletes the spill store and the worker's directory
            } catch (RuntimeException e) {
                LOG.warn("worker {}: cannot clean up {}: {}", address, memory.directory(), e.toString());
            }
            stopped.countDown();
            try {
                onClose.run();
            } catch (RuntimeException e) {
                LOG.warn("onClose callback failed", e);
            }
        }
    }

    /** Queues a heartbeat: process metrics and the memory manager's (managed, spilled, status). */
    private void heartbeat() {
        Map<String, Object> m = metrics.sample();
        m.putAll(memory.metrics());
        send(new Messages.Heartbeat(m));
    }

    /** Runs {@code r} on the I/O thread soon. */
    void post(Runnable r) {
        inbox.add(r);
        wakeIo();
    }

    /** Wakes the I/O thread (to drain its inbox and flush queued messages); one wake-up per burst. */
    private void wakeIo() {
        org.jdask.distributed.internal.Wakeup w = wakeup;
        if (w != null) w.wake(); // null only before the I/O thread has set up: it drains its inbox anyway
    }

    private void send(Message m) {
        Msg msg = m.msg();
        synchronized (stateLock) { // messages leave in the order the state machine produced them
            toScheduler.add(msg);
        }
    }

    /** I/O thread: sends what is queued for the scheduler as one batch (kept for later if it cannot leave now). */
    private void flushScheduler() {
        if (!toScheduler.flush(sched, local)) refused(refusal()); // ZeroMQ gave up on the connection during its handshake
    }

    /** Fails the start-up with {@code why} (any thread); ignored once the scheduler welcomed this worker. */
    private void refused(String why) {
        if (welcomed.getCount() == 0 || failure != null) return;
        failure = why;
        running = false;
        welcomed.countDown();
    }

    /** Why a connection that ZeroMQ gave up on during its handshake failed, and what fixes it. */
    private String refusal() {
        return security == null
                ? "the scheduler at " + schedulerAddress + " dropped the connection during the ZeroMQ handshake: it requires CurveZMQ"
                        + " (start the worker with the scheduler's keys: --security-dir DIR)"
                : "the CurveZMQ handshake with " + schedulerAddress + " failed: check that the scheduler's public key is "
                        + security.schedulerPublicKey() + " and that the scheduler runs with security";
    }

    private void fromScheduler(Wire.Received r) {
        watch.heard(System.currentTimeMillis());
        List<Msg> batch;
        try {
            batch = r.decode(local);
        } catch (Wire.WireException e) {
            LOG.warn("worker {}: refused a message from the scheduler at {}: {}", address, schedulerAddress, e.getMessage());
            if (welcomed.getCount() > 0 && e.getMessage().contains("protocol version")) { // fail the start-up at once
                failure = "the scheduler at " + schedulerAddress + ": " + e.getMessage();
                running = false;
                welcomed.countDown();
            }
            return;
        }
        long now = System.currentTimeMillis();
        for (Msg m : batch) {
            try {
                fromScheduler(m, now);
            } catch (RuntimeException e) {
                LOG.warn("worker {}: cannot handle {} from the scheduler: {}", address, m.op(), e.toString());
            }
        }
    }

    private void fromScheduler(Msg raw, long now) {
        Message m = Messages.decode(raw);
        if (m instanceof Messages.Welcome welcome) {
            if (clientCode != null) clientCode.schedulerRelay(welcome.codeRelay()); // issue 16: relayed code comes through this scheduler's relay
            long gap = watch.registered(now);
            registered = true;
            if (gap < 0) LOG.info("Worker {} registered with scheduler {}", address, schedulerAddress);
            else LOG.warn("Worker {} registered again with scheduler {}, {} ms after losing it", address, schedulerAddress, gap);
            welcomed.countDown();
        } else if (m instanceof Messages.Heartbeat) {
            // the scheduler's answer to ours: heard (see fromScheduler(Received)), nothing to do
        } else if (m instanceof Messages.Compute c) {
            apply(c.task(), now);
        } else if (m instanceof Messages.Free f) {
            apply(new WorkerEvent.Free(f.keys()), now);
        } else if (m instanceof Messages.Steal st) {
            apply(new WorkerEvent.Steal(st.key()), now);
        } else if (m instanceof Messages.Acquire a) {
            apply(new WorkerEvent.Acquire(a.key(), a.from()), now);
        } else if (m instanceof Messages.Close c) {
            if (SchedulerInstruction.RETIRE.equals(c.reason())) LOG.info("Worker {} retired by the scheduler", address);
            else LOG.warn("Worker {} closed by the scheduler: {}", address, c.reason());
            closeReason = c.reason();
            running = false;
        } else if (m instanceof Messages.ErrorMsg e) {
            LOG.warn("worker {}: scheduler error: {}", address, e.text());
            if (welcomed.getCount() > 0) {
                failure = e.text();
                running = false;
            }
        } else {
            LOG.warn("worker {}: refused {} from the scheduler at {}: a worker does not take it", address, raw.op(), schedulerAddress);
        }
    }

    /** I/O thread: a fresh socket to the scheduler (a new identity: nothing of an old connection carries over) and a hello. */
    private void connectScheduler() {
        Zmq.close(sched);
        sched = Zmq.socket(SocketType.DEALER, maxFrame);
        sched.setIdentity(local ? Wire.localIdentity() : Wire.remoteIdentity());
        if (security != null) security.toScheduler(sched);
        if (!local) {
            org.jdask.distributed.internal.Zap.watchClient(sched, "scheduler " + schedulerAddress,
                    (why, beforeGreeting) -> refused(beforeGreeting ? refusal() : why));
        }
        sched.connect(schedulerAddress);
        pollerStale = true;
        send(new Messages.HelloWorker(address, name(), options.nthreads(), options.resources(), memoryLimit, Wire.VERSION));
        flushScheduler();
    }

    /** I/O thread: acts on the scheduler watch's verdict (see {@link SchedulerWatch}). */
    private void onWatch(SchedulerWatch.Verdict v, long now) {
        switch (v) {
            case FINE -> { }
            case LOST -> {
                LOG.warn("worker {}: no message from the scheduler at {} for {} ms (distributed.comm.timeouts.scheduler-lost):"
                        + " dropping its work and connecting again", address, schedulerAddress, watch.silentFor(now));
                registered = false;
                dropWork();
                connectScheduler();
            }
            case RETRY -> {
                LOG.info("worker {}: still no scheduler at {}; saying hello again", address, schedulerAddress);
                connectScheduler();
            }
            case DEAD -> {
                LOG.error("worker {}: no scheduler at {} within distributed.worker.death-timeout; closing", address, schedulerAddress);
                closeReason = DEATH_TIMEOUT;
                crashed = true; // no goodbye: no one to say it to
                running = false;
            }
        }
    }

    /** Why a worker closed itself: no scheduler came back within {@code distributed.worker.death-timeout}. */
    static final String DEATH_TIMEOUT = "death-timeout";

    /** Whether this worker closed itself because no scheduler came back within its death timeout. */
    public boolean diedOfTimeout() {
        return DEATH_TIMEOUT.equals(closeReason);
    }

    /**
     * I/O thread: forgets every task and value (a new scheduler knows none of them); running tasks
     * are interrupted and whatever they return is dropped.
     */
    private void dropWork() {
        ExecutorService old;
        synchronized (stateLock) {
            epoch++;
            state = new WorkerState(options.nthreads(), options.resources(), 10_000);
            state.fetchBudget(WorkerMemory.fetchBudget(memory.policy(), local));
            toScheduler.clear();
            data.clear();
            old = executor;
            executor = TaskThreads.pool(options.nthreads(), executorThreads);
        }
        fetches.clear();
        old.shutdownNow();
    }

    /** I/O thread: applies {@code e} and carries out the instructions. */
    private void apply(WorkerEvent e, long now) {
        for (WorkerInstruction i : applyLocked(e, now, null)) execute(i);
    }

    /**
     * Applies {@code e} under {@link #stateLock} (after {@code before}, a store update that must be
     * ordered with it) and carries out the instructions that only touch the state, the store and
     * the outgoing queue while still holding the lock, so messages leave in the order the state
     * machine produced them. Returns the rest ({@link Execute}, {@link Fetch}) for the caller.
     */
    private List<WorkerInstruction> applyLocked(WorkerEvent e, long now, Runnable before) {
        List<WorkerInstruction> rest = null;
        synchronized (stateLock) {
            if (before != null) before.run();
            for (WorkerInstruction i : state.handle(e, now)) {
                if (i instanceof Execute || i instanceof Fetch) {
                    if (rest == null) rest = new ArrayList<>(2);
                    rest.add(i);
                } else {
                    execute(i);
                }
            }
        }
        return rest == null ? List.of() : rest;
    }

    private void execute(WorkerInstruction i) {
        if (i instanceof Execute x) {
            try {
                executor.execute(() -> runTask(x));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                if (running) throw e; // otherwise the worker is closing and drops the task
            }
        } else if (i instanceof Finished f) {
            long nbytes = f.nbytes() >= 0 ? f.nbytes() : data.nbytes(f.key());
            if (f.key().equals(doneKey)) { // under stateLock, like the ExecuteDone that set doneKey
                send(new Messages.Finished(f.key(), nbytes, f.seconds(), doneStart, doneThread));
                doneKey = null;
            }
            else send(new Messages.Finished(f.key(), nbytes, f.seconds(), null, null));
        } else if (i instanceof Erred e) {
            send(new Messages.Erred(e.key(), e.error() instanceof Payload p ? p : Payload.ofValue(e.error())));
        } else if (i instanceof Missing m) {
            send(new Messages.Missing(m.key(), m.dep(), m.from()));
        } else if (i instanceof Interrupt x) {
            synchronized (runningThreads) { // under the lock the task's thread takes to leave it: never the next task
                Thread t = runningThreads.get(x.key());
                if (t != null) t.interrupt();
            }
        } else if (i instanceof Released r) {
            send(new Messages.Released(r.key()));
        } else if (i instanceof StealAnswer s) {
            send(new Messages.StealAnswer(s.key(), s.released()));
        } else if (i instanceof Drop d) {
            for (Key k : d.keys()) data.remove(k);
        } else if (i instanceof Fetch f) {
            if (Thread.currentThread() == thread) fetches.fetch(f.from(), f.keys());
            else post(() -> fetches.fetch(f.from(), f.keys())); // sockets belong to the I/O thread
        }
    }

    /** What a peer or client gets for {@code k}: a spilled value's bytes as they are on disk, else the value; null if absent. */
    Payload forPeer(Key k) {
        byte[] spilled = data.encoded(k);
        if (spilled != null) return Payload.ofBytes(spilled);
        Object v = data.get(k);
        if (v == null) return null;
        return v instanceof Payload p ? p : Payload.ofValue(v == NULL ? null : v);
    }

    /** The value of {@code k}, decoding (once) a payload that arrived from elsewhere. */
    private Object value(Key k) {
        Object v = data.get(k);
        if (v == null) throw new IllegalStateException("worker " + address + " does not hold " + k);
        if (v == NULL) return null;
        if (v instanceof Payload p) {
            Object decoded = ClientCode.decodeInScope(p::value);
            data.replace(k, p, decoded == null ? NULL : decoded);
            return decoded;
        }
        return v;
    }

    /**
     * Executor thread: runs {@code x}, applies its completion to the state itself and, when the
     * state machine hands out the next ready task, runs that one on this thread too. The I/O thread
     * is only woken to flush the queued {@code FINISHED} messages (one wake-up per burst), so a
     * stream of short tasks costs no thread hand-off per task.
     */
    private void runTask(Execute first) {
        Execute x = first;
        while (x != null) {
            Execute cur = x;
            x = null;
            List<WorkerInstruction> rest = runOne(cur);
            for (WorkerInstruction i : rest) {
                if (x == null && i instanceof Execute next && running) x = next;
                else execute(i);
            }
            wakeIo();
        }
    }

    private List<WorkerInstruction> runOne(Execute x) {
        int ep = epoch;
        synchronized (runningThreads) {
            runningThreads.put(x.key(), Thread.currentThread());
        }
        TaskThreads.enter(taskHost, x.key()); // Client.current(), Worker.secede() inside the task
        try {
            TaskCompute.Outcome o = compute.run(x);
            synchronized (stateLock) { // the work was dropped meanwhile (a lost scheduler): nothing to report
                if (epoch == ep) return applyLocked(o);
            }
            data.remove(x.key()); // stored by compute before the drop: nobody will ask for it
            return List.of();
        } finally {
            TaskThreads.leave();
            synchronized (runningThreads) {
                runningThreads.remove(x.key());
            }
            Thread.interrupted(); // an interrupt meant for this task must not hit the next one
        }
    }

    /** Applies what {@link TaskCompute#run} returned; a finished task's FINISHED carries its start and thread. */
    private List<WorkerInstruction> applyLocked(TaskCompute.Outcome o) {
        Runnable before = o.stored() ? () -> {
            doneKey = o.key(); // for the dashboard's task stream
            doneStart = o.startMillis();
            doneThread = o.thread();
        } : null;
        return applyLocked(o.event(), System.currentTimeMillis(), before);
    }

    /** The exception as a payload; for remote peers, one that surely decodes on the other side. */
    Payload errorPayload(Throwable e) {
        if (local) return Payload.ofValue(e);
        try {
            byte[] b = Codecs.encode(e);
            Codecs.decode(b);
            return Payload.ofBytes(b);
        } catch (RuntimeException | StackOverflowError notPortable) {
            RemoteTaskError r = new RemoteTaskError(e.getClass().getName(), e.getMessage(), e.getStackTrace());
            return Payload.ofValue(r);
        }
    }

    // ------------------------------------------------------------------ worker-to-worker data

    /** I/O thread: what a fetch brought (stored first: it may spill, so not under the lock), then the state learns of it. */
    private void fetched(String peer, List<Key> got, List<Payload> values, List<Key> missing) {
        long bytes = 0;
        for (int i = 0; i < got.size(); i++) {
            long n = Sizes.of(values.get(i));
            bytes += n;
            data.put(got.get(i), values.get(i), n);
        }
        if (!got.isEmpty()) metrics.transferred(values); // the performance report's transfers (issue 19)
        List<WorkerInstruction> rest = applyLocked(new WorkerEvent.FetchDone(peer, got, missing, bytes), System.currentTimeMillis(), null);
        for (WorkerInstruction i : rest) execute(i);
    }

    /** Stores scattered values (may spill: before the state knows, not under its lock); the bytes held per key. */
    List<Long> storeScattered(List<Key> keys, List<Payload> values) {
        List<Long> sizes = new ArrayList<>();
        for (int j = 0; j < keys.size(); j++) {
            Payload p = values.get(j);
            Object v = p.hasValue() ? p.value() : p;
            long n = Sizes.of(v);
            data.put(keys.get(j), v == null ? NULL : v, n);
            sizes.add(n);
        }
        return sizes;
    }

    /** I/O thread: the state learns of scattered keys. */
    void scattered(List<Key> keys) {
        for (WorkerInstruction i : applyLocked(new WorkerEvent.Scattered(keys), System.currentTimeMillis(), null)) execute(i);
    }

    /** A bulk connection's thread: stores, then waits until the I/O thread has told the state. */
    private List<Long> storeBulk(List<Key> keys, List<Payload> values) throws Exception {
        List<Long> sizes = storeScattered(keys, values);
        CompletableFuture<Void> told = new CompletableFuture<>();
        post(() -> {
            try {
                scattered(keys);
                told.complete(null);
            } catch (RuntimeException e) {
                told.completeExceptionally(e);
            }
        });
        told.get(fetchTimeoutMs, TimeUnit.MILLISECONDS);
        return sizes;
    }

    /** Stops the worker: tells the scheduler, stops its threads, drops its data. Idempotent. */
    @Override
    public void close() {
        running = false;
        Client tc;
        synchronized (taskHost) {
            tc = taskClient;
            taskClient = null;
        }
        if (tc != null) tc.close();
        try {
            if (Thread.currentThread() != thread) stopped.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ tasks that submit tasks (issue 19)

    /** This worker's client for tasks ({@code Client.current()} inside a task), created on first use. */
    private Client taskClient;

    private final TaskThreads.Host taskHost = new TaskThreads.Host() {
        @Override
        public void secede(Key key, boolean rejoin) {
            List<WorkerInstruction> rest = applyLocked(new WorkerEvent.Secede(key, rejoin), System.currentTimeMillis(), null);
            if (!rejoin) send(new Messages.LongRunning(key)); // the scheduler no longer counts its thread either
            for (WorkerInstruction i : rest) Worker.this.execute(i);
            wakeIo();
        }

        @Override
        public Client client() {
            synchronized (this) {
                if (taskClient == null) taskClient = Client.forTasks(schedulerAddress, security);
                return taskClient;
            }
        }

        @Override
        public String describe() {
            return address + " (" + options.nthreads() + (options.nthreads() == 1 ? " thread)" : " threads)");
        }
    };

    /**
     * Inside a task: this task's thread stops counting against the worker's threads (here and at
     * the scheduler), so the worker runs another task meanwhile; use it before waiting on tasks this
     * task submitted (Dask's {@code secede}). {@link WorkerClient#open()} does it for a scope.
     *
     * @throws IllegalStateException outside a task on a distributed worker
     */
    public static void secede() {
        TaskThreads.secede();
    }

    /** Inside a seceded task: its thread counts again (Dask's {@code rejoin}); nothing if it had not seceded. */
    public static void rejoin() {
        TaskThreads.rejoin();
    }

    /** Stops the I/O loop without saying goodbye, like a crash (for tests of recovery). */
    void crash() {
        crashed = true;
        running = false;
    }

    @Override
    public String toString() {
        return "Worker(" + address + ", " + options.nthreads() + " threads)";
    }

    static String id(byte[] identity) {
        return new String(identity, StandardCharsets.ISO_8859_1);
    }
}

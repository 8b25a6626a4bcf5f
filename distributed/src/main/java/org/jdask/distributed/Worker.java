package org.jdask.distributed;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
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
import org.jdask.distributed.internal.SocketWait;
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
 * socket. Its parts: {@link WorkerSchedulerLink} (the scheduler's socket, outgoing messages,
 * heartbeats, liveness), {@link WorkerTasks} (the executor threads), {@link WorkerDataPort}
 * (what peers and clients ask for), {@link PeerFetches} (task inputs from peers) and the bulk
 * port ({@link WorkerBulk}).
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
            return withMemoryLimit(Sizes.parse(text, "memory limit"));
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
    private final Thread thread;
    private final CountDownLatch welcomed = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final long fetchTimeoutMs;
    private volatile boolean running = true, crashed;
    private volatile String address;
    private volatile String failure;
    private volatile Runnable onClose = () -> { };
    private volatile String closeReason;

    private ZMQ.Socket server;
    /** Where the I/O thread waits for its sockets and posted work (not JeroMQ's spinning poller: see SocketWait). */
    private final SocketWait waits = new SocketWait();
    /**
     * Guards {@link #state}, the scheduler link's outgoing queue and the store updates that go with
     * an event: the I/O thread and executor threads both apply events (an executor thread applies
     * its own task's completion and runs the next ready task at once, without a hand-off to the
     * I/O thread).
     */
    private final Object stateLock = new Object();
    /** The scheduler's socket, messages to it and its liveness (I/O thread). */
    private final WorkerSchedulerLink link;
    /** The executor threads that run tasks. */
    private final WorkerTasks tasks;
    /** What the data port answers (I/O thread). */
    private final WorkerDataPort dataPort = new WorkerDataPort(this);
    /** Task inputs being fetched from peers (I/O thread). */
    private final PeerFetches fetches;
    private final org.jdask.distributed.dashboard.WorkerMetrics metrics;

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
        this.maxFrame = SchedulerServer.maxFrameBytes();
        this.fetchTimeoutMs = Config.getDuration("distributed.comm.timeouts.fetch", Duration.ofSeconds(30)).toMillis();
        this.fetches = new PeerFetches(() -> address, maxFrame, fetchTimeoutMs, this.security, this::fetched, !local && WorkerBulk.enabled(),
                this::post);
        this.state = new WorkerState(options.nthreads(), options.resources(), 10_000);
        state.fetchBudget(WorkerMemory.fetchBudget(memory.policy(), local));
        int n = COUNTER.incrementAndGet();
        TaskCompute compute = new TaskCompute(clientCode, this::value, this::errorPayload, memory);
        this.tasks = new WorkerTasks(this, n, options.nthreads(), stateLock, compute);
        this.link = new WorkerSchedulerLink(this, schedulerAddress, this.security, local, maxFrame, stateLock);
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
        return SchedulerInstruction.RESTART.equals(closeReason);
    }

    /** Whether the scheduler closed this worker to retire it ({@code client.retireWorkers}): nobody replaces it. */
    public boolean retired() {
        return SchedulerInstruction.RETIRE.equals(closeReason);
    }

    /** Called once after the worker stops (the scheduler closed it, or {@link #close}). */
    public void onClose(Runnable r) {
        this.onClose = r;
    }

    private void run(int n) {
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
            link.connect();
            long heartbeatMs = link.heartbeatMs;
            long nextBeat = System.currentTimeMillis() + heartbeatMs;
            beat = Watchdog.watch("worker " + address, why -> { });
            while (running) {
                beat.beat();
                long pollMs = Math.max(1, link.pollMillis(Math.min(heartbeatMs, nextBeat - System.currentTimeMillis())));
                waits.watchIfChanged(sockets()); // a new scheduler socket, peer sockets made while handling messages
                long pollStart = System.currentTimeMillis();
                waits.await(pollMs);
                long overslept = System.currentTimeMillis() - pollStart - pollMs;
                if (overslept > 1000) link.stalled(overslept); // this loop did not run: not the scheduler's silence
                if (!running) break;
                waits.woken(); // before draining the inbox: a post after this wakes the next wait
                Runnable r;
                while ((r = inbox.poll()) != null) {
                    waits.progress();
                    r.run();
                }
                // each socket gets a share per turn; one stopped at its share makes the next wait only look
                received(link.receive(10_000), 10_000);
                int served = 0;
                for (; served < 1000; served++) {
                    Wire.Received m = Wire.receive(server, true, maxFrame);
                    if (m == null) break;
                    dataPort.serve(server, m);
                }
                received(served, 1000);
                received(fetches.receive(1000), 1000);
                long now = System.currentTimeMillis();
                fetches.expire(now);
                nextBeat = link.tick(now, nextBeat);
                link.flush();
            }
            if (!crashed) link.goodbye();
        } catch (org.zeromq.ZMQException e) {
            if (running) {
                failure = e.toString();
                LOG.error("worker {} socket failed", address, e);
            }
        } catch (RuntimeException | Error e) {
            WorkerMemory.haltIfOutOfMemory(e, "the worker's I/O loop"); // never a clean exit 0 for an exhausted heap
            failure = e.toString();
            LOG.error("worker {} loop crashed", address, e);
        } finally {
            running = false;
            if (beat != null) beat.close();
            welcomed.countDown();
            tasks.shutdown();
            actors.close();
            waits.close();
            link.close();
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

    /** I/O thread: {@code n} messages came from a socket whose share per turn is {@code max}. */
    private void received(int n, int max) {
        if (n >= max) waits.more();
        else if (n > 0) waits.progress();
    }

    /** I/O thread: the sockets it waits on: the scheduler's, the data port and every peer socket. */
    private List<ZMQ.Socket> sockets() {
        List<ZMQ.Socket> all = new ArrayList<>(2 + fetches.peerCount());
        all.add(link.socket());
        all.add(server);
        all.addAll(fetches.sockets());
        return all;
    }

    /** Queues a heartbeat: process metrics and the memory manager's (managed, spilled, status). */
    void heartbeat() {
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
    void wakeIo() {
        waits.wake();
    }

    /** Queues {@code m} for the scheduler (any thread). */
    void send(Message m) {
        link.send(m);
    }

    /** Fails the start-up with {@code why} (any thread); ignored once the scheduler welcomed this worker. */
    void refused(String why) {
        if (welcomed.getCount() == 0 || failure != null) return;
        failure = why;
        running = false;
        welcomed.countDown();
    }

    /** Whether the scheduler has not welcomed this worker yet. */
    boolean starting() {
        return welcomed.getCount() > 0;
    }

    /** The scheduler welcomed this worker: {@link #start} returns. */
    void welcomed() {
        welcomed.countDown();
    }

    /** The scheduler's code relay from its welcome (issue 16): relayed clients' code is fetched there. */
    void codeRelay(String relay) {
        if (clientCode != null) clientCode.schedulerRelay(relay);
    }

    /** The loop stops: the scheduler closed this worker for {@code reason}, or ({@code crashed}) it gives up without a goodbye. */
    void closedBy(String reason, boolean crashed) {
        closeReason = reason;
        if (crashed) this.crashed = true;
        running = false;
    }

    boolean isRunning() {
        return running;
    }

    int nthreads() {
        return options.nthreads();
    }

    Map<String, Double> resources() {
        return options.resources();
    }

    /** The client tasks on this worker share ({@code Client.current()}). */
    Client taskClient() {
        return Client.forTasks(schedulerAddress, security);
    }

    /** Why a worker closed itself: no scheduler came back within {@code distributed.worker.death-timeout}. */
    static final String DEATH_TIMEOUT = "death-timeout";

    /** Why the worker's I/O loop stopped on its own (a crash), or null. */
    String failure() {
        return failure;
    }

    /** Whether this worker closed itself because no scheduler came back within its death timeout. */
    public boolean diedOfTimeout() {
        return DEATH_TIMEOUT.equals(closeReason);
    }

    /**
     * I/O thread: forgets every task and value (a new scheduler knows none of them); running tasks
     * are interrupted and whatever they return is dropped.
     */
    void dropWork() {
        ExecutorService old;
        synchronized (stateLock) {
            old = tasks.drop();
            state = new WorkerState(options.nthreads(), options.resources(), 10_000);
            state.fetchBudget(WorkerMemory.fetchBudget(memory.policy(), local));
            link.clear();
            data.clear();
        }
        fetches.clear();
        old.shutdownNow();
    }

    /** I/O thread: applies {@code e} and carries out the instructions. */
    void apply(WorkerEvent e, long now) {
        for (WorkerInstruction i : applyLocked(e, now, null)) execute(i);
    }

    /**
     * Applies {@code e} under {@link #stateLock} (after {@code before}, a store update that must be
     * ordered with it) and carries out the instructions that only touch the state, the store and
     * the outgoing queue while still holding the lock, so messages leave in the order the state
     * machine produced them. Returns the rest ({@link Execute}, {@link Fetch}) for the caller.
     */
    List<WorkerInstruction> applyLocked(WorkerEvent e, long now, Runnable before) {
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

    void execute(WorkerInstruction i) {
        if (i instanceof Execute x) {
            tasks.submit(x);
        } else if (i instanceof Finished f) {
            long nbytes = f.nbytes() >= 0 ? f.nbytes() : data.nbytes(f.key());
            send(tasks.finished(f.key(), nbytes, f.seconds())); // under stateLock, like the ExecuteDone before it
        } else if (i instanceof Erred e) {
            send(new Messages.Erred(e.key(), e.error() instanceof Payload p ? p : Payload.ofValue(e.error())));
        } else if (i instanceof Missing m) {
            send(new Messages.Missing(m.key(), m.dep(), m.from()));
        } else if (i instanceof Interrupt x) {
            tasks.interrupt(x.key());
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

    /** Bytes the store counts for {@code k} (0 when absent). */
    long heldBytes(Key k) {
        return data.nbytes(k);
    }

    /** The value of {@code k}, decoding (once) a payload that arrived from elsewhere. */
    private Object value(Key k) {
        Object v = data.read(k); // a spilled input stays on disk when memory is full (SpillBuffer.read)
        if (v == null) throw new IllegalStateException("worker " + address + " does not hold " + k);
        if (v == NULL) return null;
        if (v instanceof Payload p) {
            Object decoded = ClientCode.decodeInScope(p::value);
            data.replace(k, p, decoded == null ? NULL : decoded);
            return decoded;
        }
        return v;
    }

    /** Drops a task's result stored after its work was dropped (a lost scheduler): nobody will ask for it. */
    void forget(Key k) {
        data.remove(k);
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
        waits.wake(); // the I/O thread sees it now, not after its wait's timeout
        tasks.closeClient();
        try {
            if (Thread.currentThread() != thread) stopped.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

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

package org.jdask.distributed;

import java.lang.ref.Reference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jdask.Config;
import org.jdask.Jdask;
import org.jdask.JdaskException;
import org.jdask.Lazy;
import org.jdask.TaskFailedException;
import org.jdask.distributed.coord.*;
import org.jdask.distributed.actor.ActorHandle;
import org.jdask.distributed.actor.ActorRef;
import org.jdask.distributed.actor.Actors;
import org.jdask.distributed.internal.ClientState;
import org.jdask.distributed.internal.ClientState.KeyState;
import org.jdask.distributed.internal.Messages;
import org.jdask.distributed.internal.Messages.Message;
import org.jdask.distributed.internal.Payload;
import org.jdask.distributed.internal.SchedulerEvent.NewTask;
import org.jdask.distributed.internal.Wire;
import org.jdask.distributed.report.PerformanceReport;
import org.jdask.distributed.report.TaskRecord;
import org.jdask.fn.Fn0;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;
import org.jdask.fn.Fn3;
import org.jdask.graph.DataNode;
import org.jdask.graph.IndexedGraph;
import org.jdask.graph.Key;
import org.jdask.graph.Node;
import org.jdask.graph.Order;
import org.jdask.graph.SerializationCheck;
import org.jdask.graph.Task;
import org.jdask.graph.TaskGraph;
import org.jdask.graph.Tokenize;
import org.jdask.serialize.Codecs;
import org.slf4j.LoggerFactory;

/**
 * A connection to a distributed scheduler: submit functions, map over data, scatter values to
 * workers, gather results, compute any {@link Lazy} on the cluster (Dask's {@code Client}).
 *
 * <pre>{@code
 * try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).build();
 *      Client client = Client.connect(cluster)) {
 *     Future<Integer> x = client.submit(Ops::inc, 1);
 *     List<Future<Integer>> ys = client.map(Ops::inc, List.of(1, 2, 3));
 *     int total = client.submit(Ops::sum, ys).result();   // runs where the data is
 * }
 * }</pre>
 *
 * <h2>Keys and purity</h2>
 * {@code submit} and {@code map} are <b>pure by default</b>, like Dask's: the key is a token of
 * the function and its arguments, so submitting the same call twice returns the same key and the
 * cached result, and the function runs once. For functions with side effects or randomness use
 * {@code SubmitOptions.pure(false)} (a fresh key per call) — otherwise two "random" draws are
 * one. Arguments may be futures, or lists and maps holding futures: a worker receives the values.
 *
 * <h2>Data lifetime</h2>
 * Results stay on the workers while a {@link Future} of them is reachable; when the last one is
 * released or garbage-collected, the scheduler frees the data. {@link #restart()} drops everything.
 *
 * <h2>Worker JVMs</h2>
 * Tasks reach worker JVMs as {@code Codecs} frames: functions must be serializable ({@code Fn*}
 * lambdas and method references are), and classes outside {@code org.jdask} must be allowed with
 * {@code Codecs.allow(prefix)} or config {@code serialization.allowed-packages} in this JVM; the
 * allowed prefixes travel with every task, so the workers decode what this JVM may encode.
 */
public final class Client implements AutoCloseable {
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static volatile Client current;

    final ClientConnection conn;
    final String id;
    /** Gather, scatter and the waits for results: bulk bytes between this client and the workers. */
    private final DataPlane data = new DataPlane(this);
    /** Key states and reference counts (RELEASE on the last reference goes out under its lock). */
    final ClientState keyStates;
    final Map<Key, RunTracker> trackers = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private volatile String lostReason;
    final long fetchTimeoutMs = Config.getDuration("distributed.comm.timeouts.fetch", Duration.ofSeconds(30)).toMillis();
    private final LocalCluster ownedCluster;

    /** Listens to per-task reports of one {@code get} run. */
    interface RunTracker {
        void taskDone(Key key, int worker, boolean failed);
    }

    private Client(String address, LocalCluster owned, Security security) {
        long connectMs = Config.getDuration("distributed.comm.timeouts.connect", Duration.ofSeconds(10)).toMillis();
        this.ownedCluster = owned;
        long lostMs = Config.getDuration("distributed.comm.timeouts.scheduler-lost", Duration.ofSeconds(30)).toMillis();
        this.encodeSpecs = !address.startsWith("inproc://");
        ClientConnection[] c = new ClientConnection[1];
        this.keyStates = new ClientState(m -> c[0].send(m));
        this.conn = c[0] = new ClientConnection(address, SchedulerServer.maxFrameBytes(), Math.max(lostMs, 1000),
                this::onMessages, this::onLost, security);
        CompletableFuture<Messages.Welcome> welcome = new CompletableFuture<>();
        welcomeWaiter = welcome;
        conn.send(new Messages.HelloClient("client-" + NAMES.incrementAndGet(), Wire.VERSION));
        try {
            this.id = welcome.get(connectMs, TimeUnit.MILLISECONDS).id();
        } catch (TimeoutException e) {
            conn.close();
            Throwable refused = ClientConnect.refusedBy(address);
            String hint = address.startsWith("inproc://") ? ""
                    : security == null ? "; if the scheduler uses security, connect with Client.connect(address, Security.load(dir))"
                    : "; the CurveZMQ handshake may have failed: check that the scheduler's public key is " + security.schedulerPublicKey();
            if (refused != null) {
                throw new CannotConnectException(address, CannotConnectException.Reason.REFUSED, "cannot connect to the scheduler at "
                        + address + ": connection refused (is a scheduler running there?)", refused);
            }
            throw new CannotConnectException(address, CannotConnectException.Reason.TIMED_OUT, "cannot reach the scheduler at "
                    + address + ": no answer within " + connectMs + " ms (distributed.comm.timeouts.connect)" + hint, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            conn.close();
            throw new JdaskException("interrupted while connecting to " + address);
        } catch (ExecutionException e) {
            conn.close();
            throw new CannotConnectException(address, CannotConnectException.Reason.REFUSED,
                    "cannot connect to the scheduler at " + address + ": " + e.getCause().getMessage(), e.getCause());
        }
        current = this;
        this.code = CodeServer.acquire(address, security, welcome.join().codeRelay()); // offers this JVM's code to worker JVMs (issue 16); null without security
    }

    /** This JVM's code server while this client is open (security on), else null. */
    private final CodeServer code;

    /**
     * Offers {@code jar} to the workers (Dask's {@code upload_file}): classes of later tasks are
     * found in it, fetched by each worker on demand and cached by content hash. Needs security
     * (workers accept code only from authenticated clients).
     */
    public void uploadJar(java.nio.file.Path jar) {
        if (code == null) {
            throw new IllegalStateException("uploadJar: workers accept code only from authenticated clients; connect with security "
                    + "(Client.connect(address, Security.load(dir)) or a LocalCluster built with .security(...))");
        }
        code.add(jar);
    }

    private volatile CompletableFuture<Messages.Welcome> welcomeWaiter;

    /** Dask's {@code Client()}: the scheduler named by config or environment (see {@link ClientConnect}), else {@link #local()}. */
    public static Client connect() {
        String address = ClientConnect.address(System.getenv());
        return address == null ? local() : connect(address);
    }

    /** A client for the tasks of a worker: like {@link #connect(String)}, but it does not become this JVM's {@link #current()}. */
    static Client forTasks(String address, Security security) {
        Client before = current, c = new Client(address, null, security);
        current = before;
        return c;
    }

    /** Connects to a scheduler, e.g. {@code "tcp://10.0.0.5:8786"}; fails within the connect timeout. */
    public static Client connect(String address) {
        if (address == null || !(address.startsWith("tcp://") || address.startsWith("inproc://"))) {
            throw new IllegalArgumentException("scheduler address must look like tcp://host:port, got '" + address + "'");
        }
        return new Client(address, null, null);
    }

    /**
     * Connects to a scheduler that requires CurveZMQ (see {@link Security}); a refused key fails at
     * once with a message saying so, anything else within the connect timeout.
     */
    public static Client connect(String address, Security security) {
        if (address == null || !(address.startsWith("tcp://") || address.startsWith("inproc://"))) {
            throw new IllegalArgumentException("scheduler address must look like tcp://host:port, got '" + address + "'");
        }
        return new Client(address, null, java.util.Objects.requireNonNull(security, "security"));
    }

    /** Connects to any cluster manager's scheduler ({@link SshCluster}, {@link SlurmCluster}, ...). */
    public static Client connect(Cluster cluster) {
        return cluster instanceof LocalCluster lc ? connect(lc) : connect(cluster.schedulerAddress());
    }

    /** Connects to a {@link LocalCluster} (in-process, so task payloads are not serialized). */
    public static Client connect(LocalCluster cluster) {
        Client c = new Client(cluster.inprocAddress(), null, cluster.security());
        c.encodeSpecs = cluster.hasWorkerProcesses();
        c.cluster = cluster;
        return c;
    }

    /**
     * A {@link LocalCluster} sized to this machine and a client of it, in one call (Dask's
     * {@code Client()} without arguments); closing the client closes the cluster too. Worker JVMs:
     * up to 4 cores one single-threaded worker per core, beyond that about the square root of the
     * cores as workers, each with cores/workers threads (as Dask splits them); each worker's memory
     * limit is the machine's memory divided among the workers.
     */
    public static Client local() {
        int cores = Runtime.getRuntime().availableProcessors();
        int workers = LocalCluster.defaultWorkers(cores);
        LocalCluster.Builder b = LocalCluster.builder().workers(workers).threadsPerWorker(Math.max(1, cores / workers));
        long memory = LocalCluster.machineMemory();
        if (memory > 0) b.memoryLimit(memory / workers);
        LocalCluster cluster = b.build();
        try {
            Client c = new Client(cluster.inprocAddress(), cluster, cluster.security());
            c.encodeSpecs = cluster.hasWorkerProcesses();
            c.cluster = cluster;
            return c;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** The cluster this client was connected to through {@link #connect(LocalCluster)} or {@link #local()}, or null. */
    volatile LocalCluster cluster;

    /**
     * Like Dask's repr: {@code Client(scheduler=tcp://..., workers=2, threads=4, memory=8.0 GiB,
     * dashboard=http://...)}; asks the scheduler for its workers (a round trip).
     */
    @Override
    public String toString() {
        if (closed) return "Client(closed, scheduler=" + conn.schedulerAddress + ")";
        LocalCluster lc = cluster;
        String summary;
        try {
            summary = LocalCluster.summary(workers());
        } catch (RuntimeException e) {
            summary = "workers=? (" + e.getMessage() + ")";
        }
        String dash = lc == null ? null : lc.dashboardLink();
        return "Client(scheduler=" + (lc == null ? conn.schedulerAddress : lc.schedulerAddress()) + ", " + summary
                + (dash == null ? "" : ", dashboard=" + dash) + ")";
    }

    /**
     * Encode task specs on the submitting thread (for worker JVMs): otherwise the scheduler's
     * one thread would serialize every task of a big update before it can answer anyone.
     */
    private volatile boolean encodeSpecs;

    /**
     * Inside a task on a worker: the worker's client (created on first use, one per worker; see
     * {@link WorkerClient}). Elsewhere: the most recently connected client of this JVM that is still open, or null.
     */
    public static Client current() {
        Client t = TaskThreads.client();
        if (t != null) return t;
        Client c = current;
        return c == null || c.closed ? null : c;
    }

    public String schedulerAddress() {
        return conn.schedulerAddress;
    }

    // ------------------------------------------------------------------ messages from the scheduler

    private void onMessages(List<Message> batch) {
        for (Message m : batch) {
            if (m instanceof Messages.Welcome w) {
                CompletableFuture<Messages.Welcome> waiter = welcomeWaiter;
                if (waiter != null) waiter.complete(w);
            } else if (m instanceof Messages.Report r) {
                keyStates.apply(r);
            } else if (m instanceof Messages.TopicMessage tm) {
                coordination.deliver(tm);
            } else if (m instanceof Messages.TaskDone d) {
                RunTracker t = trackers.get(d.key());
                if (t != null) t.taskDone(d.key(), d.worker(), d.failed());
            } else if (m instanceof Messages.ErrorMsg e) {
                CompletableFuture<Messages.Welcome> w = welcomeWaiter;
                if (w != null && !w.isDone()) w.completeExceptionally(new JdaskException(e.text()));
                else LoggerFactory.getLogger(Client.class).warn("scheduler refused a request: {}", e.text());
            } else {
                LoggerFactory.getLogger(Client.class).warn("refused {} from the scheduler at {}: a client does not take it",
                        m.op(), conn.schedulerAddress);
            }
        }
    }

    private void onLost(String why) {
        lostReason = why;
        keyStates.failPending(new JdaskException("lost the connection to the scheduler: " + why));
    }

    // ------------------------------------------------------------------ reference counting

    KeyRef acquire(Key key, Future<?> f) {
        return new KeyRef(keyStates, key, f);
    }

    // ------------------------------------------------------------------ submit / map

    public <R> Future<R> submit(Fn0<R> fn) {
        return submitCall(fn, new Object[0], SubmitOptions.defaults());
    }

    public <R> Future<R> submit(Fn0<R> fn, SubmitOptions options) {
        return submitCall(fn, new Object[0], options);
    }

    /** Runs {@code fn(a)} on a worker; {@code a} may be a value or a {@link Future}. */
    public <A, R> Future<R> submit(Fn1<A, R> fn, Object a) {
        return submitCall(fn, new Object[] {a}, SubmitOptions.defaults());
    }

    public <A, R> Future<R> submit(Fn1<A, R> fn, Object a, SubmitOptions options) {
        return submitCall(fn, new Object[] {a}, options);
    }

    public <A, B, R> Future<R> submit(Fn2<A, B, R> fn, Object a, Object b) {
        return submitCall(fn, new Object[] {a, b}, SubmitOptions.defaults());
    }

    public <A, B, R> Future<R> submit(Fn2<A, B, R> fn, Object a, Object b, SubmitOptions options) {
        return submitCall(fn, new Object[] {a, b}, options);
    }

    public <A, B, C, R> Future<R> submit(Fn3<A, B, C, R> fn, Object a, Object b, Object c) {
        return submitCall(fn, new Object[] {a, b, c}, SubmitOptions.defaults());
    }

    /** A task of a function without arguments given as an {@link org.jdask.fn.FnN} (the executor's tasks). */
    <R> Future<R> submitFn(org.jdask.fn.FnN fn, SubmitOptions options) {
        return submitCall(fn, new Object[0], options);
    }

    /** Whether tasks leave this JVM as bytes (worker JVMs), so their functions must be serializable. */
    boolean sendsBytes() {
        return encodeSpecs;
    }

    /** {@code fn(x)} for each item, one task each (keys by content unless {@code pure(false)}). */
    public <A, R> List<Future<R>> map(Fn1<A, R> fn, Iterable<?> items) {
        return map(fn, items, SubmitOptions.defaults());
    }

    public <A, R> List<Future<R>> map(Fn1<A, R> fn, Iterable<?> items, SubmitOptions options) {
        List<Object[]> calls = new ArrayList<>();
        for (Object x : items) calls.add(new Object[] {x});
        return submitMany(fn, calls, options);
    }

    /** {@code fn(a_i, b_i)} pairwise over two iterables of the same length. */
    public <A, B, R> List<Future<R>> map(Fn2<A, B, R> fn, Iterable<?> as, Iterable<?> bs) {
        List<Object[]> calls = new ArrayList<>();
        var ib = bs.iterator();
        for (Object a : as) {
            if (!ib.hasNext()) throw new IllegalArgumentException("map: the second iterable is shorter than the first");
            calls.add(new Object[] {a, ib.next()});
        }
        if (ib.hasNext()) throw new IllegalArgumentException("map: the second iterable is longer than the first");
        return submitMany(fn, calls, SubmitOptions.defaults());
    }

    private <R> Future<R> submitCall(Object fn, Object[] args, SubmitOptions options) {
        List<Object[]> one = new ArrayList<>(1);
        one.add(args);
        List<Future<R>> fs = submitMany(fn, one, options);
        return fs.get(0);
    }

    @SuppressWarnings("unchecked")
    private <R> List<Future<R>> submitMany(Object fn, List<Object[]> calls, SubmitOptions options) {
        checkOpen();
        String prefix = TaskEntries.prefixOf(fn);
        String fnToken = options.pure() && options.key() == null ? Tokenize.tokenize(fn) : null;
        List<NewTask> tasks = new ArrayList<>(calls.size());
        List<Key> wanted = new ArrayList<>(calls.size());
        List<Future<R>> out = new ArrayList<>(calls.size());
        Payload config = TaskEntries.allowedOnly();
        Map<Key, Task> calls2 = new LinkedHashMap<>();
        List<Key> order = new ArrayList<>(calls.size());
        for (Object[] call : calls) {
            Object[] args = new Object[call.length];
            for (int i = 0; i < call.length; i++) args[i] = TaskEntries.replaceFutures(this, call[i]);
            Key key;
            if (options.key() != null && calls.size() == 1) key = Key.of(options.key());
            else if (options.pure()) key = Key.of(prefix + "-" + Tokenize.tokenize(fnToken, java.util.Arrays.asList(args)));
            else key = Key.of(prefix + "-" + UUID.randomUUID().toString().replace("-", ""));
            calls2.put(key, Task.of(fn, args));
            order.add(key);
        }
        var once = TaskEntries.sentOnce(fn, encodeSpecs, () -> refuseUnserializable(calls2)); // encoded once for all (issue 17)
        refuseUnserializable(TaskEntries.toCheck(calls2, once)); // before anything is sent or counted, as the processes scheduler does
        Function<Object, R> cast = v -> (R) v;
        for (int i = 0; i < order.size(); i++) {
            Key key = order.get(i);
            // graph order = call order: the tasks run (and are queued, in submission order: see RunQueue) as the items came
            tasks.add(TaskEntries.taskEntry(key, TaskEntries.withFunction(calls2.get(key), once), config, options.priority(), i, options,
                    prefix, encodeSpecs));
            out.add(new Future<R>(this, key, cast));
            wanted.add(key);
        }
        conn.send(new Messages.UpdateGraph(tasks, wanted, false));
        // the futures among the arguments hold their keys until this update is queued: collected
        // earlier, their RELEASE could reach the scheduler first and forget a dependency it needs
        Reference.reachabilityFence(calls);
        return out;
    }

    /**
     * With worker JVMs, tasks leave this JVM: refuse one that cannot be serialized with the same
     * {@link SerializationCheck} (and message: task key, class, path) as the {@code processes}
     * scheduler. In-process workers take the objects as they are, so nothing is checked there.
     */
    private void refuseUnserializable(Map<Key, Task> tasks) {
        if (!encodeSpecs) return;
        TaskGraph.Builder b = TaskGraph.builder(tasks.size());
        tasks.forEach(b::put);
        SerializationCheck.check(b.build());
    }

    // ------------------------------------------------------------------ results

    boolean awaitDone(KeyState s, long timeoutMs) {
        return data.awaitDone(s, timeoutMs);
    }

    Object resultOf(KeyState s, long timeoutMs) { // inside a task that did not secede, an unlimited wait gets a limit
        return TaskThreads.waiting(s.key, timeoutMs, t -> data.gatherStates(List.of(s), t)).get(0);
    }

    List<Object> gatherStates(List<KeyState> states, long timeoutMs) {
        return data.gatherStates(states, timeoutMs);
    }

    /** The values of {@code futures}, in order; a failed one throws {@link TaskFailedException}. */
    @SuppressWarnings("unchecked")
    public <T> List<T> gather(List<Future<T>> futures) {
        List<KeyState> states = new ArrayList<>(futures.size());
        for (Future<T> f : futures) states.add(f.state);
        List<Object> raw = TaskThreads.waiting(states.size() + " futures", -1, t -> data.gatherStates(states, t));
        Reference.reachabilityFence(futures); // their references keep the keys wanted while we wait
        List<T> out = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) out.add((T) raw.get(i));
        return out;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JdaskException("interrupted");
        }
    }

    /** The reply of a request, which must be a {@code type}; an {@code ERROR} or no answer in time fails naming {@code what}. */
    <T extends Message> T waitFor(CompletableFuture<Message> f, Class<T> type, String what, long timeoutMs) {
        try {
            Message m = f.get(timeoutMs, TimeUnit.MILLISECONDS);
            if (m instanceof Messages.ErrorMsg e) throw new JdaskException(what + " refused: " + e.text());
            if (!type.isInstance(m)) throw new JdaskException(what + ": expected " + type.getSimpleName() + ", got " + m.op());
            return type.cast(m);
        } catch (TimeoutException e) {
            throw new JdaskException(what + ": no answer within " + timeoutMs + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JdaskException("interrupted during " + what);
        } catch (ExecutionException e) {
            throw new JdaskException(what + " failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    boolean cancel(KeyState s) {
        if (s.done.isDone()) return false;
        conn.send(new Messages.Cancel(List.of(s.key)));
        return true;
    }

    /** Cancels every future given. */
    public void cancel(Collection<? extends Future<?>> futures) {
        List<Key> ks = new ArrayList<>();
        for (Future<?> f : futures) ks.add(f.key());
        conn.send(new Messages.Cancel(ks));
    }

    // ------------------------------------------------------------------ scatter

    /** Places each value on a worker (spread by bytes held) and returns futures of them. */
    public <T> List<Future<T>> scatter(List<T> values) {
        return data.scatter(values, false);
    }

    /**
     * Places the values on workers directly (never through the scheduler): spread over the
     * workers, or on every worker with {@code broadcast}. Keys are fresh (values are not hashed).
     */
    public <T> List<Future<T>> scatter(List<T> values, boolean broadcast) {
        return data.scatter(values, broadcast);
    }

    // ------------------------------------------------------------------ collections

    /** Computes {@code lazy} on the cluster; the future's value is the finished result. */
    public <T> Future<T> compute(Lazy<T> lazy) {
        TaskGraph g = Jdask.optimize(lazy);
        List<Key> outs = lazy.keys();
        AtomicInteger finished = new AtomicInteger(); // per-task reports, for Futures.progress
        submitGraph(g, outs, null, (key, worker, failed) -> finished.incrementAndGet());
        Key fin = Key.of("finalize-" + Tokenize.tokenize(outs));
        List<Object> refs = new ArrayList<>(outs);
        Fn1<List<Object>, List<Object>> identity = l -> l;
        Task t = Task.of(identity, refs);
        Future<T> f = new Future<>(this, fin, v -> {
            @SuppressWarnings("unchecked")
            List<Object> vals = (List<Object>) v;
            return lazy.finish(vals);
        });
        f.state.tasksDone = finished;
        f.state.tasks = g.size() + 1;
        f.state.done.whenComplete((v, e) -> untrack(g.keys()));
        conn.send(new Messages.UpdateGraph(List.of(TaskEntries.taskEntry(fin, t, TaskEntries.allowedOnly(), 0, 0, SubmitOptions.defaults(), "finalize", encodeSpecs)),
                List.of(fin), false));
        releaseKeys(outs); // the finalize task holds them now
        return f;
    }

    /** Computes {@code lazy} on the cluster and returns it rebuilt over the computed values. */
    public <T> Lazy<T> persist(Lazy<T> lazy) {
        TaskGraph g = Jdask.optimize(lazy);
        List<Key> outs = lazy.keys();
        List<KeyState> states = submitGraph(g, outs, null, null);
        List<Object> values;
        try {
            values = gatherStates(states, -1);
        } finally {
            releaseKeys(outs);
        }
        TaskGraph.Builder b = TaskGraph.builder(outs.size());
        for (int i = 0; i < outs.size(); i++) b.put(outs.get(i), new DataNode(values.get(i)));
        return lazy.rebuild(b.build());
    }

    /**
     * Sends a whole graph (validated, ordered); the client wants {@code wanted}. Returns their
     * states. {@code config} travels with every task; {@code tracker} gets per-task reports.
     */
    List<KeyState> submitGraph(TaskGraph graph, List<Key> wanted, Payload config, RunTracker tracker) {
        checkOpen();
        if (encodeSpecs) SerializationCheck.check(graph);
        IndexedGraph ig = IndexedGraph.of(graph);
        ig.indicesOf(wanted);
        int[] topo = ig.topologicalOrder();
        int[] prio = Order.priorities(ig);
        List<NewTask> tasks = new ArrayList<>(topo.length);
        SubmitOptions none = SubmitOptions.defaults();
        if (config == null) config = TaskEntries.allowedOnly();
        var shared = TaskEntries.sharedFunctions(ig, encodeSpecs); // a function of many tasks encoded once (issue 17)
        for (int i : topo) {
            Node n = ig.node(i);
            String prefix = n instanceof Task t ? TaskEntries.prefixOf(t.function().target()) : n instanceof DataNode ? "data" : "alias";
            tasks.add(TaskEntries.taskEntry(ig.key(i), TaskEntries.withShared(n, shared), config, 0, prio[i], none, prefix, encodeSpecs));
            if (tracker != null) trackers.put(ig.key(i), tracker);
        }
        List<KeyState> states = new ArrayList<>(wanted.size());
        for (Key k : wanted) states.add(keyStates.acquire(k)); // held until releaseKeys/cancelKeys
        conn.send(new Messages.UpdateGraph(tasks, new ArrayList<>(new LinkedHashSet<>(wanted)), tracker != null));
        return states;
    }

    void untrack(Collection<Key> ks) {
        for (Key k : ks) trackers.remove(k);
    }

    /** Drops the holds {@link #submitGraph} took on {@code ks}. */
    void releaseKeys(Collection<Key> ks) {
        keyStates.release(ks);
    }

    /** Drops the holds on {@code ks} and cancels them at the scheduler. */
    void cancelKeys(Collection<Key> ks) {
        keyStates.cancel(ks);
    }

    // ------------------------------------------------------------------ cluster information

    /** Addresses of the workers the scheduler knows now. */
    public List<String> workerAddresses() {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> w : workers()) out.add((String) w.get("address"));
        return out;
    }

    /** The scheduler's view of its workers: address, nthreads, processing, keys, nbytes. */
    public List<Map<String, Object>> workers() {
        return workersReply().workers();
    }

    private Messages.WorkersReply workersReply() {
        return waitFor(conn.request(null, Messages.Workers::new), Messages.WorkersReply.class, "workers", 10_000);
    }

    /**
     * Every worker by address with its memory: limit, managed, spilled and unmanaged bytes, and
     * status ({@code "running"}, {@code "paused"}); Dask's {@code scheduler_info()["workers"]}.
     */
    public Map<String, WorkerInfo> workerInfo() {
        return WorkerInfo.of(workers());
    }

    /**
     * Retires these workers gracefully (Dask's {@code retire_workers}): they get no new task, every
     * result only they hold moves to another worker (into its memory or its spill store; nothing
     * is recomputed), then the scheduler closes them and their keepers (nanny, {@link LocalCluster})
     * do not replace them. Unknown addresses are ignored. Returns how many results moved; waits at
     * most config {@code distributed.client.retire-timeout} (600 s).
     *
     * @throws JdaskException if no worker would be left to hold their results, or on timeout
     */
    public int retireWorkers(List<String> addresses) {
        List<String> as = List.copyOf(addresses);
        return moves(id -> new Messages.RetireWorkers(id, as), "retireWorkers " + addresses);
    }

    /**
     * Evens out the bytes of results held per worker (Dask's {@code rebalance}): results move from
     * workers above the mean to workers below it, and the sender drops its copy. Returns how many
     * results moved.
     */
    public int rebalance() {
        return moves(Messages.Rebalance::new, "rebalance");
    }

    private int moves(java.util.function.LongFunction<Message> request, String what) {
        checkOpen();
        long timeout = Config.getDuration("distributed.client.retire-timeout", Duration.ofMinutes(10)).toMillis();
        Messages.MovesDone m = waitFor(conn.request(null, request), Messages.MovesDone.class, what, timeout);
        if (m.error() != null) throw new JdaskException(what + ": " + m.error());
        return (int) m.moved();
    }

    /** The scheduler's workers and its queued and unrunnable task counts (what {@link Adaptive} decides on). */
    public ClusterLoad load() {
        Messages.WorkersReply m = workersReply();
        List<Long> counts = m.counts() != null && m.counts().size() == 2 ? m.counts() : List.of(0L, 0L);
        return new ClusterLoad(m.workers(), counts.get(0).intValue(), counts.get(1).intValue());
    }

    /** Waits until the scheduler has at least {@code n} workers. */
    public void waitForWorkers(int n, long timeout, TimeUnit unit) throws TimeoutException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (workerAddresses().size() < n) {
            if (System.nanoTime() > deadline) throw new TimeoutException("fewer than " + n + " workers after " + unit.toMillis(timeout) + " ms");
            sleep(20);
        }
    }

    /**
     * Restarts the cluster, like Dask's {@code Client.restart}: every worker is closed and replaced
     * (a {@link Nanny} starts a new worker JVM, {@link LocalCluster} a new in-process worker), the
     * scheduler forgets every task and result (also other clients': their futures are cancelled
     * too) and published datasets. Every existing future of this client ends cancelled ("cancelled
     * by restart"). Returns once as many new workers as there were before have registered;
     * workers without a keeper ({@code jdask worker --no-nanny}) do not come back, so waiting for
     * them ends in the timeout. Waits at most config {@code distributed.client.restart-timeout}
     * (120 s).
     *
     * @throws TimeoutException if fewer workers came back in time (the restart itself happened)
     */
    public void restart() throws TimeoutException {
        restart(Config.getDuration("distributed.client.restart-timeout", Duration.ofSeconds(120)).toMillis(), TimeUnit.MILLISECONDS);
    }

    /** {@link #restart()} waiting at most {@code timeout} for the workers to come back. */
    public void restart(long timeout, TimeUnit unit) throws TimeoutException {
        ClientAdmin.restart(this, timeout, unit);
    }

    /** The scheduler's transition log for {@code key}: why it is where it is. */
    public List<String> story(Key key) {
        return waitFor(conn.request(null, id -> new Messages.Story(id, key)), Messages.StoryReply.class, "story", 10_000).lines();
    }

    /** Runs {@code fn} once on every worker (not as a task); result by worker address. */
    public <R> Map<String, R> run(Fn0<R> fn) {
        return ClientAdmin.run(this, fn);
    }

    // ------------------------------------------------------------------ coordination (issue 19; see ClientCoordination)

    private final ClientCoordination coordination = new ClientCoordination(this);

    /** A named queue on the scheduler, unbounded (see {@link Queue}). */
    public <T> Queue<T> queue(String name) { return new Queue<>(coordination, name, 0); }
    /** A named queue holding at most {@code maxsize} items (the first user of the name sets it). */
    public <T> Queue<T> queue(String name, int maxsize) { return new Queue<>(coordination, name, maxsize); }
    /** A named variable on the scheduler (see {@link Variable}). */
    public <T> Variable<T> variable(String name) { return new Variable<>(coordination, name); }
    /** A named cluster-wide lock whose lease expires with its holder (see {@link Lock}). */
    public Lock lock(String name) { return new Lock(coordination, name); }
    /** A named semaphore of {@code leases} leases that expire with their holders (see {@link Semaphore}). */
    public Semaphore semaphore(String name, int leases) { return new Semaphore(coordination, name, leases); }
    /** A named cluster-wide event (see {@link Event}). */
    public Event event(String name) { return new Event(coordination, name); }
    /** A publisher on {@code topic} (see {@link Pub}). */
    public <T> Pub<T> pub(String topic) { return new Pub<>(coordination, topic); }
    /** A subscription to {@code topic}, receiving from now on (see {@link Sub}). */
    public <T> Sub<T> sub(String topic) { return new Sub<>(coordination, topic); }
    /** The workers holding each future's result (none while it is not in memory); Dask's {@code who_has}. */
    public Map<Key, List<String>> whoHas(Collection<? extends Future<?>> futures) { return coordination.whoHas(futures); }
    /** The keys each worker holds; Dask's {@code has_what}. */
    public Map<String, List<Key>> hasWhat() { return coordination.hasWhat(); }
    /** Copies each result onto {@code n} workers (all of them if fewer) and waits until they are there; Dask's {@code replicate}. */
    public void replicate(Collection<? extends Future<?>> futures, int n) { coordination.replicate(futures, n); }

    /** Publishes futures under a name, keeping their data alive for other clients. */
    public void publishDataset(String name, List<? extends Future<?>> futures) {
        List<Key> ks = new ArrayList<>();
        for (Future<?> f : futures) ks.add(f.key());
        conn.send(new Messages.Publish(name, ks));
        workers(); // a round trip: the scheduler has handled the publish when this returns
    }

    /** Futures of a dataset another client published. */
    public List<Future<Object>> getDataset(String name) {
        return ClientAdmin.getDataset(this, name);
    }

    /**
     * An {@link ExecutorService} whose tasks run on the cluster (each call a fresh, impure task):
     * {@code submit}, {@code execute}, {@code invokeAll}, {@code invokeAny}. With worker JVMs the
     * callables must be {@link java.io.Serializable} (others are refused naming their class).
     */
    public ExecutorService executorService() {
        return new ClusterExecutor(this);
    }

    // ------------------------------------------------------------------ actors, performance reports (issue 19; logic in actor/, report/)
    private final Actors actors = ClientExtensions.actors(this); // no thread until the first call
    /** Builds {@code constructor}'s object on a worker, one of {@code workers} if given (Dask's {@code submit(Cls, actor=True, workers=...)}); see {@link ActorHandle}. */
    public <T> ActorHandle<T> submitActor(Fn0<T> constructor, String... workers) { return actors.create(constructor, List.of(workers)); }
    /** A new handle on an existing actor, e.g. one another client created: {@code client.actor(handle.ref())}. */
    public <T> ActorHandle<T> actor(ActorRef<T> ref) { return actors.attach(ref); }
    /** Records the cluster's work until closed, then writes {@code file} (Dask's {@code performance_report}); see {@link PerformanceReport}. */
    public PerformanceReport performanceReport(java.nio.file.Path file) { return PerformanceReport.start(ClientExtensions.reportSource(this), file); }
    /** The scheduler's task stream (Dask's {@code get_task_stream}): the most recent tasks, oldest first; empty without a dashboard. */
    public List<TaskRecord> taskStream() { return ClientExtensions.taskStream(this, 0).orElse(List.of()); }

    void checkOpen() {
        if (closed) throw new IllegalStateException("client is closed");
        String lost = lostReason;
        if (lost != null) throw new JdaskException("lost the connection to the scheduler: " + lost);
    }

    /** Says goodbye (the scheduler releases this client's data) and stops the I/O thread. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (current == this) current = null;
        keyStates.close();
        coordination.close();
        actors.close();
        conn.send(new Messages.Goodbye());
        conn.close();
        data.close();
        CodeServer.release(code);
        keyStates.failPending(new JdaskException("client closed"));
        if (ownedCluster != null) ownedCluster.close();
    }
}

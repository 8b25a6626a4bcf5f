package org.jdask.distributed;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jdask.Config;
import org.jdask.Jdask;
import org.jdask.JdaskException;
import org.jdask.Lazy;
import org.jdask.TaskFailedException;
import org.jdask.distributed.internal.Op;
import org.jdask.distributed.internal.Payload;
import org.jdask.distributed.internal.Wire.Msg;
import org.jdask.fn.Fn0;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;
import org.jdask.fn.Fn3;
import org.jdask.fn.Fns;
import org.jdask.graph.DataNode;
import org.jdask.graph.IndexedGraph;
import org.jdask.graph.Key;
import org.jdask.graph.Node;
import org.jdask.graph.Order;
import org.jdask.graph.Task;
import org.jdask.graph.TaskGraph;
import org.jdask.graph.Tokenize;
import org.jdask.serialize.Codecs;

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
    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static volatile Client current;

    /** A key's status as the client knows it. */
    enum Status { PENDING, FINISHED, ERROR, CANCELLED, LOST }

    /** Shared by every {@link Future} of one key in this client. */
    static final class KeyState {
        final Key key;
        volatile Status status = Status.PENDING;
        volatile List<String> workers = List.of();
        volatile Throwable exception;
        volatile Key blame;
        volatile CompletableFuture<Void> done = new CompletableFuture<>();
        final AtomicInteger refs = new AtomicInteger();
        /** For {@link Futures#progress}: tasks behind this key (a compute's whole graph) and how many finished. */
        volatile int tasks = 1;
        volatile AtomicInteger tasksDone;

        KeyState(Key key) {
            this.key = key;
        }
    }

    /** One future's hold on its key; released explicitly or by the cleaner. */
    final class Ref implements Runnable {
        final KeyState state;
        private final AtomicBoolean released = new AtomicBoolean();
        private Cleaner.Cleanable cleanable;

        Ref(KeyState state) {
            this.state = state;
        }

        @Override
        public void run() {
            if (released.compareAndSet(false, true)) decref(state);
        }

        void release() {
            if (cleanable != null) cleanable.clean();
            else run();
        }
    }

    final ClientConnection conn;
    final String id;
    private final Map<Key, KeyState> keys = new ConcurrentHashMap<>();
    private final Map<Key, RunTracker> trackers = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private volatile String lostReason;
    private final long fetchTimeoutMs = (long) (Config.getDouble("distributed.comm.timeouts.fetch", 30) * 1000);
    private final LocalCluster ownedCluster;

    /** Listens to per-task reports of one {@code get} run. */
    interface RunTracker {
        void taskDone(Key key, int worker, boolean failed);
    }

    private Client(String address, LocalCluster owned, Security security) {
        long connectMs = (long) (Config.getDouble("distributed.comm.timeouts.connect", 10) * 1000);
        this.ownedCluster = owned;
        long lostMs = (long) (Config.getDouble("distributed.comm.timeouts.scheduler-lost", 30) * 1000);
        this.encodeSpecs = !address.startsWith("inproc://");
        this.conn = new ClientConnection(address, SchedulerServer.maxFrameBytes(), Math.max(lostMs, 1000),
                this::onMessages, this::onLost, security);
        CompletableFuture<Msg> welcome = new CompletableFuture<>();
        welcomeWaiter = welcome;
        conn.send(Msg.of(Op.HELLO_CLIENT, "client-" + NAMES.incrementAndGet()));
        try {
            Msg w = welcome.get(connectMs, TimeUnit.MILLISECONDS);
            this.id = w.str(0);
        } catch (TimeoutException e) {
            conn.close();
            throw new JdaskException("cannot reach the scheduler at " + address + ": no answer within " + connectMs
                    + " ms (distributed.comm.timeouts.connect)" + (address.startsWith("inproc://") ? ""
                    : security == null ? "; if the scheduler uses security, connect with Client.connect(address, Security.load(dir))"
                    : "; the CurveZMQ handshake may have failed: check that the scheduler's public key is " + security.schedulerPublicKey()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            conn.close();
            throw new JdaskException("interrupted while connecting to " + address);
        } catch (ExecutionException e) {
            conn.close();
            throw new JdaskException("cannot connect to the scheduler at " + address + ": " + e.getCause().getMessage(), e.getCause());
        }
        current = this;
    }

    private volatile CompletableFuture<Msg> welcomeWaiter;

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
        return c;
    }

    /**
     * Encode task specs on the submitting thread (for worker JVMs): otherwise the scheduler's
     * one thread would serialize every task of a big update before it can answer anyone.
     */
    private volatile boolean encodeSpecs;

    /** The most recently connected client of this JVM that is still open, or null. */
    public static Client current() {
        Client c = current;
        return c == null || c.closed ? null : c;
    }

    public String schedulerAddress() {
        return conn.schedulerAddress;
    }

    // ------------------------------------------------------------------ messages from the scheduler

    private void onMessages(List<Msg> batch) {
        for (Msg m : batch) {
            switch (m.op()) {
                case WELCOME -> {
                    CompletableFuture<Msg> w = welcomeWaiter;
                    if (w != null) w.complete(m);
                }
                case REPORT -> report(m);
                case TASK_DONE -> {
                    RunTracker t = trackers.get(m.key(0));
                    if (t != null) t.taskDone(m.key(0), (int) m.num(1), m.bool(2));
                }
                case ERROR -> {
                    String text = String.valueOf(m.get(0));
                    CompletableFuture<Msg> w = welcomeWaiter;
                    if (w != null && !w.isDone()) w.completeExceptionally(new JdaskException(text));
                    else org.slf4j.LoggerFactory.getLogger(Client.class).warn("scheduler refused a request: {}", text);
                }
                default -> { }
            }
        }
    }

    private void report(Msg m) {
        KeyState s = keys.get(m.key(0));
        if (s == null) return;
        switch (m.str(1)) {
            case "MEMORY" -> {
                List<String> ws = new ArrayList<>();
                for (Object o : m.list(2)) ws.add((String) o);
                s.workers = ws;
                s.status = Status.FINISHED;
                s.done.complete(null);
            }
            case "ERRED" -> {
                Payload p = m.payload(3);
                Throwable t;
                try {
                    Object v = p == null ? null : p.value();
                    t = v instanceof Throwable th ? th : new JdaskException("task " + m.key(0) + " failed: " + v);
                } catch (RuntimeException e) {
                    t = e;
                }
                s.exception = t;
                s.blame = m.get(4) instanceof Key k ? k : m.key(0);
                s.status = Status.ERROR;
                s.done.complete(null);
            }
            case "LOST" -> {
                if (s.status == Status.FINISHED) {
                    s.status = Status.LOST;
                    s.done = new CompletableFuture<>();
                }
            }
            case "CANCELLED" -> {
                Payload why = m.payload(3);
                Object reason = why == null ? null : why.value();
                cancelled(s, reason == null ? "" : " " + reason);
            }
            default -> { }
        }
    }

    private static void cancelled(KeyState s, String detail) {
        s.status = Status.CANCELLED;
        s.exception = new java.util.concurrent.CancellationException("future " + s.key + " was cancelled" + detail);
        s.done.complete(null);
    }

    private void onLost(String why) {
        lostReason = why;
        failPending(new JdaskException("lost the connection to the scheduler: " + why));
    }

    private void failPending(Throwable t) {
        for (KeyState s : keys.values()) {
            if (!s.done.isDone()) {
                s.exception = t;
                s.blame = s.key;
                s.status = Status.ERROR;
                s.done.complete(null);
            }
        }
    }

    // ------------------------------------------------------------------ reference counting

    /** Guards reference counts against a release racing a new future of the same key. */
    private final Object refLock = new Object();

    KeyState stateFor(Key key) {
        synchronized (refLock) {
            return keys.computeIfAbsent(key, KeyState::new);
        }
    }

    Ref acquire(Key key, Future<?> f) {
        Ref r;
        synchronized (refLock) {
            KeyState s = keys.computeIfAbsent(key, KeyState::new);
            s.refs.incrementAndGet();
            r = new Ref(s);
        }
        r.cleanable = CLEANER.register(f, r);
        return r;
    }

    private void decref(KeyState s) {
        synchronized (refLock) {
            // the RELEASE is queued under the lock, so a later submit of this key reaches the scheduler after it
            if (s.refs.decrementAndGet() == 0 && !closed && keys.remove(s.key, s)) conn.send(Msg.of(Op.RELEASE, List.of(s.key)));
        }
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
        String prefix = prefixOf(fn);
        String fnToken = options.pure() && options.key() == null ? Tokenize.tokenize(fn) : null;
        List<Object> tasks = new ArrayList<>(calls.size());
        List<Object> wanted = new ArrayList<>(calls.size());
        List<Future<R>> out = new ArrayList<>(calls.size());
        Payload config = allowedOnly();
        for (Object[] call : calls) {
            Object[] args = new Object[call.length];
            for (int i = 0; i < call.length; i++) args[i] = replaceFutures(call[i]);
            Key key;
            if (options.key() != null && calls.size() == 1) key = Key.of(options.key());
            else if (options.pure()) key = Key.of(prefix + "-" + Tokenize.tokenize(fnToken, java.util.Arrays.asList(args)));
            else key = Key.of(prefix + "-" + UUID.randomUUID().toString().replace("-", ""));
            Task t = Task.of(fn, args);
            Function<Object, R> cast = v -> (R) v;
            tasks.add(taskEntry(key, t, config, options.priority(), 0, options, prefix, encodeSpecs)); // may fail to encode
            out.add(new Future<R>(this, key, cast));
            wanted.add(key);
        }
        conn.send(Msg.of(Op.UPDATE_GRAPH, tasks, wanted, false));
        return out;
    }

    /**
     * The config that travels with tasks the client builds itself (submit, map, compute): only the
     * package prefixes this JVM allowed with {@code Codecs.allow}, which worker JVMs need to decode
     * the client's classes; null when there are none.
     */
    static Payload allowedOnly() {
        Map<String, Object> m = Codecs.carryAllowed(Map.of());
        return m.isEmpty() ? null : Payload.ofValue(m);
    }

    static List<Object> taskEntry(Key key, Node node, Payload config, int priority, int order, SubmitOptions o, String prefix,
                                  boolean encode) {
        List<Object> deps = new ArrayList<>(node.dependencies());
        Payload spec = Payload.ofValue(node);
        if (encode) spec.bytes();
        if (encode && config != null) config.bytes();
        return java.util.Arrays.asList(key, spec, config, deps, priority, order, o.retries(),
                o.workers().isEmpty() ? null : new ArrayList<Object>(o.workers()),
                o.resources().isEmpty() ? null : new LinkedHashMap<String, Object>(o.resources()), prefix);
    }

    static String prefixOf(Object fn) {
        String n = Fns.name(fn);
        int i = Math.max(n.lastIndexOf(':'), n.lastIndexOf('.'));
        n = i >= 0 ? n.substring(i + 1) : n;
        n = n.replaceAll("[^A-Za-z0-9_]", "");
        return n.isEmpty() || n.startsWith("lambda") ? "lambda" : n;
    }

    private Object replaceFutures(Object a) {
        if (a instanceof Future<?> f) {
            if (f.client != this) throw new IllegalArgumentException("future " + f.key() + " belongs to another client");
            return f.key();
        }
        if (a instanceof List<?> l) {
            boolean any = false;
            List<Object> out = new ArrayList<>(l.size());
            for (Object o : l) {
                Object r = replaceFutures(o);
                any |= r != o;
                out.add(r);
            }
            return any ? out : a;
        }
        if (a instanceof Map<?, ?> m) {
            boolean any = false;
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                Object r = replaceFutures(e.getValue());
                any |= r != e.getValue();
                out.put(e.getKey(), r);
            }
            return any ? out : a;
        }
        if (a instanceof Key) return new DataNode(a); // a literal key is data, not a reference
        return a;
    }

    // ------------------------------------------------------------------ results

    boolean awaitDone(KeyState s, long timeoutMs) {
        try {
            if (timeoutMs < 0) {
                while (true) {
                    try {
                        s.done.get(1, TimeUnit.SECONDS);
                        return true;
                    } catch (TimeoutException e) {
                        checkOpen();
                    }
                }
            }
            s.done.get(timeoutMs, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JdaskException("interrupted while waiting for " + s.key);
        } catch (ExecutionException e) {
            return true;
        }
    }

    Object resultOf(KeyState s, long timeoutMs) {
        return gatherStates(List.of(s), timeoutMs).get(0);
    }

    /** The values of {@code futures}, in order; a failed one throws {@link TaskFailedException}. */
    @SuppressWarnings("unchecked")
    public <T> List<T> gather(List<Future<T>> futures) {
        List<KeyState> states = new ArrayList<>(futures.size());
        for (Future<T> f : futures) states.add(f.state);
        List<Object> raw = gatherStates(states, -1);
        List<T> out = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) out.add((T) raw.get(i));
        return out;
    }

    List<Object> gatherStates(List<KeyState> states, long timeoutMs) {
        for (int attempt = 0; ; attempt++) {
            for (KeyState s : states) {
                if (!awaitDone(s, timeoutMs)) throw new JdaskException("future " + s.key + " not done after " + timeoutMs + " ms");
                if (s.status == Status.ERROR) throw failure(s);
                if (s.status == Status.CANCELLED) {
                    throw new java.util.concurrent.CancellationException(s.exception != null ? s.exception.getMessage()
                            : "future " + s.key + " was cancelled");
                }
            }
            Map<String, List<KeyState>> byWorker = new LinkedHashMap<>();
            for (KeyState s : new LinkedHashSet<>(states)) {
                List<String> ws = s.workers;
                if (ws.isEmpty()) continue;
                // another holder on each retry: one that is gone must not fail the gather while others have it
                byWorker.computeIfAbsent(ws.get(((s.key.hashCode() & 0x7fffffff) + attempt) % ws.size()), w -> new ArrayList<>()).add(s);
            }
            Map<Key, Object> values = new HashMap<>();
            boolean missing = false;
            List<CompletableFuture<Msg>> replies = new ArrayList<>();
            for (Map.Entry<String, List<KeyState>> e : byWorker.entrySet()) {
                List<Object> ks = new ArrayList<>();
                for (KeyState s : e.getValue()) ks.add(s.key);
                replies.add(conn.request(e.getKey(), id -> Msg.of(Op.GET_DATA, id, ks)));
            }
            for (CompletableFuture<Msg> r : replies) {
                Msg m;
                try {
                    m = waitFor(r, "gather", timeoutMs < 0 ? fetchTimeoutMs : Math.min(Math.max(timeoutMs, 1000), fetchTimeoutMs));
                } catch (JdaskException noAnswer) {
                    if (Thread.currentThread().isInterrupted()) throw noAnswer;
                    missing = true; // the worker is gone or stuck: its keys are lost or will be reported again
                    continue;
                }
                List<Key> got = m.keys(1);
                List<Object> vals = m.list(2);
                for (int i = 0; i < got.size(); i++) values.put(got.get(i), ((Payload) vals.get(i)).value());
                if (!m.keys(3).isEmpty()) missing = true;
            }
            if (!missing) {
                List<Object> out = new ArrayList<>(states.size());
                for (KeyState s : states) out.add(values.get(s.key));
                return out;
            }
            if (attempt >= 5) throw new JdaskException("workers lost data of " + states.size() + " key(s) while gathering; gave up after 5 tries");
            sleep(100L << attempt); // the scheduler recomputes lost data; its report resets the futures
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JdaskException("interrupted");
        }
    }

    static TaskFailedException failure(KeyState s) {
        Throwable t = s.exception;
        if (t instanceof TaskFailedException tf) return tf;
        if (t instanceof org.jdask.KilledWorkerException kw) return new TaskFailedException(s.blame, kw);
        return new TaskFailedException(s.blame == null ? s.key : s.blame, t);
    }

    Msg waitFor(CompletableFuture<Msg> f, String what, long timeoutMs) {
        try {
            Msg m = f.get(timeoutMs, TimeUnit.MILLISECONDS);
            if (m.op() == Op.ERROR) throw new JdaskException(what + " refused: " + m.get(0));
            return m;
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
        conn.send(Msg.of(Op.CANCEL, List.of(s.key)));
        return true;
    }

    /** Cancels every future given. */
    public void cancel(Collection<? extends Future<?>> futures) {
        List<Object> ks = new ArrayList<>();
        for (Future<?> f : futures) ks.add(f.key());
        conn.send(Msg.of(Op.CANCEL, ks));
    }

    // ------------------------------------------------------------------ scatter

    /** Places each value on a worker (spread by bytes held) and returns futures of them. */
    public <T> List<Future<T>> scatter(List<T> values) {
        return scatter(values, false);
    }

    /**
     * Places the values on workers directly (never through the scheduler): spread over the
     * workers, or on every worker with {@code broadcast}. Keys are fresh (values are not hashed).
     */
    @SuppressWarnings("unchecked")
    public <T> List<Future<T>> scatter(List<T> values, boolean broadcast) {
        checkOpen();
        List<String> workers = workerAddresses();
        if (workers.isEmpty()) throw new JdaskException("cannot scatter: the scheduler at " + conn.schedulerAddress + " has no workers");
        List<Key> ks = new ArrayList<>(values.size());
        Map<String, List<Integer>> plan = new LinkedHashMap<>();
        for (int i = 0; i < values.size(); i++) {
            Object v = values.get(i);
            ks.add(Key.of(typeName(v) + "-" + UUID.randomUUID().toString().replace("-", "")));
            if (broadcast) for (String w : workers) plan.computeIfAbsent(w, x -> new ArrayList<>()).add(i);
            else plan.computeIfAbsent(workers.get(i % workers.size()), x -> new ArrayList<>()).add(i);
        }
        List<KeyState> states = new ArrayList<>();
        List<Future<T>> out = new ArrayList<>();
        for (Key k : ks) {
            Function<Object, T> cast = v -> (T) v;
            Future<T> f = new Future<T>(this, k, cast);
            states.add(f.state);
            out.add(f);
        }
        Map<Integer, List<String>> holders = new HashMap<>();
        Map<Integer, Long> sizes = new HashMap<>();
        List<CompletableFuture<Msg>> acks = new ArrayList<>();
        List<List<Integer>> ackIdx = new ArrayList<>();
        for (Map.Entry<String, List<Integer>> e : plan.entrySet()) {
            // one message per value keeps frames independent: 100 x 10 MB go as 100 frames
            for (int i : e.getValue()) {
                List<Object> k1 = List.of(ks.get(i));
                Payload p = Payload.ofValue(values.get(i));
                if (!e.getKey().startsWith("inproc://")) p.bytes(); // encode here, not on the I/O thread
                List<Object> v1 = List.of(p);
                acks.add(conn.request(e.getKey(), id -> Msg.of(Op.PUT_DATA, id, k1, v1)));
                ackIdx.add(List.of(i));
                holders.computeIfAbsent(i, x -> new ArrayList<>()).add(e.getKey());
            }
        }
        for (int a = 0; a < acks.size(); a++) {
            Msg m = waitFor(acks.get(a), "scatter", 600_000);
            List<Object> sz = m.list(1);
            for (int j = 0; j < sz.size(); j++) sizes.put(ackIdx.get(a).get(j), ((Number) sz.get(j)).longValue());
        }
        List<Object> update = new ArrayList<>();
        for (int i = 0; i < ks.size(); i++) {
            update.add(List.of(ks.get(i), new ArrayList<Object>(holders.get(i)), sizes.getOrDefault(i, 0L)));
            KeyState s = states.get(i);
            s.workers = holders.get(i);
            s.status = Status.FINISHED;
            s.done.complete(null);
        }
        conn.send(Msg.of(Op.UPDATE_DATA, update));
        return out;
    }

    private static String typeName(Object v) {
        if (v == null) return "null";
        String n = v.getClass().getSimpleName().replace("[]", "s");
        return n.isEmpty() ? "data" : n.toLowerCase();
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
        conn.send(Msg.of(Op.UPDATE_GRAPH, List.of(taskEntry(fin, t, allowedOnly(), 0, 0, SubmitOptions.defaults(), "finalize", encodeSpecs)),
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
        IndexedGraph ig = IndexedGraph.of(graph);
        ig.indicesOf(wanted);
        int[] topo = ig.topologicalOrder();
        int[] prio = Order.priorities(ig);
        List<Object> tasks = new ArrayList<>(topo.length);
        SubmitOptions none = SubmitOptions.defaults();
        if (config == null) config = allowedOnly();
        for (int i : topo) {
            Node n = ig.node(i);
            String prefix = n instanceof Task t ? prefixOf(t.function().target()) : n instanceof DataNode ? "data" : "alias";
            tasks.add(taskEntry(ig.key(i), n, config, 0, prio[i], none, prefix, encodeSpecs));
            if (tracker != null) trackers.put(ig.key(i), tracker);
        }
        List<KeyState> states = new ArrayList<>(wanted.size());
        for (Key k : wanted) states.add(stateFor(k));
        conn.send(Msg.of(Op.UPDATE_GRAPH, tasks, new ArrayList<Object>(new LinkedHashSet<>(wanted)), tracker != null));
        return states;
    }

    void untrack(Collection<Key> ks) {
        for (Key k : ks) trackers.remove(k);
    }

    void releaseKeys(Collection<Key> ks) {
        synchronized (refLock) {
            List<Object> out = new ArrayList<>();
            for (Key k : new LinkedHashSet<>(ks)) {
                KeyState s = keys.get(k);
                if (s != null && s.refs.get() == 0) {
                    keys.remove(k, s);
                    out.add(k);
                } else if (s == null) {
                    out.add(k);
                }
            }
            if (!out.isEmpty()) conn.send(Msg.of(Op.RELEASE, out));
        }
    }

    void cancelKeys(Collection<Key> ks) {
        synchronized (refLock) {
            conn.send(Msg.of(Op.CANCEL, new ArrayList<Object>(new LinkedHashSet<>(ks))));
            for (Key k : ks) {
                KeyState s = keys.get(k);
                if (s != null && s.refs.get() == 0) keys.remove(k, s);
            }
        }
    }

    // ------------------------------------------------------------------ cluster information

    /** Addresses of the workers the scheduler knows now. */
    public List<String> workerAddresses() {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> w : workers()) out.add((String) w.get("address"));
        return out;
    }

    /** The scheduler's view of its workers: address, nthreads, processing, keys, nbytes. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> workers() {
        Msg m = waitFor(conn.request(null, id -> Msg.of(Op.WORKERS, id)), "workers", 10_000);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object o : m.list(1)) out.add((Map<String, Object>) o);
        return out;
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
        List<Object> as = new ArrayList<>(addresses);
        return moves(id -> Msg.of(Op.RETIRE_WORKERS, id, as), "retireWorkers " + addresses);
    }

    /**
     * Evens out the bytes of results held per worker (Dask's {@code rebalance}): results move from
     * workers above the mean to workers below it, and the sender drops its copy. Returns how many
     * results moved.
     */
    public int rebalance() {
        return moves(id -> Msg.of(Op.REBALANCE, id), "rebalance");
    }

    private int moves(java.util.function.LongFunction<Msg> request, String what) {
        checkOpen();
        long timeout = (long) (Config.getDouble("distributed.client.retire-timeout", 600) * 1000);
        Msg m = waitFor(conn.request(null, request), what, timeout);
        if (m.get(2) != null) throw new JdaskException(what + ": " + m.str(2));
        return (int) m.num(1);
    }

    /** The scheduler's workers and its queued and unrunnable task counts (what {@link Adaptive} decides on). */
    @SuppressWarnings("unchecked")
    public ClusterLoad load() {
        Msg m = waitFor(conn.request(null, id -> Msg.of(Op.WORKERS, id)), "workers", 10_000);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object o : m.list(1)) out.add((Map<String, Object>) o);
        List<Object> counts = m.fields().size() > 2 && m.get(2) != null ? m.list(2) : List.of(0L, 0L);
        return new ClusterLoad(out, ((Number) counts.get(0)).intValue(), ((Number) counts.get(1)).intValue());
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
        restart((long) (Config.getDouble("distributed.client.restart-timeout", 120) * 1000), TimeUnit.MILLISECONDS);
    }

    /** {@link #restart()} waiting at most {@code timeout} for the workers to come back. */
    public void restart(long timeout, TimeUnit unit) throws TimeoutException {
        checkOpen();
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        java.util.Set<String> before = new java.util.HashSet<>(workerAddresses());
        conn.send(Msg.of(Op.RESTART));
        workers(); // a round trip: the restart is done and its CANCELLED reports have arrived when this returns
        synchronized (refLock) {
            for (KeyState s : keys.values()) if (!s.done.isDone() || s.status != Status.CANCELLED) cancelled(s, " by restart");
            keys.clear(); // new futures of the same keys start afresh; the old ones stay cancelled
        }
        trackers.clear();
        while (true) {
            int back = 0;
            for (String w : workerAddresses()) if (!before.contains(w)) back++;
            if (back >= before.size()) return;
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("restart: " + back + " of " + before.size() + " workers came back within "
                        + unit.toMillis(timeout) + " ms");
            }
            sleep(50);
        }
    }

    /** The scheduler's transition log for {@code key}: why it is where it is. */
    public List<String> story(Key key) {
        Msg m = waitFor(conn.request(null, id -> Msg.of(Op.STORY, id, key)), "story", 10_000);
        List<String> out = new ArrayList<>();
        for (Object o : m.list(1)) out.add((String) o);
        return out;
    }

    /** Runs {@code fn} once on every worker (not as a task); result by worker address. */
    @SuppressWarnings("unchecked")
    public <R> Map<String, R> run(Fn0<R> fn) {
        Map<String, CompletableFuture<Msg>> replies = new LinkedHashMap<>();
        List<Object> allowed = new ArrayList<>(Codecs.allowedPackages()); // worker JVMs decode fn with the same policy
        for (String w : workerAddresses()) replies.put(w, conn.request(w, id -> Msg.of(Op.RUN, id, Payload.ofValue(fn), allowed)));
        Map<String, R> out = new LinkedHashMap<>();
        for (Map.Entry<String, CompletableFuture<Msg>> e : replies.entrySet()) {
            Msg m = waitFor(e.getValue(), "run on " + e.getKey(), 600_000);
            Object v = m.payload(2) == null ? null : m.payload(2).value();
            if (!m.bool(1)) {
                throw new JdaskException("run failed on worker " + e.getKey() + ": " + v, v instanceof Throwable t ? t : null);
            }
            out.put(e.getKey(), (R) v);
        }
        return out;
    }

    /** Publishes futures under a name, keeping their data alive for other clients. */
    public void publishDataset(String name, List<? extends Future<?>> futures) {
        List<Object> ks = new ArrayList<>();
        for (Future<?> f : futures) ks.add(f.key());
        conn.send(Msg.of(Op.PUBLISH, name, ks));
        workers(); // a round trip: the scheduler has handled the publish when this returns
    }

    /** Futures of a dataset another client published. */
    public List<Future<Object>> getDataset(String name) {
        Msg m = waitFor(conn.request(null, id -> Msg.of(Op.GET_DATASET, id, name)), "get dataset", 10_000);
        if (m.get(1) == null) throw new java.util.NoSuchElementException("no dataset named '" + name + "' on " + conn.schedulerAddress);
        List<Future<Object>> out = new ArrayList<>();
        List<Object> wanted = new ArrayList<>();
        for (Key k : m.keys(1)) {
            out.add(new Future<>(this, k, Function.identity()));
            wanted.add(k);
        }
        conn.send(Msg.of(Op.UPDATE_GRAPH, List.of(), wanted, false));
        return out;
    }

    /**
     * An {@link ExecutorService} whose tasks run on the cluster (each call a fresh, impure task):
     * {@code submit}, {@code execute}, {@code invokeAll}, {@code invokeAny}. With worker JVMs the
     * callables must be {@link java.io.Serializable} (others are refused naming their class).
     */
    public ExecutorService executorService() {
        return new ClusterExecutor(this);
    }

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
        conn.send(Msg.of(Op.GOODBYE));
        conn.close();
        failPending(new JdaskException("client closed"));
        if (ownedCluster != null) ownedCluster.close();
    }
}

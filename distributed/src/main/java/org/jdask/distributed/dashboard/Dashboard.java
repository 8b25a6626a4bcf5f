package org.jdask.distributed.dashboard;

import java.io.IOException;
import java.net.BindException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jdask.Config;
import org.jdask.distributed.internal.SchedulerState;
import org.jdask.distributed.internal.SchedulerTask;
import org.jdask.distributed.internal.SchedulerWorker;
import org.jdask.distributed.internal.TaskState;
import org.jdask.distributed.internal.TransitionLog;
import org.jdask.distributed.report.TaskRecord;
import org.jdask.graph.Key;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler's web dashboard (Dask's Bokeh dashboard, here plain HTTP): {@code /status} is a
 * self-contained page (task stream, per-function progress, worker memory and CPU, the graph) that
 * polls JSON under {@code /api/}; {@code /metrics} is Prometheus text.
 *
 * <p><b>Threads.</b> The scheduler thread calls the recording methods ({@link #taskFinished},
 * {@link #taskErred}, {@link #heartbeat}) and {@link #poll}; they only append to a bounded ring or
 * a small map, never block and never take a lock. While a page is being watched (a request in the
 * last two seconds), {@link #poll} publishes an immutable {@link Snapshot} at most every 200 ms
 * (less often for huge graphs: the gap is at least 20 times the last snapshot's cost, so snapshots
 * take at most 5% of the scheduler thread);
 * HTTP threads read only that snapshot. Questions that need the live state (a key's story, the
 * graph, a fresh snapshot after a quiet period) are queued for the scheduler thread, which answers
 * them at its next {@link #poll} (within one tick, 200 ms); the HTTP thread waits with a timeout and
 * answers {@code 503} if the scheduler is busy, so the scheduler loop never waits for HTTP.
 */
public final class Dashboard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);
    static final long PUBLISH_MS = 200;
    private static final long WATCH_MS = 2_000;
    private static final int MAX_PREFIXES = 1_000;

    /** One executed task as the task stream shows it; times are ms since the epoch (worker clock). */
    record StreamEntry(Key key, String prefix, String worker, int thread, long start, long stop, boolean erred) { }

    /** One worker as the scheduler saw it, with the metrics of its last heartbeat (or empty). */
    record WorkerView(String address, String name, int nthreads, int processing, int keys, long nbytes, double occupancy,
                      Map<String, Object> metrics) { }

    /** Per-function counts: {@code done} counts every completion since the scheduler started. */
    record PrefixView(String name, long done, int erred, int memory, int processing, int waiting, int released) {
        long total() {
            return done + erred + processing + waiting;
        }
    }

    /** What the HTTP side reads: built by the scheduler thread, never changed afterwards. */
    record Snapshot(long time, String scheduler, List<WorkerView> workers, Map<TaskState, Integer> states,
                    List<PrefixView> prefixes, List<StreamEntry> stream, long completed, long erred) { }

    private final String schedulerAddress;
    private final DashboardHttp http;

    // ---- scheduler-thread state (also the ingest helper's while the scheduler thread waits for it)
    private final StreamEntry[] ring;
    private long streamCount;
    private final Map<String, long[]> done = new HashMap<>();
    private final Map<String, Map<String, Object>> metrics = new HashMap<>();
    private long completed, erred;
    private long lastPublish;

    // ---- shared
    private final ConcurrentLinkedQueue<java.util.function.Consumer<SchedulerState>> requests = new ConcurrentLinkedQueue<>();
    private volatile Snapshot snapshot;
    /** Time between snapshots while watched: 200 ms, or 20x the last snapshot's cost (at most 5% of the thread). */
    private volatile long publishGap = PUBLISH_MS;
    private volatile long watchedUntil;
    private volatile boolean closed;

    private Dashboard(String schedulerAddress, String host, int port) throws IOException {
        this.schedulerAddress = schedulerAddress;
        this.ring = new StreamEntry[Math.max(16, Config.getInt("distributed.dashboard.task-stream-length", 10_000))];
        this.http = new DashboardHttp(this, host, port);
    }

    /**
     * Starts a dashboard for the scheduler at {@code schedulerAddress}, or returns null when
     * {@code address} is null, empty or {@code none}. {@code address} is Dask's form: {@code ":8787"}
     * (the scheduler's host), {@code "HOST:PORT"}, or {@code "8787"}; port 0 picks a free one. When
     * the port is taken the dashboard starts on a free port with a warning, as Dask does.
     */
    public static Dashboard start(String schedulerAddress, String schedulerHost, String address) {
        if (address == null) return null;
        String a = address.trim();
        if (a.isEmpty() || a.equalsIgnoreCase("none") || a.equalsIgnoreCase("null") || a.equalsIgnoreCase("false")) return null;
        String host = schedulerHost;
        String portText = a;
        int colon = a.lastIndexOf(':');
        if (colon >= 0) {
            if (colon > 0) host = a.substring(0, colon);
            portText = a.substring(colon + 1);
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("dashboard address '" + address + "' is not HOST:PORT, :PORT or PORT (or 'none')");
        }
        if (port < 0 || port > 65535) throw new IllegalArgumentException("dashboard port must be 0-65535, got " + port + " in '" + address + "'");
        try {
            return new Dashboard(schedulerAddress, host, port);
        } catch (BindException e) {
            if (port == 0) throw new IllegalStateException("dashboard cannot listen on " + host + ":0: " + e.getMessage(), e);
            try {
                Dashboard d = new Dashboard(schedulerAddress, host, 0);
                LOG.warn("Port {} is already in use on {}; the dashboard runs at {} instead", port, host, d.link());
                return d;
            } catch (IOException e2) {
                throw new IllegalStateException("dashboard cannot listen on " + host + ":" + port + " (in use) nor on a free port: "
                        + e2.getMessage(), e2);
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("dashboard cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** {@code http://HOST:PORT/status}. */
    public String link() {
        return "http://" + http.displayHost() + ":" + http.port() + "/status";
    }

    /** The port the dashboard listens on. */
    public int port() {
        return http.port();
    }

    String schedulerAddress() {
        return schedulerAddress;
    }

    // ------------------------------------------------------------------ scheduler thread

    /**
     * A worker reported {@code key} done (call before the state applies it). {@code startMillis} and
     * {@code thread} come from the worker (-1 if it did not send them).
     */
    public void taskFinished(SchedulerState state, String worker, Key key, double seconds, long startMillis, int thread, long now) {
        SchedulerTask t = state.task(key);
        String prefix = prefixOf(t, key);
        if (t != null && t.state() == TaskState.PROCESSING && worker.equals(t.processingOn())) {
            completed++;
            long[] c = done.get(prefix);
            if (c == null) {
                if (done.size() >= MAX_PREFIXES) done.clear(); // only counts of forgotten work are lost
                done.put(prefix, c = new long[1]);
            }
            c[0]++;
        }
        long start = startMillis > 0 ? startMillis : now - (long) (seconds * 1000);
        long stop = startMillis > 0 ? startMillis + Math.round(seconds * 1000) : now;
        record(new StreamEntry(key, prefix, worker, Math.max(0, thread), start, Math.max(start, stop), false));
    }

    /** A worker reported {@code key} failed (call before the state applies it). */
    public void taskErred(SchedulerState state, String worker, Key key, long now) {
        erred++;
        record(new StreamEntry(key, prefixOf(state.task(key), key), worker, 0, now, now, true));
    }

    /** The metrics a worker's heartbeat carried (memory, CPU; see PROTOCOL.md). */
    public void heartbeat(String worker, Map<String, Object> m) {
        metrics.put(worker, m);
    }

    /**
     * Scheduler thread: the recorded tasks that ended at or after {@code sinceMs}, oldest first (at
     * most {@code distributed.dashboard.task-stream-length}); {@code Client.taskStream()} and the
     * performance report read the task stream through this.
     */
    public List<TaskRecord> taskStream(long sinceMs) {
        long n = Math.min(streamCount, ring.length);
        List<TaskRecord> out = new ArrayList<>();
        for (long i = streamCount - n; i < streamCount; i++) {
            StreamEntry e = ring[(int) (i % ring.length)];
            if (e.stop() >= sinceMs) out.add(new TaskRecord(e.key().toString(), e.prefix(), e.worker(), e.thread(), e.start(), e.stop(), e.erred()));
        }
        return out;
    }

    private void record(StreamEntry e) {
        ring[(int) (streamCount++ % ring.length)] = e;
    }

    /**
     * Called by the scheduler thread on every loop turn while it owns the state: publishes a
     * snapshot if the page is watched and the last one is 200 ms old, and answers queued questions.
     */
    public void poll(SchedulerState state, long now) {
        if (now < watchedUntil && now - lastPublish >= publishGap) publish(state, now);
        java.util.function.Consumer<SchedulerState> r;
        while ((r = requests.poll()) != null) {
            try {
                r.accept(state);
            } catch (RuntimeException e) {
                LOG.warn("dashboard request failed: {}", e.toString());
            }
        }
    }

    Snapshot publish(SchedulerState state, long now) {
        long t0 = System.nanoTime();
        lastPublish = now;
        List<WorkerView> ws = new ArrayList<>(state.workers().size());
        for (SchedulerWorker w : state.workers().values()) {
            Map<String, Object> m = metrics.get(w.address());
            ws.add(new WorkerView(w.address(), w.name(), w.nthreads(), w.processingCount(), w.keyCount(), w.nbytes(), w.occupancy(),
                    m == null ? Map.of() : m));
        }
        if (metrics.size() > ws.size()) metrics.keySet().retainAll(state.workers().keySet());
        int[] counts = new int[TaskState.values().length];
        Map<String, int[]> byPrefix = new HashMap<>();
        for (SchedulerTask t : state.tasks().values()) {
            int s = t.state().ordinal();
            counts[s]++;
            byPrefix.computeIfAbsent(prefixOf(t, t.key()), k -> new int[counts.length])[s]++;
        }
        Map<TaskState, Integer> states = new LinkedHashMap<>();
        for (TaskState s : TaskState.values()) if (s != TaskState.FORGOTTEN) states.put(s, counts[s.ordinal()]);
        List<PrefixView> prefixes = new ArrayList<>();
        for (Map.Entry<String, long[]> e : done.entrySet()) {
            if (!byPrefix.containsKey(e.getKey())) prefixes.add(view(e.getKey(), e.getValue()[0], new int[counts.length]));
        }
        for (Map.Entry<String, int[]> e : byPrefix.entrySet()) {
            long[] d = done.get(e.getKey());
            prefixes.add(view(e.getKey(), d == null ? 0 : d[0], e.getValue()));
        }
        prefixes.sort((a, b) -> a.name().compareTo(b.name()));
        long n = Math.min(streamCount, ring.length);
        List<StreamEntry> stream = new ArrayList<>((int) n);
        for (long i = streamCount - n; i < streamCount; i++) stream.add(ring[(int) (i % ring.length)]);
        Snapshot s = new Snapshot(now, schedulerAddress, List.copyOf(ws), states, List.copyOf(prefixes),
                java.util.Collections.unmodifiableList(stream), completed, erred);
        snapshot = s;
        publishGap = Math.max(PUBLISH_MS, (System.nanoTime() - t0) / 1_000_000 * 20);
        return s;
    }

    private static PrefixView view(String name, long done, int[] c) {
        return new PrefixView(name, done, c[TaskState.ERRED.ordinal()], c[TaskState.MEMORY.ordinal()],
                c[TaskState.PROCESSING.ordinal()],
                c[TaskState.WAITING.ordinal()] + c[TaskState.QUEUED.ordinal()] + c[TaskState.NO_WORKER.ordinal()],
                c[TaskState.RELEASED.ordinal()]);
    }

    /** The task's function name, or the key's name up to its last {@code -token} (Dask's key_split). */
    static String prefixOf(SchedulerTask t, Key key) {
        if (t != null && t.prefix() != null) return t.prefix();
        String name = key.name();
        int dash = name.lastIndexOf('-');
        return dash > 0 ? name.substring(0, dash) : name;
    }

    // ------------------------------------------------------------------ HTTP threads

    /** The latest snapshot, fresh within a tick; marks the dashboard as watched (a page polls). */
    Snapshot current() {
        return current(true);
    }

    /**
     * The latest snapshot, fresh within a tick. {@code watch = false} for one-off readers (a
     * Prometheus scrape every 15 s): they get a snapshot made on request, and the scheduler does
     * not keep publishing for them.
     */
    Snapshot current(boolean watch) {
        long now = System.currentTimeMillis();
        if (watch) watchedUntil = now + WATCH_MS;
        Snapshot s = snapshot;
        if (s != null && now - s.time() <= 2 * publishGap + 100) return s;
        try {
            return ask(st -> publish(st, System.currentTimeMillis()));
        } catch (SchedulerBusy busy) {
            if (s != null) return s; // stale is better than nothing while a big graph is ingested
            throw busy;
        }
    }

    /** The transition log of {@code key}, oldest first. */
    List<TransitionLog.Entry> story(Key key) {
        return ask(st -> st.story(key));
    }

    /** Up to {@code limit} current tasks (processing first) with their dependencies among them. */
    Map<String, Object> graph(int limit) {
        return ask(st -> graphOf(st, limit));
    }

    private static Map<String, Object> graphOf(SchedulerState st, int limit) {
        List<SchedulerTask> picked = new ArrayList<>(Math.min(limit, st.tasks().size()));
        for (SchedulerTask t : st.tasks().values()) {
            if (picked.size() >= limit) break;
            if (t.state() == TaskState.PROCESSING) picked.add(t);
        }
        for (SchedulerTask t : st.tasks().values()) {
            if (picked.size() >= limit) break;
            if (t.state() != TaskState.PROCESSING) picked.add(t);
        }
        picked.sort((a, b) -> a.key().compareTo(b.key()));
        Map<Key, Integer> index = new HashMap<>();
        for (int i = 0; i < picked.size(); i++) index.put(picked.get(i).key(), i);
        List<Object> nodes = new ArrayList<>(picked.size());
        List<Object> edges = new ArrayList<>();
        for (int i = 0; i < picked.size(); i++) {
            SchedulerTask t = picked.get(i);
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("key", t.key().toString());
            n.put("prefix", prefixOf(t, t.key()));
            n.put("state", t.state().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
            String w = t.processingOn();
            if (w == null && !t.whoHas().isEmpty()) w = t.whoHas().get(0);
            n.put("worker", w);
            nodes.add(n);
            for (Key d : t.dependencies()) {
                Integer j = index.get(d);
                if (j != null) edges.add(List.of(j, i));
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("total", st.tasks().size());
        out.put("truncated", st.tasks().size() > picked.size());
        out.put("nodes", nodes);
        out.put("edges", edges);
        return out;
    }

    /** Thrown when the scheduler thread did not answer within the timeout (busy ingesting a big graph). */
    static final class SchedulerBusy extends RuntimeException {
        SchedulerBusy(String m) {
            super(m);
        }
    }

    private <T> T ask(Function<SchedulerState, T> question) {
        if (closed) throw new SchedulerBusy("the scheduler is closed");
        CompletableFuture<T> f = new CompletableFuture<>();
        requests.add(st -> {
            try {
                f.complete(question.apply(st));
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        long timeout = Config.getDuration("distributed.dashboard.timeout", Duration.ofSeconds(5)).toMillis();
        try {
            return f.get(timeout, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new SchedulerBusy("the scheduler did not answer within " + timeout + " ms (busy, e.g. ingesting a large graph)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchedulerBusy("interrupted");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /** Stops the HTTP server (within a second). */
    @Override
    public void close() {
        closed = true;
        http.close();
    }
}

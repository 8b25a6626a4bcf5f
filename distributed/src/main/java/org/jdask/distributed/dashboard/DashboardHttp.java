package org.jdask.distributed.dashboard;

import static org.jdask.distributed.dashboard.Json.object;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdask.distributed.dashboard.Dashboard.PrefixView;
import org.jdask.distributed.dashboard.Dashboard.Snapshot;
import org.jdask.distributed.dashboard.Dashboard.StreamEntry;
import org.jdask.distributed.dashboard.Dashboard.WorkerView;
import org.jdask.distributed.internal.TaskState;
import org.jdask.distributed.internal.TransitionLog;
import org.jdask.graph.Key;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The dashboard's HTTP side (JDK {@code com.sun.net.httpserver}): routing, JSON, Prometheus text, the page. */
final class DashboardHttp {
    /** Worker memory-manager fields of a heartbeat served in {@code /api/workers}. */
    static final String[] MEMORY_FIELDS = {"managed", "spilled", "unmanaged", "status", "spill_count", "unspill_count",
        "spill_write_bps", "spill_read_bps"};

    private static final Logger LOG = LoggerFactory.getLogger(DashboardHttp.class);
    private static final AtomicInteger THREADS = new AtomicInteger();
    static final String ROUTES = "/status, /api/workers, /api/tasks, /api/task-stream?since=MS, /api/story/KEY, /api/graph?limit=N, "
            + "/metrics, /health";

    private final Dashboard dashboard;
    private final HttpServer server;
    private final ExecutorService executor;
    private final String host;
    private volatile byte[] page;

    static {
        // The JDK's HTTP server reads this once, when its first server starts: set here, before any
        // HttpServer exists, so users need no -D flag (without it small replies wait on Nagle's delay).
        if (System.getProperty("sun.net.httpserver.nodelay") == null) System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    DashboardHttp(Dashboard dashboard, String host, int port) throws IOException {
        this.dashboard = dashboard;
        this.host = host;
        this.server = HttpServer.create(new InetSocketAddress(host, port), 64);
        // several threads: one slow client (or a long-polling one) never blocks the others
        this.executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "jdask-dashboard-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        LOG.info("Dashboard at: http://{}:{}/status", displayHost(), port());
    }

    int port() {
        return server.getAddress().getPort();
    }

    String displayHost() {
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("*")) {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                return host;
            }
        }
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** One request; every failure becomes an HTTP error answer, never an exception out of the server. */
    private void handle(HttpExchange ex) {
        try {
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                send(ex, 405, "text/plain; charset=utf-8", method + " is not supported; the dashboard is read-only (GET)\n");
                return;
            }
            route(ex, ex.getRequestURI().getRawPath(), query(ex.getRequestURI().getRawQuery()));
        } catch (Dashboard.SchedulerBusy e) {
            trySend(ex, 503, e.getMessage());
        } catch (BadRequest e) {
            trySend(ex, 400, e.getMessage());
        } catch (IOException e) {
            LOG.debug("dashboard: client went away: {}", e.toString()); // nothing to answer
        } catch (RuntimeException | Error e) {
            LOG.warn("dashboard: {} failed", ex.getRequestURI(), e);
            trySend(ex, 500, "internal error: " + e);
        } finally {
            ex.close(); // after the catch clauses: they still answer on this exchange
        }
    }

    private void route(HttpExchange ex, String path, Map<String, String> q) throws IOException {
        switch (path) {
            case "/", "" -> {
                ex.getResponseHeaders().set("Location", "/status");
                send(ex, 302, "text/plain; charset=utf-8", "see /status\n");
            }
            case "/status", "/status/" -> send(ex, 200, "text/html; charset=utf-8", page());
            case "/health" -> send(ex, 200, "text/plain; charset=utf-8", "ok\n");
            case "/api/workers" -> json(ex, workers(dashboard.current()));
            case "/api/tasks" -> json(ex, tasks(dashboard.current()));
            case "/api/task-stream" -> json(ex, taskStream(dashboard.current(), number(q, "since", 0), (int) number(q, "limit", 2000)));
            case "/api/graph" -> json(ex, dashboard.graph((int) Math.min(5000, Math.max(1, number(q, "limit", 500)))));
            case "/metrics" -> send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", Prometheus.render(dashboard.current(false)));
            default -> {
                if (path.startsWith("/api/story/") && path.length() > "/api/story/".length()) {
                    story(ex, decode(path.substring("/api/story/".length())));
                } else {
                    trySend(ex, 404, "no page " + path + " on this dashboard; pages: " + ROUTES);
                }
            }
        }
    }

    private void story(HttpExchange ex, String keyText) throws IOException {
        Key key = parseKey(keyText);
        List<TransitionLog.Entry> lines = dashboard.story(key);
        if (lines.isEmpty()) {
            trySend(ex, 404, "no transitions of key " + key + " in the scheduler's log (unknown key, or older than "
                    + "distributed.scheduler.transition-log-length transitions)");
            return;
        }
        List<Object> out = new ArrayList<>(lines.size());
        for (TransitionLog.Entry e : lines) {
            out.add(object("from", e.from().toLowerCase(Locale.ROOT), "to", e.to().toLowerCase(Locale.ROOT),
                    "reason", e.reason(), "time", e.timeMillis()));
        }
        json(ex, object("key", key.toString(), "transitions", out));
    }

    /** {@code name}, {@code 'name'} or {@code ('name', 0, 1)} (how keys print) to a {@link Key}. */
    static Key parseKey(String s) {
        String t = s.trim();
        if (t.startsWith("(") && t.endsWith(")")) {
            String inner = t.substring(1, t.length() - 1);
            int q1 = inner.indexOf('\''), q2 = inner.lastIndexOf('\'');
            if (q1 != 0 || q2 <= q1) throw new BadRequest("key '" + s + "' is not like ('name', 0, 1)");
            String name = inner.substring(1, q2);
            String rest = inner.substring(q2 + 1).trim();
            List<Integer> idx = new ArrayList<>();
            if (!rest.isEmpty()) {
                if (!rest.startsWith(",")) throw new BadRequest("key '" + s + "' is not like ('name', 0, 1)");
                for (String part : rest.substring(1).split(",")) {
                    if (part.isBlank()) continue;
                    try {
                        idx.add(Integer.parseInt(part.trim()));
                    } catch (NumberFormatException e) {
                        throw new BadRequest("key '" + s + "': index '" + part.trim() + "' is not an integer");
                    }
                }
            }
            return Key.of(name, idx.stream().mapToInt(Integer::intValue).toArray());
        }
        if (t.length() >= 2 && t.startsWith("'") && t.endsWith("'")) t = t.substring(1, t.length() - 1);
        if (t.isEmpty()) throw new BadRequest("empty key");
        return Key.of(t);
    }

    // ------------------------------------------------------------------ JSON views

    static Map<String, Object> workers(Snapshot s) {
        List<Object> ws = new ArrayList<>();
        for (WorkerView w : s.workers()) {
            Map<String, Object> m = object("address", w.address(), "name", w.name(), "nthreads", w.nthreads());
            // the heartbeat's figures; the memory manager's (see PROTOCOL.md, HEARTBEAT): managed / spilled / unmanaged, status
            for (String f : List.of("memory", "memory_limit", "heap_used", "cpu")) m.put(f, w.metrics().get(f));
            for (String f : MEMORY_FIELDS) m.put(f, w.metrics().get(f));
            m.putAll(object("processing", w.processing(), "keys", w.keys(), "nbytes", w.nbytes(), "occupancy", w.occupancy()));
            ws.add(m);
        }
        return object("time", s.time(), "scheduler", s.scheduler(), "workers", ws);
    }

    static Map<String, Object> tasks(Snapshot s) {
        Map<String, Object> states = new LinkedHashMap<>();
        int total = 0;
        for (Map.Entry<TaskState, Integer> e : s.states().entrySet()) {
            states.put(e.getKey().name().toLowerCase(Locale.ROOT).replace('_', '-'), e.getValue());
            total += e.getValue();
        }
        List<Object> prefixes = new ArrayList<>();
        for (PrefixView p : s.prefixes()) {
            prefixes.add(object("name", p.name(), "total", p.total(), "done", p.done(), "erred", p.erred(), "memory", p.memory(),
                    "processing", p.processing(), "waiting", p.waiting(), "released", p.released()));
        }
        return object("time", s.time(), "total", total, "states", states, "completed", s.completed(), "erred", s.erred(),
                "prefixes", prefixes);
    }

    static Map<String, Object> taskStream(Snapshot s, double since, int limit) {
        List<StreamEntry> all = s.stream();
        int from = all.size();
        int n = 0;
        while (from > 0 && n < Math.max(1, limit)) { // newest last: walk back over entries after `since`
            if (all.get(from - 1).stop() <= since) break;
            from--;
            n++;
        }
        List<Object> out = new ArrayList<>(all.size() - from);
        for (StreamEntry e : all.subList(from, all.size())) {
            if (e.stop() <= since) continue; // workers' clocks differ a little: the ring is not sorted by stop
            out.add(object("key", e.key().toString(), "prefix", e.prefix(), "worker", e.worker(), "thread", e.thread(),
                    "start", e.start(), "stop", e.stop(), "status", e.erred() ? "erred" : "ok"));
        }
        return object("time", s.time(), "tasks", out);
    }

    // ------------------------------------------------------------------ plumbing

    private byte[] page() throws IOException {
        byte[] p = page;
        if (p == null) {
            try (InputStream in = DashboardHttp.class.getResourceAsStream("status.html")) {
                if (in == null) throw new IOException("status.html is missing from the jdask-distributed jar");
                page = p = in.readAllBytes();
            }
        }
        return p;
    }

    private static final class BadRequest extends RuntimeException {
        BadRequest(String m) {
            super(m);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) return q;
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            if (eq < 0) q.put(decode(part), "");
            else q.put(decode(part.substring(0, eq)), decode(part.substring(eq + 1)));
        }
        return q;
    }

    private static double number(Map<String, String> q, String name, double fallback) {
        String v = q.get(name);
        if (v == null || v.isEmpty()) return fallback;
        try {
            double d = Double.parseDouble(v);
            if (Double.isNaN(d)) throw new NumberFormatException();
            return d;
        } catch (NumberFormatException e) {
            throw new BadRequest("query parameter " + name + "=" + v + " is not a number");
        }
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("bad percent-encoding in '" + s + "'");
        }
    }

    private static void json(HttpExchange ex, Object value) throws IOException {
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        send(ex, 200, "application/json", Json.write(value));
    }

    /** An error answer as JSON {@code {"error": ...}}; ignores a client that went away. */
    private static void trySend(HttpExchange ex, int status, String message) {
        try {
            send(ex, status, "application/json", Json.write(object("error", message, "status", status)));
        } catch (IOException | RuntimeException e) {
            LOG.debug("dashboard: cannot answer {}: {}", status, e.toString());
        }
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        send(ex, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }
}

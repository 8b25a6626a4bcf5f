package org.jdask.distributed;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import org.jdask.Config;
import org.jdask.JdaskException;
import org.jdask.distributed.internal.ClientState;
import org.jdask.distributed.internal.Payload;
import org.jdask.graph.IndexedGraph;
import org.jdask.graph.Key;
import org.jdask.graph.ListenerCalls;
import org.jdask.graph.RunOptions;
import org.jdask.graph.Scheduler;
import org.jdask.graph.SchedulerProvider;
import org.jdask.graph.TaskGraph;

/**
 * {@code scheduler=distributed}: runs graphs on a cluster. The client is the one at config
 * {@code scheduler-address} (connected once and reused; with the CurveZMQ keys in config
 * {@code distributed.security-dir} if set), else the open {@link Client} of this JVM
 * ({@link Client#current()}). Each run sends the whole graph, waits for its outputs, gathers
 * them and releases everything; the caller's config travels with the tasks (only the settings
 * that differ from the JVM's defaults), so tasks see {@code Config.get} as the caller does.
 */
public final class DistributedSchedulerProvider implements SchedulerProvider {
    private static final Map<String, Client> BY_ADDRESS = new ConcurrentHashMap<>();
    private static volatile Map<String, Object> baseConfig;

    @Override
    public String name() {
        return "distributed";
    }

    @Override
    public String description() {
        return "distributed: a scheduler and workers over ZeroMQ (needs an open Client or scheduler-address)";
    }

    @Override
    public Scheduler scheduler(RunOptions options) {
        Object addr = options.config("scheduler-address", null);
        Client c;
        if (addr != null && !addr.toString().isBlank()) {
            String a = addr.toString().trim();
            Object keys = options.config("distributed.security-dir", null); // CurveZMQ keys (see Security)
            c = BY_ADDRESS.compute(a, (k, old) -> old != null && !isClosed(old) ? old
                    : keys == null || keys.toString().isBlank() ? Client.connect(k)
                    : Client.connect(k, Security.load(java.nio.file.Path.of(keys.toString().trim()))));
        } else {
            c = Client.current();
            if (c == null) {
                throw new IllegalStateException("scheduler 'distributed' needs a cluster: open a Client (Client.connect(...)) "
                        + "or set config scheduler-address to tcp://HOST:PORT");
            }
        }
        Client client = c;
        return (graph, outputs, opts) -> run(client, graph, outputs, opts);
    }

    private static boolean isClosed(Client c) {
        try {
            c.checkOpen();
            return false;
        } catch (RuntimeException e) {
            return true;
        }
    }

    static List<Object> run(Client client, TaskGraph graph, List<Key> outputs, RunOptions options) {
        IndexedGraph ig = IndexedGraph.of(graph); // missing dependencies and outputs fail here, before anything runs
        ig.indicesOf(outputs);
        ig.topologicalOrder();
        // the graph's sinks are wanted too: every task of the graph runs, as on the local schedulers
        LinkedHashSet<Key> wanted = new LinkedHashSet<>(outputs);
        for (int i = 0; i < ig.size(); i++) if (ig.dependentCount(i) == 0) wanted.add(ig.key(i));
        ListenerCalls listeners = new ListenerCalls(options.listeners()); // a throwing listener is logged and skipped
        listeners.start(graph);
        Client.RunTracker tracker = listeners.isEmpty() ? null : (key, worker, failed) -> {
            listeners.pretask(key, worker);
            listeners.posttask(key, null, worker, failed);
        };
        List<Key> wantedList = new ArrayList<>(wanted);
        Throwable error = null;
        boolean interrupted = false;
        try {
            List<ClientState.KeyState> states = client.submitGraph(graph, wantedList, configPayload(options.config()), tracker);
            Map<Key, ClientState.KeyState> byKey = new HashMap<>();
            for (ClientState.KeyState s : states) byKey.put(s.key, s);
            // wait for every wanted key (so all listener reports are in), then fetch the outputs
            for (ClientState.KeyState s : states) {
                while (!client.awaitDone(s, 200)) {
                    if (Thread.currentThread().isInterrupted()) {
                        interrupted = true;
                        throw new JdaskException("run interrupted while waiting for " + s.key + "; its tasks were cancelled");
                    }
                }
            }
            for (ClientState.KeyState s : states) if (s.status == ClientState.Status.ERROR) throw TaskEntries.failure(s);
            List<ClientState.KeyState> outStates = new ArrayList<>();
            Set<Key> seen = new HashSet<>();
            for (Key k : outputs) if (seen.add(k)) outStates.add(byKey.get(k));
            List<Object> vals = client.gatherStates(outStates, -1);
            Map<Key, Object> m = new HashMap<>();
            for (int i = 0; i < outStates.size(); i++) m.put(outStates.get(i).key, vals.get(i));
            List<Object> out = new ArrayList<>(outputs.size());
            for (Key k : outputs) out.add(m.get(k));
            return out;
        } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) interrupted = true;
            error = e;
            throw e;
        } finally {
            if (interrupted) {
                client.cancelKeys(wantedList);
                Thread.currentThread().interrupt();
            } else {
                client.releaseKeys(wantedList);
            }
            if (tracker != null) client.untrack(graph.keys());
            listeners.finish(error);
        }
    }

    /** The settings of {@code config} that differ from a fresh thread's, or null when none do. */
    static Payload configPayload(Map<String, Object> config) {
        Map<String, Object> base = baseConfig;
        if (base == null) {
            try {
                base = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "jdask-config-base");
                    t.setDaemon(true);
                    return t;
                }).submit(Config::snapshot).get();
            } catch (Exception e) {
                throw new IllegalStateException("cannot read the base config", e);
            }
            baseConfig = base;
        }
        Map<String, Object> diff = new HashMap<>();
        for (Map.Entry<String, Object> e : config.entrySet()) {
            if (!Objects.equals(base.get(e.getKey()), e.getValue())) diff.put(e.getKey(), e.getValue());
        }
        Map<String, Object> carried = org.jdask.serialize.Codecs.carryAllowed(diff); // the client's Codecs.allow, for worker JVMs
        return carried.isEmpty() ? null : Payload.ofValue(carried);
    }
}

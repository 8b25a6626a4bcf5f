package org.jdask.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdask.TaskFailedException;

/**
 * The simplest correct scheduler: validate, sort topologically, run every task in the calling
 * thread, keep every result. It exists so {@code jdask-graph} can run graphs on its own and as
 * the oracle the real schedulers are tested against; use {@code sync} or {@code threads} for work.
 */
public final class ReferenceScheduler implements Scheduler {
    public static final ReferenceScheduler INSTANCE = new ReferenceScheduler();

    @Override
    public List<Object> get(TaskGraph graph, List<Key> outputs, RunOptions options) {
        IndexedGraph indexed = IndexedGraph.of(graph); // missing dependency: named here
        indexed.indicesOf(outputs);                    // missing output: named here
        int[] topo = indexed.topologicalOrder();       // cycle: listed here
        List<Key> order = new ArrayList<>(topo.length);
        for (int i : topo) order.add(indexed.key(i));
        Map<Key, Object> results = new HashMap<>(order.size() * 4 / 3 + 1);
        ListenerCalls calls = new ListenerCalls(options.listeners());
        calls.start(graph);
        Throwable error = null;
        // tasks see the run's config (a nested compute() inherits the caller's settings)
        try (org.jdask.Config.Scope ignored = org.jdask.Config.apply(options.config())) {
            for (Key k : order) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new org.jdask.JdaskException("run interrupted before task " + k);
                }
                calls.pretask(k, 0);
                Object v;
                Node n = graph.get(k);
                if (n instanceof DataNode d) {
                    v = d.value();
                } else if (n instanceof Alias a) {
                    v = results.get(a.target());
                } else {
                    try {
                        v = ((Task) n).execute(results::get);
                    } catch (Exception | StackOverflowError | OutOfMemoryError e) {
                        calls.posttask(k, null, 0, true);
                        throw new TaskFailedException(k, e);
                    }
                }
                results.put(k, v);
                calls.posttask(k, v, 0, false);
            }
        } catch (RuntimeException e) {
            error = e;
            throw e;
        } finally {
            calls.finish(error);
        }
        List<Object> out = new ArrayList<>(outputs.size());
        for (Key o : outputs) out.add(results.get(o));
        return out;
    }

    /** Registered under the name {@code reference}. */
    public static final class Provider implements SchedulerProvider {
        @Override
        public String name() {
            return "reference";
        }

        @Override
        public String description() {
            return "reference: single-threaded, keeps every result (for tests)";
        }

        @Override
        public Scheduler scheduler(RunOptions options) {
            return INSTANCE;
        }
    }
}

package org.jdask.distributed;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import org.jdask.KilledWorkerException;
import org.jdask.SerializationException;
import org.jdask.TaskFailedException;
import org.jdask.distributed.internal.ClientState.KeyState;
import org.jdask.distributed.internal.ClientState.Status;
import org.jdask.distributed.internal.Payload;
import org.jdask.fn.FnN;
import org.jdask.fn.Fns;
import org.jdask.graph.DataNode;
import org.jdask.graph.IndexedGraph;
import org.jdask.graph.Key;
import org.jdask.graph.Node;
import org.jdask.graph.Task;
import org.jdask.serialize.Codecs;
import org.jdask.serialize.FnFrame;
import org.jdask.distributed.internal.SchedulerEvent.NewTask;

/**
 * How the client turns a call into a task entry for the scheduler: the key's prefix, the
 * config that travels with it, futures in arguments replaced by their keys, and the exception a
 * failed key's {@code result()} throws. Stateless helpers of {@link Client}.
 */
final class TaskEntries {
    private TaskEntries() {}

    /**
     * The config that travels with tasks the client builds itself (submit, map, compute): only the
     * package prefixes this JVM allowed with {@code Codecs.allow}, which worker JVMs need to decode
     * the client's classes; null when there are none.
     */
    static Payload allowedOnly() {
        Map<String, Object> m = Codecs.carryAllowed(Map.of());
        return m.isEmpty() ? null : Payload.ofValue(m);
    }

    static NewTask taskEntry(Key key, Node node, Payload config, int priority, int order, SubmitOptions o, String prefix,
                             boolean encode) {
        Payload spec = Payload.ofValue(node);
        if (encode) spec.bytes();
        if (encode && config != null) config.bytes();
        return new NewTask(key, spec, config, node.dependencies(), priority, order, o.retries(), o.workers(), o.resources(), prefix); // NewTask copies them
    }

    /**
     * With worker JVMs ({@code encode}), {@code fn} encoded once for all the tasks of one {@code
     * map} or {@code submit}: each task frame then carries these bytes and a worker decodes them
     * once (see {@link FnFrame}), not the lambda per task; null in process.
     */
    static FnFrame sentOnce(Object fn, boolean encode, Runnable explain) {
        if (!encode) return null;
        try {
            return FnFrame.of(Fns.of(fn));
        } catch (SerializationException e) {
            explain.run(); // the serialization check's error: the task's key and the path to what cannot be sent
            throw e;
        }
    }

    /**
     * For a graph sent to worker JVMs ({@code encode}): the functions two or more of its tasks call
     * (the same object, or adapters of the same user function), each to be encoded once as an
     * {@link FnFrame} ({@link #withShared}), as a {@code map}'s; empty in process. A function of one
     * task only (a fused chain's) stays in its frame: cached on the worker it would only push others
     * out.
     */
    static Map<Object, FnFrame> sharedFunctions(IndexedGraph graph, boolean encode) {
        if (!encode) return Map.of();
        Map<Object, Integer> counts = new IdentityHashMap<>();
        for (int i = 0; i < graph.size(); i++) if (graph.node(i) instanceof Task t) counts.merge(identity(t.function()), 1, Integer::sum);
        Map<Object, FnFrame> shared = new IdentityHashMap<>();
        counts.forEach((f, n) -> {
            if (n >= 2) shared.put(f, null); // encoded when its first task is sent
        });
        return shared;
    }

    /** {@code node} calling its function's {@link FnFrame} when {@link #sharedFunctions} holds it; else itself. */
    static Node withShared(Node node, Map<Object, FnFrame> shared) {
        if (shared.isEmpty() || !(node instanceof Task t)) return node;
        Object id = identity(t.function());
        if (!shared.containsKey(id)) return node;
        FnFrame f = shared.get(id);
        if (f == null) shared.put(id, f = FnFrame.of(t.function()));
        return withFunction(t, f);
    }

    /** What makes two task functions the same: the user's function behind an adapter, else the function object. */
    private static Object identity(FnN f) {
        return Fns.isAdapter(f) ? f.target() : f;
    }

    /** Argument values a task frame always carries (the JDK's immutable leaves and keys): no serialization check needed. */
    private static final Set<Class<?>> PLAIN = Set.of(String.class, Integer.class, Long.class, Double.class, Float.class, Short.class,
            Byte.class, Boolean.class, Character.class, Key.class);

    /**
     * The tasks of one {@code submitMany} the serialization check must walk: all of them, or only
     * the first when they share one function ({@code once}) and every argument is null or {@link
     * #PLAIN} (the others cannot fail where the first passed: same function, arguments that always
     * serialize), which skips a walk per task (~14 µs a task in a fresh client JVM at load ~9, a hint).
     */
    static Map<Key, Task> toCheck(Map<Key, Task> tasks, FnFrame once) {
        if (once == null || tasks.size() <= 1) return tasks;
        for (Task t : tasks.values()) {
            for (int i = 0; i < t.argCount(); i++) {
                Object a = t.arg(i);
                if (a != null && !PLAIN.contains(a.getClass())) return tasks;
            }
        }
        Map.Entry<Key, Task> first = tasks.entrySet().iterator().next();
        return Map.of(first.getKey(), first.getValue());
    }

    /** {@code node} (a task of {@code submitMany}) calling {@code once} instead of its own function; itself when {@code once} is null. */
    static Node withFunction(Node node, FnFrame once) {
        if (once == null || !(node instanceof Task t)) return node;
        return Task.ofArray(once, t.args().toArray());
    }

    static String prefixOf(Object fn) {
        String n = Fns.name(fn);
        int i = Math.max(n.lastIndexOf(':'), n.lastIndexOf('.'));
        n = i >= 0 ? n.substring(i + 1) : n;
        n = n.replaceAll("[^A-Za-z0-9_]", "");
        return n.isEmpty() || n.startsWith("lambda") ? "lambda" : n;
    }

    /** {@code a} with every future of {@code client} replaced by its key (lists and maps looked into). */
    static Object replaceFutures(Client client, Object a) {
        if (a instanceof Future<?> f) {
            if (f.client != client) throw new IllegalArgumentException("future " + f.key() + " belongs to another client");
            if (f.state.status == Status.CANCELLED) { // Dask's CancelledError: the task could never run
                throw new CancellationException("future " + f.key() + " was cancelled: no task can depend on it");
            }
            return f.key();
        }
        if (a instanceof List<?> l) {
            boolean any = false;
            List<Object> out = new ArrayList<>(l.size());
            for (Object o : l) {
                Object r = replaceFutures(client, o);
                any |= r != o;
                out.add(r);
            }
            return any ? out : a;
        }
        if (a instanceof Map<?, ?> m) {
            boolean any = false;
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                Object r = replaceFutures(client, e.getValue());
                any |= r != e.getValue();
                out.put(e.getKey(), r);
            }
            return any ? out : a;
        }
        if (a instanceof Key) return new DataNode(a); // a literal key is data, not a reference
        return a;
    }

    /** The exception {@code result()} throws for a failed key: its own, or one naming the task to blame. */
    static TaskFailedException failure(KeyState s) {
        Throwable t = s.exception;
        if (t instanceof TaskFailedException tf) return tf;
        if (t instanceof KilledWorkerException kw) return new TaskFailedException(s.blame, kw);
        return new TaskFailedException(s.blame == null ? s.key : s.blame, t);
    }
}

package org.jdask.distributed;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.jdask.KilledWorkerException;
import org.jdask.TaskFailedException;
import org.jdask.distributed.internal.ClientState.KeyState;
import org.jdask.distributed.internal.ClientState.Status;
import org.jdask.distributed.internal.Payload;
import org.jdask.fn.Fns;
import org.jdask.graph.DataNode;
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
        return new NewTask(key, spec, config, new ArrayList<>(node.dependencies()), priority, order, o.retries(),
                new HashSet<>(o.workers()), o.resources(), prefix);
    }

    /**
     * With worker JVMs ({@code encode}), {@code fn} encoded once for all the tasks of one {@code
     * map} or {@code submit}: each task frame then carries these bytes and a worker decodes them
     * once (see {@link FnFrame}), not the lambda per task; null in process.
     */
    static FnFrame sentOnce(Object fn, boolean encode) {
        return encode ? FnFrame.of(Fns.of(fn)) : null;
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

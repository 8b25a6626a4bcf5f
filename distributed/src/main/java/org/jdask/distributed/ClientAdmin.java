package org.jdask.distributed;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jdask.JdaskException;
import org.jdask.distributed.internal.Messages;
import org.jdask.distributed.internal.Messages.Message;
import org.jdask.distributed.internal.Payload;
import org.jdask.fn.Fn0;
import org.jdask.graph.Key;
import org.jdask.serialize.Codecs;

/** The bodies of {@link Client}'s cluster-wide requests (restart, run on every worker, datasets): one round trip each. */
final class ClientAdmin {
    private ClientAdmin() {}

    static void restart(Client c, long timeout, TimeUnit unit) throws TimeoutException {
        c.checkOpen();
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        Set<String> before = new HashSet<>(c.workerAddresses());
        c.conn.send(new Messages.Restart());
        c.workers(); // a round trip: the restart is done and its CANCELLED reports have arrived when this returns
        c.keyStates.cancelAll(" by restart"); // new futures of the same keys start afresh; the old ones stay cancelled
        c.trackers.clear();
        while (true) {
            int back = 0;
            for (String w : c.workerAddresses()) if (!before.contains(w)) back++;
            if (back >= before.size()) return;
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("restart: " + back + " of " + before.size() + " workers came back within "
                        + unit.toMillis(timeout) + " ms");
            }
            Client.sleep(50);
        }
    }

    @SuppressWarnings("unchecked")
    static <R> Map<String, R> run(Client c, Fn0<R> fn) {
        Map<String, CompletableFuture<Message>> replies = new LinkedHashMap<>();
        List<String> allowed = new ArrayList<>(Codecs.allowedPackages()); // worker JVMs decode fn with the same policy
        for (String w : c.workerAddresses()) replies.put(w, c.conn.request(w, id -> new Messages.Run(id, Payload.ofValue(fn), allowed)));
        Map<String, R> out = new LinkedHashMap<>();
        for (Map.Entry<String, CompletableFuture<Message>> e : replies.entrySet()) {
            Messages.RunReply m = c.waitFor(e.getValue(), Messages.RunReply.class, "run on " + e.getKey(), 600_000);
            Object v = m.result() == null ? null : m.result().value();
            if (!m.ok()) {
                throw new JdaskException("run failed on worker " + e.getKey() + ": " + v, v instanceof Throwable t ? t : null);
            }
            out.put(e.getKey(), (R) v);
        }
        return out;
    }

    static List<Future<Object>> getDataset(Client c, String name) {
        Messages.DatasetReply m = c.waitFor(c.conn.request(null, id -> new Messages.GetDataset(id, name)), Messages.DatasetReply.class,
                "get dataset", 10_000);
        if (m.keys() == null) throw new NoSuchElementException("no dataset named '" + name + "' on " + c.conn.schedulerAddress);
        List<Future<Object>> out = new ArrayList<>();
        List<Key> wanted = new ArrayList<>();
        for (Key k : m.keys()) {
            out.add(new Future<>(c, k, Function.identity()));
            wanted.add(k);
        }
        c.conn.send(new Messages.UpdateGraph(List.of(), wanted, false));
        return out;
    }
}

package org.jdask.distributed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jdask.Config;
import org.jdask.JdaskException;
import org.jdask.distributed.internal.ClientState.KeyState;
import org.jdask.distributed.internal.ClientState.Status;
import org.jdask.distributed.internal.Messages;
import org.jdask.distributed.internal.Messages.Message;
import org.jdask.distributed.internal.Payload;
import org.jdask.distributed.internal.SchedulerEvent.Scattered;
import org.jdask.distributed.internal.bulk.BulkProtocol;
import org.jdask.graph.Key;

/**
 * A client's data plane: waiting for keys (with the forgotten-key watchdog), gathering values
 * from the workers that hold them and scattering values onto workers. Bulk bytes move here,
 * worker to client, never through the scheduler; {@link Client} keeps the control plane
 * (submitting, reference counting, reports).
 */
final class DataPlane {
    private final Client client;
    private final ClientBulk bulk;

    DataPlane(Client client) {
        this.client = client;
        this.bulk = new ClientBulk(client);
    }

    /**
     * Waits until {@code s} is done, at most {@code timeoutMs} (negative: without a limit, but
     * never blindly): every {@code distributed.client.key-check-interval} (5 s) of waiting the
     * scheduler is asked whether it still holds the key for this client; a key it forgot fails
     * the future with a message naming it instead of waiting forever. The connection's own
     * watchdog fails every wait when the scheduler goes silent.
     */
    boolean awaitDone(KeyState s, long timeoutMs) {
        long start = System.nanoTime();
        if (s.nextCheck == 0) s.nextCheck = start + keyCheckNanos; // per key: callers that wait in short slices are checked too
        try {
            while (true) {
                long slice = 1000;
                if (timeoutMs >= 0) {
                    long left = timeoutMs - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    if (left <= 0) return s.done.isDone();
                    slice = Math.min(left, slice);
                }
                try {
                    s.done.get(slice, TimeUnit.MILLISECONDS);
                    return true;
                } catch (TimeoutException e) {
                    client.checkOpen();
                    if (System.nanoTime() - s.nextCheck >= 0) {
                        verifyKnown(s);
                        s.nextCheck = System.nanoTime() + keyCheckNanos;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JdaskException("interrupted while waiting for " + s.key);
        } catch (ExecutionException e) {
            return true;
        }
    }

    private final long keyCheckNanos = Config.getDuration("distributed.client.key-check-interval", Duration.ofSeconds(5)).toNanos();

    /**
     * Asks the scheduler whether it still holds {@code s}'s key for this client; if it forgot it
     * (or no longer counts this client among those who want it) the future fails now, naming the
     * key. Replies and reports come on one socket in order, so a key reported done before the
     * reply is never taken for lost; a reply that does not come leaves the decision to the
     * connection's liveness watchdog.
     */
    private void verifyKnown(KeyState s) {
        Messages.KeyStateReply m;
        try {
            m = client.waitFor(client.conn.request(null, id -> new Messages.KeyState(id, List.of(s.key))), Messages.KeyStateReply.class,
                    "key state", client.fetchTimeoutMs);
        } catch (JdaskException e) {
            if (Thread.currentThread().isInterrupted()) throw e;
            return;
        }
        String st = m.states().get(0);
        boolean wanted = m.wanted().get(0);
        if (s.done.isDone() || st != null && wanted) return;
        s.exception = new JdaskException(st == null
                ? "the scheduler at " + client.conn.schedulerAddress + " no longer knows task " + s.key
                        + ", which this client still waits for (released or forgotten); resubmit it"
                : "the scheduler at " + client.conn.schedulerAddress + " holds task " + s.key + " (" + st
                        + ") but no longer for this client, which still waits for it; resubmit it");
        s.blame = s.key;
        s.status = Status.ERROR;
        s.done.complete(null);
    }

    List<Object> gatherStates(List<KeyState> states, long timeoutMs) {
        String lastError = null;
        for (int attempt = 0; ; attempt++) {
            for (KeyState s : states) {
                if (!awaitDone(s, timeoutMs)) throw new JdaskException("future " + s.key + " not done after " + timeoutMs + " ms");
                if (s.status == Status.ERROR) throw TaskEntries.failure(s);
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
            List<CompletableFuture<Message>> replies = new ArrayList<>();
            List<CompletableFuture<BulkProtocol.Got>> direct = new ArrayList<>();
            for (Map.Entry<String, List<KeyState>> e : byWorker.entrySet()) {
                List<Key> ks = new ArrayList<>();
                for (KeyState s : e.getValue()) ks.add(s.key);
                if (bulk.usable(e.getKey())) direct.add(bulk.get(e.getKey(), ks)); // every worker at once, each on its own socket
                else replies.add(GatherBatches.gather(e.getKey(), ks, b -> client.conn.request(e.getKey(), id -> new Messages.GetData(id, b)))); // bounded replies
            }
            for (CompletableFuture<Message> r : replies) {
                Messages.Data m;
                try {
                    m = client.waitFor(r, Messages.Data.class, "gather", timeoutMs < 0 ? client.fetchTimeoutMs : Math.min(Math.max(timeoutMs, 1000), client.fetchTimeoutMs));
                } catch (JdaskException noAnswer) {
                    if (Thread.currentThread().isInterrupted()) throw noAnswer;
                    missing = true; // the worker is gone or stuck: its keys are lost or will be reported again
                    continue;
                }
                for (int i = 0; i < m.found().size(); i++) values.put(m.found().get(i), m.values().get(i).value());
                if (!m.missing().isEmpty()) missing = true;
            }
            for (CompletableFuture<BulkProtocol.Got> r : direct) {
                BulkProtocol.Got g;
                try { // every read on the socket has distributed.comm.timeouts.tcp; the caller's timeout bounds the whole
                    g = timeoutMs < 0 ? r.get() : r.get(Math.max(timeoutMs, 1000), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    r.cancel(true);
                    lastError = "no bulk transfer finished within " + Math.max(timeoutMs, 1000) + " ms";
                    missing = true;
                    continue;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new JdaskException("interrupted while gathering");
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof ClientBulk.NoBulkPort)) lastError = e.getCause().getMessage();
                    missing = true; // as a lost worker: another holder, or the recomputed value, next time
                    continue;
                }
                for (Map.Entry<Key, Payload> f : g.found().entrySet()) values.put(f.getKey(), f.getValue().value());
                if (!g.missing().isEmpty()) missing = true;
            }
            if (!missing) {
                List<Object> out = new ArrayList<>(states.size());
                for (KeyState s : states) out.add(values.get(s.key));
                return out;
            }
            if (attempt >= 5) {
                throw new JdaskException("workers lost data of " + states.size() + " key(s) while gathering; gave up after 5 tries"
                        + (lastError == null ? "" : "; last error: " + lastError));
            }
            Client.sleep(100L << attempt); // the scheduler recomputes lost data; its report resets the futures
        }
    }

    /**
     * Places the values on workers directly (never through the scheduler): spread over the
     * workers, or on every worker with {@code broadcast}. Keys are fresh (values are not hashed).
     */
    @SuppressWarnings("unchecked")
    <T> List<Future<T>> scatter(List<T> values, boolean broadcast) {
        client.checkOpen();
        List<String> workers = client.workerAddresses();
        if (workers.isEmpty()) throw new JdaskException("cannot scatter: the scheduler at " + client.conn.schedulerAddress + " has no workers");
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
            Future<T> f = new Future<T>(client, k, cast);
            states.add(f.state);
            out.add(f);
        }
        Map<Integer, List<String>> holders = new HashMap<>();
        Map<Integer, Long> sizes = new HashMap<>();
        List<CompletableFuture<Message>> acks = new ArrayList<>();
        List<List<Integer>> ackIdx = new ArrayList<>();
        Map<String, CompletableFuture<List<Long>>> direct = new LinkedHashMap<>();
        for (Map.Entry<String, List<Integer>> e : plan.entrySet()) {
            for (int i : e.getValue()) holders.computeIfAbsent(i, x -> new ArrayList<>()).add(e.getKey());
            if (bulk.usable(e.getKey())) { // every worker at once, each on its own socket, values streamed from their arrays
                List<Key> k = new ArrayList<>();
                List<Payload> v = new ArrayList<>();
                for (int i : e.getValue()) {
                    k.add(ks.get(i));
                    v.add(Payload.ofValue(values.get(i)));
                }
                direct.put(e.getKey(), bulk.put(e.getKey(), k, v));
            } else {
                putOverZmq(e.getKey(), e.getValue(), ks, values, acks, ackIdx);
            }
        }
        for (Map.Entry<String, CompletableFuture<List<Long>>> d : direct.entrySet()) {
            List<Integer> idx = plan.get(d.getKey());
            try {
                List<Long> sz = d.getValue().get(); // every read and write on the socket has distributed.comm.timeouts.tcp
                for (int j = 0; j < sz.size(); j++) sizes.put(idx.get(j), sz.get(j));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JdaskException("interrupted while scattering");
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof ClientBulk.NoBulkPort)) throw new JdaskException("cannot scatter: " + e.getCause().getMessage(), e.getCause());
                putOverZmq(d.getKey(), idx, ks, values, acks, ackIdx);
            }
        }
        for (int a = 0; a < acks.size(); a++) {
            List<Long> sz = client.waitFor(acks.get(a), Messages.PutAck.class, "scatter", 600_000).sizes();
            for (int j = 0; j < sz.size(); j++) sizes.put(ackIdx.get(a).get(j), sz.get(j));
        }
        List<Scattered> update = new ArrayList<>();
        for (int i = 0; i < ks.size(); i++) {
            update.add(new Scattered(ks.get(i), holders.get(i), sizes.getOrDefault(i, 0L)));
            KeyState s = states.get(i);
            s.workers = holders.get(i);
            s.status = Status.FINISHED;
            s.done.complete(null);
        }
        client.conn.send(new Messages.UpdateData(update));
        return out;
    }

    /** Values onto a worker over its ZeroMQ data port: one message per value keeps frames independent. */
    private void putOverZmq(String worker, List<Integer> idx, List<Key> ks, List<?> values, List<CompletableFuture<Message>> acks,
                            List<List<Integer>> ackIdx) {
        for (int i : idx) {
            List<Key> k1 = List.of(ks.get(i));
            Payload p = Payload.ofValue(values.get(i));
            if (!worker.startsWith("inproc://")) p.bytes(); // encode here, not on the I/O thread
            List<Payload> v1 = List.of(p);
            acks.add(client.conn.request(worker, id -> new Messages.PutData(id, k1, v1)));
            ackIdx.add(List.of(i));
        }
    }

    void close() {
        bulk.close();
    }

    private static String typeName(Object v) {
        if (v == null) return "null";
        String n = v.getClass().getSimpleName().replace("[]", "s");
        return n.isEmpty() ? "data" : n.toLowerCase();
    }
}

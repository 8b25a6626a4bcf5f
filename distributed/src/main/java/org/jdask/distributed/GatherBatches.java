package org.jdask.distributed;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.jdask.distributed.internal.Messages;
import org.jdask.distributed.internal.Messages.Message;
import org.jdask.distributed.internal.Payload;
import org.jdask.graph.Key;

/**
 * A client's gather from one worker over ZeroMQ (no bulk channel: {@code distributed.comm.bulk.enabled:
 * false}, or a worker without a bulk port), in requests of about {@link #BATCH_BYTES} each, one
 * after the other (issue 15). One {@code GET_DATA} for every key made the worker read all of
 * them back from its spill store and build one reply of their total size: a small worker holding
 * more spilled data than its heap ran out of memory answering. The client does not know the
 * values' sizes, so the first request asks for one key and later ones for as many keys as fit the
 * budget at the mean size seen so far (a value larger than the budget still goes, alone).
 *
 * <p>Over the bulk channel the worker already streams the values one by one ({@code BulkProtocol}).
 */
final class GatherBatches {
    /** Bytes asked of a worker in one reply: one that the smallest worker (32 MiB) can build. */
    static final long BATCH_BYTES = 8L << 20;
    static final int MAX_KEYS = 100_000;

    private final List<Key> keys;
    private int next;
    /** Mean bytes per value received so far (-1: nothing yet). */
    private double perKey = -1;
    private final List<Key> found = new ArrayList<>(), missing = new ArrayList<>();
    private final List<Payload> values = new ArrayList<>();

    GatherBatches(List<Key> keys) {
        this.keys = keys;
    }

    /** The keys of the next request (empty when every key was asked for). */
    List<Key> nextBatch() {
        if (next >= keys.size()) return List.of();
        int n = perKey < 0 ? 1 : (int) Math.max(1, Math.min(MAX_KEYS, BATCH_BYTES / Math.max(1.0, perKey)));
        List<Key> b = keys.subList(next, Math.min(keys.size(), next + n));
        next += b.size();
        return b;
    }

    /** A reply arrived: keeps its values and learns their mean size. */
    void arrived(Messages.Data d) {
        found.addAll(d.found());
        values.addAll(d.values());
        missing.addAll(d.missing());
        long bytes = 0;
        for (Payload p : d.values()) bytes += Math.max(0, p.encodedSize());
        if (!d.values().isEmpty()) {
            double avg = (double) bytes / d.values().size();
            perKey = perKey < 0 ? avg : Math.max(avg, (perKey + avg) / 2); // lean to the larger: a big value costs most
        }
    }

    /** Everything received, as one {@code DATA} answer. */
    Messages.Data merged(long id) {
        return new Messages.Data(id, found, values, missing);
    }

    /**
     * Asks {@code worker} for {@code keys} batch by batch through {@code ask} (a request to the worker); the merged
     * {@code DATA}, or the first answer that is not one (an error), as it came. The next request
     * goes from the thread that completed the last (the client's I/O thread: asking only queues it).
     */
    static CompletableFuture<Message> gather(String worker, List<Key> keys, Function<List<Key>, CompletableFuture<Message>> ask) {
        if (worker.startsWith("inproc://")) return ask.apply(keys); // values by reference: nothing to build
        GatherBatches g = new GatherBatches(keys);
        CompletableFuture<Message> out = new CompletableFuture<>();
        g.step(ask, out);
        return out;
    }

    private void step(Function<List<Key>, CompletableFuture<Message>> ask, CompletableFuture<Message> out) {
        List<Key> batch = nextBatch();
        if (batch.isEmpty()) {
            out.complete(merged(0));
            return;
        }
        ask.apply(new ArrayList<>(batch)).whenComplete((m, err) -> {
            if (err != null) out.completeExceptionally(err);
            else if (!(m instanceof Messages.Data d)) out.complete(m);
            else {
                arrived(d);
                step(ask, out);
            }
        });
    }
}

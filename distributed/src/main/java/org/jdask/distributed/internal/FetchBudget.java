package org.jdask.distributed.internal;

import java.util.HashMap;
import java.util.Map;
import org.jdask.graph.Key;

/**
 * How many bytes of peer data a worker lets be on their way to it at once (Dask's
 * {@code distributed.worker.memory.transfer}, a fraction of the memory limit, and
 * {@code distributed.worker.transfer.message-bytes-limit} per request). Without it a worker
 * asked to run 50 tasks whose inputs live elsewhere requests all 50 inputs at once: the peer builds
 * one reply of all of them and this worker receives it whole, whatever its memory limit.
 *
 * <p>Pure bookkeeping for {@link WorkerState}: {@link #admit} reserves a key's estimated size
 * (nothing in flight: always admitted, so one value larger than the budget still moves);
 * {@link #arrived} frees the reservations of a reply and learns the size of values from it. The
 * scheduler does not send input sizes with a task, so a key's size is estimated from the values
 * fetched so far; until a first reply has taught that, one key at a time is in flight.
 */
public final class FetchBudget {
    private final long limit, messageLimit;
    private final Map<Key, Long> reserved = new HashMap<>();
    private long inFlight;
    /** Bytes per fetched key, learned from replies (-1: nothing fetched yet). */
    private double perKey = -1;

    /**
     * @param limit bytes in flight at once ({@code Long.MAX_VALUE}: no cap)
     * @param messageLimit bytes asked of one peer in one request
     */
    public FetchBudget(long limit, long messageLimit) {
        if (limit <= 0 || messageLimit <= 0) {
            throw new IllegalArgumentException("fetch budget must be > 0 bytes, got " + limit + " in flight and " + messageLimit + " per request");
        }
        this.limit = limit;
        this.messageLimit = messageLimit;
    }

    /** No cap: every fetch goes at once (a worker without a memory limit). */
    public static FetchBudget unlimited() {
        return new FetchBudget(Long.MAX_VALUE, Long.MAX_VALUE);
    }

    public boolean capped() {
        return limit != Long.MAX_VALUE;
    }

    /** The size a key of unknown size is taken to have. */
    long estimate() {
        return perKey < 0 ? 0 : (long) perKey;
    }

    /**
     * Reserves {@code key} if it fits, with {@code requestBytes} already in the request it would
     * join (0: it would start a new request). Returns false when the worker must wait for replies.
     */
    public boolean admit(Key key, long requestBytes) {
        if (!capped()) return true;
        if (reserved.containsKey(key)) return true;
        if (!reserved.isEmpty()) {
            if (perKey < 0) return false; // sizes unknown: one key until the first reply
            long est = estimate();
            if (inFlight + est > limit || requestBytes > 0 && requestBytes + est > messageLimit) return false;
        }
        long est = estimate();
        reserved.put(key, est);
        inFlight += est;
        return true;
    }

    /** Whether a request already holding {@code requestBytes} may take one more key (per-request cap). */
    public boolean requestFull(long requestBytes) {
        return capped() && requestBytes > 0 && requestBytes + estimate() > messageLimit;
    }

    /** The keys of a reply arrived (or failed): their reservations end; {@code bytes} (-1: unknown) of {@code got} keys arrived. */
    public void arrived(Iterable<Key> keys, int got, long bytes) {
        for (Key k : keys) {
            Long r = reserved.remove(k);
            if (r != null) inFlight -= r;
        }
        if (got > 0 && bytes >= 0) {
            double avg = (double) bytes / got;
            perKey = perKey < 0 ? avg : Math.max(avg, (perKey + avg) / 2);
        }
    }

    /** Bytes reserved by fetches in flight. */
    public long inFlight() {
        return inFlight;
    }

    /** Keys in flight. */
    public int keysInFlight() {
        return reserved.size();
    }
}

package org.jdask.distributed.coord;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jdask.JdaskException;
import org.jdask.distributed.Future;
import org.jdask.distributed.internal.Messages.CoordReply;
import org.jdask.distributed.internal.Messages.CoordRequest;
import org.jdask.distributed.internal.Payload;
import org.jdask.graph.Key;

/**
 * What every coordination object shares: its kind and name, the round trip to the scheduler, and
 * the one place a wait's timeout becomes {@link CoordinationTimeoutException} naming the object.
 */
abstract class Named {
    /** How much longer than the scheduler's own deadline the client waits for the reply (then the scheduler counts as slow or lost). */
    static final long GRACE_MS = 10_000;

    final CoordTransport transport;
    final String kind, name, wireName;

    Named(CoordTransport transport, String kind, String name, String wireName) {
        this.transport = Objects.requireNonNull(transport, "transport");
        if (name == null || name.isEmpty()) throw new IllegalArgumentException(kind + " needs a non-empty name");
        this.kind = kind;
        this.name = name;
        this.wireName = wireName;
    }

    public String name() {
        return name;
    }

    String what(String verb) {
        return kind + " '" + name + "' " + verb;
    }

    static long millis(Duration timeout, String what) {
        if (timeout == null || timeout.isNegative()) throw new IllegalArgumentException(what + ": the timeout must be >= 0, got " + timeout);
        return timeout.toMillis();
    }

    long defaultTimeout() {
        return transport.defaultTimeoutMs();
    }

    /**
     * One request; a {@code TIMEOUT} reply throws {@link CoordinationTimeoutException}, a refusal
     * {@link JdaskException}, both naming this object and the operation.
     */
    CoordReply ask(CoordOp op, String verb, Object value, long n, long timeoutMs, String lease) {
        Payload v;
        List<Key> keys;
        if (value instanceof Future<?> f) { // a future travels as its key: the scheduler keeps its data alive
            v = null;
            keys = List.of(f.key());
        } else {
            v = value == null ? null : Payload.ofValue(value);
            keys = List.of();
        }
        CoordReply r = transport.call(id -> new CoordRequest(id, op, wireName, v, keys, n, timeoutMs, lease),
                Math.max(0, timeoutMs) + GRACE_MS, what(verb));
        switch (r.status()) {
            case TIMEOUT -> throw new CoordinationTimeoutException(what(verb) + " timed out after " + timeoutMs + " ms: " + r.error()
                    + " (scheduler " + transport.scheduler() + ")");
            case REFUSED -> throw new JdaskException(what(verb) + " refused by the scheduler at " + transport.scheduler() + ": " + r.error());
            default -> {
                return r;
            }
        }
    }

    /** Sends without a reply (id 0). */
    void tell(CoordOp op, Object value) {
        transport.send(new CoordRequest(0, op, wireName, value == null ? null : Payload.ofValue(value), List.of(), 0, 0, null));
    }

    /** The value a reply carries: a future for a key, else the decoded payload. */
    @SuppressWarnings("unchecked")
    <T> T value(CoordReply r) {
        if (!r.keys().isEmpty()) return (T) transport.adopt(r.keys().get(0));
        return r.value() == null ? null : (T) r.value().value();
    }

    @Override
    public String toString() {
        return kind + "('" + name + "', scheduler=" + transport.scheduler() + ")";
    }
}

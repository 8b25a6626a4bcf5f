package org.jdask.distributed.coord;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jdask.JdaskException;

/**
 * Receives the messages published on a topic from the moment it is created (Dask's {@code Sub});
 * they wait here until {@link #get}. Close it to stop receiving.
 */
public final class Sub<T> extends Named implements AutoCloseable {
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final Consumer<Object> sink = v -> inbox.add(v == null ? NULL : v);
    private volatile boolean closed;

    /** Subscribes at once (a round trip): every message published after this returns arrives. */
    public Sub(CoordTransport transport, String topic) {
        super(transport, "Sub", topic, topic);
        transport.subscribe(topic, sink);
        ask(CoordOp.SUBSCRIBE, "subscribe", null, 0, 0, null);
    }

    public T get() {
        return get(Duration.ofMillis(defaultTimeout()));
    }

    /** The next message, waiting at most {@code timeout}. */
    @SuppressWarnings("unchecked")
    public T get(Duration timeout) {
        if (closed) throw new IllegalStateException(what("get") + ": closed");
        try {
            Object m = inbox.poll(millis(timeout, what("get")), TimeUnit.MILLISECONDS);
            if (m == null) {
                throw new CoordinationTimeoutException(what("get") + " timed out after " + timeout.toMillis() + " ms: no message (scheduler "
                        + transport.scheduler() + ")");
            }
            return (T) (m == NULL ? null : m);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JdaskException("interrupted during " + what("get"));
        }
    }

    /** Messages received and not yet taken. */
    public int pending() {
        return inbox.size();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        transport.unsubscribe(name, sink);
    }

    /** Stands for a null message in the inbox (which takes no nulls). */
    static final Object NULL = new Object();
}

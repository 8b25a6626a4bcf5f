package org.jdask.distributed.coord;

import java.time.Duration;

/**
 * A first-in first-out queue kept by the scheduler under a name (Dask's {@code Queue}): any
 * client or task that names it shares it. {@code put} waits while a bounded queue is full,
 * {@code get} while it is empty, each at most its timeout (or config
 * {@code distributed.coordination.timeout}, 60 s), then throws
 * {@link CoordinationTimeoutException} naming the queue. A {@link org.jdask.distributed.Future}
 * put in the queue keeps its data alive until someone gets it; the getter receives a future of
 * the same key. Other values travel as {@code Codecs} frames the scheduler never decodes.
 *
 * <p>Every operation is one round trip to the scheduler (Dask's too): a queue is for
 * coordination and small messages, not for streaming bulk data (put futures for that).
 */
public final class Queue<T> extends Named {
    private final long maxsize;

    /** {@code maxsize} 0: unbounded; the first user of the name sets the bound. */
    public Queue(CoordTransport transport, String name, long maxsize) {
        super(transport, "Queue", name, name);
        if (maxsize < 0) throw new IllegalArgumentException("Queue '" + name + "': maxsize must be >= 0 (0: unbounded), got " + maxsize);
        this.maxsize = maxsize;
    }

    public void put(T value) {
        put(value, Duration.ofMillis(defaultTimeout()));
    }

    /** Adds {@code value}, waiting at most {@code timeout} while the queue is full. */
    public void put(T value, Duration timeout) {
        ask(CoordOp.QUEUE_PUT, "put", value, maxsize, millis(timeout, what("put")), null);
    }

    public T get() {
        return get(Duration.ofMillis(defaultTimeout()));
    }

    /** Takes the first item, waiting at most {@code timeout} for one. */
    public T get(Duration timeout) {
        return value(ask(CoordOp.QUEUE_GET, "get", null, 0, millis(timeout, what("get")), null));
    }

    /** Items in the queue now. */
    public int size() {
        return (int) ask(CoordOp.QUEUE_SIZE, "size", null, 0, 0, null).n();
    }
}

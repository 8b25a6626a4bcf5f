package org.jdask.distributed.coord;

/**
 * Publishes messages on a topic (Dask's {@code Pub}): every {@link Sub} of the topic subscribed at
 * that moment, in any client or task, receives each message once, in the order this publisher
 * sent them. A message nobody is subscribed to is dropped. Unlike Dask (where publishers and
 * subscribers talk directly once the scheduler has introduced them), messages go through the
 * scheduler: one hop more, no extra connections.
 */
public final class Pub<T> extends Named {
    public Pub(CoordTransport transport, String topic) {
        super(transport, "Pub", topic, topic);
    }

    /** Sends {@code message} (does not wait). */
    public void put(T message) {
        tell(CoordOp.PUBLISH, message);
    }
}

package org.jdask.distributed.coord;

import java.util.function.Consumer;
import java.util.function.LongFunction;
import org.jdask.distributed.Future;
import org.jdask.distributed.internal.Messages.CoordReply;
import org.jdask.distributed.internal.Messages.CoordRequest;
import org.jdask.graph.Key;

/**
 * A client's side of the coordination objects (implemented by the client; not for users): how a
 * {@link Queue}, {@link Lock}, ... reaches the scheduler and turns keys back into futures.
 */
public interface CoordTransport {
    /** Sends the request built with a fresh id and waits at most {@code waitMs} for its reply; fails naming {@code what}. */
    CoordReply call(LongFunction<CoordRequest> build, long waitMs, String what);

    /** Sends without waiting for a reply (a publish, a lease refresh, an unsubscribe: id 0). */
    void send(CoordRequest request);

    /** A future of {@code key}, which the scheduler made this client want. */
    Future<Object> adopt(Key key);

    /** This client now holds one more lease (of {@code leaseMs}): refresh its leases while it holds any. */
    void leaseTaken(long leaseMs);

    /** This client holds one lease fewer. */
    void leaseReturned();

    /** Delivers every message on {@code topic} to {@code sink} until {@link #unsubscribe}. */
    void subscribe(String topic, Consumer<Object> sink);

    void unsubscribe(String topic, Consumer<Object> sink);

    /** Config {@code distributed.coordination.timeout} (60 s): how long a wait without its own timeout waits. */
    long defaultTimeoutMs();

    /** The scheduler's address, for messages. */
    String scheduler();
}

package org.jdask.distributed.coord;

import java.time.Duration;

/**
 * A cluster-wide flag under a name (Dask's {@code Event}): {@link #set()} wakes every waiter,
 * {@link #clear()} makes later waits wait again.
 */
public final class Event extends Named {
    public Event(CoordTransport transport, String name) {
        super(transport, "Event", name, name);
    }

    public void set() {
        ask(CoordOp.EVENT_SET, "set", null, 0, 0, null);
    }

    public void clear() {
        ask(CoordOp.EVENT_CLEAR, "clear", null, 0, 0, null);
    }

    public boolean isSet() {
        return ask(CoordOp.EVENT_IS_SET, "isSet", null, 0, 0, null).n() == 1;
    }

    public void await() {
        await(Duration.ofMillis(defaultTimeout()));
    }

    /** Returns once the event is set; waits at most {@code timeout}, then throws {@link CoordinationTimeoutException}. */
    public void await(Duration timeout) {
        ask(CoordOp.EVENT_WAIT, "await", null, 0, millis(timeout, what("await")), null);
    }
}

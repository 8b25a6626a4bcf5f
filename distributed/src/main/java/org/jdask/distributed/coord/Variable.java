package org.jdask.distributed.coord;

import java.time.Duration;

/**
 * One value kept by the scheduler under a name (Dask's {@code Variable}). {@code get} waits until
 * some client has set it, at most its timeout. A {@link org.jdask.distributed.Future} as the value
 * keeps its data alive while it is the value, even after the client that set it is gone.
 */
public final class Variable<T> extends Named {
    public Variable(CoordTransport transport, String name) {
        super(transport, "Variable", name, name);
    }

    /** Replaces the value (a future's data stays alive while it is the value). */
    public void set(T value) {
        ask(CoordOp.VARIABLE_SET, "set", value, 0, 0, null);
    }

    public T get() {
        return get(Duration.ofMillis(defaultTimeout()));
    }

    /** The value, waiting at most {@code timeout} until it is set. */
    public T get(Duration timeout) {
        return value(ask(CoordOp.VARIABLE_GET, "get", null, 0, millis(timeout, what("get")), null));
    }

    /** Forgets the value (and releases a future's data, unless something else holds it). */
    public void delete() {
        ask(CoordOp.VARIABLE_DELETE, "delete", null, 0, 0, null);
    }
}

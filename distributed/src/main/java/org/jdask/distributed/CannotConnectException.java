package org.jdask.distributed;

import org.jdask.JdaskException;

/**
 * A client could not connect to its scheduler (Dask raises {@code OSError}/{@code TimeoutError}):
 * {@link #reason()} says whether the connection was refused (nothing listens at the address, the
 * scheduler refused this client's key or protocol version) or timed out (no answer within
 * {@code distributed.comm.timeouts.connect}); the cause carries the detail.
 */
public final class CannotConnectException extends JdaskException {
    /** Why the connection failed. */
    public enum Reason { REFUSED, TIMED_OUT }

    private final String address;
    private final Reason reason;

    public CannotConnectException(String address, Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.address = address;
        this.reason = reason;
    }

    /** The scheduler address that could not be reached. */
    public String address() {
        return address;
    }

    public Reason reason() {
        return reason;
    }
}

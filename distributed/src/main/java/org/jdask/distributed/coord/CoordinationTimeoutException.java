package org.jdask.distributed.coord;

import org.jdask.JdaskException;

/** A wait on a queue, variable, lock, semaphore, event or subscription ran out; the message names it. */
public final class CoordinationTimeoutException extends JdaskException {
    public CoordinationTimeoutException(String message) {
        super(message);
    }
}

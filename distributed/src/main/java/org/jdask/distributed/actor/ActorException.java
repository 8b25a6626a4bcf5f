package org.jdask.distributed.actor;

import org.jdask.JdaskException;

/**
 * A call on an actor failed: the method threw ({@link #getCause()} is its exception, or a
 * {@code RemoteTaskError} with its type, message and stack when the worker is another JVM), the
 * actor could not be built, or it is gone. {@link #actor()} names the actor.
 */
public class ActorException extends JdaskException {
    private final String actor;

    public ActorException(String actor, String message, Throwable cause) {
        super(message, cause);
        this.actor = actor;
    }

    /** The actor's name, e.g. {@code Counter-3f2a9c1b}. */
    public String actor() {
        return actor;
    }
}

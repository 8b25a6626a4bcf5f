package org.jdask.distributed.actor;

/**
 * The worker holding an actor left the cluster (its JVM died, or it was closed, retired or
 * restarted): calls that were pending fail with this, and so does every later call. Actors are not
 * recovered (as in Dask): the object's state lived only in that worker's memory.
 */
public class ActorLostException extends ActorException {
    private final String worker;

    public ActorLostException(String actor, String worker, String message) {
        super(actor, message, null);
        this.worker = worker;
    }

    /** The address of the worker that held the actor. */
    public String worker() {
        return worker;
    }
}

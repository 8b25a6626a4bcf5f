package org.jdask.distributed.coord;

/** What a {@code COORD_REQUEST} asks of the scheduler's {@link CoordState} (wire names: never rename). */
public enum CoordOp {
    QUEUE_PUT, QUEUE_GET, QUEUE_SIZE,
    VARIABLE_SET, VARIABLE_GET, VARIABLE_DELETE,
    /** Locks are semaphores of one lease under their own names ({@code lock:NAME}). */
    SEMAPHORE_ACQUIRE, SEMAPHORE_RELEASE,
    /** Keeps every lease of the sending client alive (sent every third of the lease time). */
    LEASE_REFRESH,
    EVENT_SET, EVENT_CLEAR, EVENT_WAIT, EVENT_IS_SET,
    PUBLISH, SUBSCRIBE, UNSUBSCRIBE,
    /**
     * On the client's own connection, id 0, name: the ZeroMQ identity of one of its direct
     * channels that it closed (idle too long, or failed): the scheduler forgets that channel.
     * Handled by the scheduler's shell, never by {@link CoordState}.
     */
    CHANNEL_CLOSE
}

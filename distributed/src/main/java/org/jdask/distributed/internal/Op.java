package org.jdask.distributed.internal;

/** Message types of the wire protocol; {@code distributed/PROTOCOL.md} lists each one's fields. */
public enum Op {
    // any peer -> scheduler
    HELLO_CLIENT, HELLO_WORKER, WELCOME, ERROR,
    // client -> scheduler
    UPDATE_GRAPH, RELEASE, CANCEL, UPDATE_DATA, STORY, STORY_REPLY, WORKERS, WORKERS_REPLY, GOODBYE,
    PUBLISH, GET_DATASET, DATASET_REPLY,
    // scheduler -> client
    REPORT, TASK_DONE,
    // worker <-> scheduler
    HEARTBEAT, FINISHED, ERRED, MISSING, STEAL_ANSWER, COMPUTE, FREE, STEAL, CLOSE, WORKER_DIED,
    // peer <-> worker data server
    GET_DATA, DATA, PUT_DATA, PUT_ACK, RUN, RUN_REPLY,
    // client -> scheduler (appended: codes are ordinals)
    RESTART,
    // client -> scheduler: the states of keys a client waits for (its watchdog against forgotten keys)
    KEY_STATE, KEY_STATE_REPLY,
    // worker -> scheduler: a task it was told to drop has stopped (its thread is free)
    RELEASED,
    // worker memory (issue 15): client -> scheduler, scheduler -> client, scheduler -> worker
    RETIRE_WORKERS, REBALANCE, MOVES_DONE, ACQUIRE,
    // peer -> worker data port: open a bulk-channel session (issue 17)
    BULK_HELLO, BULK_WELCOME,
    // coordination (issue 19): client -> scheduler requests and replies, topic messages, a seceded task,
    // who holds what, replicas
    COORD_REQUEST, COORD_REPLY, TOPIC_MESSAGE, LONG_RUNNING, WHO_HAS, WHO_HAS_REPLY, REPLICATE,
    // actors (issue 19): client -> worker data port and back
    ACTOR_CREATE, ACTOR_CALL, ACTOR_HOLD, ACTOR_REPLY,
    // performance report (issue 19): client -> scheduler and back
    TASK_STREAM, TASK_STREAM_REPLY,
    // coordination (issue 19): client -> scheduler, a second connection of a client for its threads' round trips
    COORD_CHANNEL,
    // worker -> worker data port: a fetch that takes large values as a bulk-channel offer (issue 17)
    PEER_FETCH, BULK_OFFER;

    private static final Op[] ALL = values();

    public static Op of(int code) {
        if (code < 0 || code >= ALL.length) throw new IllegalArgumentException("unknown op code " + code);
        return ALL[code];
    }
}

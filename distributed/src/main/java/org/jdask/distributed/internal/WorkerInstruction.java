package org.jdask.distributed.internal;

import java.util.List;
import org.jdask.graph.Key;

/** What {@link WorkerState#handle} asks its shell to do. */
public sealed interface WorkerInstruction {
    /** Run {@code key} on an executor thread (its dependencies are in the store). */
    record Execute(Key key, Object spec, Object config) implements WorkerInstruction {}

    /** Ask peer {@code from} for these keys. */
    record Fetch(String from, List<Key> keys) implements WorkerInstruction {}

    /** Tell the scheduler: {@code key} is in memory here. */
    record Finished(Key key, long nbytes, double seconds) implements WorkerInstruction {}

    /** Tell the scheduler: {@code key} failed with {@code error}. */
    record Erred(Key key, Object error) implements WorkerInstruction {}

    /** Tell the scheduler: {@code dep}, needed by {@code key}, could not be had from {@code from}. */
    record Missing(Key key, Key dep, String from) implements WorkerInstruction {}

    /** Answer a steal request. */
    record StealAnswer(Key key, boolean released) implements WorkerInstruction {}

    /** Interrupt the thread running {@code key}: the scheduler dropped it (a cancel). */
    record Interrupt(Key key) implements WorkerInstruction {}

    /** Tell the scheduler: {@code key}, which it dropped, no longer takes a thread here. */
    record Released(Key key) implements WorkerInstruction {}

    /** Remove these values from the store. */
    record Drop(List<Key> keys) implements WorkerInstruction {}
}

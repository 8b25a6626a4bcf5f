package org.jdask.distributed.internal;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.jdask.graph.Key;

/** What can happen to a worker: each record is one input of {@link WorkerState#handle}. */
public sealed interface WorkerEvent {
    /** The scheduler asks for {@code key}; {@code whoHas} says where its dependencies are. */
    record Compute(Key key, Object spec, Object config, Map<Key, List<String>> whoHas, Prio prio,
                   Map<String, Double> resources) implements WorkerEvent {}

    /** The scheduler no longer needs these keys here. */
    record Free(Collection<Key> keys) implements WorkerEvent {}

    /**
     * A fetch from peer {@code from} returned: {@code got} are now in the store ({@code bytes} of
     * them, -1 if not measured), {@code missing} were not there.
     */
    record FetchDone(String from, Collection<Key> got, Collection<Key> missing, long bytes) implements WorkerEvent {
        public FetchDone(String from, Collection<Key> got, Collection<Key> missing) {
            this(from, got, missing, -1);
        }
    }

    /** A task's function returned; its value is in the store. */
    record ExecuteDone(Key key, long nbytes, double seconds) implements WorkerEvent {}

    /** A task's function threw; {@code error} is the (opaque) exception payload. */
    record ExecuteFailed(Key key, Object error) implements WorkerEvent {}

    /** The scheduler wants {@code key} back if it has not started. */
    record Steal(Key key) implements WorkerEvent {}

    /** A client put these keys' values into the store (scatter); kept until freed. */
    record Scattered(Collection<Key> keys) implements WorkerEvent {}

    /** Fetch {@code key} from the workers {@code from} and keep it (the scheduler moves it here). */
    record Acquire(Key key, List<String> from) implements WorkerEvent {}

    /**
     * The memory manager paused the worker (process memory past {@code pause}: start no task and
     * no fetch) or resumed it.
     */
    record Pause(boolean paused, String why) implements WorkerEvent {}

    /**
     * The running task {@code key} seceded ({@code Worker.secede()}: it waits on tasks it submitted, so its
     * thread no longer counts against {@code nthreads}) or, with {@code rejoin}, counts again.
     */
    record Secede(Key key, boolean rejoin) implements WorkerEvent {}
}

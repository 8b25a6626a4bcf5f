package org.jdask.distributed.internal;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdask.graph.Key;

/** What can happen to the scheduler: each record is one input of {@link SchedulerState#handle}. */
public sealed interface SchedulerEvent {
    /**
     * A worker registered: its address (also its id), name, thread count, abstract resources and
     * memory limit in bytes (0: none given).
     */
    record AddWorker(String address, String name, int nthreads, Map<String, Double> resources, long memoryLimit)
            implements SchedulerEvent {
        public AddWorker(String address, String name, int nthreads, Map<String, Double> resources) {
            this(address, name, nthreads, resources, 0);
        }
    }

    /** A worker left or died (nanny report, heartbeat timeout, close). */
    record RemoveWorker(String address, String reason) implements SchedulerEvent {}

    /** A worker is alive. */
    record Heartbeat(String address) implements SchedulerEvent {}

    /**
     * A worker's memory manager paused it (process memory past {@code distributed.worker.memory.pause})
     * or resumed it: a paused worker is sent no new task.
     */
    record WorkerStatus(String address, boolean paused) implements SchedulerEvent {}

    /**
     * {@code client.retireWorkers}: move every result only these workers hold to other workers,
     * then close them (answered with a {@code MovesDone} for {@code requestId}).
     */
    record RetireWorkers(String client, long requestId, List<String> addresses) implements SchedulerEvent {}

    /** {@code client.rebalance()}: even out the bytes held per worker (answered with a {@code MovesDone}). */
    record Rebalance(String client, long requestId) implements SchedulerEvent {}

    /** Time passes: heartbeat timeouts and work stealing are checked. */
    record Tick() implements SchedulerEvent {}

    record AddClient(String client) implements SchedulerEvent {}

    /** A client went away: everything it wanted is released. */
    record RemoveClient(String client) implements SchedulerEvent {}

    /**
     * One task of an {@link UpdateGraph}: {@code spec} and {@code config} are opaque payloads the
     * scheduler only forwards; {@code workers} and {@code resources} restrict where it may run.
     */
    record NewTask(Key key, Object spec, Object config, List<Key> deps, int userPriority, int order, int retries,
                   Set<String> workers, Map<String, Double> resources, String prefix) {
        public NewTask {
            deps = List.copyOf(deps);
            workers = workers == null ? Set.of() : Set.copyOf(workers);
            resources = resources == null ? Map.of() : Map.copyOf(resources);
        }
    }

    /**
     * A client submits tasks (dependencies first) and wants {@code wanted}; with {@code report}
     * the client is told about every task of this update that finishes (for listeners).
     */
    record UpdateGraph(String client, List<NewTask> tasks, Collection<Key> wanted, boolean report) implements SchedulerEvent {}

    record ReleaseKeys(String client, Collection<Key> keys) implements SchedulerEvent {}

    /** Like release, and the client's futures of these keys are told they were cancelled. */
    record CancelKeys(String client, Collection<Key> keys) implements SchedulerEvent {}

    record TaskFinished(String worker, Key key, long nbytes, double seconds) implements SchedulerEvent {}

    record TaskErred(String worker, Key key, Object exception) implements SchedulerEvent {}

    /** {@code worker} could not get {@code dep} (needed by {@code key}) from {@code from}. */
    record MissingData(String worker, Key key, Key dep, String from) implements SchedulerEvent {}

    /** The answer to a steal request: {@code released} when the victim dropped the task unstarted. */
    record StealResponse(String worker, Key key, boolean released) implements SchedulerEvent {}

    /** {@code worker} stopped {@code key}, which it was told to drop (its thread is free again). */
    record TaskReleased(String worker, Key key) implements SchedulerEvent {}

    /** Data a client placed on workers itself (scatter): each key with the workers holding it. */
    record UpdateData(String client, List<Scattered> keys) implements SchedulerEvent {}

    record Scattered(Key key, List<String> workers, long nbytes) {}

    /**
     * {@code client.restart()}: every worker is closed (nannies and {@code LocalCluster} start new
     * ones) and every task, result and queue is forgotten; every client is told its keys were cancelled.
     */
    record Restart(String client) implements SchedulerEvent {}

    /** Task {@code key} seceded on {@code worker} (it waits on tasks it submitted): its thread no longer counts as taken. */
    record Seceded(String worker, Key key) implements SchedulerEvent {}

    /** {@code client.replicate}: copy each key in memory onto {@code n} workers (fewer if there are fewer). */
    record Replicate(List<Key> keys, int n) implements SchedulerEvent {}
}

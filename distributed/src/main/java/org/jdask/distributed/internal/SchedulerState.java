package org.jdask.distributed.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdask.KilledWorkerException;
import org.jdask.distributed.internal.SchedulerEvent.*;
import org.jdask.distributed.internal.SchedulerInstruction.*;
import org.jdask.graph.Key;

/**
 * The distributed scheduler's whole state, as a pure state machine: {@link #handle} takes one
 * {@link SchedulerEvent} and returns the {@link SchedulerInstruction}s its shell must send. No
 * sockets, no threads, no clocks (time comes in with each event), so every rule is unit-tested by
 * asserting whole states after a sequence of events.
 *
 * <h2>How it works</h2>
 * Each {@link SchedulerTask} moves through the {@link TaskState} table. A task a client wants (or that a
 * wanted task needs) goes {@code RELEASED -> WAITING}; when no dependency is missing it is
 * <em>ready</em>: root tasks (no dependencies) go to a worker with a free slot or wait in the
 * scheduler's {@code QUEUED} set (so a 1,000,000-task map does not flood worker memory), other
 * tasks go straight to the worker chosen by {@link Placement}. A finished task is {@code MEMORY};
 * a dependency whose dependents are all done and that no client wants is released (its workers
 * are told to free it) and, once nothing refers to it, {@code FORGOTTEN}.
 *
 * <p>When a worker dies, tasks it was running are sent elsewhere (counting the death against
 * them: after {@code allowedFailures} deaths the task errs with {@link KilledWorkerException}),
 * and results only it held are recomputed from their specs if something still needs them. All
 * cascades (release, forget, error propagation, recomputation) use explicit work lists, so a
 * 100,000-long chain does not overflow the stack.
 *
 * <p>Every transition goes through {@link TaskState#check} and is logged in a bounded
 * {@link TransitionLog}; {@link #story(Key)} explains a stuck task.
 */
public final class SchedulerState {
    /**
     * Tunables, from config {@code distributed.scheduler.*}. {@code rootQueueSeconds}: besides its
     * {@code ceil(threads * workerSaturation)} slots, a worker takes more root tasks while their
     * estimated durations add up to at most this many seconds per thread (see {@link Placement}).
     */
    public record Options(double workerSaturation, int allowedFailures, long workerTtlMillis, double unknownDuration,
                          boolean workStealing, int logLength, double rootQueueSeconds) {
        /** Without the short-task allowance ({@code rootQueueSeconds = 0}): slots count tasks only. */
        public Options(double workerSaturation, int allowedFailures, long workerTtlMillis, double unknownDuration,
                       boolean workStealing, int logLength) {
            this(workerSaturation, allowedFailures, workerTtlMillis, unknownDuration, workStealing, logLength, 0);
        }

        public static Options defaults() {
            return new Options(1.1, 3, 10_000, 0.5, true, 100_000, 0.02);
        }
    }

    final Options options;
    final Map<Key, SchedulerTask> tasks = new HashMap<>();
    final Map<String, SchedulerWorker> workers = new LinkedHashMap<>();
    final Set<String> clients = new HashSet<>();
    final RunQueue<SchedulerTask> queued = new RunQueue<>(SchedulerState::byPriority);
    final Set<SchedulerTask> noWorker = new LinkedHashSet<>();
    final TransitionLog log;
    final Placement placement;
    final DataMoves moves = new DataMoves(this);
    /** The key under which worker status changes (paused, resumed, closing) are logged. */
    static final Key STATUS_KEY = Key.of("worker-status");
    private long generation;
    private int workerNumbers;
    private long now;

    /** The time of the event being handled. */
    long now() {
        return now;
    }
    private List<SchedulerInstruction> out;
    private String reason = "";

    public SchedulerState(Options options) {
        this.options = options;
        this.log = new TransitionLog(options.logLength());
        this.placement = new Placement(this);
    }

    static int byPriority(SchedulerTask a, SchedulerTask b) {
        int c = a.prio.compareTo(b.prio);
        return c != 0 ? c : a.key.compareTo(b.key);
    }

    // ---------------------------------------------------------------- queries

    public SchedulerTask task(Key key) {
        return tasks.get(key);
    }

    public TaskState stateOf(Key key) {
        SchedulerTask t = tasks.get(key);
        return t == null ? TaskState.FORGOTTEN : t.state;
    }

    public Map<Key, SchedulerTask> tasks() {
        return java.util.Collections.unmodifiableMap(tasks);
    }

    public Map<String, SchedulerWorker> workers() {
        return java.util.Collections.unmodifiableMap(workers);
    }

    /** Ready root tasks held back until a worker has a free slot. */
    public int queuedCount() {
        return queued.size();
    }

    /** Ready tasks that no worker can run now (no workers, or none satisfies their restrictions). */
    public int unrunnableCount() {
        return noWorker.size();
    }

    public List<Key> queuedKeys() {
        List<Key> out = new ArrayList<>(queued.size());
        for (SchedulerTask t : queued.toList()) out.add(t.key);
        return out;
    }

    public List<TransitionLog.Entry> story(Key key) {
        return log.story(key);
    }

    /** Estimated seconds per task, by function name, learned from finished tasks. */
    public Map<String, Double> durations() {
        return java.util.Collections.unmodifiableMap(placement.durations);
    }

    // ---------------------------------------------------------------- the one entry point

    /** Applies {@code event} at time {@code nowMillis}; returns what to send, in order. */
    public List<SchedulerInstruction> handle(SchedulerEvent event, long nowMillis) {
        // per-event context: set afresh for every event, so no reason leaks from one event to the next
        this.now = nowMillis;
        this.reason = event.getClass().getSimpleName();
        this.out = new ArrayList<>();
        if (event instanceof UpdateGraph e) updateGraph(e);
        else if (event instanceof TaskFinished e) taskFinished(e);
        else if (event instanceof TaskErred e) taskErred(e);
        else if (event instanceof ReleaseKeys e) releaseKeys(e.client(), e.keys(), false);
        else if (event instanceof CancelKeys e) releaseKeys(e.client(), e.keys(), true);
        else if (event instanceof AddWorker e) addWorker(e);
        else if (event instanceof RemoveWorker e) removeWorker(e.address(), e.reason());
        else if (event instanceof Heartbeat e) {
            SchedulerWorker w = workers.get(e.address());
            if (w != null) w.lastSeen = now;
        } else if (event instanceof WorkerStatus e) workerStatus(e);
        else if (event instanceof RetireWorkers e) moves.retire(e);
        else if (event instanceof Rebalance e) moves.rebalance(e);
        else if (event instanceof Tick) tick();
        else if (event instanceof AddClient e) clients.add(e.client());
        else if (event instanceof RemoveClient e) removeClient(e.client());
        else if (event instanceof MissingData e) missingData(e);
        else if (event instanceof StealResponse e) placement.stealResponse(e);
        else if (event instanceof SchedulerEvent.TaskReleased e) taskReleased(e);
        else if (event instanceof UpdateData e) updateData(e);
        else if (event instanceof Restart e) restart(e.client());
        else if (event instanceof SchedulerEvent.Seceded e) Replicas.seceded(this, e);
        else if (event instanceof SchedulerEvent.Replicate e) Replicas.replicate(this, e);
        else throw new IllegalArgumentException("unknown scheduler event " + event);
        List<SchedulerInstruction> result = out;
        out = null;
        reason = "";
        return result;
    }

    // ---------------------------------------------------------------- transitions

    void transition(SchedulerTask t, TaskState to, String why) {
        TaskState.check(t.key, t.state, to);
        log.add(t.key, t.state, to, why, now);
        t.state = to;
    }

    /** Logs an event that keeps {@code t}'s state (a steal, a resumed task) with the event's time, like a transition. */
    void note(SchedulerTask t, String why) {
        log.add(t.key, t.state, t.state, why, now);
    }

    void emit(SchedulerInstruction i) {
        out.add(i);
    }

    private void updateGraph(UpdateGraph e) {
        SchedulerChecks.validateUpdate(this, e);
        clients.add(e.client());
        long gen = generation++;
        List<SchedulerTask> fresh = new ArrayList<>(e.tasks().size());
        for (NewTask nt : e.tasks()) {
            SchedulerTask t = tasks.get(nt.key());
            if (t == null) {
                t = new SchedulerTask(nt.key());
                tasks.put(nt.key(), t);
            }
            if (SchedulerChecks.takesSpec(t)) {
                // new, or a failure nobody holds on to any more: take the (new) spec
                if (t.state == TaskState.ERRED) forgetErrorForResubmit(t);
                t.spec = nt.spec();
                t.config = nt.config();
                t.prefix = nt.prefix();
                t.retries = nt.retries();
                t.workerRestrictions = nt.workers();
                t.resources = nt.resources();
                for (Key dk : nt.deps()) {
                    SchedulerTask d = tasks.get(dk);
                    if (d == null) {
                        throw new IllegalArgumentException("task " + nt.key() + " depends on " + dk
                                + ", which is neither in this update nor known to the scheduler");
                    }
                    if (d.dependents.add(t)) { // a set: no O(n^2) list scan for a task with 10,000 inputs
                        t.deps.add(d);
                    }
                }
            }
            // the queue is sorted by priority: a queued task leaves it while its priority changes
            boolean wasQueued = t.state == TaskState.QUEUED && queued.remove(t);
            t.prio = new Prio(nt.userPriority(), gen, nt.order());
            if (wasQueued) queued.add(t);
            if (e.report()) t.reportTo = e.client();
            fresh.add(t);
        }
        List<SchedulerTask> wanted = new ArrayList<>(e.wanted().size());
        for (Key k : e.wanted()) {
            SchedulerTask t = tasks.get(k);
            if (t == null) throw new IllegalArgumentException("client " + e.client() + " wants " + k + ", which is not in the graph");
            t.whoWants.add(e.client());
            wanted.add(t);
        }
        reason = "update-graph from " + e.client();
        // dependencies come first in the update, so walking it in reverse finds every needed task
        // from its dependents; then make them runnable in dependency order
        // (a wanted task is needed without being in the set: a map's wanted root tasks add nothing to it)
        Set<SchedulerTask> needed = new HashSet<>();
        for (int i = fresh.size() - 1; i >= 0; i--) {
            SchedulerTask t = fresh.get(i);
            if (!t.whoWants.isEmpty() || needed.contains(t)) needed.addAll(t.deps);
        }
        for (SchedulerTask t : fresh) {
            if ((!t.whoWants.isEmpty() || needed.contains(t)) && t.state == TaskState.RELEASED) toWaiting(t);
        }
        // wanted keys already done (computed earlier, scattered, or held by a dataset): tell this client now
        for (SchedulerTask t : wanted) {
            if (!t.state.isDone()) continue;
            if (t.state == TaskState.MEMORY) emit(new Report(e.client(), t.key, ReportKind.MEMORY, t.whoHas(), null, null));
            else emit(new Report(e.client(), t.key, ReportKind.ERRED, List.of(), t.exception, t.blame));
        }
    }

    private void forgetErrorForResubmit(SchedulerTask t) {
        transition(t, TaskState.RELEASED, "resubmitted after error");
        t.exception = null;
        t.blame = null;
        for (SchedulerTask d : t.deps) d.dependents.remove(t);
        t.deps.clear();
        t.spec = null;
    }

    /** RELEASED -> WAITING, pulling released dependencies along (iteratively). */
    void toWaiting(SchedulerTask root) {
        if (root.deps.isEmpty()) { // a root task (a map's): nothing to pull along, no work lists
            if (root.state == TaskState.RELEASED) waitingOrReady(root);
            return;
        }
        ArrayDeque<SchedulerTask> stack = new ArrayDeque<>();
        stack.push(root);
        Set<SchedulerTask> ordered = new LinkedHashSet<>();
        Set<SchedulerTask> seen = new HashSet<>();
        // post-order: dependencies become WAITING before their dependents
        while (!stack.isEmpty()) {
            SchedulerTask t = stack.peek();
            if (seen.add(t)) {
                for (SchedulerTask d : t.deps) if (d.state == TaskState.RELEASED && !seen.contains(d)) stack.push(d);
            } else {
                stack.pop();
                if (t.state == TaskState.RELEASED) ordered.add(t);
            }
        }
        for (SchedulerTask t : ordered) {
            if (t.state == TaskState.RELEASED) waitingOrReady(t);
        }
    }

    /** One RELEASED task whose released dependencies are WAITING already: WAITING, then ready, erred or waiting. */
    private void waitingOrReady(SchedulerTask t) {
        if (t.spec == null) { // scattered data whose holders are gone: cannot be recomputed
            t.exception = new IllegalStateException("the data of " + t.key
                    + " was scattered by a client and every worker holding it is gone; it cannot be recomputed");
            t.blame = t.key;
            transition(t, TaskState.ERRED, "lost scattered data");
            propagateError(t);
            return;
        }
        transition(t, TaskState.WAITING, reason);
        t.waitingOn.clear();
        SchedulerTask erredDep = null;
        for (SchedulerTask d : t.deps) {
            d.waiters.add(t);
            if (d.state == TaskState.ERRED) erredDep = d;
            else if (d.state != TaskState.MEMORY) t.waitingOn.add(d);
        }
        if (erredDep != null) {
            t.exception = erredDep.exception;
            t.blame = erredDep.blame;
            transition(t, TaskState.ERRED, "dependency " + erredDep.key + " erred");
            propagateError(t);
        } else if (t.waitingOn.isEmpty()) {
            ready(t);
        }
    }

    /** A WAITING task whose dependencies are all in memory: queue it or send it to a worker. */
    void ready(SchedulerTask t) {
        List<SchedulerWorker> valid = placement.validWorkers(t);
        if (valid.isEmpty()) {
            transition(t, TaskState.NO_WORKER, workers.isEmpty() ? "no workers"
                    : placement.allPaused(t) ? "every worker it may run on is paused (memory)" : "no worker satisfies its restrictions");
            noWorker.add(t);
            return;
        }
        if (t.deps.isEmpty() && t.workerRestrictions.isEmpty() && t.resources.isEmpty()) {
            SchedulerWorker w = placement.leastBusyUnsaturated(valid, t);
            if (w == null) {
                transition(t, TaskState.QUEUED, "all workers saturated");
                queued.add(t);
                return;
            }
            sendTo(t, w);
            return;
        }
        sendTo(t, placement.decide(t, valid));
    }

    /** {@code "<reason>; on <worker>"}, built once per reason and worker (a 10,000-task map sends all under one or two). */
    private String reasonOn(SchedulerWorker w) {
        if (reason != onReason || w != onWorker) {
            onReason = reason;
            onWorker = w;
            onText = reason + "; on " + w.address;
        }
        return onText;
    }

    private String onReason, onText;
    private SchedulerWorker onWorker;

    void sendTo(SchedulerTask t, SchedulerWorker w) {
        if (t.state == TaskState.QUEUED) queued.remove(t);
        if (t.state == TaskState.NO_WORKER) noWorker.remove(t);
        transition(t, TaskState.PROCESSING, reasonOn(w));
        t.processingOn = w;
        double d = placement.estimate(t);
        w.processing.put(t, d);
        w.occupancy += d;
        Map<Key, List<String>> whoHas = t.deps.isEmpty() ? Map.of() : new HashMap<>(t.deps.size() * 2);
        for (SchedulerTask dep : t.deps) whoHas.put(dep.key, dep.whoHas());
        emit(new Compute(w.address, t.key, t.spec, t.config, whoHas, t.prio, t.resources));
    }

    /**
     * Tells {@code t}'s worker to drop it (interrupting it if it runs); the worker's slot stays taken
     * until the worker confirms with {@code RELEASED} (or a late {@code FINISHED}/{@code ERRED}), so
     * no new task is queued behind a thread still inside a cancelled one.
     */
    private void freeProcessing(SchedulerTask t) {
        SchedulerWorker w = t.processingOn;
        emit(new Free(w.address, List.of(t.key)));
        w.releasing.add(t.key);
        stopProcessing(t);
    }

    /** The worker stopped a task it was told to drop: its slot is free. */
    private void taskReleased(SchedulerEvent.TaskReleased e) {
        SchedulerWorker w = workers.get(e.worker());
        if (w != null && w.releasing.remove(e.key())) fillFrom(w);
    }

    private void stopProcessing(SchedulerTask t) {
        SchedulerWorker w = t.processingOn;
        if (w != null) {
            Double d = w.processing.remove(t);
            if (d != null) w.occupancy = Math.max(0, w.occupancy - d);
            t.processingOn = null;
        }
        t.stealTo = null;
    }

    private void taskFinished(TaskFinished e) {
        SchedulerTask t = tasks.get(e.key());
        SchedulerWorker w = workers.get(e.worker());
        if (w == null) return; // a removed worker's late message
        w.releasing.remove(e.key());
        if (t == null || t.state != TaskState.PROCESSING || t.processingOn != w) {
            // a stale result (stolen, cancelled, or already recomputed elsewhere): keep it only if useful
            if (t != null && t.state == TaskState.MEMORY) {
                // a second report from a holder (freed while running, then computed again there) is
                // its current copy: freeing it would leave w in whoHas without the value
                if (!t.whoHas.contains(w)) {
                    addReplica(t, w, e.nbytes());
                    moves.finished(t, w);
                }
            } else {
                emit(new Free(w.address, List.of(e.key())));
            }
            fillFrom(w);
            return;
        }
        reason = w.finishedHere;
        placement.learn(t, e.seconds());
        stopProcessing(t);
        t.nbytes = Math.max(0, e.nbytes());
        transition(t, TaskState.MEMORY, reason);
        addReplica(t, w, t.nbytes);
        if (t.reportTo != null) emit(new TaskDone(t.reportTo, t.key, w.number, false));
        reportIfWanted(t);
        for (SchedulerTask dep : t.dependents) {
            if (dep.state == TaskState.WAITING && dep.waitingOn.remove(t) && dep.waitingOn.isEmpty()) ready(dep);
        }
        List<SchedulerTask> check = new ArrayList<>(t.deps);
        for (SchedulerTask d : check) {
            d.waiters.remove(t);
            maybeRelease(d);
        }
        maybeRelease(t);
        moves.finished(t, w);
        fillFrom(w);
    }

    private void addReplica(SchedulerTask t, SchedulerWorker w, long nbytes) {
        if (t.whoHas.add(w)) {
            w.hasWhat.add(t);
            w.nbytes += Math.max(0, nbytes);
        }
    }

    void removeReplica(SchedulerTask t, SchedulerWorker w) {
        if (t.whoHas.remove(w)) {
            w.hasWhat.remove(t);
            w.nbytes -= Math.max(0, t.nbytes);
        }
    }

    /** Sends queued root tasks to {@code w} while it has free slots. */
    void fillFrom(SchedulerWorker w) {
        if (w == null || w.paused || w.retiring || !workers.containsKey(w.address)) return;
        reason = w.slotFreeHere;
        for (SchedulerTask next; (next = queued.first()) != null && placement.hasFreeSlot(w, next); ) sendTo(next, w);
    }

    private void taskErred(TaskErred e) {
        SchedulerTask t = tasks.get(e.key());
        SchedulerWorker w = workers.get(e.worker());
        if (w != null) w.releasing.remove(e.key());
        if (w == null || t == null || t.state != TaskState.PROCESSING || t.processingOn != w) {
            if (w != null) fillFrom(w);
            return;
        }
        stopProcessing(t);
        if (t.retries > 0) {
            t.retries--;
            transition(t, TaskState.RELEASED, "erred on " + w.address + ", retrying (" + t.retries + " retries left)");
            reason = "retry";
            toWaiting(t);
        } else {
            t.exception = e.exception();
            t.blame = t.key;
            transition(t, TaskState.ERRED, "erred on " + w.address);
            if (t.reportTo != null) emit(new TaskDone(t.reportTo, t.key, w.number, true));
            propagateError(t);
        }
        fillFrom(w);
    }

    /** Marks every dependent of erred {@code root} that is not done as erred too, and reports. */
    void propagateError(SchedulerTask root) {
        ArrayDeque<SchedulerTask> work = new ArrayDeque<>();
        work.push(root);
        while (!work.isEmpty()) {
            SchedulerTask t = work.pop();
            reportIfWanted(t);
            for (SchedulerTask d : t.deps) {
                d.waiters.remove(t);
            }
            for (SchedulerTask dep : t.dependents) {
                if (dep.state == TaskState.WAITING || dep.state == TaskState.QUEUED || dep.state == TaskState.NO_WORKER
                        || dep.state == TaskState.PROCESSING) {
                    if (dep.state == TaskState.QUEUED) queued.remove(dep);
                    if (dep.state == TaskState.NO_WORKER) noWorker.remove(dep);
                    if (dep.state == TaskState.PROCESSING) freeProcessing(dep);
                    dep.exception = root.exception;
                    dep.blame = root.blame;
                    transition(dep, TaskState.ERRED, "dependency " + t.key + " erred");
                    work.push(dep);
                }
            }
        }
        for (SchedulerTask d : new ArrayList<>(root.deps)) maybeRelease(d);
    }

    void reportIfWanted(SchedulerTask t) {
        for (String c : t.whoWants) {
            if (t.state == TaskState.MEMORY) {
                emit(new Report(c, t.key, ReportKind.MEMORY, t.whoHas(), null, null));
            } else if (t.state == TaskState.ERRED) {
                emit(new Report(c, t.key, ReportKind.ERRED, List.of(), t.exception, t.blame));
            }
        }
    }

    private void releaseKeys(String client, Collection<Key> keys, boolean cancel) {
        reason = (cancel ? "cancelled by " : "released by ") + client;
        if (cancel) keys = withDependents(keys);
        for (Key k : keys) {
            SchedulerTask t = tasks.get(k);
            if (t == null) continue;
            if (t.whoWants.remove(client) && cancel) emit(new Report(client, k, ReportKind.CANCELLED, List.of(), null, null));
            maybeRelease(t);
        }
    }

    /**
     * {@code keys} and every task not yet done that depends on them, dependents first (Dask cancels
     * the dependents of a cancelled future: they could never run).
     */
    private List<Key> withDependents(Collection<Key> keys) {
        List<Key> out = new ArrayList<>();
        Set<SchedulerTask> seen = new HashSet<>();
        ArrayDeque<SchedulerTask> work = new ArrayDeque<>();
        for (Key k : keys) {
            SchedulerTask t = tasks.get(k);
            if (t != null && seen.add(t)) work.add(t);
        }
        while (!work.isEmpty()) {
            SchedulerTask t = work.poll();
            out.add(t.key);
            for (SchedulerTask d : t.dependents) if (!d.state.isDone() && seen.add(d)) work.add(d);
        }
        java.util.Collections.reverse(out);
        return out;
    }

    private void removeClient(String client) {
        clients.remove(client);
        List<Key> wanted = new ArrayList<>();
        for (SchedulerTask t : tasks.values()) if (t.whoWants.contains(client)) wanted.add(t.key);
        releaseKeys(client, wanted, false);
    }

    /**
     * Releases {@code start} if nothing needs it (no client wants it, no dependent waits for it),
     * then cascades to its dependencies and forgets what nothing refers to.
     */
    void maybeRelease(SchedulerTask start) {
        ArrayDeque<SchedulerTask> work = new ArrayDeque<>();
        work.push(start);
        while (!work.isEmpty()) {
            SchedulerTask t = work.pop();
            if (t.state == TaskState.FORGOTTEN || !t.whoWants.isEmpty() || !t.waiters.isEmpty()) continue;
            switch (t.state) {
                case MEMORY -> {
                    for (SchedulerWorker w : new ArrayList<>(t.whoHas)) {
                        emit(new Free(w.address, List.of(t.key)));
                        removeReplica(t, w);
                    }
                    transition(t, TaskState.RELEASED, reason);
                }
                case WAITING, QUEUED, NO_WORKER, PROCESSING -> {
                    if (t.state == TaskState.QUEUED) queued.remove(t);
                    if (t.state == TaskState.NO_WORKER) noWorker.remove(t);
                    if (t.state == TaskState.PROCESSING) {
                        SchedulerWorker w = t.processingOn;
                        freeProcessing(t);
                        transition(t, TaskState.RELEASED, reason);
                        fillFrom(w);
                    } else {
                        transition(t, TaskState.RELEASED, reason);
                    }
                    t.waitingOn.clear();
                    for (SchedulerTask d : t.deps) {
                        d.waiters.remove(t);
                        work.push(d);
                    }
                }
                default -> { }
            }
            if ((t.state == TaskState.RELEASED || t.state == TaskState.ERRED) && t.dependents.isEmpty()) {
                forget(t, work);
            }
        }
    }

    private void forget(SchedulerTask t, ArrayDeque<SchedulerTask> work) {
        transition(t, TaskState.FORGOTTEN, reason);
        tasks.remove(t.key);
        for (SchedulerTask d : t.deps) {
            d.dependents.remove(t);
            d.waiters.remove(t);
            work.push(d);
        }
    }

    private void addWorker(AddWorker e) {
        SchedulerWorker old = workers.get(e.address());
        if (old != null) removeWorker(e.address(), "re-registered");
        SchedulerWorker w = new SchedulerWorker(e.address(), e.name(), Math.max(1, e.nthreads()), workerNumbers++, e.resources(), e.memoryLimit(), now);
        workers.put(w.address, w);
        reason = "worker " + w.address + " joined";
        placeWaiting(w);
    }

    /**
     * A worker paused (it keeps what it holds and finishes what it runs, but is sent nothing new)
     * or resumed (tasks that had nowhere to go are placed again).
     */
    private void workerStatus(WorkerStatus e) {
        SchedulerWorker w = workers.get(e.address());
        if (w == null || w.paused == e.paused()) return;
        w.paused = e.paused();
        reason = "worker " + w.address + (w.paused ? " paused (memory)" : " resumed");
        log.add(STATUS_KEY, w.paused ? "running" : "paused", w.status(), reason, now);
        for (SchedulerTask t : w.processing.keySet()) log.add(t.key, t.state, t.state, reason, now);
        if (!w.paused) placeWaiting(w);
    }

    /** Places tasks that had no valid worker and fills {@code w}'s free slots from the queue. */
    private void placeWaiting(SchedulerWorker w) {
        for (SchedulerTask t : new ArrayList<>(noWorker)) {
            if (!placement.validWorkers(t).isEmpty()) {
                noWorker.remove(t);
                transition(t, TaskState.WAITING, reason);
                ready(t);
            }
        }
        fillFrom(w);
    }

    void removeWorker(String address, String why) {
        SchedulerWorker w = workers.remove(address);
        if (w == null) return;
        reason = "worker " + address + " removed: " + why;
        List<SchedulerTask> rerun = new ArrayList<>();
        // a worker runs its tasks in priority order on nthreads threads: only the first nthreads can
        // have been running (and have killed it); the ones queued behind them are innocent
        List<SchedulerTask> processing = new ArrayList<>(w.processing.keySet());
        processing.sort(SchedulerState::byPriority);
        Set<SchedulerTask> mayHaveRun = new HashSet<>(processing.subList(0, Math.min(w.nthreads, processing.size())));
        for (SchedulerTask t : processing) {
            stopProcessing(t);
            if (!mayHaveRun.contains(t)) {
                transition(t, TaskState.RELEASED, reason + " (queued there, not running)");
                rerun.add(t);
                continue;
            }
            t.suspicious++;
            t.killedOn.add(address);
            if (t.suspicious > options.allowedFailures()) { // Dask: fails after more than allowed-failures deaths
                t.exception = new KilledWorkerException(t.key, t.killedOn);
                t.blame = t.key;
                transition(t, TaskState.ERRED, reason + " (killed " + t.suspicious + " workers)");
                if (t.reportTo != null) emit(new TaskDone(t.reportTo, t.key, w.number, true));
                propagateError(t);
            } else {
                transition(t, TaskState.RELEASED, reason);
                rerun.add(t);
            }
        }
        List<SchedulerTask> lost = new ArrayList<>();
        for (SchedulerTask t : new ArrayList<>(w.hasWhat)) {
            removeReplica(t, w);
            if (t.whoHas.isEmpty() && t.state == TaskState.MEMORY) lost.add(t);
        }
        for (SchedulerTask t : lost) {
            transition(t, TaskState.RELEASED, reason + " (held the only copy)");
            for (String c : t.whoWants) emit(new Report(c, t.key, ReportKind.LOST, List.of(), null, null));
            for (SchedulerTask dep : t.dependents) {
                if (dep.state == TaskState.PROCESSING) {
                    // it will not get this input: take it back and let it wait for the recomputation
                    freeProcessing(dep);
                    transition(dep, TaskState.RELEASED, "input " + t.key + " lost");
                    rerun.add(dep);
                } else if (dep.state == TaskState.WAITING) {
                    dep.waitingOn.add(t);
                }
            }
        }
        for (SchedulerTask t : lost) {
            if (!t.whoWants.isEmpty() || !t.waiters.isEmpty()) rerun.add(t);
        }
        for (SchedulerTask t : rerun) if (t.state == TaskState.RELEASED) toWaiting(t);
        for (SchedulerTask t : lost) if (t.state == TaskState.RELEASED) maybeRelease(t);
        for (SchedulerWorker other : workers.values()) fillFrom(other);
        moves.workerRemoved(w);
    }

    private void missingData(MissingData e) {
        SchedulerTask t = tasks.get(e.key());
        SchedulerTask dep = tasks.get(e.dep());
        SchedulerWorker from = workers.get(e.from());
        reason = "missing " + e.dep() + " on " + e.from() + " (reported by " + e.worker() + ")";
        if (dep != null && from != null && dep.whoHas.contains(from)) {
            removeReplica(dep, from);
            if (dep.whoHas.isEmpty() && dep.state == TaskState.MEMORY) {
                transition(dep, TaskState.RELEASED, reason);
                for (String c : dep.whoWants) emit(new Report(c, dep.key, ReportKind.LOST, List.of(), null, null));
            }
        }
        if (t != null && t.state == TaskState.PROCESSING && t.processingOn != null && t.processingOn.address.equals(e.worker())) {
            stopProcessing(t);
            transition(t, TaskState.RELEASED, reason);
            toWaiting(t);
        }
        if (dep != null && dep.state == TaskState.RELEASED && (!dep.waiters.isEmpty() || !dep.whoWants.isEmpty())) {
            toWaiting(dep);
        }
    }

    private void updateData(UpdateData e) {
        clients.add(e.client());
        reason = "scattered by " + e.client();
        for (Scattered s : e.keys()) {
            SchedulerTask t = tasks.computeIfAbsent(s.key(), SchedulerTask::new);
            t.whoWants.add(e.client());
            if (t.state == TaskState.RELEASED) {
                t.nbytes = s.nbytes();
                t.prio = new Prio(0, generation, 0);
                transition(t, TaskState.MEMORY, reason);
            }
            if (t.state == TaskState.MEMORY) {
                for (String a : s.workers()) {
                    SchedulerWorker w = workers.get(a);
                    if (w != null) addReplica(t, w, s.nbytes());
                }
                for (SchedulerTask dep : t.dependents) {
                    if (dep.state == TaskState.WAITING && dep.waitingOn.remove(t) && dep.waitingOn.isEmpty()) ready(dep);
                }
            }
            reportIfWanted(t);
        }
    }

    /**
     * Forgets everything and closes every worker. Not a cascade of table transitions: each task's
     * log gets one {@code -> FORGOTTEN} entry whatever its state, because the workers that held or
     * ran it are gone too. Clients get a {@code CANCELLED} report (with the reason) per wanted key.
     */
    private void restart(String client) {
        reason = "restart requested by " + client;
        for (SchedulerTask t : tasks.values()) {
            for (String c : t.whoWants) {
                emit(new Report(c, t.key, ReportKind.CANCELLED, List.of(), "by restart (requested by " + client + ")", null));
            }
            log.add(t.key, t.state, TaskState.FORGOTTEN, reason, now);
            t.state = TaskState.FORGOTTEN;
        }
        tasks.clear();
        queued.clear();
        noWorker.clear();
        for (SchedulerWorker w : workers.values()) emit(new CloseWorker(w.address, SchedulerInstruction.RESTART));
        workers.clear();
    }

    private void tick() {
        moves.tick();
        List<String> silent = new ArrayList<>();
        for (SchedulerWorker w : workers.values()) {
            if (now - w.lastSeen > options.workerTtlMillis()) silent.add(w.address);
        }
        for (String a : silent) {
            emit(new CloseWorker(a, "no heartbeat for " + options.workerTtlMillis() + " ms"));
            removeWorker(a, "no heartbeat for " + options.workerTtlMillis() + " ms");
        }
        if (options.workStealing()) placement.balance();
    }

    /** For tests: checks the cross-references every state must keep; returns the problems found. */
    public List<String> validate() {
        return SchedulerChecks.validate(this);
    }
}

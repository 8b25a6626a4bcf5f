package org.jdask.distributed.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdask.distributed.internal.WorkerEvent.*;
import org.jdask.distributed.internal.WorkerInstruction.*;
import org.jdask.graph.Key;

/**
 * One worker's state, as a pure state machine like {@link SchedulerState}: {@link #handle} takes a
 * {@link WorkerEvent} and returns {@link WorkerInstruction}s (run this, fetch that, tell the
 * scheduler). The shell owns the sockets, the executor and the data store.
 *
 * <h2>How it works</h2>
 * A task from the scheduler is {@code WAITING} while some dependency is not in the store; missing
 * dependencies are {@code FETCH} entries, grouped by the peer that has them into one request per
 * peer ({@code FLIGHT}). When all inputs are here the task is {@code READY}; ready tasks run in
 * priority order on at most {@code nthreads} threads (and within the worker's abstract resources).
 * A computed result stays until the scheduler frees it; a fetched copy is dropped as soon as no
 * task here needs it. A peer that lacks a key is tried no more; when no peer is left, the task is
 * dropped and the scheduler is told ({@code Missing}) so it can recompute the input.
 */
public final class WorkerState {
    /** Worker-side task states. */
    public enum State { WAITING, FETCH, FLIGHT, READY, EXECUTING, MEMORY }

    /** The moves a task may make (entering as {@code new} and leaving as {@code forgotten} are logged apart). */
    private static final Map<State, Set<State>> MOVES = new java.util.EnumMap<>(State.class);

    static {
        MOVES.put(State.WAITING, java.util.EnumSet.of(State.READY));
        MOVES.put(State.FETCH, java.util.EnumSet.of(State.FLIGHT, State.MEMORY));
        MOVES.put(State.FLIGHT, java.util.EnumSet.of(State.FETCH, State.MEMORY));
        MOVES.put(State.READY, java.util.EnumSet.of(State.EXECUTING));
        // EXECUTING -> READY: interrupted by a free, then wanted again: it runs again
        MOVES.put(State.EXECUTING, java.util.EnumSet.of(State.MEMORY, State.READY));
        MOVES.put(State.MEMORY, java.util.EnumSet.noneOf(State.class));
    }

    /** Whether the table has the move {@code from -> to}. */
    public static boolean allowed(State from, State to) {
        return MOVES.get(from).contains(to);
    }

    static final class WTask {
        final Key key;
        State state;
        Object spec, config;
        Prio prio;
        Map<String, Double> resources = Map.of();
        final List<WTask> deps = new ArrayList<>(2);
        final Set<WTask> dependents = new HashSet<>(2);
        List<String> whoHas = List.of();
        /** A task the scheduler asked for (kept until freed), not just a fetched input. */
        boolean owned;
        /** Freed or stolen while running: drop its result when it returns. */
        boolean cancelled;
        /** Interrupted by a free while running: if it is wanted again and the interrupt made it fail, it runs again. */
        boolean interrupted;
        /** Running but seceded: its thread does not count in {@code executing}. */
        boolean seceded;
        long nbytes = -1;

        WTask(Key key, State state) {
            this.key = key;
            this.state = state;
        }
    }

    private final int nthreads;
    private final Map<String, Double> resourcesFree;
    private final Map<Key, WTask> tasks = new HashMap<>();
    /**
     * The tasks in {@code FETCH}, in the order they became so: what {@link #fetchMissing} walks,
     * instead of every task here (a worker holding 5,000 results and asked to run one task of
     * 10,000 inputs walked 10,000 tasks on every fetch round).
     */
    private final Set<WTask> toFetch = new LinkedHashSet<>();
    /** Ready tasks by priority (a map's arrive in order: appended, see {@link RunQueue}). */
    private final RunQueue<WTask> ready = new RunQueue<>((a, b) -> {
        int c = a.prio.compareTo(b.prio);
        return c != 0 ? c : a.key.compareTo(b.key);
    });
    private int executing;
    private boolean paused;
    private FetchBudget budget = FetchBudget.unlimited();
    /** Some input waits for the fetch budget: replies that free it ask for more. */
    private boolean fetchDeferred;
    /** The key under which pause and resume are logged ({@code story(PAUSE_KEY)}). */
    public static final Key PAUSE_KEY = Key.of("worker-status");
    final TransitionLog log;
    private List<WorkerInstruction> out;

    public WorkerState(int nthreads, Map<String, Double> resources, int logLength) {
        if (nthreads < 1) throw new IllegalArgumentException("a worker needs at least 1 thread, got " + nthreads);
        this.nthreads = nthreads;
        this.resourcesFree = new HashMap<>(resources);
        this.log = new TransitionLog(logLength);
    }

    public State stateOf(Key key) {
        WTask t = tasks.get(key);
        return t == null ? null : t.state;
    }

    /** Every known key with its state (a copy, for tests and the dashboard). */
    public Map<Key, State> states() {
        Map<Key, State> m = new LinkedHashMap<>();
        for (WTask t : tasks.values()) m.put(t.key, t.state);
        return m;
    }

    public int executing() {
        return executing;
    }

    public List<TransitionLog.Entry> story(Key key) {
        return log.story(key);
    }

    public List<WorkerInstruction> handle(WorkerEvent event, long nowMillis) {
        out = new ArrayList<>();
        if (event instanceof Compute e) compute(e, nowMillis);
        else if (event instanceof ExecuteDone e) executeDone(e.key(), e.nbytes(), e.seconds(), null, nowMillis);
        else if (event instanceof ExecuteFailed e) executeDone(e.key(), -1, 0, e, nowMillis);
        else if (event instanceof FetchDone e) fetchDone(e, nowMillis);
        else if (event instanceof Free e) for (Key k : e.keys()) free(k, nowMillis, "freed by scheduler");
        else if (event instanceof Steal e) steal(e.key(), nowMillis);
        else if (event instanceof Scattered e) scattered(e, nowMillis);
        else if (event instanceof Pause e) pause(e, nowMillis);
        else if (event instanceof Acquire e) acquire(e, nowMillis);
        else if (event instanceof Secede e) secede(e, nowMillis);
        else throw new IllegalArgumentException("unknown worker event " + event);
        startReady(nowMillis);
        List<WorkerInstruction> r = out;
        out = null;
        return r;
    }

    private void move(WTask t, State to, String why, long now) {
        if (!allowed(t.state, to)) {
            throw new IllegalStateException("worker task " + t.key + ": move " + t.state + " -> " + to + " (" + why
                    + ") is not in the table (allowed from " + t.state + ": " + MOVES.get(t.state) + ")");
        }
        log.add(t.key, t.state, to, why, now);
        if (t.state == State.FETCH) toFetch.remove(t);
        if (to == State.FETCH) toFetch.add(t);
        t.state = to;
    }

    /** Drops {@code t} from the tasks here (and from those to fetch). */
    private void forget(WTask t) {
        tasks.remove(t.key);
        toFetch.remove(t);
    }

    /** A new input to fetch from {@code whoHas}. */
    private WTask newFetch(Key key, List<String> whoHas) {
        WTask t = new WTask(key, State.FETCH);
        t.whoHas = new ArrayList<>(whoHas);
        tasks.put(key, t);
        toFetch.add(t);
        return t;
    }

    private void compute(Compute e, long now) {
        WTask t = tasks.get(e.key());
        if (t != null) {
            if (t.state == State.MEMORY) { // already here (a fetched copy, or computed before)
                t.owned = true;
                out.add(new Finished(t.key, Math.max(0, t.nbytes), 0));
                return;
            }
            if (t.state == State.EXECUTING && t.cancelled) {
                // freed while running, then wanted again (a pure key resubmitted as its old
                // futures were released): keep the running execution and report its result
                // (Dask's cancelled -> resumed), or the scheduler waits for it forever
                t.cancelled = false;
                t.owned = true;
                log.add(t.key, t.state, t.state, "compute requested again while running after free", now);
                return;
            }
            if (t.owned) return; // a duplicate request
            if (t.state == State.FETCH || t.state == State.FLIGHT) { // asked to compute what we were fetching
                t.owned = true; // keep the fetch: the value is coming anyway
                t.whoHas = List.of();
                return;
            }
        }
        t = new WTask(e.key(), State.WAITING);
        tasks.put(t.key, t);
        t.owned = true;
        t.spec = e.spec();
        t.config = e.config();
        t.prio = e.prio();
        t.resources = e.resources() == null ? Map.of() : e.resources();
        log.add(t.key, "new", State.WAITING, "compute requested", now);
        boolean allHere = true;
        for (Map.Entry<Key, List<String>> d : e.whoHas().entrySet()) {
            WTask dep = tasks.get(d.getKey());
            if (dep == null) {
                dep = newFetch(d.getKey(), d.getValue());
                log.add(dep.key, "new", State.FETCH, "input of " + t.key, now);
            } else if (dep.state == State.FETCH) {
                dep.whoHas = new ArrayList<>(d.getValue());
            }
            t.deps.add(dep);
            dep.dependents.add(t);
            if (dep.state != State.MEMORY) allHere = false;
        }
        if (allHere) {
            move(t, State.READY, "inputs here", now);
            ready.add(t);
        } else {
            fetchMissing(now);
        }
    }

    /** The scheduler moves {@code key} here: fetch it like an input, keep it, report it (FINISHED) once here. */
    private void acquire(Acquire e, long now) {
        WTask t = tasks.get(e.key());
        if (t == null) {
            t = newFetch(e.key(), e.from());
            log.add(t.key, "new", State.FETCH, "moved here from " + e.from(), now);
        } else if (t.state == State.MEMORY) {
            t.owned = true;
            out.add(new Finished(t.key, t.nbytes, 0));
            return;
        }
        t.owned = true;
        if (t.state == State.FETCH) fetchMissing(now);
    }

    /** Paused: nothing new starts, no input is fetched; resumed: both pick up where they stopped. */
    private void pause(Pause e, long now) {
        if (paused == e.paused()) return;
        paused = e.paused();
        log.add(PAUSE_KEY, paused ? "running" : "paused", paused ? "paused" : "running", e.why(), now);
        if (!paused) fetchMissing(now);
    }

    /** Whether the memory manager paused this worker. */
    public boolean paused() {
        return paused;
    }

    /**
     * Caps the peer data on its way here: {@code inFlightBytes} at once and {@code messageBytes} per
     * request ({@link FetchBudget}); the worker sets it from its memory limit.
     */
    public void fetchBudget(FetchBudget b) {
        this.budget = b;
    }

    private void fetchMissing(long now) {
        if (paused) return;
        fetchDeferred = false;
        Map<String, List<Key>> byPeer = new LinkedHashMap<>();
        Map<String, Long> requestBytes = new HashMap<>();
        List<WTask> unreachable = new ArrayList<>();
        for (WTask t : new ArrayList<>(toFetch)) {
            if (t.whoHas.isEmpty()) {
                unreachable.add(t);
                continue;
            }
            if (fetchDeferred) continue;
            String peer = t.whoHas.get(0);
            long inRequest = requestBytes.getOrDefault(peer, 0L);
            if (budget.requestFull(inRequest)) { // this request is full: the next one to that peer starts
                out.add(new Fetch(peer, byPeer.remove(peer)));
                inRequest = 0;
            }
            if (!budget.admit(t.key, inRequest)) {
                fetchDeferred = true; // asked again when replies free the budget
                continue;
            }
            requestBytes.put(peer, inRequest + budget.estimate());
            byPeer.computeIfAbsent(peer, p -> new ArrayList<>()).add(t.key);
            move(t, State.FLIGHT, "fetching from " + peer, now);
        }
        for (Map.Entry<String, List<Key>> e : byPeer.entrySet()) out.add(new Fetch(e.getKey(), e.getValue()));
        for (WTask dep : unreachable) giveUp(dep, "nowhere", now);
    }

    /** No peer has {@code dep}: drop every task here that needs it and tell the scheduler. */
    private void giveUp(WTask dep, String from, long now) {
        for (WTask t : new ArrayList<>(dep.dependents)) {
            out.add(new Missing(t.key, dep.key, from));
            remove(t, now, "input " + dep.key + " missing on " + from);
        }
        if (!dep.owned && dep.dependents.isEmpty() && tasks.get(dep.key) == dep) {
            forget(dep);
            log.add(dep.key, dep.state, "forgotten", "missing on " + from, now);
        }
    }

    private void fetchDone(FetchDone e, long now) {
        // dependents are checked once after the whole batch: a task with 10,000 inputs is not
        // re-scanned for each of them
        Set<WTask> touched = new java.util.LinkedHashSet<>();
        for (Key k : e.got()) {
            WTask t = tasks.get(k);
            if (t == null || t.state == State.MEMORY) {
                if (t == null) out.add(new Drop(List.of(k))); // nobody here needs it any more
                continue;
            }
            if (t.state != State.FLIGHT && t.state != State.FETCH) continue;
            move(t, State.MEMORY, "fetched from " + e.from(), now);
            if (t.owned) out.add(new Finished(t.key, t.nbytes, 0)); // -1: the shell sizes the value
            touched.addAll(t.dependents);
        }
        for (WTask d : touched) {
            if (d.state == State.WAITING && allInMemory(d)) {
                move(d, State.READY, "inputs here", now);
                ready.add(d);
            }
        }
        budget.arrived(e.got(), e.got().size(), e.bytes());
        budget.arrived(e.missing(), 0, -1);
        boolean refetch = fetchDeferred;
        for (Key k : e.missing()) {
            WTask t = tasks.get(k);
            if (t == null || t.state != State.FLIGHT) continue;
            List<String> rest = new ArrayList<>(t.whoHas);
            rest.remove(e.from());
            t.whoHas = rest;
            if (rest.isEmpty()) {
                giveUp(t, e.from(), now);
            } else {
                move(t, State.FETCH, "not on " + e.from(), now);
                refetch = true;
            }
        }
        if (refetch) fetchMissing(now);
    }

    private static boolean allInMemory(WTask t) {
        for (WTask d : t.deps) if (d.state != State.MEMORY) return false;
        return true;
    }

    private void startReady(long now) {
        if (paused || ready.isEmpty() || executing >= nthreads) return;
        List<WTask> skipped = null;
        while (executing < nthreads && !ready.isEmpty()) {
            WTask t = ready.pollFirst();
            if (!fits(t)) {
                if (skipped == null) skipped = new ArrayList<>();
                skipped.add(t);
                continue;
            }
            for (Map.Entry<String, Double> r : t.resources.entrySet()) resourcesFree.merge(r.getKey(), -r.getValue(), Double::sum);
            executing++;
            move(t, State.EXECUTING, "thread free", now);
            out.add(new Execute(t.key, t.spec, t.config));
        }
        if (skipped != null) ready.addAll(skipped);
    }

    /** A running task leaves (or rejoins) the threads that count; rejoining may exceed nthreads until tasks finish. */
    private void secede(Secede e, long now) {
        WTask t = tasks.get(e.key());
        if (t == null || t.state != State.EXECUTING || t.seceded != e.rejoin()) return;
        t.seceded = !e.rejoin();
        executing += e.rejoin() ? 1 : -1;
        log.add(t.key, t.state, t.state, e.rejoin() ? "rejoined: its thread counts again" : "seceded: its thread no longer counts", now);
    }

    private boolean fits(WTask t) {
        for (Map.Entry<String, Double> r : t.resources.entrySet()) {
            if (resourcesFree.getOrDefault(r.getKey(), 0.0) < r.getValue()) return false;
        }
        return true;
    }

    private void executeDone(Key key, long nbytes, double seconds, ExecuteFailed failed, long now) {
        WTask t = tasks.get(key);
        if (t == null || t.state != State.EXECUTING) return;
        if (!t.seceded) executing--;
        t.seceded = false;
        for (Map.Entry<String, Double> r : t.resources.entrySet()) resourcesFree.merge(r.getKey(), r.getValue(), Double::sum);
        if (t.cancelled) {
            if (failed == null) out.add(new Drop(List.of(key)));
            remove(t, now, "finished after being freed");
            out.add(new Released(key));
            return;
        }
        if (failed != null && t.interrupted) { // freed, interrupted, then wanted again: the failure is the interrupt's
            t.interrupted = false;
            move(t, State.READY, "interrupted by a free and wanted again: runs again", now);
            ready.add(t);
            return;
        }
        if (failed != null) {
            out.add(new Erred(key, failed.error()));
            remove(t, now, "erred");
            return;
        }
        t.nbytes = nbytes;
        move(t, State.MEMORY, "computed", now);
        out.add(new Finished(key, nbytes, seconds));
        releaseInputs(t, now);
        t.spec = null;
        t.config = null;
    }

    /** {@code t} no longer needs its inputs: drop fetched copies nobody else here needs. */
    private void releaseInputs(WTask t, long now) {
        for (WTask d : t.deps) {
            d.dependents.remove(t);
            if (!d.owned && d.dependents.isEmpty() && tasks.get(d.key) == d) {
                forget(d);
                log.add(d.key, d.state, "forgotten", "no task here needs it", now);
                if (d.state == State.MEMORY) out.add(new Drop(List.of(d.key)));
            }
        }
        t.deps.clear();
    }

    /** Forgets {@code t} (not executing) and its inputs nobody else needs. */
    private void remove(WTask t, long now, String why) {
        if (t.state == State.READY) ready.remove(t);
        forget(t);
        log.add(t.key, t.state, "forgotten", why, now);
        releaseInputs(t, now);
    }

    private void free(Key k, long now, String why) {
        WTask t = tasks.get(k);
        if (t == null) return;
        switch (t.state) {
            case EXECUTING -> {
                if (!t.cancelled && !t.interrupted) out.add(new Interrupt(k));
                t.interrupted = true;
                t.cancelled = true;
            }
            case READY, WAITING -> {
                remove(t, now, why);
                if (t.owned) out.add(new Released(k));
            }
            case MEMORY -> {
                t.owned = false;
                if (t.dependents.isEmpty()) {
                    forget(t);
                    log.add(k, t.state, "forgotten", why, now);
                    out.add(new Drop(List.of(k)));
                }
            }
            case FETCH, FLIGHT -> {
                t.owned = false;
                if (t.dependents.isEmpty()) {
                    forget(t);
                    log.add(k, t.state, "forgotten", why, now);
                }
            }
        }
    }

    private void steal(Key k, long now) {
        WTask t = tasks.get(k);
        boolean ok = t != null && (t.state == State.READY || t.state == State.WAITING) && t.owned;
        if (ok) remove(t, now, "stolen");
        out.add(new StealAnswer(k, ok));
    }

    private void scattered(Scattered e, long now) {
        for (Key k : e.keys()) {
            WTask t = tasks.get(k);
            if (t == null) {
                t = new WTask(k, State.MEMORY);
                tasks.put(k, t);
                log.add(k, "new", State.MEMORY, "scattered", now);
            } else if (t.state == State.FETCH || t.state == State.FLIGHT) {
                move(t, State.MEMORY, "scattered", now);
                for (WTask d : t.dependents) {
                    if (d.state == State.WAITING && allInMemory(d)) {
                        move(d, State.READY, "inputs here", now);
                        ready.add(d);
                    }
                }
            }
            t.owned = true;
        }
    }
}

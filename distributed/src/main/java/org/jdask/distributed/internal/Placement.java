package org.jdask.distributed.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.jdask.distributed.internal.SchedulerInstruction.Compute;
import org.jdask.distributed.internal.SchedulerInstruction.Steal;

/**
 * Where tasks run: the scheduler's placement policy, kept apart from the state transitions.
 *
 * <ul>
 *   <li><b>Locality and balance</b> ({@link #decide}): among the workers holding one of its
 *       inputs (Dask's candidates), the worker with the smallest estimated finish time, {@code (occupancy + bytes it would have to fetch / bandwidth) / threads};
 *       so a task goes where most of its input bytes already are unless that worker is busy.
 *   <li><b>Occupancy</b>: the sum of estimated durations of a worker's tasks; durations are
 *       learned per function name (an exponential average, Dask's task prefixes).
 *   <li><b>Root-task queuing</b>: a worker takes root tasks only while it has a free slot
 *       ({@code ceil(threads * worker-saturation)} tasks, or for short tasks up to
 *       {@code root-queue-seconds} of estimated work per thread).
 *   <li><b>Work stealing</b> ({@link #balance}): on each tick, an idle worker takes unstarted
 *       tasks from the most occupied one (a paused one first, whatever moving their inputs costs); the victim confirms it has not started the task
 *       before the scheduler moves it, so a task never runs twice because of a steal.
 * </ul>
 */
final class Placement {
    /** Bytes per second assumed for worker-to-worker transfer when choosing a worker. */
    static final double BANDWIDTH = 100e6;

    private final SchedulerState s;
    final Map<String, Double> durations = new HashMap<>();

    Placement(SchedulerState s) {
        this.s = s;
    }

    /** Workers that may run {@code t} now: not paused, allowed by its restrictions, with its resources. */
    List<SchedulerWorker> validWorkers(SchedulerTask t) {
        List<SchedulerWorker> out = new ArrayList<>(s.workers.size());
        for (SchedulerWorker w : s.workers.values()) if (!w.paused && !w.retiring && accepts(w, t)) out.add(w);
        return out;
    }

    private static boolean accepts(SchedulerWorker w, SchedulerTask t) {
        if (!t.workerRestrictions.isEmpty() && !t.workerRestrictions.contains(w.address) && !t.workerRestrictions.contains(w.name)) {
            return false;
        }
        for (Map.Entry<String, Double> r : t.resources.entrySet()) {
            if (w.resources.getOrDefault(r.getKey(), 0.0) < r.getValue()) return false;
        }
        return true;
    }

    /** Whether some paused worker would take {@code t} (it waits for a resume, not for a new worker). */
    boolean allPaused(SchedulerTask t) {
        for (SchedulerWorker w : s.workers.values()) if (w.paused && accepts(w, t)) return true;
        return false;
    }

    int slots(SchedulerWorker w) {
        return Math.max(1, (int) Math.ceil(w.nthreads * s.options.workerSaturation()));
    }

    /**
     * Whether {@code w} takes root task {@code t} now: while it has fewer than {@link #slots}
     * tasks, or, for tasks known to be short, while the estimated work it holds stays within
     * {@code rootQueueSeconds} per thread (at most {@link #MAX_SHORT_PER_THREAD} tasks per thread).
     * Counting alone would leave a worker idle for a scheduler round trip after every 10 µs task;
     * bounding by time keeps the point of queuing: a worker never holds much unstarted work, so
     * root tasks do not race ahead of the tasks that consume their results.
     */
    boolean hasFreeSlot(SchedulerWorker w, SchedulerTask t) {
        int n = w.busy();
        if (n < slots(w)) return true;
        double target = s.options.rootQueueSeconds() * w.nthreads;
        if (target <= 0 || n >= MAX_SHORT_PER_THREAD * w.nthreads) return false;
        return w.occupancy + Math.max(estimate(t), MIN_ESTIMATE) <= target;
    }

    /** Cap on root tasks a worker holds through the short-task allowance, per thread. */
    static final int MAX_SHORT_PER_THREAD = 1000;
    /** Floor for a learned duration when filling by time (a 0 s estimate would mean no bound). */
    static final double MIN_ESTIMATE = 1e-6;

    SchedulerWorker leastBusyUnsaturated(List<SchedulerWorker> valid, SchedulerTask t) {
        SchedulerWorker best = null;
        double bestLoad = Double.MAX_VALUE;
        for (SchedulerWorker w : valid) {
            if (!hasFreeSlot(w, t)) continue;
            double load = (double) w.busy() / w.nthreads;
            if (load < bestLoad) {
                best = w;
                bestLoad = load;
            }
        }
        return best;
    }

    /**
     * The worker for a task with dependencies: among the valid workers that hold at least one of
     * them (all valid workers when none does), the one with the smallest estimated finish time.
     * Dask's {@code decide_worker} does the same: without it, a cheap task whose only input is large
     * (a shuffle's pick of one piece from a split partition) went to whichever worker was idle
     * that moment, which then fetched and kept a copy of the whole input: the shuffle moved and held
     * every split twice (issue 15). Work stealing still moves tasks whose inputs are cheap to move.
     */
    SchedulerWorker decide(SchedulerTask t, List<SchedulerWorker> valid) {
        // one pass over the inputs and their holders (not one per worker: a task of 10,000 inputs
        // on a cluster of 100 workers would look at a million pairs): the bytes each valid worker
        // holds; what it misses is the total less that
        Map<SchedulerWorker, Integer> position = new IdentityHashMap<>(valid.size() * 2);
        for (int i = 0; i < valid.size(); i++) position.put(valid.get(i), i);
        long[] held = new long[valid.size()];
        boolean[] holds = new boolean[valid.size()];
        long total = 0;
        for (SchedulerTask d : t.deps) {
            long b = Math.max(0, d.nbytes);
            total += b;
            for (SchedulerWorker w : d.whoHas) {
                Integer i = position.get(w);
                if (i == null) continue;
                held[i] += b;
                holds[i] = true;
            }
        }
        boolean anyHolder = false;
        for (boolean h : holds) anyHolder |= h;
        SchedulerWorker best = null;
        double bestCost = Double.MAX_VALUE;
        for (int i = 0; i < valid.size(); i++) {
            if (anyHolder && !holds[i]) continue; // among the workers holding an input, if any does
            SchedulerWorker w = valid.get(i);
            long missing = total - held[i];
            double cost = (w.occupancy + missing / BANDWIDTH) / w.nthreads;
            if (best == null || cost < bestCost || cost == bestCost && w.processing.size() < best.processing.size()) {
                best = w;
                bestCost = cost;
            }
        }
        return best;
    }

    double estimate(SchedulerTask t) {
        return t.prefix == null ? s.options.unknownDuration() : durations.getOrDefault(t.prefix, s.options.unknownDuration());
    }

    void learn(SchedulerTask t, double seconds) {
        if (t.prefix == null || seconds < 0) return;
        Double old = durations.get(t.prefix);
        durations.put(t.prefix, old == null ? seconds : 0.5 * old + 0.5 * seconds);
    }

    /** One round of work stealing: idle workers ask busy ones for unstarted tasks. */
    void balance() {
        if (s.workers.size() < 2 || !s.queued.isEmpty()) return;
        List<SchedulerWorker> idle = new ArrayList<>();
        // a thread still inside a dropped task counts as taken: work queued behind it is stolen too
        for (SchedulerWorker w : s.workers.values()) if (w.busy() < w.nthreads && !w.paused && !w.retiring) idle.add(w);
        for (SchedulerWorker thief : idle) {
            SchedulerWorker victim = null;
            for (SchedulerWorker w : s.workers.values()) {
                if (w == thief || w.busy() <= w.nthreads) continue;
                if (victim == null || load(w) > load(victim)) victim = w;
            }
            if (victim == null) return;
            int want = thief.nthreads - thief.busy();
            // newest tasks are the least likely to have started; threads inside dropped tasks run none
            List<SchedulerTask> candidates = new ArrayList<>(victim.processing.keySet());
            int running = Math.max(0, victim.nthreads - victim.releasing.size());
            for (int i = candidates.size() - 1; i >= running && want > 0; i--) {
                SchedulerTask t = candidates.get(i);
                if (t.stealTo != null || !t.workerRestrictions.isEmpty() || !t.resources.isEmpty()) continue;
                long missing = 0;
                for (SchedulerTask d : t.deps) if (!d.whoHas.contains(thief)) missing += Math.max(0, d.nbytes);
                // moving the inputs costs more than waiting, unless the victim is paused: its queue waits for its memory
                if (!victim.paused && missing / BANDWIDTH > estimate(t)) continue;
                t.stealTo = thief;
                s.emit(new Steal(victim.address, t.key));
                want--;
            }
        }
    }

    /** A victim's load for stealing: a paused worker's queue goes first, whatever its occupancy (issue 15). */
    private static double load(SchedulerWorker w) {
        return w.paused ? Double.MAX_VALUE : w.occupancy / w.nthreads;
    }

    void stealResponse(SchedulerEvent.StealResponse e) {
        SchedulerTask t = s.tasks.get(e.key());
        if (t == null || t.state != TaskState.PROCESSING || t.processingOn == null
                || !t.processingOn.address.equals(e.worker())) return;
        SchedulerWorker thief = t.stealTo;
        t.stealTo = null;
        if (!e.released() || thief == null || !s.workers.containsKey(thief.address)) {
            if (e.released()) { // the victim dropped it but the thief is gone: send it back
                resend(t, t.processingOn);
            }
            return;
        }
        SchedulerWorker victim = t.processingOn;
        Double d = victim.processing.remove(t);
        if (d != null) victim.occupancy = Math.max(0, victim.occupancy - d);
        s.note(t, "stolen from " + victim.address + " by " + thief.address);
        t.processingOn = thief;
        double est = estimate(t);
        thief.processing.put(t, est);
        thief.occupancy += est;
        resend(t, thief);
    }

    private void resend(SchedulerTask t, SchedulerWorker w) {
        Map<org.jdask.graph.Key, List<String>> whoHas = new HashMap<>();
        for (SchedulerTask dep : t.deps) whoHas.put(dep.key, dep.whoHas());
        s.emit(new Compute(w.address, t.key, t.spec, t.config, whoHas, t.prio, t.resources));
    }
}

package org.jdask.distributed.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdask.distributed.internal.SchedulerEvent.Rebalance;
import org.jdask.distributed.internal.SchedulerEvent.RetireWorkers;
import org.jdask.distributed.internal.SchedulerInstruction.Acquire;
import org.jdask.distributed.internal.SchedulerInstruction.CloseWorker;
import org.jdask.distributed.internal.SchedulerInstruction.Free;
import org.jdask.distributed.internal.SchedulerInstruction.MovesDone;
import org.jdask.distributed.internal.SchedulerInstruction.Report;
import org.jdask.distributed.internal.SchedulerInstruction.ReportKind;

/**
 * Results moved between workers without recomputing them, part of {@link SchedulerState}:
 * graceful retirement ({@code client.retireWorkers}) and {@code client.rebalance()}.
 *
 * <h2>How it works</h2>
 * A move asks the receiving worker to {@link Acquire} a key from the workers holding it; the
 * receiver fetches it like a task input and reports it {@code FINISHED}, which adds a replica (as
 * for any result that turns up on a second worker). Retirement marks its workers {@code closing}
 * (no new task goes there), moves every result whose only copies are on closing workers to the
 * open worker holding the fewest bytes, waits for their running tasks (whose new results move
 * too) and then closes them with reason {@link #RETIRE}: nothing they held is lost, nothing is
 * recomputed. Rebalance moves results from workers above the mean of managed bytes to those
 * below, largest first, and frees the sender's copy once the receiver has it. Clients that want a
 * moved result are told where it is now (a repeated {@code MEMORY} report). Each request is
 * answered with {@link MovesDone} when its last move landed.
 */
final class DataMoves {
    /** The reason of a {@link CloseWorker} for a retired worker: its keeper does not replace it. */
    static final String RETIRE = "retire";

    private record Move(SchedulerTask task, SchedulerWorker from, SchedulerWorker to) {}

    private static final class Request {
        final String client;
        final long id;
        final boolean rebalance;
        final Set<SchedulerWorker> retiring = new LinkedHashSet<>();
        final Map<SchedulerTask, Move> pending = new LinkedHashMap<>();
        int moved;

        Request(String client, long id, boolean rebalance) {
            this.client = client;
            this.id = id;
            this.rebalance = rebalance;
        }
    }

    private final SchedulerState s;
    private final List<Request> requests = new ArrayList<>();

    DataMoves(SchedulerState s) {
        this.s = s;
    }

    void retire(RetireWorkers e) {
        Request r = new Request(e.client(), e.requestId(), false);
        for (String a : e.addresses()) {
            SchedulerWorker w = s.workers.get(a);
            if (w != null) r.retiring.add(w);
        }
        boolean anyOpen = false;
        for (SchedulerWorker w : s.workers.values()) anyOpen |= !r.retiring.contains(w) && !w.retiring;
        if (!anyOpen) {
            int unique = 0;
            for (SchedulerWorker w : r.retiring) unique += w.hasWhat.size();
            if (unique > 0) {
                s.emit(new MovesDone(r.client, r.id, 0, "cannot retire every worker: no worker would be left for the "
                        + unique + " results they hold"));
                return;
            }
        }
        for (SchedulerWorker w : r.retiring) {
            w.retiring = true;
            s.log.add(SchedulerState.STATUS_KEY, w.address, "closing", "retiring worker " + w.address + " (client " + r.client + ")", s.now());
        }
        requests.add(r);
        progress(r);
    }

    void rebalance(Rebalance e) {
        Request r = new Request(e.client(), e.requestId(), true);
        List<SchedulerWorker> open = new ArrayList<>();
        long total = 0;
        for (SchedulerWorker w : s.workers.values()) {
            if (w.retiring || w.paused) continue;
            open.add(w);
            total += w.nbytes;
        }
        if (open.size() > 1) {
            long mean = total / open.size();
            Map<SchedulerWorker, Long> load = new LinkedHashMap<>();
            for (SchedulerWorker w : open) load.put(w, w.nbytes);
            for (SchedulerWorker from : open) {
                List<SchedulerTask> held = new ArrayList<>(from.hasWhat);
                held.sort(Comparator.comparingLong((SchedulerTask t) -> -t.nbytes).thenComparing(t -> t.key));
                for (SchedulerTask t : held) {
                    if (load.get(from) <= mean) break;
                    if (t.state != TaskState.MEMORY || t.whoHas.size() != 1 || r.pending.containsKey(t)) continue;
                    SchedulerWorker to = leastLoaded(open, load, from);
                    if (to == null || load.get(to) + t.nbytes > mean + t.nbytes / 2) continue;
                    load.merge(from, -t.nbytes, Long::sum);
                    load.merge(to, t.nbytes, Long::sum);
                    start(r, t, from, to);
                }
            }
        }
        requests.add(r);
        progress(r);
    }

    private static SchedulerWorker leastLoaded(List<SchedulerWorker> open, Map<SchedulerWorker, Long> load, SchedulerWorker except) {
        SchedulerWorker best = null;
        for (SchedulerWorker w : open) if (w != except && (best == null || load.get(w) < load.get(best))) best = w;
        return best;
    }

    private void start(Request r, SchedulerTask t, SchedulerWorker from, SchedulerWorker to) {
        r.pending.put(t, new Move(t, from, to));
        s.emit(new Acquire(to.address, t.key, t.whoHas()));
    }

    /** {@code w} reported {@code t} in memory (computed, or acquired). */
    void finished(SchedulerTask t, SchedulerWorker w) {
        if (requests.isEmpty()) return;
        for (Request r : new ArrayList<>(requests)) {
            Move m = r.pending.get(t);
            if (m != null && m.to() == w && t.whoHas.contains(w)) {
                r.pending.remove(t);
                r.moved++;
                if (r.rebalance && t.whoHas.contains(m.from()) && t.whoHas.size() > 1) {
                    s.removeReplica(t, m.from());
                    s.emit(new Free(m.from().address, List.of(t.key)));
                }
                tellClients(t); // clients gather from where it is now
            }
            progress(r);
        }
    }

    /** Tells the clients that want {@code t} where it is, leaving out workers about to close. */
    private void tellClients(SchedulerTask t) {
        List<String> holders = new ArrayList<>();
        for (SchedulerWorker h : t.whoHas) if (!h.retiring) holders.add(h.address);
        for (String c : t.whoWants) s.emit(new Report(c, t.key, ReportKind.MEMORY, holders, null, null));
    }

    /** A worker left: moves to it are planned again, moves from it are lost (recomputed as usual). */
    void workerRemoved(SchedulerWorker gone) {
        if (requests.isEmpty()) return;
        for (Request r : new ArrayList<>(requests)) {
            r.pending.values().removeIf(m -> m.to() == gone || m.from() == gone);
            r.retiring.remove(gone);
            progress(r);
        }
    }

    /** Time passes: moves of results nobody wants any more are dropped (their requests may be done). */
    void tick() {
        for (Request r : new ArrayList<>(requests)) progress(r);
    }

    private void progress(Request r) {
        r.pending.keySet().removeIf(t -> t.state != TaskState.MEMORY || s.tasks.get(t.key) != t);
        if (!r.rebalance) {
            for (SchedulerWorker w : r.retiring) {
                for (SchedulerTask t : new ArrayList<>(w.hasWhat)) {
                    if (t.state != TaskState.MEMORY || r.pending.containsKey(t) || !onlyOnRetiring(t)) continue;
                    SchedulerWorker to = receiver();
                    if (to == null) break;
                    start(r, t, w, to);
                }
            }
        }
        if (!r.pending.isEmpty()) return;
        for (SchedulerWorker w : r.retiring) if (!w.processing.isEmpty()) return; // wait: their results move too
        requests.remove(r);
        List<SchedulerWorker> closing = new ArrayList<>(r.retiring);
        for (SchedulerWorker w : closing) s.emit(new CloseWorker(w.address, RETIRE));
        s.emit(new MovesDone(r.client, r.id, r.moved, null));
        for (SchedulerWorker w : closing) s.removeWorker(w.address, "retired"); // nothing running, nothing only there
    }

    private static boolean onlyOnRetiring(SchedulerTask t) {
        for (SchedulerWorker h : t.whoHas) if (!h.retiring) return false;
        return true;
    }

    /** The open worker holding the fewest bytes (a paused one only if every open worker is paused). */
    private SchedulerWorker receiver() {
        SchedulerWorker best = null;
        for (SchedulerWorker w : s.workers.values()) {
            if (w.retiring) continue;
            if (best == null || (best.paused && !w.paused) || (best.paused == w.paused && w.nbytes < best.nbytes)) best = w;
        }
        return best;
    }
}

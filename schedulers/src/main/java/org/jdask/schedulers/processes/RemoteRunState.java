package org.jdask.schedulers.processes;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdask.graph.Alias;
import org.jdask.graph.DataNode;
import org.jdask.graph.IndexedGraph;
import org.jdask.schedulers.internal.DependencyCounts;
import org.jdask.schedulers.internal.IntHeap;

/**
 * The pure state of one {@code processes} run: where every task is and where every value lives,
 * with no sockets. Events come in as method calls ({@link #done}, {@link #data}, {@link
 * #taskFailed}, ...); what must be sent to worker JVMs goes out through {@link Frames}, which
 * {@link RemoteRun} (the I/O shell) turns into protocol frames and a test records.
 *
 * <p>Tasks are ints of an {@link IndexedGraph}, taken from a ready {@link IntHeap} by static
 * priority; {@link DependencyCounts} counts unfinished dependencies and readers (a value is
 * released at zero), as in the local engine. Two things differ because values live in workers:
 * <ul>
 *   <li><b>Values stay where they were computed.</b> {@link #where} is a bitmask of the workers
 *       holding each value. Data nodes start in the parent and go to a worker ({@link Frames#put})
 *       the first time one of its tasks needs them. A task goes to the worker holding most of its
 *       inputs; inputs held elsewhere are fetched through the parent ({@link Frames#fetch}, then
 *       {@link #data}). When the worker holding a task's inputs is full, the task waits for it
 *       ({@link #DEFERRED}) unless another worker is idle.
 *   <li><b>Pipelining.</b> A task is handed out as soon as every dependency is finished or already
 *       queued on the same worker ({@link #unsent} counts the others): a worker runs its queue in
 *       order, so a chain goes out in batches. A task whose queued inputs sit on two workers waits
 *       ({@link #PARKED}) until they finish. At most {@link #window} tasks are queued per worker;
 *       the window adapts to the measured task time (about 2 ms of work queued).
 * </ul>
 * Task states: {@link #WAITING} → {@link #READY} → ({@link #PARKED} | {@link #DEFERRED} | {@link
 * #FETCHING})* → {@link #SENT} → {@link #MEMORY} → {@link #RELEASED}, or {@link #ERRED}.
 */
final class RemoteRunState {
    static final byte WAITING = 0, READY = 1, PARKED = 2, DEFERRED = 3, FETCHING = 4, SENT = 5, MEMORY = 6, RELEASED = 7,
            ERRED = 8;
    static final long TARGET_QUEUED_NANOS = 2_000_000;
    static final int MIN_WINDOW = 2, MAX_WINDOW = 1024;

    /** What the state asks of the world: frames to workers, the parent's copies of values, listener calls. */
    interface Frames {
        /** Queue task {@code t} on worker {@code w} (its inputs are there, or queued there before it). */
        void run(int t, int w) throws IOException;

        /** Send {@code d}'s value, which the parent holds (decoded or as a frame), to worker {@code w}. */
        void put(int d, int w) throws IOException;

        /** Ask worker {@code w} for {@code d}'s encoded value; {@link #data} follows. */
        void fetch(int d, int w) throws IOException;

        /** Worker {@code w} may drop {@code d}. */
        void release(int d, int w);

        /** The parent's copy of {@code d} (value, frame, file) is no longer needed. */
        void forget(int d);

        /** {@code t} finished in the parent: a data node ({@code from < 0}) or an alias of {@code from}. */
        void inParent(int t, int from);

        /** Listener hook: {@code t} starts on worker {@code w} (-1: in the parent). */
        void started(int t, int w);

        /** Listener hook: {@code t} finished (or failed) on worker {@code w} (-1: in the parent). */
        void finished(int t, int w, boolean failed);
    }

    final IndexedGraph g;
    final int n;
    /** Requested output task numbers, in request order. */
    final int[] outputs;
    /** Per task: is it an output (its value comes back with DONE). */
    final boolean[] isOutput;
    /** Per task: one of WAITING..ERRED. */
    final byte[] state;
    /** Unfinished dependencies ({@code waiting}) and readers ({@code remaining}) per task. */
    final DependencyCounts counts;
    /** Per task: dependencies neither finished nor queued on a worker; at zero it may be handed out. */
    final int[] unsent;
    /** Per task (queued or fetching): its worker. */
    final int[] worker;
    /** Per task: bitmask of the workers holding its value. */
    final long[] where;
    /** Per task: the parent holds its value decoded (data nodes, aliases of them). */
    final boolean[] inParent;
    /** Per task: the parent holds its encoded frame (an output's DONE, a fetched DATA). */
    final boolean[] hasFrame;
    /** Per task in FETCHING: inputs still on their way. */
    final int[] fetchWait;
    /** Input task number → tasks in FETCHING waiting for it. */
    final Map<Integer, List<Integer>> waiters = new HashMap<>();
    final IntHeap ready;
    /** Per worker: tasks queued, in the order it runs them. */
    final ArrayDeque<Integer>[] queue;
    /** Per worker: tasks waiting for room on it (their inputs are queued there). */
    final List<Integer>[] deferred;
    /** Per worker: tasks queued and not answered. */
    final int[] inFlight;
    /** Per worker: connected and in this run; tasks go only to joined workers (a JVM still starting joins later, {@link #join}). */
    final boolean[] joined;
    /** Per worker: past its memory's pause (it said so): it gets no new task while another worker can make progress. */
    final boolean[] paused;
    final Frames out;
    int finished;
    /** The first failure; nothing is handed out after it. */
    RuntimeException error;
    double avgNanos = -1;
    int window = MIN_WINDOW; // grows after the first replies when tasks are short

    private final DependencyCounts.Moves moves = new DependencyCounts.Moves() {
        @Override
        public void released(int d) {
            state[d] = RELEASED;
            long m = where[d];
            while (m != 0) {
                int w = Long.numberOfTrailingZeros(m);
                m &= m - 1;
                out.release(d, w);
            }
            where[d] = 0;
            hasFrame[d] = false;
            out.forget(d);
        }

        @Override
        public void inputsDone(int u) {
            if (state[u] == PARKED) push(u);
        }
    };

    RemoteRunState(IndexedGraph g, int[] priority, int[] outputs, int workers, Frames out) {
        this(g, priority, outputs, workers, out, null);
    }

    /** With {@code joinedNow} (null: all) the workers taking part from the start; the others {@link #join} later. */
    @SuppressWarnings("unchecked")
    RemoteRunState(IndexedGraph g, int[] priority, int[] outputs, int workers, Frames out, boolean[] joinedNow) {
        if (workers < 1 || workers > 64) throw new IllegalArgumentException("1 to 64 workers, got " + workers);
        this.g = g;
        this.n = g.size();
        this.outputs = outputs;
        this.out = out;
        isOutput = new boolean[n];
        for (int i : outputs) isOutput[i] = true;
        state = new byte[n];
        counts = new DependencyCounts(g, outputs);
        unsent = new int[n];
        for (int i = 0; i < n; i++) unsent[i] = g.dependencyCount(i);
        worker = new int[n];
        where = new long[n];
        inParent = new boolean[n];
        hasFrame = new boolean[n];
        fetchWait = new int[n];
        ready = new IntHeap(n, priority);
        queue = new ArrayDeque[workers];
        deferred = new List[workers];
        inFlight = new int[workers];
        joined = new boolean[workers];
        paused = new boolean[workers];
        for (int w = 0; w < workers; w++) {
            joined[w] = joinedNow == null || joinedNow[w];
            queue[w] = new ArrayDeque<>();
            deferred[w] = new ArrayList<>();
        }
    }

    /** Starts the run: data nodes finish in the parent, tasks without dependencies become ready. */
    void begin() {
        for (int i = 0; i < n; i++) {
            if (g.dependencyCount(i) != 0) continue;
            if (g.node(i) instanceof DataNode) completeInParent(i, -1);
            else if (state[i] == WAITING) push(i);
        }
    }

    /** Worker {@code w} connected during the run: from now on tasks may go to it. */
    void join(int w) {
        joined[w] = true;
    }

    boolean done() {
        return finished == n || error != null;
    }

    void fail(RuntimeException e) {
        if (error == null) error = e;
    }

    private void push(int t) {
        state[t] = READY;
        ready.push(t);
    }

    // ----------------------------------------------------------------------------- handing out

    /** Hands out every ready task that can go now. */
    void dispatch() throws IOException {
        while (error == null && ready.size() > 0) {
            int t = ready.pop();
            if (state[t] != READY) continue;
            if (g.node(t) instanceof Alias && inParent[g.dependency(t, 0)]) {
                completeInParent(t, g.dependency(t, 0));
                continue;
            }
            int pinned = -1;
            boolean conflict = false;
            for (int j = 0, c = g.dependencyCount(t); j < c; j++) {
                int d = g.dependency(t, j);
                if (state[d] == SENT) {
                    if (pinned < 0) pinned = worker[d];
                    else if (pinned != worker[d]) conflict = true;
                }
            }
            if (conflict) {
                state[t] = PARKED; // pushed again when every input has finished
                continue;
            }
            int w;
            if (pinned >= 0) {
                if (!hasRoom(pinned)) {
                    state[t] = DEFERRED;
                    deferred[pinned].add(t);
                    continue;
                }
                w = pinned;
            } else {
                w = choose(t);
                if (w <= -2) {
                    state[t] = DEFERRED; // its inputs' worker is full and no other is idle
                    deferred[-2 - w].add(t);
                    continue;
                }
                if (w < 0) {
                    ready.push(t); // every worker is full: wait for replies
                    return;
                }
            }
            assign(t, w);
        }
    }

    /**
     * Where {@code t} goes: the worker holding most of its inputs (ties: the least busy) when it has
     * room (and is not paused, see {@link #paused}); when it is full, another worker only if that one is idle (a copy is better than an idle
     * worker), else {@code -2 - local}: wait for room on the local worker. Without local inputs: the
     * least busy worker with room. -1 when every worker is full.
     */
    int choose(int t) {
        int c = g.dependencyCount(t);
        int workers = inFlight.length;
        int local = -1;
        int localScore = 0;
        for (int w = 0; w < workers && c > 0; w++) {
            if (!joined[w]) continue;
            int score = 0;
            long bit = 1L << w;
            for (int j = 0; j < c; j++) {
                int d = g.dependency(t, j);
                if ((where[d] & bit) != 0 && !inParent[d]) score++;
            }
            if (score > localScore || score == localScore && score > 0 && inFlight[w] < inFlight[local]) {
                local = w;
                localScore = score;
            }
        }
        if (local >= 0 && hasRoom(local)) return local;
        int best = -1;
        for (int w = 0; w < workers; w++) {
            if (hasRoom(w) && (best < 0 || inFlight[w] < inFlight[best])) best = w;
        }
        if (local >= 0 && !paused[local] && best >= 0 && inFlight[best] > 0) return -2 - local;
        if (best < 0 && stalled()) return local >= 0 && joined[local] ? local : firstJoined(); // every worker paused and idle: go on rather than hang
        return best;
    }

    /** Whether worker {@code w} takes a new task now: its queue has room and it is not paused. */
    private boolean hasRoom(int w) {
        return joined[w] && inFlight[w] < window && !paused[w];
    }

    /**
     * Nothing is queued on any worker: no reply will come to wake the run, so a paused worker takes
     * the task anyway (a pool JVM whose memory nothing frees would otherwise hang the run; Dask's
     * paused workers wait for their memory instead, which the scheduler can rebalance).
     */
    private boolean stalled() {
        for (int f : inFlight) if (f > 0) return false;
        return true;
    }

    /** The lowest worker in this run (the run began with at least one). */
    private int firstJoined() {
        for (int w = 0; w < joined.length; w++) if (joined[w]) return w;
        throw new IllegalStateException("no worker JVM has joined the run");
    }

    /** MEMORY: worker {@code w} is past its memory's pause, or back under it (its deferred tasks may go). */
    void paused(int w, boolean p) {
        paused[w] = p;
        if (p || deferred[w].isEmpty()) return;
        for (int d : deferred[w]) if (state[d] == DEFERRED) push(d);
        deferred[w].clear();
    }

    private void assign(int t, int w) throws IOException {
        inFlight[w]++;
        worker[t] = w;
        long bit = 1L << w;
        int need = 0;
        for (int j = 0, c = g.dependencyCount(t); j < c; j++) {
            int d = g.dependency(t, j);
            if ((where[d] & bit) != 0 || state[d] == SENT) continue;
            if (inParent[d] || hasFrame[d]) {
                put(d, w);
            } else {
                need++;
                List<Integer> ws = waiters.get(d);
                if (ws == null) {
                    waiters.put(d, ws = new ArrayList<>(2));
                    out.fetch(d, Long.numberOfTrailingZeros(where[d]));
                }
                ws.add(t);
            }
        }
        if (need == 0) send(t, w);
        else {
            state[t] = FETCHING;
            fetchWait[t] = need;
        }
    }

    private void put(int d, int w) throws IOException {
        out.put(d, w);
        where[d] |= 1L << w;
    }

    private void send(int t, int w) throws IOException {
        state[t] = SENT;
        queue[w].addLast(t);
        out.run(t, w);
        out.started(t, w);
        for (int j = 0, c = g.dependentCount(t); j < c; j++) {
            int u = g.dependent(t, j);
            if (--unsent[u] == 0 && state[u] == WAITING) push(u);
        }
    }

    // ----------------------------------------------------------------------------- replies

    /** Worker {@code w} answered for {@code t}, which must head its queue; frees its slot and wakes deferred tasks. */
    private void leave(int w, int t) {
        Integer head = queue[w].peekFirst(); // checked before anything changes: a refused answer leaves no trace
        if (head == null || head != t) {
            throw new IllegalStateException("worker " + w + " answered for " + g.key(t) + " but "
                    + (head == null ? "nothing" : g.key(head)) + " was first in its queue");
        }
        queue[w].pollFirst();
        inFlight[w]--;
        if (!deferred[w].isEmpty()) {
            for (int d : deferred[w]) if (state[d] == DEFERRED) push(d);
            deferred[w].clear();
        }
    }

    /** DONE: {@code t} finished on {@code w} in {@code nanos}; with {@code frame} the parent got its encoded value (an output). */
    void done(int w, int t, long nanos, boolean frame) {
        leave(w, t);
        avgNanos = avgNanos < 0 ? nanos : 0.9 * avgNanos + 0.1 * nanos;
        window = (int) Math.max(MIN_WINDOW, Math.min(MAX_WINDOW, TARGET_QUEUED_NANOS / Math.max(avgNanos, 1)));
        state[t] = MEMORY;
        where[t] |= 1L << w;
        if (frame) hasFrame[t] = true;
        finishedTask(t, w);
    }

    /** {@code t} finished in the parent without a worker: a data node ({@code from < 0}) or an alias of {@code from}. */
    private void completeInParent(int t, int from) {
        out.started(t, -1);
        state[t] = MEMORY;
        inParent[t] = true;
        hasFrame[t] = from >= 0 && hasFrame[from];
        out.inParent(t, from);
        for (int j = 0, c = g.dependentCount(t); j < c; j++) {
            int u = g.dependent(t, j);
            if (--unsent[u] == 0 && state[u] == WAITING) push(u);
        }
        finishedTask(t, -1);
    }

    /** Bookkeeping shared by worker and parent completions: listeners, releases, un-parking dependents. */
    private void finishedTask(int t, int w) {
        finished++;
        out.finished(t, w, false);
        counts.finished(t, moves);
    }

    /** DATA: the parent now holds {@code d}'s encoded frame; fetching tasks waiting for it move on. */
    void data(int d) throws IOException {
        hasFrame[d] = true;
        List<Integer> ws = waiters.remove(d);
        if (ws == null) return;
        for (int t : ws) {
            if (state[t] != FETCHING) continue;
            int w = worker[t];
            if ((where[d] & (1L << w)) == 0) put(d, w);
            if (--fetchWait[t] == 0) send(t, w);
        }
    }

    /** FAILED: {@code t} threw on {@code w}, or its result could not be encoded there. The caller builds the error. */
    void taskFailed(int w, int t) {
        leave(w, t);
        state[t] = ERRED;
        out.finished(t, w, true);
    }

    /** SKIPPED: {@code w} could not run {@code t} because an input was missing (a scheduler bug). */
    void skipped(int w, int t) {
        leave(w, t);
        state[t] = ERRED;
        fail(new IllegalStateException("worker " + w + " skipped " + g.key(t) + ": an input was missing (a scheduler bug)"));
    }

    // ----------------------------------------------------------------------------- endings

    /** While draining after a failure: {@code w} answered for the head of its queue. */
    void drained(int w) {
        if (!queue[w].isEmpty()) {
            queue[w].pollFirst();
            inFlight[w]--;
        }
    }

    /** While draining: worker {@code w} died, nothing of it is in flight any more. */
    void workerDied(int w) {
        inFlight[w] = 0;
    }

    /** The task worker {@code w} is running or will run next, or -1. */
    int head(int w) {
        Integer h = queue[w].peekFirst();
        return h == null ? -1 : h;
    }

    boolean queued(int w, int t) {
        return queue[w].contains(t);
    }

    /** Tasks per state, index = state byte. */
    int[] stateCounts() {
        int[] c = new int[9];
        for (byte b : state) c[b]++;
        return c;
    }
}

package org.jdask.schedulers.processes;

import static org.jdask.schedulers.processes.Protocol.*;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdask.JdaskException;
import org.jdask.SerializationException;
import org.jdask.TaskFailedException;
import org.jdask.graph.Alias;
import org.jdask.graph.DataNode;
import org.jdask.graph.IndexedGraph;
import org.jdask.schedulers.internal.IntHeap;
import org.jdask.graph.Key;
import org.jdask.graph.Node;
import org.jdask.graph.RunOptions;
import org.jdask.graph.SchedulerListener;
import org.jdask.graph.Task;
import org.jdask.schedulers.processes.WorkerHandle.Event;
import org.jdask.serialize.Codecs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a graph on the worker JVMs of a {@link ProcessPool}, driven by the calling thread.
 *
 * <h2>How it works</h2>
 * Like the local engine, tasks are ints of an {@link IndexedGraph}, ordered by static priority,
 * with per-task counters of unfinished dependencies ({@link #waiting}) and of readers ({@link
 * #remaining}, the value is released at zero). Two things differ because values live in workers:
 * <ul>
 *   <li><b>Values stay where they were computed.</b> {@link #where} is a bitmask of the workers
 *       holding each value. Data nodes start in the parent and are sent to a worker (PUT) the first
 *       time one of its tasks needs them, then stay there until their last reader finished: a big
 *       {@code Delayed.value} read by many tasks crosses once per worker. When the worker holding a
 *       task's inputs is full, the task waits for it unless another worker is idle. A frame over {@code
 *       processes.shared-memory-threshold-bytes} (1 MiB) does not cross the socket: it is written
 *       once to a file in {@code /dev/shm} (memory) that each worker maps and decodes. A task goes to the worker
 *       holding most of its inputs (simple locality); inputs held elsewhere are fetched through the
 *       parent as encoded bytes (never decoded here). Only outputs come back with their DONE.
 *   <li><b>Pipelining.</b> A task is handed out as soon as every dependency is finished or already
 *       queued on the same worker ({@link #unsent} counts the others): a worker runs its queue in
 *       order, so a chain goes out in batches without a round trip per link. At most {@link
 *       #window} tasks are queued per worker; the window adapts to the measured task time (about
 *       2 ms of work queued) so slow tasks spread over workers and tiny ones travel in bulk.
 * </ul>
 * Each loop iteration hands out what it can, flushes one batch per worker, then waits (100 ms at a
 * time, checking for interrupts) for replies, which worker reader threads post to {@link #events}.
 *
 * <h2>Faults</h2>
 * A task that throws ends the run with {@link TaskFailedException} (its cause is the original
 * exception when it could cross back, else a {@link org.jdask.RemoteTaskError} with type, message
 * and remote stack). Running siblings may finish for {@code processes.drain-timeout-ms}, then their
 * workers are killed (and replaced by the next run). A result that cannot be encoded fails with a
 * {@link SerializationException} naming key and class. A worker that dies throws {@link WorkerLost}
 * (the scheduler retries or reports key and exit status). Interrupting the caller kills the workers
 * that are busy and throws a {@link JdaskException}, interrupt flag restored.
 */
final class RemoteRun {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteRun.class);
    private static final AtomicInteger RUNS = new AtomicInteger();
    /** Task states (see the class essay). */
    static final byte WAITING = 0, READY = 1, PARKED = 2, DEFERRED = 3, FETCHING = 4, SENT = 5, MEMORY = 6, RELEASED = 7,
            ERRED = 8;
    private static final long TARGET_QUEUED_NANOS = 2_000_000;
    private static final int MIN_WINDOW = 2, MAX_WINDOW = 1024;

    private final IndexedGraph g;
    private final int n;
    /** Static priority per task (lower first), from {@code Order.priorities}. */
    private final int[] priority;
    /** Requested output task numbers, in request order. */
    private final int[] outputs;
    /** Per task: is it an output (its value comes back with DONE). */
    private final boolean[] isOutput;
    /** Per task: one of WAITING..ERRED. */
    private final byte[] state;
    /** Per task: dependencies not finished yet. */
    private final int[] waiting;
    /** Per task: dependencies neither finished nor queued on a worker; at zero it may be handed out. */
    private final int[] unsent;
    /** Per task: readers not finished, plus one for outputs; the value is released at zero. */
    private final int[] remaining;
    /** Per task (queued or fetching): the index in {@link #conns} of its worker. */
    private final int[] worker;
    /** Per task: bitmask of workers (index in {@link #conns}) holding its value. */
    private final long[] where;
    /** Per task: its value when the parent holds it decoded (data nodes, decoded outputs). */
    private final Object[] values;
    private final boolean[] inParent;
    /** Per task: its value as an encoded frame when the parent holds one (sent or fetched bytes). */
    private final byte[][] bytes;
    /**
     * Per task: the file holding its encoded frame when it was big enough to go through shared
     * memory ({@code processes.shared-memory-threshold-bytes}): written once, mapped by every worker
     * that needs it, deleted when the value is released or the run ends.
     */
    private final Path[] files;
    private final long shmThreshold;
    /** Per task in FETCHING: inputs still on their way. */
    private final int[] fetchWait;
    /** Input task number → tasks in FETCHING waiting for it. */
    private final Map<Integer, List<Integer>> waiters = new HashMap<>();
    /** Ready tasks by priority. */
    private final IntHeap ready;
    private final Conn[] conns;
    private final ProcessPool pool;
    private final List<SchedulerListener> listeners;
    private final RunOptions options;
    private final long drainMillis;
    private final int runId = RUNS.incrementAndGet();
    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    /** Function (the user's target) → id in this run, and its encoded frame. */
    private final IdentityHashMap<Object, Integer> fnIds = new IdentityHashMap<>();
    private final List<byte[]> fnBytes = new ArrayList<>();
    private int finished;
    private RuntimeException error;
    private double avgNanos = -1;
    private int window = MIN_WINDOW; // grows after the first replies when tasks are short

    RemoteRun(IndexedGraph g, int[] priority, int[] outputs, ProcessPool pool, List<WorkerHandle> workers, RunOptions options,
            long drainMillis) {
        this.g = g;
        this.n = g.size();
        this.priority = priority;
        this.outputs = outputs;
        this.pool = pool;
        this.options = options;
        this.listeners = options.listeners();
        this.drainMillis = drainMillis;
        isOutput = new boolean[n];
        state = new byte[n];
        waiting = new int[n];
        unsent = new int[n];
        remaining = new int[n];
        worker = new int[n];
        where = new long[n];
        values = new Object[n];
        inParent = new boolean[n];
        bytes = new byte[n][];
        fetchWait = new int[n];
        files = new Path[n];
        long t = options.configBytes("processes.shared-memory-threshold-bytes", 1 << 20);
        shmThreshold = t <= 0 ? Long.MAX_VALUE : t;
        ready = new IntHeap(n, priority);
        conns = new Conn[workers.size()];
        for (int i = 0; i < conns.length; i++) conns[i] = new Conn(workers.get(i), i);
    }

    /** Runs to the end; returns the outputs' values in request order. */
    List<Object> execute() {
        for (Conn c : conns) c.w.attach(events);
        try {
            // Codecs.allow(...) made in this JVM travel with the config
            java.util.TreeMap<String, Object> cfg = new java.util.TreeMap<>(Codecs.carryAllowed(options.config()));
            byte[] config = Codecs.encode(cfg);
            for (Conn c : conns) {
                c.out.writeByte(BEGIN);
                c.out.writeInt(runId);
                c.out.writeInt(n);
                writeBytes(c.out, config);
                c.dirty = true;
            }
            start();
            while (finished < n && error == null) {
                dispatch();
                flushAll();
                if (finished == n || error != null) break;
                if (Thread.interrupted()) throw cancelled();
                Event e;
                try {
                    e = events.poll(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException ie) {
                    throw cancelled();
                }
                if (e == null) {
                    checkAlive();
                    continue;
                }
                handle(e);
                while (error == null && (e = events.poll()) != null) handle(e);
            }
            if (error != null) {
                drain();
                throw error;
            }
            return results();
        } catch (IOException e) {
            // a write failed: the reader thread reports the death with the exit status
            throw lostAfterWriteFailure(e);
        } finally {
            for (Conn c : conns) c.w.attach(null);
            for (int i = 0; i < n; i++) if (files[i] != null) deleteFile(i);
        }
    }

    private void deleteFile(int d) {
        try {
            Files.deleteIfExists(files[d]); // workers that mapped it keep their mapping
        } catch (IOException e) {
            LOG.debug("cannot delete {}", files[d], e);
        }
        files[d] = null;
    }

    // ----------------------------------------------------------------------------- set-up

    private void start() throws IOException {
        for (int i : outputs) {
            if (!isOutput[i]) remaining[i]++;
            isOutput[i] = true;
        }
        for (int i = 0; i < n; i++) {
            waiting[i] = unsent[i] = g.dependencyCount(i);
            remaining[i] += g.dependentCount(i);
        }
        for (int i = 0; i < n; i++) {
            if (g.dependencyCount(i) != 0) continue;
            Node node = g.node(i);
            if (node instanceof DataNode d) completeInParent(i, d.value(), null);
            else if (state[i] == WAITING) push(i);
        }
    }

    private void push(int t) {
        state[t] = READY;
        ready.push(t);
    }

    // ----------------------------------------------------------------------------- handing out

    private void dispatch() throws IOException {
        while (error == null && ready.size() > 0) {
            int t = ready.pop();
            if (state[t] != READY) continue;
            Node node = g.node(t);
            if (node instanceof Alias && inParent[g.dependency(t, 0)]) {
                int d = g.dependency(t, 0);
                completeInParent(t, values[d], bytes[d]);
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
                if (conns[pinned].inFlight >= window) {
                    state[t] = DEFERRED;
                    conns[pinned].deferred.add(t);
                    continue;
                }
                w = pinned;
            } else {
                w = choose(t);
                if (w <= -2) {
                    state[t] = DEFERRED; // its inputs' worker is full and no other is idle
                    conns[-2 - w].deferred.add(t);
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
     * room; when it is full, another worker only if that one is idle (a copy is better than an idle
     * worker), else {@code -2 - local}: wait for room on the local worker. Without local inputs: the
     * least busy worker with room. -1 when every worker is full.
     */
    private int choose(int t) {
        int c = g.dependencyCount(t);
        int local = -1;
        int localScore = 0;
        for (int w = 0; w < conns.length && c > 0; w++) {
            int score = 0;
            long bit = 1L << w;
            for (int j = 0; j < c; j++) {
                int d = g.dependency(t, j);
                if ((where[d] & bit) != 0 && !inParent[d]) score++;
            }
            if (score > localScore || score == localScore && score > 0 && conns[w].inFlight < conns[local].inFlight) {
                local = w;
                localScore = score;
            }
        }
        if (local >= 0 && conns[local].inFlight < window) return local;
        int best = -1;
        for (int w = 0; w < conns.length; w++) {
            if (conns[w].inFlight < window && (best < 0 || conns[w].inFlight < conns[best].inFlight)) best = w;
        }
        if (local >= 0 && best >= 0 && conns[best].inFlight > 0) return -2 - local;
        return best;
    }

    private void assign(int t, int w) throws IOException {
        Conn k = conns[w];
        k.inFlight++;
        worker[t] = w;
        long bit = 1L << w;
        int need = 0;
        for (int j = 0, c = g.dependencyCount(t); j < c; j++) {
            int d = g.dependency(t, j);
            if ((where[d] & bit) != 0 || state[d] == SENT) continue;
            if (inParent[d] || bytes[d] != null) {
                put(k, d);
            } else {
                need++;
                List<Integer> ws = waiters.get(d);
                if (ws == null) {
                    waiters.put(d, ws = new ArrayList<>(2));
                    Conn from = conns[Long.numberOfTrailingZeros(where[d])];
                    from.out.writeByte(FETCH);
                    from.out.writeInt(d);
                    from.dirty = true;
                }
                ws.add(t);
            }
        }
        if (need == 0) send(t, k);
        else {
            state[t] = FETCHING;
            fetchWait[t] = need;
        }
    }

    private void put(Conn k, int d) throws IOException {
        if (files[d] == null && bytes[d] == null && inParent[d] && conns.length > 1) {
            files[d] = SharedFiles.writeRaw(values[d], shmThreshold); // big primitive arrays: no byte[] copy
        }
        if (files[d] == null && bytes[d] == null) bytes[d] = encode(d, values[d], "value");
        if (files[d] != null || bytes[d].length >= shmThreshold && conns.length > 1) {
            if (files[d] == null) {
                files[d] = Files.createTempFile(SharedFiles.dir(), "jdask-value-", ".frame");
                Files.write(files[d], bytes[d]);
            }
            k.out.writeByte(PUT_FILE);
            k.out.writeInt(d);
            k.out.writeUTF(files[d].toString());
        } else {
            k.out.writeByte(PUT);
            k.out.writeInt(d);
            writeBytes(k.out, bytes[d]);
        }
        k.dirty = true;
        where[d] |= 1L << k.index;
    }

    private byte[] encode(int key, Object v, String what) {
        try {
            return Codecs.encode(v);
        } catch (SerializationException e) {
            String detail = e.getMessage();
            String prefix = "cannot serialize " + e.className();
            if (detail.startsWith(prefix)) detail = detail.substring(prefix.length()).replaceFirst("^( \\(at [^)]*\\))?: ", "");
            throw new SerializationException(g.key(key), e.className(), e.field(), "the " + what
                    + " cannot be sent to a worker JVM: " + detail, e);
        }
    }

    private void send(int t, Conn k) throws IOException {
        state[t] = SENT;
        k.queue.addLast(t);
        byte flags = isOutput[t] ? RETURN : 0;
        Node node = g.node(t);
        DataOutputStream out = k.out;
        if (node instanceof Task task) {
            // A plain adapter is rebuilt on the worker from its target (shared by every task calling
            // the same lambda); any other FnN (fused programs, collection wrappers) travels whole.
            org.jdask.fn.FnN f = task.function();
            int fn = fnId(t, org.jdask.fn.Fns.isAdapter(f) ? f.target() : f, k);
            if (fast(task)) {
                out.writeByte(RUN);
                out.writeInt(t);
                out.writeByte(flags);
                out.writeInt(fn);
                out.writeInt(task.argCount());
                for (int i = 0; i < task.argCount(); i++) {
                    Object a = task.arg(i);
                    if (a instanceof Key key) {
                        out.writeByte(ARG_DEP);
                        out.writeInt(depIndex(t, task, key));
                    } else {
                        writeSimple(out, a);
                    }
                }
            } else {
                out.writeByte(TASK);
                out.writeInt(t);
                out.writeByte(flags);
                writeBytes(out, encode(t, task, "task"));
                int c = g.dependencyCount(t);
                out.writeInt(c);
                for (int j = 0; j < c; j++) out.writeInt(g.dependency(t, j));
            }
        } else if (node instanceof Alias) {
            out.writeByte(ALIAS);
            out.writeInt(t);
            out.writeByte(flags);
            out.writeInt(g.dependency(t, 0));
        } else {
            throw new IllegalStateException("unknown node type " + node.getClass().getName() + " for " + g.key(t));
        }
        k.dirty = true;
        if (!listeners.isEmpty()) pre(t, k.w.slot);
        for (int j = 0, c = g.dependentCount(t); j < c; j++) {
            int u = g.dependent(t, j);
            if (--unsent[u] == 0 && state[u] == WAITING) push(u);
        }
    }

    /** The function's id in this run; sends it to {@code k} the first time {@code k} needs it. */
    private int fnId(int t, Object target, Conn k) throws IOException {
        Integer id = fnIds.get(target);
        if (id == null) {
            id = fnBytes.size();
            fnBytes.add(encode(t, target, "function " + org.jdask.fn.Fns.name(target)));
            fnIds.put(target, id);
        }
        if (!k.fns.get(id)) {
            k.out.writeByte(FN);
            k.out.writeInt(id);
            writeBytes(k.out, fnBytes.get(id));
            k.fns.set(id);
        }
        return id;
    }

    /** Whether every argument is a top-level key or a literal the RUN operation writes directly. */
    private static boolean fast(Task task) {
        for (int i = 0; i < task.argCount(); i++) {
            Object a = task.arg(i);
            if (!(a instanceof Key) && !simple(a)) return false;
        }
        return true;
    }

    private int depIndex(int t, Task task, Key key) {
        for (int j = 0, c = task.dependencyCount(); j < c; j++) {
            if (task.dependency(j).equals(key)) return g.dependency(t, j);
        }
        throw new IllegalStateException("argument " + key + " of " + g.key(t) + " is not among its dependencies");
    }

    private void flushAll() throws IOException {
        for (Conn c : conns) {
            if (c.dirty) {
                c.out.flush();
                c.dirty = false;
            }
        }
    }

    // ----------------------------------------------------------------------------- replies

    private void handle(Event e) throws IOException {
        if (e.op() == Event.DIED) {
            for (Conn c : conns) if (c.w == e.worker()) throw lost(c);
            return; // a worker not in this run
        }
        if (e.run() != runId) return; // a reply to an earlier run's task
        Conn k = null;
        for (Conn c : conns) if (c.w == e.worker()) k = c;
        if (k == null) return;
        switch (e.op()) {
            case DONE -> done(k, e);
            case DATA -> data(e.id(), e.bytes());
            case SKIPPED -> {
                leave(k, e.id());
                state[e.id()] = ERRED;
                if (error == null) error = new IllegalStateException("worker " + k.w.name() + " skipped " + g.key(e.id())
                        + ": an input was missing (a scheduler bug)");
            }
            case FAILED -> failed(k, e);
            default -> throw new IllegalStateException("unexpected reply " + e.op());
        }
    }

    private void leave(Conn k, int t) {
        Integer head = k.queue.pollFirst();
        if (head == null || head != t) {
            throw new IllegalStateException("worker " + k.w.name() + " answered for " + g.key(t) + " but "
                    + (head == null ? "nothing" : g.key(head)) + " was first in its queue");
        }
        k.inFlight--;
        if (!k.deferred.isEmpty()) {
            for (int d : k.deferred) if (state[d] == DEFERRED) push(d);
            k.deferred.clear();
        }
    }

    private void done(Conn k, Event e) {
        int t = e.id();
        leave(k, t);
        avgNanos = avgNanos < 0 ? e.nanos() : 0.9 * avgNanos + 0.1 * e.nanos();
        window = (int) Math.max(MIN_WINDOW, Math.min(MAX_WINDOW, TARGET_QUEUED_NANOS / Math.max(avgNanos, 1)));
        state[t] = MEMORY;
        where[t] |= 1L << k.index;
        if (e.bytes() != null) bytes[t] = e.bytes();
        finished(t, null, k.w.slot);
    }

    private void completeInParent(int t, Object value, byte[] frame) {
        if (!listeners.isEmpty()) pre(t, 0);
        state[t] = MEMORY;
        values[t] = value;
        inParent[t] = true;
        bytes[t] = frame;
        for (int j = 0, c = g.dependentCount(t); j < c; j++) {
            int u = g.dependent(t, j);
            if (--unsent[u] == 0 && state[u] == WAITING) push(u);
        }
        finished(t, value, 0);
    }

    /** Bookkeeping shared by worker and parent completions: releases, waking dependents, listeners. */
    private void finished(int t, Object value, int slot) {
        finished++;
        for (int j = 0, c = g.dependencyCount(t); j < c; j++) release(g.dependency(t, j));
        if (remaining[t] == 0) release(t);
        for (int j = 0, c = g.dependentCount(t); j < c; j++) {
            int u = g.dependent(t, j);
            if (--waiting[u] == 0 && state[u] == PARKED) push(u);
        }
        if (!listeners.isEmpty()) post(t, value, slot, false);
    }

    private void release(int d) {
        if (remaining[d] > 0 && --remaining[d] > 0) return;
        state[d] = RELEASED;
        long m = where[d];
        while (m != 0) {
            int w = Long.numberOfTrailingZeros(m);
            m &= m - 1;
            Conn c = conns[w];
            try {
                c.out.writeByte(RELEASE);
                c.out.writeInt(d);
                c.dirty = true;
            } catch (IOException e) {
                // the worker is gone; its reader thread reports it
            }
        }
        where[d] = 0;
        values[d] = null;
        bytes[d] = null;
        if (files[d] != null) deleteFile(d);
    }

    private void data(int d, byte[] frame) throws IOException {
        bytes[d] = frame;
        List<Integer> ws = waiters.remove(d);
        if (ws == null) return;
        for (int t : ws) {
            if (state[t] != FETCHING) continue;
            Conn k = conns[worker[t]];
            if ((where[d] & (1L << k.index)) == 0) put(k, d);
            if (--fetchWait[t] == 0) send(t, k);
        }
    }

    private void failed(Conn k, Event e) {
        int t = e.id();
        Key key = g.key(t);
        RuntimeException err;
        switch (e.kind()) {
            case FAIL_TASK -> {
                leave(k, t);
                state[t] = ERRED;
                Throwable cause = e.bytes() != null ? decodeError(e.bytes(), e) : (Throwable) e.extra();
                err = new TaskFailedException(key, cause);
                if (!listeners.isEmpty()) post(t, null, k.w.slot, true);
            }
            case FAIL_RESULT, FAIL_FETCH -> {
                if (e.kind() == FAIL_RESULT) {
                    leave(k, t);
                    state[t] = ERRED;
                    if (!listeners.isEmpty()) post(t, null, k.w.slot, true);
                }
                err = new SerializationException(key, e.type(), String.valueOf(e.extra()), "the result of task " + key
                        + " (" + e.type() + ") cannot be sent back from " + k.w.name() + " (" + e.extra() + ")", null);
            }
            default -> err = new IllegalStateException(k.w.name() + " was asked for " + key
                    + " but does not hold it (a scheduler bug)");
        }
        if (error == null) error = err;
    }

    private Throwable decodeError(byte[] frame, Event e) {
        try {
            Object o = Codecs.decode(frame);
            if (o instanceof Throwable th) return th;
            return new org.jdask.RemoteTaskError(String.valueOf(o), null, null);
        } catch (RuntimeException bad) {
            return new org.jdask.RemoteTaskError("unknown", "the task's exception could not be read: " + bad, null);
        }
    }

    // ----------------------------------------------------------------------------- endings

    private List<Object> results() {
        List<Object> out = new ArrayList<>(outputs.length);
        for (int o : outputs) {
            if (!inParent[o]) {
                if (bytes[o] == null) throw new IllegalStateException("output " + g.key(o) + " has no value (a scheduler bug)");
                try {
                    values[o] = Codecs.decode(bytes[o]);
                } catch (SerializationException e) {
                    throw new SerializationException(g.key(o), e.className(), e.field(), "the result of task " + g.key(o)
                            + " cannot be read in the parent: " + e.getMessage(), e);
                }
                inParent[o] = true;
            }
            out.add(values[o]);
        }
        return out;
    }

    /** After a failure: lets queued siblings answer for up to the drain timeout, then kills the busy workers. */
    private void drain() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainMillis);
        try {
            flushAll();
        } catch (IOException ignored) {
            // a dead worker is killed below
        }
        while (busy() && System.nanoTime() < deadline) {
            Event e;
            try {
                e = events.poll(20, TimeUnit.MILLISECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                break;
            }
            if (e == null || e.run() != runId && e.op() != Event.DIED) continue;
            if (e.op() == Event.DIED) {
                for (Conn c : conns) if (c.w == e.worker()) c.inFlight = 0;
                continue;
            }
            for (Conn c : conns) {
                if (c.w == e.worker() && (e.op() == DONE || e.op() == SKIPPED || e.op() == FAILED
                        && (e.kind() == FAIL_TASK || e.kind() == FAIL_RESULT)) && !c.queue.isEmpty()) {
                    c.queue.pollFirst();
                    c.inFlight--;
                }
            }
        }
        for (Conn c : conns) {
            if (c.inFlight > 0) {
                LOG.info("{} still busy {} ms after the run failed: killing it (it is replaced on the next run)", c.w.name(),
                        drainMillis);
                pool.kill(c.w, "busy after a failed run");
            }
        }
    }

    private boolean busy() {
        for (Conn c : conns) if (c.inFlight > 0 && c.w.alive()) return true;
        return false;
    }

    private JdaskException cancelled() {
        for (Conn c : conns) if (c.inFlight > 0) pool.kill(c.w, "its run was interrupted");
        Thread.currentThread().interrupt();
        return new JdaskException("run interrupted: cancelled with " + finished + " of " + n
                + " tasks finished (busy worker JVMs were killed and will be replaced)");
    }

    private void checkAlive() {
        for (Conn c : conns) if (!c.w.alive()) throw lost(c);
    }

    private RuntimeException lostAfterWriteFailure(IOException e) {
        for (Conn c : conns) if (!c.w.alive() || c.w.socket.isClosed()) return lost(c);
        return new JdaskException("writing to a worker JVM failed", e);
    }

    private WorkerLost lost(Conn c) {
        String status = c.w.exitDescription(5_000);
        int now = c.w.currentTask(); // exact even when earlier DONE replies died in the worker's buffer
        Integer running = now >= 0 && c.queue.contains(now) ? Integer.valueOf(now) : c.queue.peekFirst();
        c.w.kill("lost");
        // the other workers may still be running tasks of this run: kill the busy ones too
        for (Conn o : conns) if (o != c && o.inFlight > 0) pool.kill(o.w, "a sibling died mid-run");
        return new WorkerLost(running == null ? null : g.key(running), c.w.name(), status);
    }

    // ----------------------------------------------------------------------------- listeners

    private void pre(int t, int slot) {
        for (SchedulerListener l : listeners) {
            try {
                l.pretask(g.key(t), slot);
            } catch (RuntimeException e) {
                LOG.debug("listener {} failed in pretask", l, e);
            }
        }
    }

    private void post(int t, Object value, int slot, boolean failed) {
        for (SchedulerListener l : listeners) {
            try {
                l.posttask(g.key(t), value, slot, failed);
            } catch (RuntimeException e) {
                LOG.debug("listener {} failed in posttask", l, e);
            }
        }
    }

    /** One worker as this run sees it. */
    private static final class Conn {
        final WorkerHandle w;
        final int index;
        final DataOutputStream out;
        /** Tasks queued on the worker, in the order it runs them. */
        final java.util.ArrayDeque<Integer> queue = new java.util.ArrayDeque<>();
        /** Tasks waiting for room on this worker (their inputs are queued here). */
        final List<Integer> deferred = new ArrayList<>();
        /** Function ids already sent. */
        final java.util.BitSet fns = new java.util.BitSet();
        int inFlight;
        boolean dirty;

        Conn(WorkerHandle w, int index) {
            this.w = w;
            this.index = index;
            this.out = w.out;
        }
    }

    @Override
    public String toString() {
        int[] c = new int[9];
        for (byte b : state) c[b]++;
        return "RemoteRun(" + runId + ": tasks per state WAITING..ERRED " + Arrays.toString(c) + ", window " + window + ")";
    }
}

package org.jdask.schedulers.processes;

import static org.jdask.schedulers.processes.Protocol.*;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
import org.jdask.graph.Key;
import org.jdask.graph.ListenerCalls;
import org.jdask.graph.Node;
import org.jdask.graph.RunOptions;
import org.jdask.graph.Task;
import org.jdask.schedulers.processes.WorkerHandle.Event;
import org.jdask.serialize.Codecs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a graph on the worker JVMs of a {@link ProcessPool}, driven by the calling thread:
 * the I/O shell around {@link RemoteRunState}, which decides where every task goes and when a
 * value moves or is dropped (its essay says how). This class owns the sockets and the bytes: it
 * turns the state's {@link RemoteRunState.Frames} into protocol frames (encoding functions, tasks
 * and values; a frame over {@code processes.shared-memory-threshold-bytes}, 1 MiB, goes through one
 * file in {@code /dev/shm} that each worker maps), keeps the parent's copies of values, and feeds
 * worker replies back as events. Each loop iteration hands out what it can, flushes one batch per
 * worker, then waits (100 ms at a time, checking for interrupts) for replies, which worker reader
 * threads post to {@link #events}.
 *
 * <h2>Faults</h2>
 * A task that throws ends the run with {@link TaskFailedException} (its cause is the original
 * exception when it could cross back, else a {@link org.jdask.RemoteTaskError} with type, message
 * and remote stack). Running siblings may finish for {@code processes.drain-timeout-ms}, then their
 * workers are killed (and replaced by the next run). A result that cannot be encoded fails with a
 * {@link SerializationException} naming key and class. A worker that dies throws {@link WorkerLost}
 * (the scheduler retries or reports key and exit status). Interrupting the caller kills the workers
 * that are busy and throws a {@link JdaskException}, interrupt flag restored. A listener that
 * throws is logged and skipped, as on every scheduler ({@link org.jdask.graph.Listeners}).
 */
final class RemoteRun implements RemoteRunState.Frames {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteRun.class);
    private static final AtomicInteger RUNS = new AtomicInteger();

    private final IndexedGraph g;
    private final int n;
    private final RemoteRunState st;
    /** Per task: its value when the parent holds it decoded (data nodes, decoded outputs). */
    private final Object[] values;
    /** Per task: its value as an encoded frame when the parent holds one (sent or fetched bytes). */
    private final byte[][] bytes;
    /**
     * Per task: the file holding its encoded frame when it was big enough to go through shared
     * memory ({@code processes.shared-memory-threshold-bytes}): written once, mapped by every worker
     * that needs it, deleted when the value is released or the run ends.
     */
    private final Path[] files;
    private final long shmThreshold;
    /** Per worker slot: its connection, null while its JVM is still starting (it joins when it connects: {@link #adopt}). */
    private final Conn[] conns;
    /** The non-null entries of {@link #conns}. */
    private final List<Conn> active = new ArrayList<>();
    /** The run's config frame, sent to each worker with BEGIN. */
    private byte[] config;
    private final ProcessPool pool;
    private final ListenerCalls listeners;
    private final RunOptions options;
    private final long drainMillis;
    private final int runId = RUNS.incrementAndGet();
    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    /** Posted when a worker JVM of the pool connected: {@link #adopt} takes it into the run. */
    private static final Event JOINED = new Event(null, -1, Event.JOINED, -1, 0, null, (byte) 0, null, null);
    /** Function (the user's target) → id in this run, and its encoded frame. */
    private final IdentityHashMap<Object, Integer> fnIds = new IdentityHashMap<>();
    private final List<byte[]> fnBytes = new ArrayList<>();

    RemoteRun(IndexedGraph g, int[] priority, int[] outputs, ProcessPool pool, List<WorkerHandle> workers, RunOptions options,
            ListenerCalls listeners, long drainMillis) {
        this.g = g;
        this.n = g.size();
        this.pool = pool;
        this.options = options;
        this.listeners = listeners;
        this.drainMillis = drainMillis;
        values = new Object[n];
        bytes = new byte[n][];
        files = new Path[n];
        long t = options.configBytes("processes.shared-memory-threshold-bytes", 1 << 20);
        shmThreshold = t <= 0 ? Long.MAX_VALUE : t;
        conns = new Conn[workers.size()];
        boolean[] joined = new boolean[conns.length];
        for (int i = 0; i < conns.length; i++) {
            if (workers.get(i) == null) continue;
            conns[i] = new Conn(workers.get(i), i);
            active.add(conns[i]);
            joined[i] = true;
        }
        st = new RemoteRunState(g, priority, outputs, conns.length, this, joined);
    }

    /** Runs to the end; returns the outputs' values in request order. */
    List<Object> execute() {
        if (active.isEmpty()) throw new WorkerLost(null, "every worker JVM of the run", "gone before the run began"); // retried on new ones
        for (Conn c : active) c.w.attach(events);
        pool.onJoin(() -> events.add(JOINED)); // a JVM still starting joins the run when it connects
        try {
            // Codecs.allow(...) made in this JVM travel with the config
            java.util.TreeMap<String, Object> cfg = new java.util.TreeMap<>(Codecs.carryAllowed(options.config()));
            config = Codecs.encode(cfg);
            for (Conn c : active) begin(c);
            adopt();
            st.begin();
            while (!st.done()) {
                st.dispatch();
                flushAll();
                if (st.done()) break;
                if (Thread.interrupted()) throw cancelled();
                Event e;
                try {
                    e = events.poll(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException ie) {
                    throw cancelled();
                }
                if (e == null) {
                    checkAlive();
                    adopt();
                    continue;
                }
                handle(e);
                while (st.error == null && (e = events.poll()) != null) handle(e);
            }
            if (st.error != null) {
                drain();
                throw st.error;
            }
            return results();
        } catch (IOException e) {
            // a write failed: the reader thread reports the death with the exit status
            throw lostAfterWriteFailure(e);
        } finally {
            pool.onJoin(null);
            for (Conn c : active) c.w.attach(null);
            for (int i = 0; i < n; i++) if (files[i] != null) deleteFile(i);
        }
    }

    private void begin(Conn c) throws IOException {
        c.out.writeByte(BEGIN);
        c.out.writeInt(runId);
        c.out.writeInt(n);
        writeBytes(c.out, config);
        c.dirty = true;
    }

    /** Takes into the run every worker JVM of its slots that connected since it began (or since the last call). */
    private void adopt() throws IOException {
        if (active.size() == conns.length) return;
        List<WorkerHandle> now = pool.workers(conns.length);
        for (int i = 0; i < conns.length; i++) {
            WorkerHandle w = now.get(i);
            if (conns[i] != null || w == null) continue;
            conns[i] = new Conn(w, i);
            active.add(conns[i]);
            w.attach(events);
            begin(conns[i]);
            st.join(i);
            LOG.debug("{} joined run {} after it began ({} of {} workers now)", w.name(), runId, active.size(), conns.length);
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

    // ----------------------------------------------------------------------------- frames out

    @Override
    public void fetch(int d, int w) throws IOException {
        Conn from = conns[w];
        from.out.writeByte(FETCH);
        from.out.writeInt(d);
        from.dirty = true;
    }

    @Override
    public void put(int d, int w) throws IOException {
        Conn k = conns[w];
        if (files[d] == null && bytes[d] == null && st.inParent[d] && conns.length > 1) {
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
    }

    @Override
    public void release(int d, int w) {
        Conn c = conns[w];
        try {
            c.out.writeByte(RELEASE);
            c.out.writeInt(d);
            c.dirty = true;
        } catch (IOException e) {
            // the worker is gone; its reader thread reports it
        }
    }

    @Override
    public void forget(int d) {
        values[d] = null;
        bytes[d] = null;
        if (files[d] != null) deleteFile(d);
    }

    @Override
    public void inParent(int t, int from) {
        values[t] = from < 0 ? ((DataNode) g.node(t)).value() : values[from];
        bytes[t] = from < 0 ? null : bytes[from];
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

    @Override
    public void run(int t, int w) throws IOException {
        Conn k = conns[w];
        byte flags = st.isOutput[t] ? RETURN : 0;
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
        for (Conn c : active) {
            if (c.dirty) {
                c.out.flush();
                c.dirty = false;
            }
        }
    }

    // ----------------------------------------------------------------------------- replies

    private void handle(Event e) throws IOException {
        if (e == JOINED) {
            adopt();
            return;
        }
        if (e.op() == Event.DIED) {
            for (Conn c : active) if (c.w == e.worker()) throw lost(c);
            return; // a worker not in this run
        }
        if (e.run() != runId) return; // a reply to an earlier run's task
        Conn k = null;
        for (Conn c : active) if (c.w == e.worker()) k = c;
        if (k == null) return;
        switch (e.op()) {
            case DONE -> {
                if (e.bytes() != null) bytes[e.id()] = e.bytes();
                st.done(k.index, e.id(), e.nanos(), e.bytes() != null);
            }
            case DATA -> {
                bytes[e.id()] = e.bytes();
                st.data(e.id());
            }
            case SKIPPED -> st.skipped(k.index, e.id());
            case FAILED -> failed(k, e);
            case MEMORY -> st.paused(k.index, e.id() == 1);
            default -> throw new IllegalStateException("unexpected reply " + e.op());
        }
    }

    private void failed(Conn k, Event e) {
        int t = e.id();
        Key key = g.key(t);
        RuntimeException err;
        switch (e.kind()) {
            case FAIL_TASK -> {
                st.taskFailed(k.index, t);
                Throwable cause = e.bytes() != null ? decodeError(e.bytes(), e) : (Throwable) e.extra();
                err = new TaskFailedException(key, cause);
            }
            case FAIL_RESULT, FAIL_FETCH -> {
                if (e.kind() == FAIL_RESULT) st.taskFailed(k.index, t);
                err = new SerializationException(key, e.type(), String.valueOf(e.extra()), "the result of task " + key
                        + " (" + e.type() + ") cannot be sent back from " + k.w.name() + " (" + e.extra() + ")", null);
            }
            default -> err = new IllegalStateException(k.w.name() + " was asked for " + key
                    + " but does not hold it (a scheduler bug)");
        }
        st.fail(err);
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
        List<Object> out = new ArrayList<>(st.outputs.length);
        for (int o : st.outputs) {
            if (!st.inParent[o] && values[o] == null) {
                if (bytes[o] == null) throw new IllegalStateException("output " + g.key(o) + " has no value (a scheduler bug)");
                try {
                    values[o] = Codecs.decode(bytes[o]);
                } catch (SerializationException e) {
                    throw new SerializationException(g.key(o), e.className(), e.field(), "the result of task " + g.key(o)
                            + " cannot be read in the parent: " + e.getMessage(), e);
                }
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
                for (Conn c : active) if (c.w == e.worker()) st.workerDied(c.index);
                continue;
            }
            for (Conn c : active) {
                if (c.w == e.worker() && (e.op() == DONE || e.op() == SKIPPED || e.op() == FAILED
                        && (e.kind() == FAIL_TASK || e.kind() == FAIL_RESULT))) {
                    st.drained(c.index);
                }
            }
        }
        for (Conn c : active) {
            if (st.inFlight[c.index] > 0) {
                LOG.info("{} still busy {} ms after the run failed: killing it (it is replaced on the next run)", c.w.name(),
                        drainMillis);
                pool.kill(c.w, "busy after a failed run");
            }
        }
    }

    private boolean busy() {
        for (Conn c : active) if (st.inFlight[c.index] > 0 && c.w.alive()) return true;
        return false;
    }

    private JdaskException cancelled() {
        for (Conn c : active) if (st.inFlight[c.index] > 0) pool.kill(c.w, "its run was interrupted");
        Thread.currentThread().interrupt();
        return new JdaskException("run interrupted: cancelled with " + st.finished + " of " + n
                + " tasks finished (busy worker JVMs were killed and will be replaced)");
    }

    private void checkAlive() {
        for (Conn c : active) if (!c.w.alive()) throw lost(c);
    }

    private RuntimeException lostAfterWriteFailure(IOException e) {
        for (Conn c : active) if (!c.w.alive() || c.w.socket.isClosed()) return lost(c);
        return new JdaskException("writing to a worker JVM failed", e);
    }

    private WorkerLost lost(Conn c) {
        String status = c.w.exitDescription(5_000);
        int now = c.w.currentTask(); // exact even when earlier DONE replies died in the worker's buffer
        int running = now >= 0 && st.queued(c.index, now) ? now : st.head(c.index);
        c.w.kill("lost");
        // the other workers may still be running tasks of this run: kill the busy ones too
        for (Conn o : active) if (o != c && st.inFlight[o.index] > 0) pool.kill(o.w, "a sibling died mid-run");
        return new WorkerLost(running < 0 ? null : g.key(running), c.w.name(), status);
    }

    // ----------------------------------------------------------------------------- listeners

    @Override
    public void started(int t, int w) {
        if (!listeners.isEmpty()) listeners.pretask(g.key(t), w < 0 ? 0 : conns[w].w.slot);
    }

    @Override
    public void finished(int t, int w, boolean failed) {
        if (!listeners.isEmpty()) listeners.posttask(g.key(t), w < 0 ? values[t] : null, w < 0 ? 0 : conns[w].w.slot, failed);
    }

    /** One worker as this run's shell sees it: its stream and what was sent to it (its queue is in the state). */
    private static final class Conn {
        final WorkerHandle w;
        final int index;
        final DataOutputStream out;
        /** Function ids already sent. */
        final java.util.BitSet fns = new java.util.BitSet();
        boolean dirty;

        Conn(WorkerHandle w, int index) {
            this.w = w;
            this.index = index;
            this.out = w.out;
        }
    }

    @Override
    public String toString() {
        return "RemoteRun(" + runId + ": tasks per state WAITING..ERRED " + Arrays.toString(st.stateCounts()) + ", window " + st.window + ")";
    }
}

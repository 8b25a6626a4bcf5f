package org.jdask.distributed;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.jdask.Config;
import org.jdask.distributed.internal.Payload;
import org.jdask.distributed.internal.Sizes;
import org.jdask.distributed.internal.WorkerEvent;
import org.jdask.distributed.internal.WorkerInstruction.Execute;
import org.jdask.distributed.internal.memory.MemoryManager;
import org.jdask.distributed.internal.memory.SpillBuffer;
import org.jdask.graph.Alias;
import org.jdask.graph.DataNode;
import org.jdask.graph.Key;
import org.jdask.graph.Node;
import org.jdask.graph.Task;
import org.jdask.serialize.Codecs;
import org.jdask.serialize.FnFrame;
import org.jdask.serialize.FrameStreams;

/**
 * Runs one task on a worker's executor thread: decodes its config first (it may allow the
 * client's packages) and then its spec inside the client's shipped code and config, computes it,
 * refuses a result over the memory limit, and stores the result before the worker's state hears
 * of it (storing may spill to disk, so not under the state's lock). Failures, including an
 * {@code OutOfMemoryError} inside the task, become the task's error, never the worker's death; a
 * task that runs out of heap runs once more after every stored result went to disk (the heap may
 * have been full of other things at that moment), and fails if it runs out again.
 */
final class TaskCompute {
    /** What a run ends in: the event for the worker's state; for a stored result, its start and thread for the task stream. */
    record Outcome(Key key, WorkerEvent event, boolean stored, long startMillis, int thread) {}

    private final ClientCode clientCode;
    private final Function<Key, Object> values;
    private final Function<Throwable, Payload> errorPayload;
    private final MemoryManager memory;
    private final long memoryLimit;
    private final SpillBuffer<Key> data;
    /**
     * Thread numbers for the task stream: the lowest slot free while a task runs, so they stay within
     * 1..nthreads however the pool replaces or adds threads (its SynchronousQueue starts a new thread
     * when a task arrives before the last one's thread is back waiting); only seceded tasks go above.
     */
    private final BitSet busySlots = new BitSet();

    /**
     * {@code values} reads a dependency's value from the worker's store; {@code clientCode} is null for
     * in-process workers; results go into {@code memory}'s store, checked against its limit.
     */
    TaskCompute(ClientCode clientCode, Function<Key, Object> values, Function<Throwable, Payload> errorPayload, MemoryManager memory) {
        this.clientCode = clientCode;
        this.values = values;
        this.errorPayload = errorPayload;
        this.memory = memory;
        this.memoryLimit = memory.policy().limit();
        this.data = memory.data();
    }

    /**
     * The inputs a task read that may need counting again after it ran (issue 15): only values a codec
     * may size ({@link Sizes#plain} is false), so a task that reads integers, strings or arrays
     * allocates no map and asks no codec registry. Held by one executor thread.
     */
    static final class Reads {
        private Map<Key, Object> kept; // null until an input needs re-measuring

        /** Notes that the task read {@code v} under {@code k}. */
        void read(Key k, Object v) {
            if (Sizes.plain(v)) return;
            if (kept == null) kept = new HashMap<>(4);
            kept.put(k, v);
        }

        /** The inputs kept for re-measuring, as the task got them; empty when none needs it. */
        Map<Key, Object> kept() {
            return kept == null ? Map.of() : kept;
        }
    }

    /** Decodes and runs the task's spec inside the client's code and config; its value. */
    private Object compute(Execute x, Reads read) throws Exception {
        Function<Key, Object> values = k -> {
            Object v = this.values.apply(k);
            read.read(k, v);
            return v;
        };
        // the config first: it may allow the client's packages (Codecs.carryAllowed) that the spec needs
        @SuppressWarnings("unchecked")
        Map<String, Object> all = x.config() == null ? null : Codecs.acceptAllowed((Map<String, Object>) ((Payload) x.config()).value());
        ClientCode.Split split = ClientCode.split(all); // the client's code, if it ships any (issue 16)
        Map<String, Object> cfg = split.config();
        try (ClientCode.Scope code = clientCode == null ? null : clientCode.open(split.ref());
             Config.Scope ignored = cfg == null || cfg.isEmpty() ? null : Config.apply(cfg)) {
            Node node = (Node) ClientCode.decodeInScope(((Payload) x.spec())::value);
            // a map's function travels as its own frame: decoded here (cached per class loader), in the client's code scope
            if (node instanceof Task t && t.function() instanceof FnFrame f) ClientCode.decodeInScope(f::resolve);
            if (node instanceof Task t) return t.execute(values);
            if (node instanceof DataNode d) return d.value();
            return values.apply(((Alias) node).target());
        }
    }

    /**
     * Counts again the inputs a task read that a codec sizes cheaply ({@code FrameStreams.sizeOf}):
     * a task may have taken part of one (a pick takes its piece from a split partition), and the
     * rows must be counted once, by the pick's result (issue 15).
     */
    private void remeasure(Reads read) {
        for (Map.Entry<Key, Object> e : read.kept().entrySet()) {
            Object v = e.getValue();
            long n = FrameStreams.sizeOf(v);
            if (n >= 0) data.resize(e.getKey(), v, n);
        }
    }

    /** After a task ran out of heap: every stored result to disk and a collection, so its second try has the heap. */
    private void relieve() {
        try {
            data.spill(Long.MAX_VALUE);
        } catch (RuntimeException | OutOfMemoryError ignored) {
            // the retry tells whether it was enough
        }
        System.gc();
    }

    /** Executor thread: runs {@code x}; returns the event that reports it. */
    Outcome run(Execute x) {
        int slot;
        synchronized (busySlots) {
            slot = busySlots.nextClearBit(0);
            busySlots.set(slot);
        }
        try {
            return run(x, slot + 1);
        } finally {
            synchronized (busySlots) {
                busySlots.clear(slot);
            }
        }
    }

    private Outcome run(Execute x, int threadNo) {
        long startMillis = System.currentTimeMillis();
        long t0 = System.nanoTime();
        Object result = null;
        Throwable failure = null;
        boolean outOfMemory = false;
        Reads read = new Reads(); // the inputs this task read that may need counting again
        try {
            result = compute(x, read);
        } catch (OutOfMemoryError e) {
            outOfMemory = true; // nothing of the failed attempt is kept: its objects can go
        } catch (Throwable e) {
            failure = e;
        }
        if (outOfMemory) {
            // the heap may have been full of other things at that moment (stored results, a spill, a peer's
            // transfer): move every result to disk, collect, and run the task once more before failing it
            relieve();
            try {
                result = compute(x, read);
            } catch (Throwable again) {
                failure = again;
            }
        }
        if (failure != null) {
            if (failure instanceof InterruptedException) Thread.currentThread().interrupt();
            Payload err = errorPayload.apply(failure instanceof OutOfMemoryError oom ? WorkerMemory.outOfMemory(x.key(), oom, memoryLimit) : failure);
            return new Outcome(x.key(), new WorkerEvent.ExecuteFailed(x.key(), err), false, startMillis, threadNo);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        remeasure(read);
        Object stored = result;
        long nbytes = Sizes.of(stored);
        if (memory.policy().oversized(nbytes)) {
            Payload err = errorPayload.apply(WorkerMemory.oversized(x.key(), nbytes, memoryLimit));
            return new Outcome(x.key(), new WorkerEvent.ExecuteFailed(x.key(), err), false, startMillis, threadNo);
        }
        // stored before the state knows (may spill to disk: not under the state lock)
        data.put(x.key(), stored == null ? Worker.NULL : stored, nbytes);
        return new Outcome(x.key(), new WorkerEvent.ExecuteDone(x.key(), nbytes, seconds), true, startMillis, threadNo);
    }
}

package org.jdask.distributed;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.jdask.Config;
import org.jdask.distributed.internal.FetchBudget;
import org.jdask.distributed.internal.Payload;
import org.jdask.distributed.internal.Sizes;
import org.jdask.distributed.internal.memory.LocalDirectory;
import org.jdask.distributed.internal.memory.MemoryManager;
import org.jdask.distributed.internal.memory.MemoryPolicy;
import org.jdask.distributed.internal.memory.SpillBuffer;
import org.jdask.graph.Key;
import org.jdask.serialize.Codecs;
import org.jdask.serialize.FrameStreams;

/**
 * How a {@link Worker} sets up its memory manager, and the errors it reports: the worker's store
 * keeps values as they are, as the {@link Payload} they arrived in, or a sentinel for null; on disk
 * they are {@link Codecs} frames, streamed in and out a chunk at a time ({@link FrameStreams}); a
 * primitive array read back is the array again, any other value a payload decoded on first use
 * (under the task's class loader). A peer fetching a spilled value gets the bytes as they are.
 */
final class WorkerMemory {
    /** Exit code of a worker JVM that stopped itself past {@code distributed.worker.memory.terminate}. */
    static final int EXIT_MEMORY = 77;
    /** Exit code of a worker JVM the scheduler retired ({@code client.retireWorkers}): its nanny stops too. */
    static final int EXIT_RETIRED = 78;

    private WorkerMemory() {}

    /**
     * The memory manager for a worker with {@code o}: the limit given, or the default (this
     * machine's memory divided by the workers on it; a worker that owns its JVM is also bounded by
     * the heap, which is what it can measure); a fresh directory in {@code o.localDirectory()} (a
     * missing or unwritable one fails here, naming it).
     */
    static MemoryManager open(Worker.Options o, boolean ownsProcess, Object nullValue, MemoryManager.Listener listener) {
        long limit = o.memoryLimit();
        if (limit <= 0) {
            String configured = Config.getString(MemoryPolicy.PREFIX + "limit", "");
            limit = configured.isBlank() ? 0 : Sizes.parse(configured, "config " + MemoryPolicy.PREFIX + "limit");
        }
        if (limit <= 0) limit = MemoryPolicy.defaultLimit(1);
        long heap = Runtime.getRuntime().maxMemory(); // a little under -Xmx (a survivor space)
        if (ownsProcess && heap < 0.9 * limit) limit = heap; // what this JVM can measure and hold
        MemoryPolicy policy = MemoryPolicy.fromConfig(limit);
        // a worker JVM's thresholds are fractions of what its heap can hold long-lived (the old generation)
        if (ownsProcess) policy = policy.within(MemoryPolicy.longLivedCapacity());
        LocalDirectory dir = LocalDirectory.create(o.localDirectory());
        SpillBuffer.Codec codec = new SpillBuffer.Codec() {
            @Override
            public byte[] encode(Object v) {
                if (v instanceof Payload p) return p.bytes();
                return Codecs.encode(v == nullValue ? null : v);
            }

            @Override
            public Object decode(byte[] frame) {
                return Payload.ofBytes(frame);
            }

            @Override
            public void encode(Object v, OutputStream out) throws IOException {
                if (v instanceof Payload p && (p.encodedSize() >= 0 || !p.hasValue())) out.write(p.bytes());
                else FrameStreams.encode(v instanceof Payload p ? p.value() : v == nullValue ? null : v, out);
            }

            @Override
            public Object decode(InputStream in, int length) throws IOException {
                // a primitive array comes back as itself, filled chunk by chunk; any other frame as bytes
                return FrameStreams.read(in, length, Payload::ofBytes);
            }
        };
        try {
            return new MemoryManager(policy, dir, codec, ownsProcess, listener);
        } catch (RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    /**
     * The cap on peer data in flight to this worker: {@code distributed.worker.memory.transfer}
     * (0.1) of the limit at once, {@code distributed.worker.transfer.message-bytes-limit} (50 MB)
     * per request; none without a limit, nor between in-process workers (values pass by reference).
     */
    static FetchBudget fetchBudget(MemoryPolicy policy, boolean inProcess) {
        if (policy.limit() <= 0 || inProcess) return FetchBudget.unlimited();
        double f = Config.getDouble(MemoryPolicy.PREFIX + "transfer", 0.1);
        if (!(f > 0 && f <= 1)) {
            throw new IllegalArgumentException("config " + MemoryPolicy.PREFIX + "transfer must be a fraction of the memory limit in (0, 1], got " + f);
        }
        long message = Config.getBytes("distributed.worker.transfer.message-bytes-limit", 50_000_000L);
        return new FetchBudget(Math.max(1, (long) (f * policy.limit())), Math.max(1, message));
    }

    /** Set by {@link WorkerMain}: this JVM is a worker's own, so a heap exhausted outside a task ends it. */
    static volatile boolean ownsJvm;

    /**
     * Outside a task, an {@code OutOfMemoryError} (or one as a cause) leaves a worker JVM unusable:
     * halt with {@link WorkerMain#EXIT_OUT_OF_MEMORY} so its nanny starts a new one and the scheduler
     * recovers its tasks (as {@code -XX:+ExitOnOutOfMemoryError} would, which would also end the JVM
     * for a task's error). A loop that caught it and closed cleanly exited 0 instead (issue 15).
     * Nothing happens in a JVM that is not a worker's own (in-process workers share the client's).
     */
    static void haltIfOutOfMemory(Throwable e, String where) {
        if (!ownsJvm || !isOutOfMemory(e)) return;
        System.err.println("worker JVM out of memory in " + where + " (outside a task): exiting with status " + WorkerMain.EXIT_OUT_OF_MEMORY);
        System.err.flush();
        Runtime.getRuntime().halt(WorkerMain.EXIT_OUT_OF_MEMORY);
    }

    /** Whether {@code e} or one of its causes is an {@code OutOfMemoryError}. */
    static boolean isOutOfMemory(Throwable e) {
        for (int depth = 0; e != null && depth < 16; e = e.getCause(), depth++) if (e instanceof OutOfMemoryError) return true;
        return false;
    }

    /** A result larger than the whole limit: fails its task, the worker lives on. */
    static IllegalStateException oversized(Key key, long nbytes, long limit) {
        return new IllegalStateException("the result of task " + key + " is " + nbytes + " bytes, more than the worker's whole memory limit of "
                + limit + " bytes: split it into smaller chunks, or raise the limit (LocalCluster.builder().memoryLimit(...),"
                + " jdask worker --memory-limit, config distributed.worker.memory.limit)");
    }

    /** A task that ran out of heap: fails that task with the key and the limit, the worker lives on. */
    static IllegalStateException outOfMemory(Key key, OutOfMemoryError e, long limit) {
        IllegalStateException x = new IllegalStateException("task " + key + " ran out of memory (" + e.getMessage()
                + ") on a worker with a memory limit of " + limit + " bytes: its result or working set does not fit; split it"
                + " into smaller chunks, or raise the limit (LocalCluster.builder().memoryLimit(...), jdask worker --memory-limit)");
        x.initCause(e);
        return x;
    }
}

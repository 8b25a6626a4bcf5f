package org.jdask.distributed.internal.memory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's data: values in memory, least-recently-used first out to a {@link SpillFile} when
 * the bytes they hold pass {@code target} (Dask's {@code SpillBuffer}).
 *
 * <h2>How it works</h2>
 * Each value is stored with its managed size (what {@code Sizes.of} measured). {@link #put} adds it
 * to the in-memory map (access-ordered, so iteration starts at the least recently used value)
 * and, while the in-memory bytes exceed {@code target}, encodes the oldest value with the
 * {@link Codec} and streams it to disk a chunk at a time (never a second whole copy on the
 * heap); a single value larger than {@code target} goes to disk at
 * once. {@link #get} of a spilled value reads it back and keeps it in memory again (unspill),
 * which may push older values out. {@link #encoded} serves a spilled value's bytes as they are,
 * without unspilling (a peer's fetch, a client's gather). {@link #spill} moves out a given number
 * of bytes whatever {@code target} says: the memory manager calls it when the whole process is
 * over its limits. A value the codec cannot encode stays in memory (logged once per key).
 *
 * <p>The spill file is created inside the worker's {@link LocalDirectory} on first use, or ahead of
 * it by {@link #prepare} (creating a Chronicle Map generates and compiles code: seconds of CPU that
 * should not be spent under the lock). Reads and writes of values are synchronized: disk I/O
 * happens under the lock, so one value is never both being written and read. {@link #stats} and
 * {@link #memoryBytes} read a snapshot and never wait for the lock, so a heartbeat is never held
 * up by a spill.
 */
public final class SpillBuffer<K> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpillBuffer.class);

    /** How values become bytes and back ({@code Codecs} in a worker). */
    public interface Codec {
        byte[] encode(Object value);

        Object decode(byte[] frame);

        /** Writes the frame of {@code value} to {@code out} (override to stream it in pieces). */
        default void encode(Object value, OutputStream out) throws IOException {
            out.write(encode(value));
        }

        /** Reads a frame of {@code length} bytes from {@code in} (override to decode it in pieces). */
        default Object decode(InputStream in, int length) throws IOException {
            return decode(in.readNBytes(length));
        }
    }

    /** Counters for the dashboard and {@code workerInfo()}: bytes by where they are, and spill traffic. */
    public record Stats(long memoryBytes, long spilledBytes, long diskBytes, int inMemory, int spilled, long spillCount,
                        long unspillCount, long bytesWritten, long bytesRead, double writeSeconds, double readSeconds) {
        /** Spill write speed in bytes per second (0 before the first spill). */
        public double writeBytesPerSecond() {
            return writeSeconds > 0 ? bytesWritten / writeSeconds : 0;
        }

        public double readBytesPerSecond() {
            return readSeconds > 0 ? bytesRead / readSeconds : 0;
        }
    }

    private record Held(Object value, long nbytes) {}

    private record OnDisk(long id, int length, long nbytes) {}

    private final LinkedHashMap<K, Held> fast = new LinkedHashMap<>(64, 0.75f, true);
    private final Map<K, OnDisk> slow = new HashMap<>();
    private final Map<K, Boolean> unspillable = new HashMap<>();
    /** When tasks last read each in-memory value ({@link System#nanoTime}), for {@link #spillIdle}. */
    private final Map<K, Long> readAt = new HashMap<>();
    /** How long after a task read it a value counts as in use ({@link #spillIdle} leaves it). */
    long inUseNanos = IN_USE_NANOS;
    static final long IN_USE_NANOS = 1_000_000_000L;
    /** Spilled keys {@link #read} once without bringing them back. */
    private final Set<K> readOnce = new HashSet<>();
    private final Codec codec;
    private final Path dir;
    private final long capacity;
    private volatile long target;
    /** Set once, by {@link #prepare} under {@link #creating} (never under this object's lock: no lock cycle). */
    private volatile SpillFile file;
    private final Object creating = new Object();
    private volatile boolean closed;
    private long fastBytes, slowBytes, managedOnDisk;
    private long spillCount, unspillCount, bytesWritten, bytesRead, writeNanos, readNanos;
    private volatile Stats snapshot = new Stats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /**
     * @param target in-memory bytes past which values spill ({@code Long.MAX_VALUE}: only when asked)
     * @param dir where the spill file goes (created on the first spill)
     * @param capacity bytes the spill file is planned for
     */
    public SpillBuffer(long target, Path dir, long capacity, Codec codec) {
        this.target = target;
        this.dir = dir;
        this.capacity = capacity;
        this.codec = codec;
    }

    /** Stores {@code value} (not null) under {@code key} with its managed size, spilling LRU values past target. */
    public synchronized void put(K key, Object value, long nbytes) {
        if (value == null) throw new IllegalArgumentException("null value for " + key + " (store a sentinel)");
        remove(key);
        fast.put(key, new Held(value, nbytes));
        fastBytes += nbytes;
        if (nbytes > target) spillOne(key, fast.get(key));
        evict(fastBytes - target);
        publish();
    }

    /**
     * Moves {@code target} (the memory manager lowers it while tasks and transfers need the heap,
     * see {@link MemoryPolicy#roomForData}); lowering it spills least-recently-used values now.
     */
    public synchronized void target(long bytes) {
        if (bytes == target) return;
        target = bytes;
        evict(fastBytes - target);
        publish();
    }

    /** The in-memory bytes past which values spill now (never waits for a spill in progress). */
    public long target() {
        return target;
    }

    /**
     * Creates the spill file now if it does not exist yet, without taking this buffer's lock (it
     * takes a while); a spill that needs the file meanwhile waits for this creation, never starts
     * a second one on the same path.
     */
    public void prepare() {
        synchronized (creating) {
            if (file != null || closed) return;
            SpillFile f = new SpillFile(dir, capacity);
            if (closed) f.close();
            else file = f;
        }
    }

    /** Starts creating the spill file on a daemon thread unless it exists or is being created; a failure is logged. */
    public void prepareAside() {
        if (file != null || closed || !creatingAside.compareAndSet(false, true)) return;
        Thread t = new Thread(() -> {
            try {
                prepare();
            } catch (RuntimeException | Error e) {
                LOG.warn("cannot create the spill store in {} yet: {}", dir, e.toString());
            } finally {
                creatingAside.set(false);
            }
        }, "jdask-spill-store-create");
        t.setDaemon(true);
        t.start();
    }

    private final AtomicBoolean creatingAside = new AtomicBoolean();

    /** Whether the spill file exists. */
    public boolean prepared() {
        return file != null;
    }

    private void publish() {
        snapshot = new Stats(fastBytes, managedOnDisk, slowBytes, fast.size(), slow.size(), spillCount, unspillCount,
                bytesWritten, bytesRead, writeNanos / 1e9, readNanos / 1e9);
    }

    /** The value of {@code key}, read back into memory if it was spilled; null if absent. */
    public synchronized Object get(K key) {
        Held h = fast.get(key);
        if (h != null) return h.value();
        OnDisk d = slow.get(key);
        if (d == null) return null;
        Object v = readValue(d);
        readOnce.remove(key);
        slow.remove(key);
        slowBytes -= d.length();
        file.remove(d.id(), d.length());
        unspillCount++;
        fast.put(key, new Held(v, d.nbytes()));
        managedOnDisk -= d.nbytes();
        fastBytes += d.nbytes();
        evict(fastBytes - target);
        publish();
        return v;
    }

    /**
     * The value of {@code key} for a task that reads it (null if absent): a spilled value comes
     * back into memory only when it fits under {@code target} beside what is there; otherwise it
     * is decoded for this read and stays on disk. Unspilling into a full buffer pushed another
     * value out for each one read back: a shuffle's output tasks, which read every piece once and
     * then drop it, wrote as much as they read (issue 15). A value read a second time comes back
     * into memory (as {@link #get}): it has several readers (a split partition and its picks).
     */
    public synchronized Object read(K key) {
        Held h = fast.get(key);
        if (h != null) {
            readAt.put(key, System.nanoTime());
            return h.value();
        }
        OnDisk d = slow.get(key);
        if (d == null) return null;
        // read a second time (a split partition that each of its pieces' picks reads): back into memory
        if (fastBytes + d.nbytes() <= target || !readOnce.add(key)) {
            Object v = get(key);
            if (fast.containsKey(key)) readAt.put(key, System.nanoTime());
            return v;
        }
        Object v = readValue(d);
        publish();
        return v;
    }

    /** The encoded bytes of a spilled value (left on disk), or null if it is in memory or absent. */
    public synchronized byte[] encoded(K key) {
        OnDisk d = slow.get(key);
        return d == null ? null : readFrame(d);
    }

    /** Replaces the in-memory value of {@code key} if it is still {@code old} (same managed size). */
    public synchronized boolean replace(K key, Object old, Object now) {
        Held h = fast.get(key);
        if (h == null || h.value() != old) return false;
        fast.put(key, new Held(now, h.nbytes()));
        return true;
    }

    /**
     * Counts {@code nbytes} for {@code key} from now on if its in-memory value is still {@code value}
     * (a task changed it: a split partition whose pieces its picks took holds only the rest);
     * spills past target as {@link #put} does. False if the key is on disk, gone or holds another value.
     */
    public synchronized boolean resize(K key, Object value, long nbytes) {
        Held h = fast.get(key);
        if (h == null || h.value() != value) return false;
        if (h.nbytes() == nbytes) return true;
        fast.put(key, new Held(value, nbytes));
        fastBytes += nbytes - h.nbytes();
        evict(fastBytes - target);
        publish();
        return true;
    }

    /** The managed size of {@code key} (in memory or on disk), 0 if absent; never reads the value. */
    public synchronized long nbytes(K key) {
        Held h = fast.get(key);
        if (h != null) return h.nbytes();
        OnDisk d = slow.get(key);
        return d == null ? 0 : d.nbytes();
    }

    public synchronized boolean containsKey(K key) {
        return fast.containsKey(key) || slow.containsKey(key);
    }

    /** Whether {@code key} is on disk now. */
    public synchronized boolean isSpilled(K key) {
        return slow.containsKey(key);
    }

    public synchronized void remove(K key) {
        unspillable.remove(key);
        readAt.remove(key);
        readOnce.remove(key);
        Held h = fast.remove(key);
        if (h != null) fastBytes -= h.nbytes();
        OnDisk d = slow.remove(key);
        if (d != null) {
            slowBytes -= d.length();
            managedOnDisk -= d.nbytes();
            file.remove(d.id(), d.length());
        }
        if (h != null || d != null) publish();
    }

    public synchronized int size() {
        return fast.size() + slow.size();
    }

    /** Managed bytes in memory (a snapshot: does not wait for a spill in progress). */
    public long memoryBytes() {
        return snapshot.memoryBytes();
    }

    /** Spills least-recently-used values until {@code bytes} managed bytes left memory; returns how many did. */
    public synchronized long spill(long bytes) {
        long n = evict(bytes);
        publish();
        return n;
    }

    /**
     * As {@link #spill}, but leaves the values a task read in the last second: they are in use (a
     * split partition that its picks read one after the other, a few milliseconds apart), so
     * writing one out frees nothing for long and the next reader decodes it back from disk, a
     * whole copy of garbage each time (issue 15: the memory manager's spills by process memory
     * moved every result out, the split being picked included, about once a second). Before the
     * spill file exists this starts creating it ({@link #prepareAside}) and spills nothing yet.
     */
    public synchronized long spillIdle(long bytes) {
        if (file == null && bytes > 0 && !fast.isEmpty()) {
            // Creating a Chronicle Map compiles code (seconds of CPU on a loaded machine): done here, under this
            // lock, it held up the task storing a result and every task reading an input (issue 15: a 3-4 s gap at
            // the start of the 3x shuffle on each 128 MiB worker). The values stay until the next call.
            prepareAside();
            return 0;
        }
        long since = System.nanoTime() - inUseNanos;
        long n = evict(bytes, k -> {
            Long at = readAt.get(k);
            return at != null && at - since > 0;
        });
        publish();
        return n;
    }

    /** The counters as of the last change (does not wait for a spill in progress). */
    public Stats stats() {
        return snapshot;
    }

    private long evict(long bytes) {
        return evict(bytes, k -> false);
    }

    private long evict(long bytes, Predicate<K> keep) {
        if (bytes <= 0) return 0;
        long freed = 0;
        List<Map.Entry<K, Held>> order = new ArrayList<>();
        for (Iterator<Map.Entry<K, Held>> it = fast.entrySet().iterator(); it.hasNext() && freed < bytes; ) {
            Map.Entry<K, Held> e = it.next();
            if (unspillable.containsKey(e.getKey()) || keep.test(e.getKey())) continue;
            order.add(e);
            freed += e.getValue().nbytes();
        }
        freed = 0;
        for (Map.Entry<K, Held> e : order) if (spillOne(e.getKey(), e.getValue())) freed += e.getValue().nbytes();
        return freed;
    }

    private boolean spillOne(K key, Held h) {
        if (file == null) prepare();
        if (file == null) return false; // closed
        long t0 = System.nanoTime();
        SpillFile.Written w;
        try {
            w = file.write(out -> codec.encode(h.value(), out)); // in chunks: no second whole copy of the value
        } catch (SpillFile.StoreException e) {
            throw e;
        } catch (RuntimeException e) {
            unspillable.put(key, Boolean.TRUE);
            LOG.warn("cannot spill {}: its value cannot be encoded ({}); it stays in memory", key, e.toString());
            return false;
        }
        writeNanos += System.nanoTime() - t0;
        bytesWritten += w.length();
        spillCount++;
        fast.remove(key);
        readAt.remove(key);
        fastBytes -= h.nbytes();
        slow.put(key, new OnDisk(w.id(), w.length(), h.nbytes()));
        slowBytes += w.length();
        managedOnDisk += h.nbytes();
        return true;
    }

    /** A spilled value read back a chunk at a time (decoded as it streams in where the codec can). */
    private Object readValue(OnDisk d) {
        long t0 = System.nanoTime();
        Object v;
        try (InputStream in = file.open(d.id(), d.length())) {
            v = codec.decode(in, d.length());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read a spilled value back from " + file.file() + ": " + e.getMessage(), e);
        }
        readNanos += System.nanoTime() - t0;
        bytesRead += d.length();
        return v;
    }

    private byte[] readFrame(OnDisk d) {
        long t0 = System.nanoTime();
        byte[] frame = file.read(d.id(), d.length());
        readNanos += System.nanoTime() - t0;
        bytesRead += frame.length;
        return frame;
    }

    /** Drops every value (in memory and on disk). */
    public synchronized void clear() {
        fast.clear();
        unspillable.clear();
        readOnce.clear();
        readAt.clear();
        for (OnDisk d : slow.values()) file.remove(d.id(), d.length());
        slow.clear();
        fastBytes = slowBytes = managedOnDisk = 0;
        publish();
    }

    /** Drops everything and closes (deletes) the spill file. */
    @Override
    public synchronized void close() {
        closed = true; // a creation in progress deletes its file when it sees this
        fast.clear();
        slow.clear();
        unspillable.clear();
        readOnce.clear();
        readAt.clear();
        fastBytes = slowBytes = managedOnDisk = 0;
        publish();
        if (file != null) file.close();
        file = null;
    }
}

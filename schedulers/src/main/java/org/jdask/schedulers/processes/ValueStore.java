package org.jdask.schedulers.processes;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.jdask.Config;
import org.jdask.serialize.Codecs;
import org.jdask.serialize.FrameStreams;

/**
 * The values a {@code processes} worker JVM holds between tasks of a run, indexed by task number,
 * with the memory rules of a distributed worker ({@code distributed.worker.memory.target} and
 * {@code .spill}, fractions of this JVM's maximum heap): past {@code target} by the bytes it tracks
 * (exact for primitive arrays and strings), or past {@code spill} by the heap in use after a
 * collection (what the tracker cannot size), least-recently-used values are written to files in
 * the worker's own directory and read back when a task or the parent needs them. Values stream
 * to and from disk in pieces ({@link FrameStreams}): spilling a 100 MB array never holds a second
 * copy of it. A value that cannot be encoded stays in memory.
 *
 * <p>Not thread-safe: the worker's main loop is its only user.
 */
final class ValueStore {
    /** Spilled: the file holds the value's frame. */
    private record OnDisk(Path file, int length) {}

    private static final Object ABSENT = new Object();
    private static final long GC_INTERVAL_NANOS = 1_000_000_000L;

    private final Path dir;
    private final long limit;
    private Object[] values = new Object[0];
    /** Managed (tracked) bytes of each value in memory, least recently used first. */
    private final LinkedHashMap<Integer, Long> inMemory = new LinkedHashMap<>(64, 0.75f, true);
    private long managed;
    private long lastGc;
    private long spilledBytes, spillCount;
    private double target = 0.6, spill = 0.7;

    /** A store spilling to {@code dir} (created now, emptied first) for a JVM of {@code limit} bytes of heap. */
    ValueStore(Path dir, long limit) {
        this.dir = dir;
        this.limit = limit;
        try {
            deleteTree(dir);
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the processes worker's spill directory " + dir, e);
        }
    }

    /** A new run of {@code size} tasks: drops every value, reads the thresholds from the run's config. */
    void reset(int size) {
        for (int i = 0; i < values.length; i++) release(i);
        values = new Object[size];
        Arrays.fill(values, ABSENT);
        inMemory.clear();
        managed = 0;
        target = fraction("target", 0.6);
        spill = fraction("spill", 0.7);
    }

    static double fraction(String name, double fallback) {
        Object v = Config.get("distributed.worker.memory." + name);
        if (v instanceof Boolean || v instanceof String s && s.trim().equalsIgnoreCase("false")) return 0;
        return Config.getDouble("distributed.worker.memory." + name, fallback);
    }

    static boolean absent(Object v) {
        return v == ABSENT;
    }

    static Object absentValue() {
        return ABSENT;
    }

    /** The value of task {@code id} (read back from disk if spilled), or the absent marker. */
    Object get(int id) {
        Object v = values[id];
        if (v instanceof OnDisk d) {
            v = readBack(d);
            values[id] = v;
            deleteQuietly(d.file());
            spilledBytes -= d.length();
            track(id, v);
        } else if (v != ABSENT) {
            inMemory.get(id); // touch: most recently used
        }
        return v;
    }

    /** Holds {@code v} as task {@code id}'s value, spilling older values if memory is past the thresholds. */
    void put(int id, Object v) {
        release(id);
        values[id] = v;
        if (v != ABSENT) track(id, v);
    }

    void release(int id) {
        if (id >= values.length) return;
        Object v = values[id];
        if (v instanceof OnDisk d) {
            deleteQuietly(d.file());
            spilledBytes -= d.length();
        }
        Long n = inMemory.remove(id);
        if (n != null) managed -= n;
        values[id] = ABSENT;
    }

    private void track(int id, Object v) {
        long n = sizeOf(v);
        inMemory.put(id, n);
        managed += n;
        long t = bytes(target);
        if (managed > t) spillDown(managed - t, id);
        else maybeSpillByProcess(id);
    }

    /** Past {@code spill} of the heap, checked after a collection (at most once a second): spills until back under target. */
    private void maybeSpillByProcess(int keep) {
        long s = bytes(spill);
        if (s == Long.MAX_VALUE || used() <= s) return;
        long now = System.nanoTime();
        if (now - lastGc < GC_INTERVAL_NANOS) return;
        System.gc(); // is it live data or garbage?
        lastGc = now;
        long used = used();
        if (used > s) spillDown(used - bytes(target), keep);
    }

    private static long used() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    private long bytes(double fraction) {
        return fraction <= 0 || limit <= 0 ? Long.MAX_VALUE : (long) (fraction * limit);
    }

    /** Writes least-recently-used values (never {@code keep}, the one just stored) to disk until {@code bytes} left memory. */
    private void spillDown(long bytes, int keep) {
        long freed = 0;
        for (Iterator<Map.Entry<Integer, Long>> it = inMemory.entrySet().iterator(); it.hasNext() && freed < bytes; ) {
            Map.Entry<Integer, Long> e = it.next();
            int id = e.getKey();
            if (id == keep) continue;
            OnDisk d = write(id, values[id]);
            if (d == null) continue; // cannot be encoded: stays
            it.remove();
            managed -= e.getValue();
            freed += Math.max(e.getValue(), d.length());
            values[id] = d;
            spilledBytes += d.length();
            spillCount++;
        }
    }

    private OnDisk write(int id, Object v) {
        Path f = dir.resolve("v" + id + ".frame");
        long n;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(f), 1 << 16)) {
            n = FrameStreams.encode(v, out);
        } catch (IOException e) {
            deleteQuietly(f);
            throw new UncheckedIOException("cannot spill a value to " + f + " (disk full? config processes.worker-jvm-options"
                    + " -Djava.io.tmpdir=DIR moves it): " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(f);
            return null;
        }
        return new OnDisk(f, (int) n);
    }

    private static Object readBack(OnDisk d) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(d.file()), 1 << 16)) {
            return FrameStreams.read(in, d.length(), Codecs::decode);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read a spilled value back from " + d.file() + ": " + e.getMessage(), e);
        }
    }

    /** Exact for primitive arrays and strings; other values count only through process memory. */
    static long sizeOf(Object v) {
        if (v instanceof double[] a) return 16L + 8L * a.length;
        if (v instanceof long[] a) return 16L + 8L * a.length;
        if (v instanceof int[] a) return 16L + 4L * a.length;
        if (v instanceof float[] a) return 16L + 4L * a.length;
        if (v instanceof byte[] a) return 16L + a.length;
        if (v instanceof boolean[] a) return 16L + a.length;
        if (v instanceof String s) return 40L + s.length();
        return 16;
    }

    long managedBytes() {
        return managed;
    }

    long spilledBytes() {
        return spilledBytes;
    }

    long spillCount() {
        return spillCount;
    }

    Path directory() {
        return dir;
    }

    /** Deletes the directory and everything spilled (the worker is exiting). */
    void close() {
        try {
            deleteTree(dir);
        } catch (IOException ignored) {
            // the pool deletes its directory, this one inside it, when it closes
        }
    }

    private static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException ignored) {
            // left for close()
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}

package org.jdask.distributed.internal.memory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;

/**
 * Encoded values on disk, off the Java heap: a persisted Chronicle Map from chunk id to at most
 * {@link #CHUNK} bytes, in one file of the worker's {@link LocalDirectory}. A value of {@code n}
 * bytes takes {@code ceil(n / CHUNK)} entries (key {@code id << 24 | chunk}), so entries are of
 * similar size (what Chronicle Map is sized for) and a 1 GB value needs no 1 GB entry. The map's
 * pages are the operating system's page cache, written back by the kernel: spilled bytes cost no
 * heap, and reading a value back costs one copy into a {@code byte[]}.
 *
 * <p>Chronicle Map is sized when created: {@code capacityBytes / CHUNK} entries, growing up to
 * {@link #BLOAT}x beyond that before a write fails with a clear error. The planned capacity is
 * written out as the map fills its first tier, so it must stay modest (the worker plans for its
 * memory limit): planning for 64 GB filled 40 GB of disk in seconds. Not thread-safe by itself: {@link SpillBuffer} serializes use.
 */
public final class SpillFile implements AutoCloseable {
    /** Bytes per entry. */
    public static final int CHUNK = 1 << 20;
    /**
     * How far Chronicle Map may grow past its planned entries (by adding tiers as it fills: the
     * file grows with the data, it is not allocated up front).
     */
    static final double BLOAT = 1000;
    static {
        // no phoning home from a worker, and no banner in its log
        if (System.getProperty("chronicle.analytics.disable") == null) System.setProperty("chronicle.analytics.disable", "true");
        if (System.getProperty("chronicle.announcer.disable") == null) System.setProperty("chronicle.announcer.disable", "true");
    }

    private final Path file;
    private final ChronicleMap<Long, byte[]> map;
    private long nextId = 1;
    private long bytes;

    /** Creates {@code dir/spill.cm} for about {@code capacityBytes} of spilled data. */
    public SpillFile(Path dir, long capacityBytes) {
        this.file = dir.resolve("spill.cm");
        long entries = Math.max(256, capacityBytes / CHUNK + 1);
        try {
            this.map = ChronicleMapBuilder.of(Long.class, byte[].class)
                    .name("jdask-spill")
                    .entries(entries)
                    .averageValueSize(CHUNK / 2.0)
                    .maxBloatFactor(BLOAT)
                    .createPersistedTo(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the spill store " + file, e);
        } catch (RuntimeException | Error e) {
            throw new IllegalStateException("cannot create the spill store " + file + ": " + e
                    + " (Chronicle Map needs a full JDK and the JVM flags of jdask.jvm.flags: --add-opens java.base/java.lang,"
                    + " java.base/java.lang.reflect, --add-exports java.base/sun.nio.ch, jdk.compiler/com.sun.tools.javac.file)", e);
        }
    }

    /** Writes {@code frame}; returns the id to {@link #read} or {@link #remove} it by. */
    public long write(byte[] frame) {
        long id = nextId++;
        int chunks = chunks(frame.length);
        try {
            for (int c = 0; c < chunks; c++) {
                int from = c * CHUNK;
                int to = Math.min(frame.length, from + CHUNK);
                map.put(key(id, c), from == 0 && to == frame.length ? frame : Arrays.copyOfRange(frame, from, to));
            }
        } catch (RuntimeException e) {
            for (int c = 0; c < chunks; c++) map.remove(key(id, c));
            throw new IllegalStateException("spill store " + file + " is full or failed writing " + frame.length + " bytes ("
                    + bytes + " bytes spilled; raise distributed.worker.memory.spill-capacity): " + e, e);
        }
        bytes += frame.length;
        return id;
    }

    /** The frame written as {@code id}, {@code length} bytes long. */
    public byte[] read(long id, int length) {
        byte[] out = new byte[length];
        int chunks = chunks(length);
        for (int c = 0; c < chunks; c++) {
            byte[] part = map.get(key(id, c));
            if (part == null) throw new IllegalStateException("spill store " + file + " lost chunk " + c + " of entry " + id);
            System.arraycopy(part, 0, out, c * CHUNK, part.length);
        }
        return out;
    }

    public void remove(long id, int length) {
        int chunks = chunks(length);
        for (int c = 0; c < chunks; c++) map.remove(key(id, c));
        bytes -= length;
    }

    /** Bytes held. */
    public long bytes() {
        return bytes;
    }

    public Path file() {
        return file;
    }

    private static int chunks(int length) {
        return Math.max(1, (length + CHUNK - 1) / CHUNK);
    }

    private static long key(long id, int chunk) {
        return id << 24 | chunk;
    }

    /** Closes the map and deletes its file. */
    @Override
    public void close() {
        map.close();
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the spill store " + file, e);
        }
    }
}

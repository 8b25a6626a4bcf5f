package org.jdask.distributed.internal.memory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
 * heap. Values stream in and out a chunk at a time ({@link #write(FrameWriter)}, {@link #open}), so
 * spilling a 100 MB array never holds a second 100 MB copy of it on the heap.
 *
 * <p>Chronicle Map is sized when created: entries of {@link #AVERAGE} bytes for half of {@code capacityBytes}, growing up to
 * {@link #BLOAT}x beyond that before a write fails with a clear error. The planned capacity is
 * written out as the map fills its first tier, so it must stay modest (the worker plans for its
 * memory limit): planning for 64 GB filled 40 GB of disk in seconds. Not thread-safe by itself: {@link SpillBuffer} serializes use.
 */
public final class SpillFile implements AutoCloseable {
    /** Bytes per entry. */
    public static final int CHUNK = 1 << 20;
    /**
     * The entry size the map is planned for. Values are mostly small (a shuffle's pieces: 86-170 KB)
     * beside some whole chunks; planned for half a chunk, the store's file took ~4x the bytes it held
     * (974 MB for 250 MB of 86 KB pieces with a 1 MiB value every 50), planned for 64 KB 1.5x (369 MB),
     * and still less for 1 MiB values only (438 vs 487 MB): issue 15.
     */
    static final int AVERAGE = 64 << 10;
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
    /** One chunk being filled by a write (writes are serialized by the caller). */
    private final byte[] buffer = new byte[CHUNK];
    private long nextId = 1;
    private long bytes;

    /** Creates {@code dir/spill.cm} for about {@code capacityBytes} of spilled data. */
    public SpillFile(Path dir, long capacityBytes) {
        this.file = dir.resolve("spill.cm");
        // entries of AVERAGE bytes for half the capacity (the file is allocated for them: posix_fallocate),
        // at most 65,536 (more segments and bigger headers; tiers are added beyond as it fills)
        long entries = Math.min(65_536, Math.max(2048, capacityBytes / (2L * AVERAGE) + 1));
        try {
            this.map = ChronicleMapBuilder.of(Long.class, byte[].class)
                    .name("jdask-spill")
                    .entries(entries)
                    .averageValueSize(AVERAGE)
                    .maxBloatFactor(BLOAT)
                    .createPersistedTo(file.toFile());
            CompilerCache.release(); // javac's index of the class path's jars: MBs of a small heap
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the spill store " + file, e);
        } catch (RuntimeException | Error e) {
            throw new IllegalStateException("cannot create the spill store " + file + ": " + e
                    + " (Chronicle Map needs a full JDK and the JVM flags of jdask.jvm.flags: --add-opens java.base/java.lang,"
                    + " java.base/java.lang.reflect, --add-exports java.base/sun.nio.ch, jdk.compiler/com.sun.tools.javac.file)", e);
        }
    }

    /** Writes a frame out piece by piece (see {@link #write(FrameWriter)}). */
    @FunctionalInterface
    public interface FrameWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Where a frame went: {@code id} to {@link #read}, {@link #open} or {@link #remove} it by, and its length. */
    public record Written(long id, int length) {}

    /** The store failed (full, or Chronicle Map refused a write): not the value's fault. */
    public static final class StoreException extends IllegalStateException {
        StoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Writes {@code frame}; returns the id to {@link #read} or {@link #remove} it by. */
    public long write(byte[] frame) {
        return write(out -> out.write(frame)).id();
    }

    /**
     * Writes the frame that {@code w} produces, {@link #CHUNK} bytes at a time through one reused
     * buffer: the frame is never whole on the heap here. If {@code w} throws, the chunks written so
     * far are removed and its exception propagates as it is (unchecked ones; an {@code IOException}
     * wrapped); a failing store throws {@link StoreException}.
     */
    public Written write(FrameWriter w) {
        long id = nextId++;
        ChunkOut out = new ChunkOut(id);
        try {
            w.writeTo(out);
            out.finish();
        } catch (IOException e) {
            out.discard();
            throw new UncheckedIOException("cannot encode a value for the spill store " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            out.discard();
            throw e;
        }
        bytes += out.length;
        return new Written(id, (int) out.length);
    }

    /** Cuts a stream into entries of {@link #CHUNK} bytes. */
    private final class ChunkOut extends OutputStream {
        private final long id;
        private int chunk, fill;
        long length;

        ChunkOut(long id) {
            this.id = id;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            while (len > 0) {
                int n = Math.min(len, CHUNK - fill);
                System.arraycopy(b, off, buffer, fill, n);
                fill += n;
                off += n;
                len -= n;
                length += n;
                if (length > Integer.MAX_VALUE - 8) throw new StoreException("a frame over 2 GiB cannot be spilled to " + file, null);
                if (fill == CHUNK) flushChunk();
            }
        }

        private void flushChunk() {
            try {
                map.put(key(id, chunk), fill == CHUNK ? buffer : Arrays.copyOf(buffer, fill));
            } catch (RuntimeException e) {
                throw new StoreException("spill store " + file + " is full or failed writing chunk " + chunk + " (" + bytes
                        + " bytes spilled; raise distributed.worker.memory.spill-capacity): " + e, e);
            }
            chunk++;
            fill = 0;
        }

        void finish() {
            if (fill > 0 || chunk == 0) flushChunk();
        }

        void discard() {
            for (int c = 0; c <= chunk; c++) map.remove(key(id, c));
        }
    }

    /** The frame written as {@code id}, as a stream read one entry at a time. */
    public InputStream open(long id, int length) {
        return new InputStream() {
            private int chunk, pos;
            private byte[] part;
            private long left = length;

            private boolean next() {
                if (left <= 0) return false;
                if (part == null || pos == part.length) {
                    part = map.get(key(id, chunk));
                    if (part == null) throw new IllegalStateException("spill store " + file + " lost chunk " + chunk + " of entry " + id);
                    chunk++;
                    pos = 0;
                }
                return true;
            }

            @Override
            public int read() {
                if (!next()) return -1;
                left--;
                return part[pos++] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (len == 0) return 0;
                if (!next()) return -1;
                int n = (int) Math.min(Math.min(len, part.length - pos), left);
                System.arraycopy(part, pos, b, off, n);
                pos += n;
                left -= n;
                return n;
            }
        };
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

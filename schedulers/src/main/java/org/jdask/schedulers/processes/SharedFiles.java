package org.jdask.schedulers.processes;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where big frames for workers are written: {@code /dev/shm} (memory-backed) when usable, else the temp directory. */
final class SharedFiles {
    private static final Path DIR = pick();

    private SharedFiles() {}

    static Path dir() {
        return DIR;
    }

    /**
     * Writes a big {@code double[]} or {@code long[]} as a {@link org.jdask.serialize.Codecs} raw
     * frame (tag 1 or 2, int32 little-endian length, little-endian elements) straight from the
     * array into a mapped file: one copy instead of encoding to a {@code byte[]} and writing that.
     * Returns null for other values or arrays under {@code threshold} bytes.
     */
    static Path writeRaw(Object v, long threshold) throws java.io.IOException {
        byte tag;
        long n;
        if (v instanceof double[] a) {
            tag = 1;
            n = a.length;
        } else if (v instanceof long[] a) {
            tag = 2;
            n = a.length;
        } else {
            return null;
        }
        long size = 5 + 8 * n;
        if (size < threshold || size > Integer.MAX_VALUE) return null;
        Path f = Files.createTempFile(DIR, "jdask-value-", ".frame");
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.MappedByteBuffer m = ch.map(java.nio.channels.FileChannel.MapMode.READ_WRITE, 0, size);
            m.order(java.nio.ByteOrder.LITTLE_ENDIAN);
            m.put(tag);
            m.putInt((int) n);
            if (v instanceof double[] a) m.asDoubleBuffer().put(a);
            else m.asLongBuffer().put((long[]) v);
        }
        return f;
    }

    private static Path pick() {
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) return shm;
        return Path.of(System.getProperty("java.io.tmpdir"));
    }
}

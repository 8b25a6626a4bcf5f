package org.jdask.dataframe;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.jdask.graph.Globs;

/** File plumbing for the CSV reader: globs, compression by suffix, whole and partial reads. */
final class CsvFiles {
    private CsvFiles() {}

    /**
     * The files a path or glob names, sorted (see {@link Globs}: a missing plain path is an
     * {@link UncheckedIOException} with a {@code NoSuchFileException}, a glob matching nothing an
     * {@link IllegalArgumentException}); a directory is refused with the glob to use instead.
     */
    static List<String> expand(String glob, String reader) {
        List<String> out = new ArrayList<>();
        for (Path p : Globs.expand(glob, reader)) {
            if (Files.isDirectory(p)) {
                throw new IllegalArgumentException(reader + ": " + glob + " is a directory: use a glob such as " + p.resolve("*.csv"));
            }
            out.add(p.toString());
        }
        return out;
    }

    static boolean compressed(String file) {
        String f = file.toLowerCase();
        return f.endsWith(".gz") || f.endsWith(".bz2") || f.endsWith(".zst") || f.endsWith(".zstd");
    }

    /** The decompressed stream of {@code file}, by suffix. */
    static InputStream open(String file) throws IOException {
        InputStream raw = Files.newInputStream(Path.of(file));
        String f = file.toLowerCase();
        if (f.endsWith(".gz")) return new GZIPInputStream(raw, 1 << 16);
        if (f.endsWith(".bz2")) return new BZip2CompressorInputStream(new BufferedInputStream(raw, 1 << 16), true);
        if (f.endsWith(".zst") || f.endsWith(".zstd")) return new com.github.luben.zstd.ZstdInputStream(new BufferedInputStream(raw, 1 << 16));
        return raw;
    }

    /** Up to {@code max} decompressed bytes from the start of {@code file}. */
    static byte[] head(String file, int max) {
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        try (InputStream in = open(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while (got.size() < max && (n = in.read(buf, 0, Math.min(buf.length, max - got.size()))) > 0) got.write(buf, 0, n);
            return got.toByteArray();
        } catch (IOException e) {
            // a corrupt or truncated compressed file: sample what decompressed; the read task names where it broke
            if (got.size() > 0 && compressed(file)) return got.toByteArray();
            if (e instanceof NoSuchFileException) throw new UncheckedIOException("file " + file + " disappeared", e);
            throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
        }
    }

    /** The whole decompressed content. */
    static byte[] readAll(String file) {
        if (!compressed(file)) return range(file, 0, size(file));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(1 << 20);
        byte[] buf = new byte[1 << 16];
        try (InputStream in = open(file)) {
            int n;
            while ((n = in.read(buf)) > 0) out.write(buf, 0, n);
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            // name where the decompressed text broke off: its byte offset and line, and what to do
            long lines = 1;
            byte[] got = out.toByteArray();
            for (byte c : got) if (c == '\n') lines++;
            String fmt = file.substring(file.lastIndexOf('.') + 1);
            throw new CsvParseException(file, lines, null, null, null, "recompress or re-download the file, or leave it out of the glob",
                    file + ": the " + fmt + " stream is corrupt or truncated after " + got.length + " decompressed bytes (line " + lines
                            + " of the CSV text): " + e.getMessage() + "; fix: recompress or re-download " + file
                            + ", or leave it out of the glob (readCsv(List.of(...)))");
        }
    }

    private static final int READ_SLICE = 1 << 20;

    /** Bytes {@code [from, to)} of an uncompressed file. */
    static byte[] range(String file, long from, long to) {
        try (FileChannel ch = FileChannel.open(Path.of(file), StandardOpenOption.READ)) {
            int n = Math.toIntExact(to - from);
            ByteBuffer bb = ByteBuffer.allocate(n);
            long pos = from;
            while (bb.position() < n) {
                // at most READ_SLICE per read: the JDK copies a heap buffer's read through a temporary direct buffer of
                // the read's size and keeps it per thread, so one read of a 12 MB file kept 12 MB of direct memory a worker
                // counts as process memory (issue 15); a cap on that cache (jdk.nio.maxCachedBufferSize) would instead
                // slow every large socket transfer
                bb.limit(Math.min(n, bb.position() + READ_SLICE));
                int r = ch.read(bb, pos);
                if (r < 0) break;
                pos += r;
            }
            return bb.position() == n ? bb.array() : Arrays.copyOf(bb.array(), bb.position());
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + " bytes " + from + ".." + to + ": " + e.getMessage(), e);
        }
    }

    static long size(String file) {
        try {
            return Files.size(Path.of(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat " + file, e);
        }
    }

    /**
     * Row-start offsets of an uncompressed file split into {@code nblocks} blocks near multiples of
     * {@code blocksize}: element k (k = 0..nblocks) is where block k starts (the last is the file
     * size), moved forward to the first line start outside quotes. {@code [1][k]} is the 1-based
     * line number at that start. One sequential scan of the file.
     */
    static long[][] divisions(String file, int nblocks, long blocksize, byte quote, byte sep) {
        long size = size(file);
        long[] starts = new long[nblocks + 1];
        long[] lines = new long[nblocks + 1];
        starts[nblocks] = size;
        lines[0] = 1;
        int k = 1;
        long line = 1;
        boolean inQuote = false;
        byte prev = '\n';
        boolean closed = false;
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            long off = 0;
            int n;
            while (k < nblocks && (n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    byte c = buf[i];
                    byte before = prev;
                    prev = c;
                    if (c == quote) {
                        // a quote opens a field only at its start; "" inside a quoted field is a quote
                        if (inQuote) {
                            inQuote = false;
                            closed = true;
                        } else if (closed || before == sep || before == '\n') {
                            inQuote = true;
                            closed = false;
                        }
                        continue;
                    }
                    closed = false;
                    if (c == '\n') {
                        line++;
                        long next = off + i + 1;
                        while (!inQuote && k < nblocks && next >= (long) k * blocksize) {
                            starts[k] = next;
                            lines[k] = line;
                            k++;
                        }
                    }
                }
                off += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("scanning " + file + ": " + e.getMessage(), e);
        }
        for (; k < nblocks; k++) {
            starts[k] = size;
            lines[k] = line;
        }
        return new long[][] {starts, lines};
    }
}

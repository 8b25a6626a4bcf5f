package org.jdask.bag.internal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.MalformedInputException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * Reads the lines of a {@link TextBlock}: plain files through a {@link FileChannel} positioned at
 * the block, compressed ones through their decompressor, split and decoded by {@link Lines}.
 * Lines keep their {@code '\n'} (as in Dask's {@code read_text}); the last line of a file may
 * lack one.
 *
 * <p>Errors name the file: a file gone since the bag was listed, corrupt compressed data (with
 * the decompressed byte offset reached), or bytes the charset cannot decode (with the byte offset
 * in the file or decompressed stream, the line number, and the offending byte).
 */
public final class TextReader {
    private static final AtomicLong OPENS = new AtomicLong();
    private static final int BUFFER = 1 << 20;

    private TextReader() {}

    /** How many files this JVM has opened for reading text (tests assert shared reads with it). */
    public static long opens() {
        return OPENS.get();
    }

    /** The records of one block: lines, or {@code (line, path)} entries. */
    public static List<Object> read(TextBlock block) {
        List<Object> out = new ArrayList<>();
        read(block, out);
        return out;
    }

    /** Appends the records of {@code block} to {@code out}. */
    public static void read(TextBlock block, List<Object> out) {
        read(block, (Sink) out::add);
    }

    /**
     * The number of lines in {@code block}, with every line still checked against the charset
     * (an undecodable line fails as in {@link #read}) but no {@code String} made for ASCII lines.
     */
    public static long count(TextBlock block) {
        Counter c = new Counter();
        read(block, COUNT_ONLY, c);
        return c.n;
    }

    private static final class Counter implements Sink {
        long n;

        @Override
        public void accept(Object record) {
            n++;
        }
    }

    /** Marker sink mode: emit() validates and passes null instead of decoding ASCII lines. */
    private static final Object COUNT_ONLY = new Object();

    /** Receives records one at a time (a streaming consumer, so a fused pipeline keeps no line list). */
    @FunctionalInterface
    public interface Sink {
        void accept(Object record) throws Exception;
    }

    /** Pushes the records of {@code block} into {@code out}; exceptions of the sink pass through unchanged. */
    public static void read(TextBlock block, Sink out) {
        read(block, null, out);
    }

    private static void read(TextBlock block, Object mode, Sink out) {
        boolean countOnly = mode == COUNT_ONLY;
        Charset cs = Charset.forName(block.charset());
        Path path = Path.of(block.path());
        try (FileChannel ch = open(path)) {
            if (block.compression().equals("none") && Lines.asciiCompatible(cs)) {
                readPlain(block, ch, cs, countOnly, out);
            } else {
                InputStream in = decompress(block.compression(), new BufferedInputStream(Channels.newInputStream(ch), 1 << 16));
                if (Lines.asciiCompatible(cs)) readStream(block, in, cs, countOnly, out);
                else readWide(block, in, cs, out);
            }
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("file " + block.path() + " no longer exists (it was listed when the bag was built)", e);
        } catch (RuntimeException e) {
            throw e;
        } catch (IOException e) {
            if (e instanceof MalformedInputException) throw new UncheckedIOException(e.getMessage(), e);
            throw new UncheckedIOException("cannot read " + describe(block) + ": " + e, e);
        } catch (Exception e) {
            throw new IllegalStateException(e); // a sink's checked exception
        }
    }

    private static FileChannel open(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        OPENS.incrementAndGet();
        return ch;
    }

    static InputStream decompress(String compression, InputStream in) throws IOException {
        switch (compression) {
            case "none": return in;
            case "gzip": return new GZIPInputStream(in, 1 << 16);
            case "bz2": return new BZip2CompressorInputStream(in, true);
            case "xz": return XZCompressorInputStream.builder().setInputStream(in).setDecompressConcatenated(true).get();
            case "zstd": return new com.github.luben.zstd.ZstdInputStream(in);
            default: throw new IllegalArgumentException("unknown compression '" + compression + "'");
        }
    }

    private static String describe(TextBlock b) {
        return "file " + b.path() + (b.compression().equals("none") ? "" : " (" + b.compression() + ")");
    }

    /** Reads up to {@code len} bytes; -1 at the end. */
    private interface Source {
        int read(byte[] b, int off, int len) throws IOException;
    }

    /** Plain file, ASCII-compatible charset: position at the block, read until a line starts at or after its end. */
    private static void readPlain(TextBlock block, FileChannel ch, Charset cs, boolean countOnly, Sink out) throws Exception {
        long start = block.start();
        if (start > 0) {
            if (start > ch.size()) return;
            ch.position(start - 1);
        }
        split(block, (b, off, len) -> ch.read(ByteBuffer.wrap(b, off, len)), Math.max(0, start - 1), start > 0, cs, countOnly, out);
    }

    private static void readStream(TextBlock block, InputStream in, Charset cs, boolean countOnly, Sink out) throws Exception {
        split(block, in::read, 0, false, cs, countOnly, out);
    }

    /**
     * The splitting loop. {@code base} is the offset of the first byte the source yields; with
     * {@code skipFirst} the bytes up to and including the first newline belong to the previous
     * block (the source starts one byte before the block, so a block starting right after a
     * newline skips exactly that newline).
     */
    private static void split(TextBlock block, Source src, long base, boolean skipFirst, Charset cs, boolean countOnly, Sink out)
            throws Exception {
        Lines lines = new Lines(cs);
        long end = block.end();
        String path = block.path();
        boolean pairs = block.includePath();
        byte[] buf = new byte[block.end() >= 0 ? (int) Math.min(BUFFER, block.end() - block.start() + 4096) : BUFFER];
        int lo = 0;
        int hi = 0;
        boolean eof = false;
        long lineNo = 0;
        int bulkFrom = 0; // the bulk count runs again once lo reaches this (an index into buf)
        while (true) {
            if (!skipFirst && end >= 0 && base + lo >= end) return;
            if (countOnly && !skipFirst && !pairs && hi - lo > 64 && bulkFrom <= lo) {
                // bulk: count the whole lines that start before the block end and are valid in the
                // charset, in one pass (Lines.countCheckedLines); it stops before a line that needs
                // the decoder, which the per-line path below then takes. Each byte is looked at once
                // by the bulk count: after it stops, it resumes only past the line it stopped at
                // (retrying from each next line over the rest of the buffer made accented text
                // 300x slower than ASCII).
                int limit = end >= 0 ? (int) Math.min(hi, end - base) : hi;
                int last = limit - 1;
                while (last >= lo && buf[last] != '\n') last--;
                if (last >= lo) {
                    int stop = lines.countCheckedLines(buf, lo, last + 1);
                    long c = lines.counted();
                    ((Counter) out).n += c;
                    lineNo += c;
                    if (stop == last + 1) {
                        lo = stop;
                        continue;
                    }
                    lo = stop;
                    bulkFrom = lo + 1; // the line at lo goes through the decoder first
                } else {
                    bulkFrom = hi + 1; // no whole line here yet: wait for more bytes
                }
            }
            int nl = lines.indexOfNewline(buf, lo, hi);
            if (nl >= 0) {
                if (skipFirst) {
                    skipFirst = false;
                } else {
                    emit(block, lines, buf, lo, nl + 1 - lo, base + lo, ++lineNo, pairs, path, countOnly, out);
                }
                lo = nl + 1;
                continue;
            }
            if (eof) {
                if (!skipFirst && hi > lo) emit(block, lines, buf, lo, hi - lo, base + lo, ++lineNo, pairs, path, countOnly, out);
                return;
            }
            if (lo > 0) {
                System.arraycopy(buf, lo, buf, 0, hi - lo);
                base += lo;
                hi -= lo;
                bulkFrom = Math.max(0, bulkFrom - lo);
                lo = 0;
            }
            if (hi == buf.length) buf = Arrays.copyOf(buf, Math.max(64, buf.length * 2));
            int n;
            try {
                n = src.read(buf, hi, buf.length - hi);
            } catch (IOException e) {
                if (block.compression().equals("none")) throw e;
                throw new IOException("corrupt or truncated " + block.compression() + " data after " + (base + hi)
                        + " decompressed bytes (" + lineNo + " lines): " + e.getMessage(), e);
            }
            if (n < 0) eof = true;
            else hi += n;
        }
    }

    private static void emit(TextBlock block, Lines lines, byte[] buf, int off, int len, long offset, long lineNo,
                             boolean pairs, String path, boolean countOnly, Sink out) throws Exception {
        if (countOnly && lines.lastScanAscii()) {
            out.accept(null);
            return;
        }
        String s = lines.decode(buf, off, len);
        if (s == null) {
            int bad = lines.errorOffset();
            String where = block.start() == 0 ? "line " + lineNo : "line " + lineNo + " of the block starting at byte " + block.start();
            MalformedInputException e = new MalformedInputException(1) {
                @Override
                public String getMessage() {
                    return "cannot decode " + describe(block) + " as " + lines.charset().name() + ": bad byte 0x"
                            + String.format("%02X", buf[off + bad] & 0xFF) + " at byte offset " + (offset + bad)
                            + (block.compression().equals("none") ? "" : " of the decompressed stream")
                            + " (" + where + ", byte " + (bad + 1) + " of the line)";
                }
            };
            throw e;
        }
        out.accept(pairs ? new AbstractMap.SimpleImmutableEntry<>(s, path) : s);
    }

    /** Charsets where 0x0A is not always a newline (UTF-16/32): decode the stream, then split chars. */
    private static void readWide(TextBlock block, InputStream in, Charset cs, Sink out) throws Exception {
        var dec = cs.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        var reader = new java.io.InputStreamReader(in, dec);
        StringBuilder line = new StringBuilder();
        char[] buf = new char[1 << 14];
        long lineNo = 0;
        boolean pairs = block.includePath();
        while (true) {
            int n;
            try {
                n = reader.read(buf);
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new UncheckedIOException("cannot decode " + describe(block) + " as " + cs.name() + ": "
                        + e.getMessage() + " on line " + (lineNo + 1), e);
            }
            if (n < 0) break;
            for (int i = 0; i < n; i++) {
                char c = buf[i];
                line.append(c);
                if (c == '\n') {
                    lineNo++;
                    String s = line.toString();
                    out.accept(pairs ? new AbstractMap.SimpleImmutableEntry<>(s, block.path()) : s);
                    line.setLength(0);
                }
            }
        }
        if (line.length() > 0) {
            String s = line.toString();
            out.accept(pairs ? new AbstractMap.SimpleImmutableEntry<>(s, block.path()) : s);
        }
    }
}

package org.jdask.bag.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteOrder;

/**
 * The line-splitting and decoding kernel of {@code Bag.readText}: finds {@code '\n'} in a byte
 * array eight bytes at a time and turns each line into a {@code String}.
 *
 * <p>Why not {@code BufferedReader.readLine}: it decodes every byte to a {@code char} first (a
 * 2-byte-per-char copy that the compact string then narrows again) and drops the line
 * terminator. Here the bytes of a line are scanned once as {@code long}s (SWAR: a zero byte in
 * {@code word ^ 0x0A0A..} marks the newline, a set top bit marks non-ASCII); an all-ASCII line is
 * copied straight into a Latin-1 compact string, and only lines with high bytes go through a
 * strict {@link CharsetDecoder}, which reports malformed input instead of replacing it. Measured
 * in {@code benchmarks/.../LineSplitBench} against {@code BufferedReader} and a byte-at-a-time
 * loop.
 *
 * <p>Only for ASCII-compatible charsets (UTF-8, US-ASCII, ISO-8859-*, windows-125x), where byte
 * {@code 0x0A} is always a newline; see {@link #asciiCompatible(Charset)}. Not thread-safe (one
 * decoder per instance).
 */
public final class Lines {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long NL = 0x0A0A0A0A0A0A0A0AL;
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH = 0x8080808080808080L;

    private final Charset charset;
    private final boolean utf8OrAscii;
    private final boolean utf8;
    private final CharsetDecoder decoder;
    /** Set by {@link #indexOfNewline}: some byte scanned since the last call may be non-ASCII. */
    private boolean sawHigh;
    /** After a failed {@link #decode}: offset of the bad byte within the line. */
    private int errorOffset;

    public Lines(Charset charset) {
        this.charset = charset;
        this.utf8OrAscii = charset.equals(StandardCharsets.UTF_8) || charset.equals(StandardCharsets.US_ASCII);
        this.utf8 = charset.equals(StandardCharsets.UTF_8);
        this.decoder = charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    /** True when byte 0x0A means '\n' wherever it appears, so lines can be split as bytes. */
    public static boolean asciiCompatible(Charset cs) {
        if (cs.equals(StandardCharsets.UTF_8) || cs.equals(StandardCharsets.US_ASCII)) return true;
        try {
            if (cs.newEncoder().maxBytesPerChar() != 1f) return false;
            byte[] nl = "\n".getBytes(cs);
            return nl.length == 1 && nl[0] == '\n';
        } catch (UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * Index of the first {@code '\n'} in {@code b[from, to)}, or -1; remembers whether any byte
     * looked at had its top bit set (may over-report: bytes after the newline in the same word).
     */
    public int indexOfNewline(byte[] b, int from, int to) {
        long acc = 0;
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long w = (long) LONGS.get(b, i);
            acc |= w;
            long x = w ^ NL;
            long t = (x - ONES) & ~x & HIGH;
            if (t != 0) {
                sawHigh = (acc & HIGH) != 0;
                return i + (Long.numberOfTrailingZeros(t) >>> 3);
            }
        }
        for (; i < to; i++) {
            byte c = b[i];
            acc |= c;
            if (c == '\n') {
                sawHigh = (acc & HIGH) != 0;
                return i;
            }
        }
        sawHigh = (acc & HIGH) != 0;
        return -1;
    }

    /** True when the last {@link #indexOfNewline} scan saw only ASCII bytes. */
    public boolean lastScanAscii() {
        return !sawHigh;
    }

    private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;

    /** The number of lines the last {@link #countCheckedLines} counted. */
    private long counted;

    /**
     * Counts the whole lines at the start of {@code b[from, to)} whose bytes are known valid in
     * this charset without a decoder, and returns where they end (their count is {@link
     * #counted()}); the line there, if any, needs {@link #decode} (it holds a bad byte, or a high
     * byte of a charset checked only by its decoder). {@code to} must follow a {@code '\n'}.
     *
     * <p>One pass, no allocation: ASCII words eight bytes at a time (the newlines counted with
     * the exact per-byte test {@code ~(((x & 0x7F..) + 0x7F..) | x | 0x7F..)}, which has the top
     * bit of each zero byte of {@code x = word ^ 0x0A0A..}), non-ASCII stretches byte by byte
     * through a UTF-8 validator (shortest forms only, no surrogates, at most U+10FFFF, as the JDK
     * decoder). So UTF-8 text full of accents counts at nearly the speed of ASCII, and a
     * multi-byte character split across buffer or block edges cannot be miscounted: a line ends
     * at a {@code '\n'}, which is never part of a multi-byte sequence. ISO-8859-1 has no invalid
     * bytes; other single-byte charsets stop at the first line with a high byte.
     */
    public int countCheckedLines(byte[] b, int from, int to) {
        boolean latin1 = charset.equals(StandardCharsets.ISO_8859_1);
        boolean utf8 = charset.equals(StandardCharsets.UTF_8);
        long n = 0;
        int lineStart = from;
        int i = from;
        while (i < to) {
            if (i + 8 <= to) {
                long w = (long) LONGS.get(b, i);
                if ((w & HIGH) == 0 || latin1) {
                    long x = w ^ NL;
                    long t = ~(((x & LOW7) + LOW7) | x | LOW7);
                    if (t != 0) {
                        n += Long.bitCount(t);
                        lineStart = i + 8 - (Long.numberOfLeadingZeros(t) >>> 3);
                    }
                    i += 8;
                    continue;
                }
            }
            int c = b[i] & 0xFF;
            if (c < 0x80 || latin1) {
                if (c == '\n') {
                    n++;
                    lineStart = i + 1;
                }
                i++;
                continue;
            }
            int len = utf8 ? utf8SequenceLength(b, i, to) : 0;
            if (len == 0) break; // the line at lineStart needs the decoder
            i += len;
        }
        counted = n;
        return i >= to ? to : lineStart;
    }

    /** The number of lines {@link #countCheckedLines} counted in its last call. */
    public long counted() {
        return counted;
    }

    /** The length of the valid UTF-8 sequence with lead byte {@code b[i]} (>= 0x80) ending before {@code to}, or 0 if invalid. */
    private static int utf8SequenceLength(byte[] b, int i, int to) {
        int c = b[i] & 0xFF;
        int len;
        int lo = 0x80, hi = 0xBF; // allowed range of the second byte
        if (c >= 0xC2 && c <= 0xDF) len = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;       // no overlong forms
            else if (c == 0xED) hi = 0x9F;  // no surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;       // no overlong forms
            else if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
        } else {
            return 0;
        }
        if (i + len > to) return 0;
        int c1 = b[i + 1] & 0xFF;
        if (c1 < lo || c1 > hi) return 0;
        for (int k = 2; k < len; k++) if ((b[i + k] & 0xC0) != 0x80) return 0;
        return len;
    }

    /**
     * The string of {@code b[off, off+len)}: a plain copy when the last scan saw only ASCII,
     * else a strict decode. Returns null when the bytes are malformed or unmappable; then
     * {@link #errorOffset()} is the offset of the bad byte within the line.
     */
    public String decode(byte[] b, int off, int len) {
        if (!sawHigh) return new String(b, off, len, StandardCharsets.ISO_8859_1);
        if (!utf8OrAscii) {
            // single-byte charsets: decode strictly (some bytes may be unmapped)
            return strict(b, off, len);
        }
        if (!hasHigh(b, off, len)) return new String(b, off, len, StandardCharsets.ISO_8859_1);
        if (utf8) {
            // the JDK's UTF-8 String constructor (an intrinsic, one pass, no CharBuffer) replaces bad
            // bytes with U+FFFD: only a line holding U+FFFD after it (bad bytes, or a real U+FFFD)
            // is decoded again strictly, which names the bad byte or accepts the line
            String s = new String(b, off, len, StandardCharsets.UTF_8);
            if (s.indexOf('\uFFFD') < 0) return s;
        }
        return strict(b, off, len);
    }

    private String strict(byte[] b, int off, int len) {
        ByteBuffer in = ByteBuffer.wrap(b, off, len);
        try {
            CharBuffer out = decoder.decode(in);
            return out.toString();
        } catch (CharacterCodingException e) {
            errorOffset = in.position() - off;
            return null;
        }
    }

    /** Offset within the line of the byte that failed the last {@link #decode}. */
    public int errorOffset() {
        return errorOffset;
    }

    public Charset charset() {
        return charset;
    }

    private static boolean hasHigh(byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        long acc = 0;
        for (; i + 8 <= end; i += 8) acc |= (long) LONGS.get(b, i);
        for (; i < end; i++) acc |= b[i];
        return (acc & HIGH) != 0;
    }
}

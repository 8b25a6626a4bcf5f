package org.jdask.bag.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The counting kernel against the JDK's strict decoder, and TextReader.count on accented text across buffer and block edges. */
class LinesTest {
    @TempDir
    Path dir;

    /** Whether the JDK's strict decoder accepts these bytes. */
    static boolean jdkValid(Charset cs, byte[] b, int from, int to) {
        try {
            cs.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, from, to - from));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** Random lines mixing ASCII, valid multi-byte characters and, sometimes, one invalid sequence. */
    static byte[] randomText(Random r, boolean allowInvalid) {
        byte[][] pieces = {
            "a".getBytes(StandardCharsets.UTF_8), "plain words ".getBytes(StandardCharsets.UTF_8), "\u00e9".getBytes(StandardCharsets.UTF_8),
            "\u20ac".getBytes(StandardCharsets.UTF_8), "\u65e5\u672c".getBytes(StandardCharsets.UTF_8),
            "\ud83d\ude00".getBytes(StandardCharsets.UTF_8), "\n".getBytes(StandardCharsets.UTF_8), "\n".getBytes(StandardCharsets.UTF_8),
        };
        byte[][] invalid = {
            {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xC3}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0x80},
            {(byte) 0xFF}, {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xC3, (byte) 0x28}, {(byte) 0x81},
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int n = r.nextInt(120);
        for (int i = 0; i < n; i++) {
            byte[] p = allowInvalid && r.nextInt(60) == 0 ? invalid[r.nextInt(invalid.length)] : pieces[r.nextInt(pieces.length)];
            out.write(p, 0, p.length);
        }
        out.write('\n');
        return out.toByteArray();
    }

    /**
     * decode (the JDK's UTF-8 String constructor first, the strict decoder only for a line with
     * U+FFFD) against the strict decoder alone: same string for valid lines (accents, 4-byte
     * characters, a real U+FFFD, empty lines, CRLF endings), null and the same bad-byte offset
     * for invalid ones.
     */
    @Test
    void decodeMatchesTheStrictDecoderOnValidAndInvalidLines() throws CharacterCodingException {
        Random r = new Random(17);
        List<byte[]> lines = new ArrayList<>();
        for (int i = 0; i < 3000; i++) lines.add(randomText(r, true));
        for (String l : new String[] {"\n", "\r\n", "x\r\n", "caf\u00e9\r\n", "\ufffd\n", "a\ufffdb\u00e9\n", "\ud83d\ude00"}) {
            lines.add(l.getBytes(StandardCharsets.UTF_8));
        }
        lines.add(new byte[] {'o', 'k', (byte) 0xEF, (byte) 0xBF, (byte) 0xBD, (byte) 0xC3, '\n'}); // real U+FFFD, then a bad byte
        int invalid = 0;
        for (byte[] text : lines) {
            byte[] padded = new byte[text.length + 3]; // decode from an offset, as from a read buffer
            System.arraycopy(text, 0, padded, 3, text.length);
            Lines lines8 = new Lines(StandardCharsets.UTF_8);
            int nl = lines8.indexOfNewline(padded, 3, padded.length); // the first line, scanned as TextReader does
            byte[] line = java.util.Arrays.copyOfRange(padded, 3, nl < 0 ? padded.length : nl + 1);
            String got = lines8.decode(padded, 3, line.length);
            if (jdkValid(StandardCharsets.UTF_8, line, 0, line.length)) {
                assertEquals(new String(line, StandardCharsets.UTF_8), got);
            } else {
                invalid++;
                assertEquals(null, got);
                ByteBuffer in = ByteBuffer.wrap(line);
                try {
                    StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).decode(in);
                } catch (CharacterCodingException e) {
                    assertEquals(in.position(), lines8.errorOffset(), "bad byte offset in " + java.util.Arrays.toString(line));
                }
            }
        }
        assertTrue(invalid > 10, "the random text holds invalid lines: " + invalid);
    }

    @Test
    void countCheckedLinesStopsExactlyWhereTheJdkDecoderWould() {
        Random r = new Random(5);
        for (Charset cs : List.of(StandardCharsets.UTF_8, StandardCharsets.US_ASCII, StandardCharsets.ISO_8859_1, Charset.forName("windows-1252"))) {
            Lines lines = new Lines(cs);
            for (int round = 0; round < 3000; round++) {
                byte[] b = randomText(r, true);
                int from = Math.min(b.length - 1, r.nextInt(4)); // unaligned starts too
                while (from > 0 && b[from - 1] != '\n') from--;
                int stop = lines.countCheckedLines(b, from, b.length);
                // oracle: every line before stop is valid and counted; the line at stop (if any) needs the decoder
                long expectCount = 0;
                int lineStart = from;
                for (int i = from; i < stop; i++) {
                    if (b[i] == '\n') {
                        assertTrue(jdkValid(cs, b, lineStart, i + 1), cs + " counted an invalid line");
                        expectCount++;
                        lineStart = i + 1;
                    }
                }
                assertEquals(stop, lineStart, "stops at a line start");
                assertEquals(expectCount, lines.counted(), cs + " round " + round);
                if (stop < b.length) {
                    int nl = stop;
                    while (b[nl] != '\n') nl++;
                    boolean high = false;
                    for (int i = stop; i <= nl; i++) high |= b[i] < 0;
                    assertTrue(high, "stopped at an all-ASCII line");
                    if (cs.equals(StandardCharsets.UTF_8) || cs.equals(StandardCharsets.US_ASCII)) {
                        assertTrue(!jdkValid(cs, b, stop, nl + 1), cs + " stopped at a valid line, round " + round);
                    }
                }
                if (cs.equals(StandardCharsets.ISO_8859_1)) assertEquals(b.length, stop, "latin-1 has no invalid bytes");
            }
        }
    }

    @Test
    void countingAccentedTextMatchesTheLinesAcrossBufferAndBlockEdges() throws IOException {
        // ~2.5 MB (the reader's buffer is 1 MiB): every line has an é, some a 4-byte emoji
        StringBuilder text = new StringBuilder();
        Random r = new Random(9);
        int lines = 0;
        while (text.length() < 2_500_000) {
            text.append("20081022 en P\u00e9ge_").append(r.nextInt(100_000)).append(r.nextInt(7) == 0 ? " \ud83d\ude00 " : " ")
                    .append(r.nextInt(1000)).append('\n');
            lines++;
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        Path f = dir.resolve("accented.txt");
        Files.write(f, bytes);
        assertEquals(lines, TextReader.count(new TextBlock(f.toString(), 0, -1, "none", "UTF-8", false)));
        // blocks cut anywhere, also inside multi-byte characters, neither lose nor repeat a line
        for (long bs : new long[] {1_048_577, 333_333, 65_537, 4_099}) {
            long total = 0;
            List<Object> read = new ArrayList<>();
            for (long s = 0; s < bytes.length; s += bs) {
                TextBlock b = new TextBlock(f.toString(), s, s + bs >= bytes.length ? -1 : s + bs, "none", "UTF-8", false);
                total += TextReader.count(b);
                if (bs == 333_333) TextReader.read(b, read);
            }
            assertEquals(lines, total, "blocksize " + bs);
            if (bs == 333_333) assertEquals(text.toString(), String.join("", read.stream().map(String.class::cast).toList()));
        }
    }

    @Test
    void aBadByteDeepInAccentedTextIsReportedWithItsLineAndOffset() throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 60_000; i++) text.append("caf\u00e9 ").append(i).append('\n');
        byte[] good = text.toString().getBytes(StandardCharsets.UTF_8);
        byte[] tail = {'x', 'y', (byte) 0xC3, (byte) 0x28, '\n', 'o', 'k', '\n'};
        byte[] bad = new byte[good.length + tail.length];
        System.arraycopy(good, 0, bad, 0, good.length);
        System.arraycopy(tail, 0, bad, good.length, tail.length);
        Path f = dir.resolve("bad.txt");
        Files.write(f, bad);
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> TextReader.count(new TextBlock(f.toString(), 0, -1, "none", "UTF-8", false)));
        assertTrue(e.getMessage().contains("byte offset " + (good.length + 2)) && e.getMessage().contains("line 60001")
                && e.getMessage().contains("0xC3"), e.getMessage());
    }
}

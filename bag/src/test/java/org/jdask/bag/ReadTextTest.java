package org.jdask.bag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.jdask.TaskFailedException;
import org.jdask.bag.internal.TextReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** readText on real files: block edges, compression, encodings, shared reads, and bad input. */
class ReadTextTest {
    @TempDir
    Path dir;

    static Stream<String> schedulers() {
        return Schedulers.local().stream();
    }

    /** Lines with their '\n' (the last may lack one), the oracle for readText. */
    static List<String> oracleLines(String text) {
        List<String> out = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                out.add(text.substring(from, i + 1));
                from = i + 1;
            }
        }
        if (from < text.length()) out.add(text.substring(from));
        return out;
    }

    static String sample(int lines, long seed, boolean trailingNewline) {
        Random r = new Random(seed);
        StringBuilder b = new StringBuilder();
        String[] words = {"en", "de", "Barack_Obama", "Ünïcödé_€", "日本語", "", "x", "a b c d e f", "\r"};
        for (int i = 0; i < lines; i++) {
            int n = r.nextInt(4);
            for (int j = 0; j < n; j++) b.append(words[r.nextInt(words.length)]).append(j + 1 < n ? " " : "");
            if (r.nextInt(10) == 0) b.append("x".repeat(r.nextInt(200)));
            if (i + 1 < lines || trailingNewline) b.append('\n');
        }
        return b.toString();
    }

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schedulers")
    void blocksNeverLoseOrRepeatALine(String s) throws IOException {
        String a = sample(300, 1, true);
        String b = sample(250, 2, false);
        write("a.txt", a);
        write("b.txt", b);
        write("c.txt", "");
        write("d.txt", "\n\n\nno newline at end");
        String ascii = sample(400, 4, false).replaceAll("[^\\x00-\\x7F]", "?");
        write("e.txt", ascii);
        List<String> expected = new ArrayList<>();
        for (String t : List.of(a, b, "", "\n\n\nno newline at end", ascii)) expected.addAll(oracleLines(t));
        long longest = expected.stream().mapToLong(l -> l.getBytes(StandardCharsets.UTF_8).length).max().orElse(1);
        long fileSize = a.getBytes(StandardCharsets.UTF_8).length;
        List<Long> sizes = new ArrayList<>(List.of(0L, 1L, 2L, 3L, 7L, 64L, longest, longest + 1, 4096L, fileSize - 1, fileSize, fileSize + 1));
        Random r = new Random(7);
        for (int i = 0; i < 6; i++) sizes.add(1L + r.nextInt((int) longest * 3));
        for (long bs : sizes) {
            Bag<String> bag = Bag.readText(dir + "/*.txt", bs);
            assertEquals(expected, Schedulers.compute(bag, s), "blocksize " + bs);
            // counting takes a bulk path for ASCII runs: same answer at every block size
            assertEquals((long) expected.size(), Schedulers.compute(bag.count(), s), "count, blocksize " + bs);
            if (bs == 1) assertTrue(bag.npartitions() > 1000, "1-byte blocks: " + bag.npartitions());
        }
        assertEquals((long) expected.size(), Schedulers.compute(Bag.readText(dir + "/*.txt", 5).count(), s));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schedulers")
    void compressionBySuffixRoundTrips(String s) throws IOException {
        String text = sample(2000, 3, true);
        List<String> lines = oracleLines(text);
        Bag<String> src = Bag.fromSequence(lines, 3);
        for (Compression c : Compression.values()) {
            Path out = dir.resolve(c.id());
            List<Path> files = src.toTextFiles(out + "/part-*.txt" + c.suffix());
            assertEquals(3, files.size());
            for (Path f : files) assertTrue(Files.size(f) > 0 && f.toString().endsWith(".txt" + c.suffix()), f.toString());
            Bag<String> back = c == Compression.NONE ? Bag.readText(out + "/part-*.txt", 100) : Bag.readText(out + "/part-*.txt" + c.suffix());
            assertEquals(lines, Schedulers.compute(back, s), c.toString());
            assertEquals(c == Compression.NONE ? back.npartitions() > 3 : back.npartitions() == 3, true, c + " splitting");
        }
    }

    @Test
    void blocksizeOnCompressedFilesIsRefusedNamingTheFile() throws IOException {
        // Dask refuses to split compressed files; so does jdask, when the bag is built
        Bag<String> src = Bag.fromSequence(oracleLines(sample(50, 4, true)), 2);
        src.toTextFiles(dir + "/plain-*.txt");
        src.toTextFiles(dir + "/z-*.txt.gz");
        for (String pattern : List.of(dir + "/z-*.txt.gz", dir + "/*")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Bag.readText(pattern, 1 << 20));
            assertTrue(e.getMessage().contains("z-0.txt.gz") && e.getMessage().contains("gzip") && e.getMessage().contains("blocksize 0"),
                    e.getMessage());
        }
        // forced compression counts too; whole-file reads and uncompressed blocks are fine
        assertThrows(IllegalArgumentException.class,
                () -> Bag.readText(dir + "/plain-*.txt", TextOptions.defaults().compression(Compression.GZIP).blocksize(64)));
        assertEquals(2, Bag.readText(dir + "/z-*.txt.gz").npartitions());
        assertTrue(Bag.readText(dir + "/plain-*.txt", 64).npartitions() > 2);
    }

    @Test
    void toTextFilesNeedsExactlyOneStar() {
        Bag<Integer> b = Bag.fromSequence(List.of(1, 2, 3), 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.toTextFiles(dir + "/a_*_*.txt"));
        assertTrue(e.getMessage().contains("toTextFiles needs exactly one '*'") && e.getMessage().contains("got 2"), e.getMessage());
        assertEquals(List.of(dir.resolve("d/0.part"), dir.resolve("d/1.part")), b.toTextFiles(dir + "/d"));
    }

    @Test
    void aMissingPathIsAnIoErrorAndAnEmptyGlobAnArgumentError() throws IOException {
        String missing = dir + "/missing.txt";
        for (org.junit.jupiter.api.function.Executable build : List.<org.junit.jupiter.api.function.Executable>of(
                () -> Bag.readText(missing), () -> Bag.readText(List.of(missing), TextOptions.defaults()),
                () -> Bag.readTextWithPath(missing, TextOptions.defaults()))) {
            UncheckedIOException e = assertThrows(UncheckedIOException.class, build);
            assertTrue(e.getCause() instanceof java.nio.file.NoSuchFileException n && n.getFile().equals(missing), String.valueOf(e.getCause()));
            assertTrue(e.getMessage().contains(missing), e.getMessage());
        }
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> Bag.readText(dir + "/nothing-*.txt"));
        assertTrue(none.getMessage().contains("no file matches") && none.getMessage().contains("nothing-*.txt"), none.getMessage());
        // a directory reads its files
        write("d1.txt", "x\n");
        assertEquals(1, Bag.readText(dir.toString()).npartitions());
    }

    @Test
    void sharedReadTextReadsEachFileOnce() throws IOException {
        for (int i = 0; i < 4; i++) write("w" + i + ".txt", "20081022 000000 en Barack_Obama 997 123\n20081022 000000 de Main 1 2\nshort\n");
        for (String s : List.of("sync", "threads")) {
            Bag<String> wiki = Bag.readText(dir + "/w*.txt");
            Bag<String> obama = wiki.filter(l -> l.contains("Obama"));
            long before = TextReader.opens();
            List<Object> r = Schedulers.computeAll(s, obama, obama.count(), wiki.count());
            assertEquals(4, TextReader.opens() - before, s + ": each file opened once");
            assertEquals(4, ((List<?>) r.get(0)).size());
            assertEquals(4L, r.get(1));
            assertEquals(12L, r.get(2));
            // counting alone streams each file: no read-text task is left to list lines
            org.jdask.graph.TaskGraph opt = org.jdask.Jdask.optimize(wiki.count());
            assertEquals(0, opt.keys().stream().filter(k -> k.name().startsWith("read-text")).count(), opt.toString());
            // take(1) reads only the first file
            before = TextReader.opens();
            try (var scope = org.jdask.Config.set("scheduler", s)) {
                assertEquals(List.of("20081022 000000 en Barack_Obama 997 123\n"), obama.take(1));
            }
            assertEquals(1, TextReader.opens() - before, s + ": take(1) opens one file");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schedulers")
    void streamedPipelineKeepsErrorPositionsAndResults(String s) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 1000; i++) b.append(i).append('\n');
        write("n.txt", b.toString());
        Bag<String> lines = Bag.readText(dir + "/n.txt", 1000);
        Bag<Integer> nums = lines.map(l -> Integer.parseInt(l.trim())).filter(x -> x % 3 == 0).map(x -> x * 2);
        // read -> map -> filter -> map -> count is one streaming task per block
        org.jdask.graph.TaskGraph opt = org.jdask.Jdask.optimize(nums.count());
        assertTrue(opt.keys().stream().noneMatch(k -> k.name().startsWith("read-text")), opt.toString());
        assertEquals(334L, Schedulers.compute(nums.count(), s));
        assertEquals(java.util.stream.IntStream.range(0, 1000).filter(x -> x % 3 == 0).map(x -> x * 2).sum(),
                Schedulers.compute(nums, s).stream().mapToInt(x -> x).sum());
        Bag<Integer> bad = lines.map(l -> {
            int x = Integer.parseInt(l.trim());
            if (x == 777) throw new IllegalArgumentException("no 777");
            return x;
        });
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> Schedulers.compute(bad.count(), s));
        String m = e.getMessage() + " " + e.getCause();
        // line 777 lies in the 1000-byte block its first byte falls in; its position counts the lines starting in that block before it
        long start777 = 0;
        for (int i = 0; i < 777; i++) start777 += Integer.toString(i).length() + 1;
        int blk = (int) (start777 / 1000);
        long blockStart = blk * 1000L;
        long pos = 0;
        long o = 0;
        for (int i = 0; i < 777; i++) {
            if (o >= blockStart) pos++;
            o += Integer.toString(i).length() + 1;
        }
        assertTrue(m.contains("record " + pos + " of partition ('" + bad.name() + "', " + blk + ")") && m.contains("no 777"), m);
    }

    @Test
    void sameFilesSameKeys() throws IOException {
        write("k.txt", "a\nb\n");
        assertEquals(Bag.readText(dir + "/k.txt").keys(), Bag.readText(dir + "/*.txt").keys());
        org.jdask.fn.Fn1<String, Boolean> empty = String::isEmpty;
        assertEquals(Bag.readText(dir + "/*.txt").filter(empty).count().key(), Bag.readText(dir + "/*.txt").filter(empty).count().key());
        assertEquals(Bag.readText(dir + "/*.txt").filter(empty).graph(), Bag.readText(dir + "/*.txt").filter(empty).graph());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schedulers")
    void encodingIncludePathFilesPerPartition(String s) throws IOException {
        Files.write(dir.resolve("l1.txt"), "caf\u00e9\nna\u00efve\n".getBytes(StandardCharsets.ISO_8859_1));
        Files.write(dir.resolve("l2.txt"), "\u00fcber\n".getBytes(StandardCharsets.ISO_8859_1));
        Bag<String> latin = Bag.readText(dir + "/l*.txt", TextOptions.defaults().encoding("ISO-8859-1").filesPerPartition(2));
        assertEquals(1, latin.npartitions());
        assertEquals(List.of("caf\u00e9\n", "na\u00efve\n", "\u00fcber\n"), Schedulers.compute(latin, s));
        Bag<Map.Entry<String, String>> withPath = Bag.readTextWithPath(dir + "/l*.txt", TextOptions.defaults().encoding("ISO-8859-1"));
        List<Map.Entry<String, String>> got = Schedulers.compute(withPath, s);
        assertEquals(dir.resolve("l2.txt").toString(), got.get(2).getValue());
        assertEquals("caf\u00e9\n", got.get(0).getKey());
        Files.write(dir.resolve("u16.txt"), "one\ntwo\n\u20ac\n".getBytes(StandardCharsets.UTF_16));
        assertEquals(List.of("one\n", "two\n", "\u20ac\n"),
                Schedulers.compute(Bag.readText(dir + "/u16.txt", TextOptions.defaults().encoding(StandardCharsets.UTF_16)), s));
        assertThrows(IllegalArgumentException.class,
                () -> Bag.readText(dir + "/u16.txt", TextOptions.defaults().encoding(StandardCharsets.UTF_16).blocksize(10)));
    }

    @Test
    void badInputFailsNamingTheFile() throws IOException {
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> Bag.readText(dir + "/nothing-*.txt"));
        assertTrue(none.getMessage().contains("nothing-*.txt"), none.getMessage());
        assertThrows(UncheckedIOException.class, () -> Bag.readText(dir + "/missing.txt"));
        assertThrows(IllegalArgumentException.class, () -> Bag.readText("/no/such/dir/*.txt"));

        // a file that vanishes between building and computing
        Path gone = write("gone.txt", "a\n");
        Bag<String> bag = Bag.readText(gone.toString());
        Files.delete(gone);
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> bag.compute(Map.of("scheduler", "sync")));
        assertTrue(e.getCause() instanceof UncheckedIOException && e.getMessage().contains("gone.txt")
                && e.getMessage().contains("no longer exists"), e.getMessage());

        // undecodable bytes: file, byte offset, line
        byte[] bytes = "good line\nsecond \u00e9 ok\nbad \u00ff here\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] utf8ok = "good line\nsecond \u00e9 ok\n".getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[utf8ok.length + 11];
        System.arraycopy(utf8ok, 0, all, 0, utf8ok.length);
        System.arraycopy(bytes, bytes.length - 11, all, utf8ok.length, 11); // "bad \xff here\n"
        Files.write(dir.resolve("bad.txt"), all);
        int badAt = utf8ok.length + 4;
        for (long bs : new long[] {0, 7}) {
            TaskFailedException d = assertThrows(TaskFailedException.class,
                    () -> Bag.readText(dir + "/bad.txt", bs).compute(Map.of("scheduler", "sync")));
            String m = d.getMessage();
            assertTrue(m.contains("bad.txt") && m.contains("UTF-8") && m.contains("byte offset " + badAt) && m.contains("0xFF"), m);
            if (bs == 0) assertTrue(m.contains("line 3"), m);
            // counting (which makes no strings for ASCII lines) still checks every line
            TaskFailedException dc = assertThrows(TaskFailedException.class,
                    () -> Bag.readText(dir + "/bad.txt", bs).count().compute(Map.of("scheduler", "sync")));
            assertTrue(dc.getMessage().contains("byte offset " + badAt), dc.getMessage());
        }

        // corrupt compressed data
        Files.write(dir.resolve("corrupt.gz"), new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7});
        Files.write(dir.resolve("notgzip.gz"), "plain text\n".getBytes(StandardCharsets.UTF_8));
        for (String f : List.of("corrupt.gz", "notgzip.gz")) {
            TaskFailedException c = assertThrows(TaskFailedException.class, () -> Bag.readText(dir + "/" + f).compute(Map.of("scheduler", "sync")));
            assertTrue(c.getMessage().contains(f) && c.getMessage().contains("gzip"), c.getMessage());
        }
        Files.write(dir.resolve("trunc.zst"), new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0, 0, 0});
        TaskFailedException z = assertThrows(TaskFailedException.class, () -> Bag.readText(dir + "/trunc.zst").compute(Map.of("scheduler", "sync")));
        assertTrue(z.getMessage().contains("trunc.zst") && z.getMessage().contains("zstd"), z.getMessage());
    }
}

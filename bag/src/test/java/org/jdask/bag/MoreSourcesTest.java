package org.jdask.bag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** concat, readText over a list of paths and a directory, toTextFiles into a directory, Item.map. */
class MoreSourcesTest {
    @TempDir
    Path dir;

    static Stream<String> schedulers() {
        return Schedulers.local().stream();
    }

    /** A record type for pluck by component name. */
    public record Page(String lang, String title, long hits) implements java.io.Serializable {}

    @ParameterizedTest(name = "{0}")
    @MethodSource("schedulers")
    void pluckMapsRecordsAndMissingKeys(String s) {
        List<Map<String, Object>> maps = List.of(Map.of("name", "a", "n", 1), Map.of("name", "b", "n", 2), Map.of("n", 3));
        Bag<Map<String, Object>> b = Bag.fromSequence(maps, 2);
        assertEquals(List.of(1, 2, 3), Schedulers.compute(b.<Integer>pluck("n"), s));
        org.jdask.TaskFailedException e = assertThrows(org.jdask.TaskFailedException.class,
                () -> Schedulers.compute(b.pluck("name"), s));
        assertTrue(e.getMessage().contains("pluck[name] failed on record 1 of partition") && e.getMessage().contains(", 1)")
                && e.getMessage().contains("no key name"), e.getMessage());
        Bag<Page> pages = Bag.fromSequence(List.of(new Page("en", "Obama", 5), new Page("de", "Main", 7)), 2);
        assertEquals(List.of("Obama", "Main"), Schedulers.compute(pages.<String>pluck("title"), s));
        assertEquals(12L, Schedulers.compute(pages.<Long>pluck("hits").sum(), s));
        assertEquals(List.of("en", "de"), Schedulers.compute(pages.map(p -> java.util.Map.entry(p.lang(), p.hits()))
                .map(x -> new java.util.AbstractMap.SimpleImmutableEntry<>(x.getKey(), x.getValue())).<String>pluck(0), s));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schedulers")
    void concatListsDirectories(String s) throws Exception {
        Bag<Integer> a = Bag.fromSequence(List.of(1, 2, 3), 2);
        Bag<Integer> b = Bag.fromSequence(List.of(4, 5), 3);
        Bag<Integer> c = Bag.concat(a, b);
        assertEquals(5, c.npartitions());
        assertEquals(List.of(1, 2, 3, 4, 5), Schedulers.compute(c, s));
        assertEquals(15L, Schedulers.compute(c.sum(), s));

        Files.createDirectories(dir.resolve("in"));
        Files.writeString(dir.resolve("in/x.txt"), "x1\nx2\n");
        Files.writeString(dir.resolve("in/y.txt"), "y1\n");
        assertEquals(List.of("x1\n", "x2\n", "y1\n"), Schedulers.compute(Bag.readText(dir.resolve("in").toString()), s));
        assertEquals(List.of("y1\n", "x1\n", "x2\n"), Schedulers.compute(Bag.readText(
                List.of(dir.resolve("in/y.txt").toString(), dir.resolve("in/x.txt").toString()), TextOptions.defaults()), s));
        // a missing listed file is an I/O error naming it (a NoSuchFileException), as a missing plain path
        assertThrows(java.io.UncheckedIOException.class, () -> Bag.readText(List.of(dir.resolve("in/nope.txt").toString()), TextOptions.defaults()));

        List<Path> written;
        try (var scope = org.jdask.Config.set("scheduler", s)) {
            written = c.map(x -> "n" + x).toTextFiles(dir.resolve("out").toString());
        }
        assertEquals(5, written.size());
        assertTrue(written.get(0).toString().endsWith("out/0.part"), written.toString());
        assertEquals(List.of("n1\n", "n2\n", "n3\n", "n4\n", "n5\n"), Schedulers.compute(Bag.readText(dir + "/out/*.part"), s));
        // file names are zero-padded, so a 12-partition bag reads back in order
        List<Integer> twelve = java.util.stream.IntStream.range(0, 30).boxed().toList();
        try (var scope = org.jdask.Config.set("scheduler", s)) {
            written = Bag.fromSequence(twelve, 12).toTextFiles(dir + "/twelve/part-*.txt.gz");
        }
        assertTrue(written.get(3).toString().endsWith("part-03.txt.gz"), written.toString());
        assertEquals(twelve, Schedulers.compute(Bag.readText(dir + "/twelve/*.gz").map(l -> Integer.parseInt(l.trim())), s));
        assertEquals("count=5", Schedulers.compute(c.count().map(n -> "count=" + n), s));
    }
}

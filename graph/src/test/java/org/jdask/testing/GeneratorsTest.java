package org.jdask.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java test-data generators: reproducible, and the shapes their docs promise. */
class GeneratorsTest {
    @TempDir Path tmp;

    @Test
    void flightsAreReproducibleAndShapedLikeTheAirlineData() throws Exception {
        List<Path> a = GenFlights.write(tmp.resolve("a"), 2, 5000, 1);
        List<Path> b = GenFlights.write(tmp.resolve("b"), 2, 5000, 1);
        assertEquals(List.of("flights_000.csv", "flights_001.csv"), a.stream().map(p -> p.getFileName().toString()).toList());
        assertEquals(Files.readString(a.get(1)), Files.readString(b.get(1)), "same seed, same bytes");
        List<String> lines = Files.readAllLines(a.get(0));
        assertEquals(GenFlights.HEADER, lines.get(0));
        assertEquals(5001, lines.size());
        int cancelled = 0;
        int ua = 0;
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split(",", -1);
            assertEquals(29, f.length, l);
            assertEquals("2004", f[0]);
            assertEquals("1", f[1]);
            if (f[21].equals("1")) {
                cancelled++;
                assertEquals("NA", f[4], l);
                assertTrue(f[22].matches("[ABCD]"), l);
            } else {
                assertEquals("", f[22], l);
                int dep = Integer.parseInt(f[4]);
                assertTrue(dep >= 1 && dep <= 2400, l);
            }
            if (f[8].equals("UA")) ua++;
        }
        assertTrue(cancelled > 20 && cancelled < 300, "about 2% cancelled: " + cancelled);
        assertTrue(ua > 150 && ua < 500, "UA about 6.5%: " + ua);
    }

    @Test
    void wikistatsHaveSixFieldsAndRareObamaAndMalformedLines() throws Exception {
        Path f = GenWikistats.write(tmp, 1, 20_000, 1).get(0);
        List<String> lines = Files.readAllLines(f);
        assertEquals(20_000, lines.size());
        long wellFormed = lines.stream().filter(l -> l.split(" ").length == 6).count();
        assertTrue(wellFormed > 19_900 && wellFormed < 20_000, "about 0.1% malformed: " + wellFormed);
        assertTrue(lines.get(0).startsWith("20081022 000000 "), lines.get(0));
        long en = lines.stream().filter(l -> l.startsWith("20081022 000000 en ")).count();
        assertTrue(en > 6000 && en < 8500, "'en' about 36%: " + en);
        long obama = lines.stream().filter(l -> l.contains("Obama")).count();
        assertTrue(obama > 2 && obama < 60, "about 0.1% Obama: " + obama);
    }

    @Test
    void timeseriesAreSortedAcrossFiles() throws Exception {
        List<Path> files = GenTimeseries.write(tmp, 2, 1000, 1);
        String prev = "";
        for (Path p : files) {
            List<String> lines = Files.readAllLines(p);
            assertEquals("ts,key,value", lines.get(0));
            for (String l : lines.subList(1, lines.size())) {
                String ts = l.split(",")[0];
                assertTrue(ts.compareTo(prev) >= 0, prev + " then " + ts);
                prev = ts;
                assertTrue(l.matches("2024-01-01 \\d\\d:\\d\\d:\\d\\d\\.\\d{6},s0[0-7],(\\d+\\.\\d{6})?"), l);
            }
        }
    }
}

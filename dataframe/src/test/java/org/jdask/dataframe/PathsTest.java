package org.jdask.dataframe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

/** Path resolution of the readers and output patterns of the writers, at graph build. */
class PathsTest {
    @TempDir
    Path dir;

    @Test
    void aMissingPlainPathIsAnIoErrorNamingIt() {
        String missing = dir + "/flights.csv";
        for (org.junit.jupiter.api.function.Executable read : List.<org.junit.jupiter.api.function.Executable>of(
                () -> DataFrame.readCsv(missing), () -> DataFrame.readArrow(missing), () -> DataFrame.readParquet(missing),
                () -> DataFrame.readCsv(List.of(missing), CsvOptions.defaults()))) {
            UncheckedIOException e = assertThrows(UncheckedIOException.class, read);
            NoSuchFileException cause = (NoSuchFileException) e.getCause();
            assertEquals(missing, cause.getFile());
            assertTrue(e.getMessage().contains(missing) && e.getMessage().contains("does not exist"), e.getMessage());
        }
    }

    @Test
    void aGlobMatchingNothingSaysNoFileMatches() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataFrame.readCsv(dir + "/*.csv"));
        assertTrue(e.getMessage().contains("no file matches") && e.getMessage().contains("*.csv"), e.getMessage());
        IllegalArgumentException d = assertThrows(IllegalArgumentException.class, () -> DataFrame.readCsv(dir.toString()));
        assertTrue(d.getMessage().contains("is a directory") && d.getMessage().contains("*.csv"), d.getMessage());
    }

    @Test
    void toCsvNeedsExactlyOneStar() throws Exception {
        DataFrame df = DataFrame.fromTable(Table.create("t", IntColumn.create("a", 1, 2, 3, 4, 5)), 3);
        for (String bad : List.of("data_*_*.csv", "data.csv")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> df.toCsv(dir + "/" + bad));
            assertTrue(e.getMessage().contains("toCsv needs exactly one '*'") && e.getMessage().contains(bad), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> df.toParquet(dir + "/x-*-*.parquet"));
        List<Path> written = df.toCsv(dir + "/out/data_*.csv");
        assertEquals(List.of(dir.resolve("out/data_0.csv"), dir.resolve("out/data_1.csv"), dir.resolve("out/data_2.csv")), written);
        for (Path p : written) assertTrue(Files.size(p) > 0, p.toString());
        assertEquals(5, DataFrame.readCsv(dir + "/out/data_*.csv").len());
    }
}

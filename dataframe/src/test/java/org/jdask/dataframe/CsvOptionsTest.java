package org.jdask.dataframe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.Table;

/** CSV dialect options, date formats, bad lines and bad bytes: values read and errors that name file, line and fix. */
class CsvOptionsTest {
    @TempDir Path dir;

    Path file(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    static Map<String, Object> sync() {
        return Map.of("scheduler", "sync");
    }

    /** The CsvParseException inside a failed computation. */
    static CsvParseException parseError(Runnable r) {
        Throwable t = assertThrows(Throwable.class, r::run);
        while (t != null && !(t instanceof CsvParseException)) t = t.getCause();
        assertTrue(t != null, "no CsvParseException in the chain");
        return (CsvParseException) t;
    }

    @Test
    void dateFormatsAreInferredFromTheSample() throws Exception {
        Path p = file("d.csv", "d,dt,iso,zoned,us,epoch,ems,t\n"
                + "2024-03-05,2024-03-05 13:07:09.123456,2024-03-05T13:07,2024-03-05T13:07:09+02:00,03/05/2024,1709644029,1709644029123,13:07:09.5\n"
                + "2024-02-29,2024-02-29 00:00:00,2024-02-29T23:59:59.999,2024-02-29T00:00:00Z,12/31/2023,0,0,00:00\n"
                + ",NA,,,,,,\n");
        DataFrame df = DataFrame.readCsv(p.toString(), CsvOptions.defaults().parseDates("d", "dt", "iso", "zoned", "us", "epoch", "ems", "t"));
        assertEquals(ColumnType.LOCAL_DATE, df.dtypes().get("d"));
        assertEquals(ColumnType.LOCAL_DATE_TIME, df.dtypes().get("dt"));
        assertEquals(ColumnType.LOCAL_DATE_TIME, df.dtypes().get("iso"));
        assertEquals(ColumnType.INSTANT, df.dtypes().get("zoned"));
        assertEquals(ColumnType.LOCAL_DATE, df.dtypes().get("us"));
        assertEquals(ColumnType.INSTANT, df.dtypes().get("epoch"));
        assertEquals(ColumnType.INSTANT, df.dtypes().get("ems"));
        assertEquals(ColumnType.LOCAL_TIME, df.dtypes().get("t"));
        Table t = df.compute(sync());
        assertEquals(LocalDate.of(2024, 3, 5), t.dateColumn("d").get(0));
        assertEquals(LocalDateTime.of(2024, 3, 5, 13, 7, 9, 123_000_000), t.dateTimeColumn("dt").get(0));
        assertEquals(LocalDateTime.of(2024, 2, 29, 23, 59, 59, 999_000_000), t.dateTimeColumn("iso").get(1));
        assertEquals(Instant.parse("2024-03-05T11:07:09Z"), t.instantColumn("zoned").get(0));
        assertEquals(LocalDate.of(2023, 12, 31), t.dateColumn("us").get(1));
        assertEquals(Instant.ofEpochSecond(1709644029), t.instantColumn("epoch").get(0));
        assertEquals(Instant.ofEpochMilli(1709644029123L), t.instantColumn("ems").get(0));
        assertEquals(LocalTime.of(13, 7, 9, 500_000_000), t.timeColumn("t").get(0));
        for (String c : t.columnNames()) assertTrue(t.column(c).isMissing(2), c + " missing");
        // a given pattern
        Path q = file("p.csv", "when\n05.03.2024 13:07\n");
        Table g = DataFrame.readCsv(q.toString(), CsvOptions.defaults().dateFormat("when", "dd.MM.yyyy HH:mm")).compute(sync());
        assertEquals(LocalDateTime.of(2024, 3, 5, 13, 7), g.dateTimeColumn("when").get(0));
    }

    @Test
    void malformedDateInLine90001OfTheThirdFileNamesFileLineColumnAndFix() throws Exception {
        for (int f = 0; f < 3; f++) {
            StringBuilder sb = new StringBuilder("ts,x\n");
            for (int i = 0; i < 95_000; i++) {
                // line numbers: the header is line 1, row i is line i + 2
                String ts = f == 2 && i == 89_999 ? "2024-13-45 10:00:00" : "2024-01-0" + (1 + f) + " 10:00:00";
                sb.append(ts).append(',').append(i).append('\n');
            }
            file("part_" + f + ".csv", sb.toString());
        }
        DataFrame df = DataFrame.readCsv(dir + "/part_*.csv", CsvOptions.defaults().parseDates("ts"));
        CsvParseException e = parseError(() -> df.len());
        assertTrue(e.file().endsWith("part_2.csv"), e.file());
        assertEquals(90_001, e.line());
        assertEquals("ts", e.column());
        assertEquals("2024-13-45 10:00:00", e.value());
        assertTrue(e.getMessage().contains("dateFormat(\"ts\"") && e.getMessage().contains("ISO 8601"), e.getMessage());
    }

    @Test
    void aValueWithoutAZoneInAnInstantColumnSaysSo() throws Exception {
        Path p = file("z.csv", "t\n2024-01-01T00:00:00Z\n2024-01-01T10:00:00\n");
        DataFrame df = DataFrame.readCsv(p.toString(), CsvOptions.defaults().parseDates("t"));
        assertEquals(ColumnType.INSTANT, df.dtypes().get("t"));
        CsvParseException e = parseError(() -> df.compute(sync()));
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("without a zone") && e.getMessage().contains("LOCAL_DATE_TIME"), e.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> DataFrame.readCsv(file("n.csv", "t\nyesterday\n").toString(), CsvOptions.defaults().parseDates("t")));
        assertTrue(none.getMessage().contains("dateFormat(\"t\"") && none.getMessage().contains("yesterday"), none.getMessage());
    }

    @Test
    void quoteEscapeCommentSkipRowsThousandsDecimal() throws Exception {
        Path p = file("o.csv", "generated by a tool\nsecond junk line\n# a comment\na;b;c\n'x \\' y';\"1.234,5\";7\n# another\n'z';\"12,25\";8\n");
        DataFrame df = DataFrame.readCsv(p.toString(), CsvOptions.defaults().skipRows(2).comment('#').separator(';').quote('\'')
                .escape('\\').thousands('.').decimal(','));
        Table t = df.compute(sync());
        assertEquals(2, t.rowCount());
        assertEquals("x ' y", t.stringColumn("a").get(0));
        // the double quotes are data here (the quote is '), so b is a string column with them kept
        assertEquals(ColumnType.STRING, df.dtypes().get("b"));
        Path q = file("n.csv", "a,b\n\"1.234,5\",7\n\"12,25\",8\n");
        Table n = DataFrame.readCsv(q.toString(), CsvOptions.defaults().thousands('.').decimal(',')).compute(sync());
        assertEquals(1234.5, n.doubleColumn("a").getDouble(0), 0.0);
        assertEquals(12.25, n.doubleColumn("a").getDouble(1), 0.0);
    }

    @Test
    void onBadLinesKeepsExactlyTheGoodRowsAndCountsTheOthers() throws Exception {
        StringBuilder sb = new StringBuilder("a,b,c\n");
        int good = 0;
        long sum = 0;
        for (int i = 0; i < 2000; i++) {
            if (i % 97 == 5) sb.append(i).append(",1\n");               // too few
            else if (i % 89 == 3) sb.append(i).append(",1,2,3\n");      // too many
            else if (i % 101 == 7) sb.append(i).append(",\"q\nq\",2,9\n"); // too many, with a quoted newline
            else { sb.append(i).append(",x,").append(i * 2).append('\n'); good++; sum += i; }
        }
        Path p = file("bad.csv", sb.toString());
        CsvParseException e = parseError(() -> DataFrame.readCsv(p.toString()).len());
        assertEquals(5, e.line()); // row 3 (too many fields) is line 5
        assertTrue(e.getMessage().contains("onBadLines(\"skip\")"), e.getMessage());
        for (String mode : new String[] {"skip", "warn"}) {
            DataFrame df = DataFrame.readCsv(p.toString(), CsvOptions.defaults().onBadLines(mode).blocksize(3000));
            Table t = df.compute(Map.of("scheduler", "threads"));
            assertEquals(good, t.rowCount(), mode);
            long s = 0;
            for (int i = 0; i < t.rowCount(); i++) {
                s += t.intColumn("a").getInt(i);
                assertEquals(t.intColumn("a").getInt(i) * 2, t.intColumn("c").getInt(i));
                assertEquals("x", t.stringColumn("b").get(i));
            }
            assertEquals(sum, s, mode);
            assertEquals(2000 - good, (long) df.badLines().compute(), mode);
            if (org.jdask.graph.Schedulers.providers().containsKey("processes")) {
                assertEquals(good, df.len(), mode);
                assertEquals(2000 - good, (long) df.badLines().compute(Map.of("scheduler", "processes")), mode + " on processes");
                assertEquals(good, (long) df.rowCount().compute(Map.of("scheduler", "processes")), mode + " on processes");
            }
        }
        assertThrows(IllegalArgumentException.class, () -> CsvOptions.defaults().onBadLines("ignore"));
    }

    @Test
    void invalidUtf8FailsNamingFileLineAndByteOffsetUnlessReplaceIsAsked() throws Exception {
        byte[] head = "k,v\nabc,1\n".getBytes(StandardCharsets.UTF_8);
        byte[] bad = {'d', (byte) 0xE9, 'f', ',', '2', '\n'};
        Path p = dir.resolve("latin.csv");
        try (OutputStream o = Files.newOutputStream(p)) {
            o.write(head);
            o.write(bad);
        }
        CsvParseException e = parseError(() -> DataFrame.readCsv(p.toString()).compute(sync()));
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("byte offset " + (head.length + 1)) && e.getMessage().contains(".encoding(StandardCharsets.ISO_8859_1)")
                && e.getMessage().contains("encodingErrors(\"replace\")"), e.getMessage());
        Table r = DataFrame.readCsv(p.toString(), CsvOptions.defaults().encodingErrors("replace")).compute(sync());
        assertEquals("d\uFFFDf", r.stringColumn("k").get(1));
        Table l = DataFrame.readCsv(p.toString(), CsvOptions.defaults().encoding(StandardCharsets.ISO_8859_1)).compute(sync());
        assertEquals("d\u00e9f", l.stringColumn("k").get(1));
    }

    @Test
    void errorsInsideCompressedFilesNameLineOffsetAndFix() throws Exception {
        StringBuilder sb = new StringBuilder("a,b\n");
        for (int i = 0; i < 5000; i++) sb.append(i).append(',').append(i).append('\n');
        sb.append("1,2,3\n");
        Path gz = dir.resolve("x.csv.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            o.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        Path gzBad = dir.resolve("v.csv.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gzBad))) {
            o.write("a,b\n1,2\n3,x\n".getBytes(StandardCharsets.UTF_8));
        }
        CsvParseException value = parseError(() -> DataFrame.readCsv(gzBad.toString(), CsvOptions.defaults().dtype("b", ColumnType.INTEGER)).col("b").sum().compute());
        assertEquals(3, value.line());
        assertTrue(value.getMessage().contains("column 'b' (decompressed byte offset 10)") && value.getMessage().contains("fix:"), value.getMessage());
        CsvParseException ragged = parseError(() -> DataFrame.readCsv(gz.toString()).len());
        assertEquals(5002, ragged.line());
        assertTrue(ragged.getMessage().contains("onBadLines"), ragged.getMessage());
        byte[] all = Files.readAllBytes(gz);
        Path cut = dir.resolve("cut.csv.gz");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2));
        DataFrame df = DataFrame.readCsv(cut.toString(), CsvOptions.defaults().onBadLines("skip"));
        CsvParseException e = parseError(() -> df.len());
        assertTrue(e.getMessage().contains("corrupt or truncated after") && e.getMessage().contains("decompressed bytes (line")
                && e.getMessage().contains("fix:"), e.getMessage());
        assertTrue(e.line() > 1, "line " + e.line());
    }

    /**
     * A string column with more distinct values than a dictionary is worth (ids, timestamps): the
     * parser switches to Tablesaw's own column mid-chunk, and partitions of both kinds concatenate.
     */
    @Test
    void highCardinalityStringsSwitchToPlainColumnsAndStillConcatenate() throws Exception {
        Path hc = Files.createDirectories(dir.resolve("hc"));
        Path p = hc.resolve("a_ids.csv");
        StringBuilder b = new StringBuilder("id,n\n");
        for (int i = 0; i < 80_000; i++) b.append(i % 1000 == 7 ? "" : "id-" + i).append(',').append(i).append('\n');
        Path q = hc.resolve("b_few.csv");
        StringBuilder c = new StringBuilder("id,n\n");
        for (int i = 0; i < 500; i++) c.append("k").append(i % 3).append(',').append(i).append('\n');
        Files.writeString(p, b.toString());
        Files.writeString(q, c.toString());
        Table t = DataFrame.readCsv(hc + "/*.csv", CsvOptions.defaults().dtype("id", ColumnType.STRING))
                .compute(sync());
        assertEquals(80_500, t.rowCount());
        tech.tablesaw.api.StringColumn id = t.stringColumn("id");
        assertEquals(80, id.countMissing());
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < t.rowCount(); i++) if (!id.isMissing(i)) seen.add(id.get(i));
        assertEquals(80_000 - 80 + 3, seen.size());
        assertTrue(seen.contains("id-79999") && seen.contains("k2") && !seen.contains("id-7"), "values survive the switch");
        assertEquals("id-123", id.get(123));
    }
}

package org.jdask.dataframe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import org.jdask.Jdask;
import org.jdask.graph.Task;
import org.jdask.graph.TaskGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.DateColumn;
import tech.tablesaw.api.DateTimeColumn;
import tech.tablesaw.api.InstantColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.api.TimeColumn;

/** Dates, timestamps and times in Arrow IPC and Parquet both ways (checked against DuckDB), and the index kept in the files. */
class TemporalFilesTest {
    @TempDir Path dir;

    static Table sample() {
        return Table.create("t",
                IntColumn.create("i", 1, 2, 3),
                DateColumn.create("d", LocalDate.of(2024, 2, 29), null, LocalDate.of(1969, 12, 31)),
                DateTimeColumn.create("dt", LocalDateTime.of(2024, 3, 5, 13, 7, 9, 123_000_000), LocalDateTime.of(1970, 1, 1, 0, 0), null),
                InstantColumn.create("ins", Instant.parse("2024-03-05T11:07:09.5Z"), null, Instant.parse("2000-01-01T00:00:00Z")),
                TimeColumn.create("t", LocalTime.of(13, 7, 9, 250_000_000), LocalTime.MIDNIGHT, null));
    }

    @Test
    void parquetTemporalColumnsBothWaysWithDuckDb() throws Exception {
        Table t = sample();
        DataFrame df = DataFrame.fromTable(t, 1);
        List<Path> files = df.toParquet(dir + "/out/p_*.parquet");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT CAST(d AS VARCHAR), CAST(dt AS VARCHAR), epoch_ms(ins), CAST(t AS VARCHAR), typeof(ins) FROM '" + files.get(0) + "' ORDER BY i")) {
            r.next();
            assertEquals("2024-02-29", r.getString(1));
            assertEquals("2024-03-05 13:07:09.123", r.getString(2));
            assertEquals(Instant.parse("2024-03-05T11:07:09.5Z").toEpochMilli(), r.getLong(3));
            assertEquals("13:07:09.25", r.getString(4));
            assertEquals("TIMESTAMP WITH TIME ZONE", r.getString(5));
            r.next();
            assertEquals(null, r.getString(1));
            r.next();
            assertEquals("1969-12-31", r.getString(1));
            assertEquals(null, r.getString(4));
        }
        Table back = DataFrame.readParquet(dir + "/out/*.parquet").compute(Map.of("scheduler", "sync"));
        assertEquals(t.setName("x").toString(), back.setName("x").toString());
        // DuckDB writes: DATE, TIMESTAMP (micros), TIMESTAMPTZ, TIME, TIMESTAMP_NS
        Path p = dir.resolve("duck.parquet");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("SET TimeZone='UTC'");
            s.execute("COPY (SELECT DATE '2024-02-29' d, TIMESTAMP '2024-03-05 13:07:09.123456' dt, TIMESTAMPTZ '2024-03-05 13:07:09+02' tz, "
                    + "TIME '13:07:09.5' t, CAST(TIMESTAMP '2001-02-03 04:05:06.789' AS TIMESTAMP_NS) ns "
                    + "UNION ALL SELECT NULL, NULL, NULL, NULL, NULL) TO '" + p + "' (FORMAT PARQUET)");
        }
        DataFrame d = DataFrame.readParquet(p.toString());
        assertEquals(ColumnType.LOCAL_DATE, d.dtypes().get("d"));
        assertEquals(ColumnType.LOCAL_DATE_TIME, d.dtypes().get("dt"));
        assertEquals(ColumnType.INSTANT, d.dtypes().get("tz"));
        assertEquals(ColumnType.LOCAL_TIME, d.dtypes().get("t"));
        Table dt = d.compute(Map.of("scheduler", "sync"));
        assertEquals(LocalDate.of(2024, 2, 29), dt.dateColumn("d").get(0));
        assertEquals(LocalDateTime.of(2024, 3, 5, 13, 7, 9, 123_000_000), dt.dateTimeColumn("dt").get(0));
        assertEquals(Instant.parse("2024-03-05T11:07:09Z"), dt.instantColumn("tz").get(0));
        assertEquals(LocalTime.of(13, 7, 9, 500_000_000), dt.timeColumn("t").get(0));
        assertEquals(LocalDateTime.of(2001, 2, 3, 4, 5, 6, 789_000_000), dt.dateTimeColumn("ns").get(0));
        for (String col : dt.columnNames()) assertTrue(dt.column(col).isMissing(1), col);
    }

    @Test
    void arrowTemporalColumnsRoundTrip() {
        Table t = sample();
        DataFrame.fromTable(t, 1).toArrow(dir + "/a/x_*.arrow");
        DataFrame back = DataFrame.readArrow(dir + "/a/*.arrow");
        assertEquals(ColumnType.INSTANT, back.dtypes().get("ins"));
        assertEquals(t.setName("x").toString(), back.compute(Map.of("scheduler", "sync")).setName("x").toString());
    }

    /** A dictionary-encoded Arrow column (as pyarrow writes pandas categoricals) reads as a STRING column. */
    @Test
    void arrowDictionaryColumnsReadAsStrings() throws Exception {
        Path p = dir.resolve("dict.arrow");
        String[] codes = {"UA", "AA", "UA", null, "DL", "UA"};
        try (org.apache.arrow.memory.BufferAllocator a = new org.apache.arrow.memory.RootAllocator();
             org.apache.arrow.vector.VarCharVector dictValues = new org.apache.arrow.vector.VarCharVector("carrier-dict", a);
             org.apache.arrow.vector.VarCharVector raw = new org.apache.arrow.vector.VarCharVector("carrier", a)) {
            String[] dv = {"UA", "AA", "DL"};
            dictValues.allocateNew();
            for (int i = 0; i < dv.length; i++) dictValues.setSafe(i, dv[i].getBytes(java.nio.charset.StandardCharsets.UTF_8));
            dictValues.setValueCount(dv.length);
            org.apache.arrow.vector.dictionary.Dictionary dict = new org.apache.arrow.vector.dictionary.Dictionary(dictValues,
                    new org.apache.arrow.vector.types.pojo.DictionaryEncoding(1L, false, null));
            raw.allocateNew();
            for (int i = 0; i < codes.length; i++) if (codes[i] == null) raw.setNull(i); else raw.setSafe(i, codes[i].getBytes(java.nio.charset.StandardCharsets.UTF_8));
            raw.setValueCount(codes.length);
            try (org.apache.arrow.vector.FieldVector enc = (org.apache.arrow.vector.FieldVector) org.apache.arrow.vector.dictionary.DictionaryEncoder.encode(raw, dict)) {
                org.apache.arrow.vector.dictionary.DictionaryProvider.MapDictionaryProvider provider = new org.apache.arrow.vector.dictionary.DictionaryProvider.MapDictionaryProvider(dict);
                try (org.apache.arrow.vector.VectorSchemaRoot root = new org.apache.arrow.vector.VectorSchemaRoot(List.of(enc.getField()), List.of(enc), codes.length);
                     java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
                     org.apache.arrow.vector.ipc.ArrowFileWriter w = new org.apache.arrow.vector.ipc.ArrowFileWriter(root, provider, ch)) {
                    w.start();
                    w.writeBatch();
                    w.end();
                }
            }
        }
        DataFrame df = DataFrame.readArrow(p.toString());
        assertEquals(ColumnType.STRING, df.dtypes().get("carrier"));
        Table t = df.compute(Map.of("scheduler", "sync"));
        for (int i = 0; i < codes.length; i++) {
            if (codes[i] == null) assertTrue(t.stringColumn("carrier").isMissing(i));
            else assertEquals(codes[i], t.stringColumn("carrier").get(i));
        }
        assertEquals(3, df.filter(Expr.col("carrier").eq("UA")).len());
        // toArrow writes a low-cardinality string column back as a dictionary
        tech.tablesaw.api.StringColumn many = tech.tablesaw.api.StringColumn.create("carrier");
        for (int i = 0; i < 300; i++) many.append(codes[i % codes.length] == null ? "" : codes[i % codes.length]);
        Table big = Table.create("big", many, IntColumn.create("i", java.util.stream.IntStream.range(0, 300).toArray()));
        List<Path> out = DataFrame.fromTable(big, 1).toArrow(dir + "/dict-out/d_*.arrow");
        org.apache.arrow.vector.types.pojo.Field f = FileFormats.arrowSchemaOf(out.get(0).toString()).findField("carrier");
        assertTrue(f.getDictionary() != null, "dictionary-encoded: " + f);
        assertEquals(ColumnType.INTEGER, FileFormats.arrowSchema(out.get(0).toString()).get("i"));
        Table again = DataFrame.readArrow(dir + "/dict-out/*.arrow").compute(Map.of("scheduler", "sync"));
        assertEquals(big.setName("x").toString(), again.setName("x").toString());
    }

    @Test
    void arrowAndParquetKeepTheIndexAndItsDivisions() throws Exception {
        TsTestData data = new TsTestData(3000, 5);
        data.write(dir.resolve("csv"), 3);
        DataFrame df = DataFrame.readCsv(dir + "/csv/*.csv", CsvOptions.defaults().parseDates("ts")).setIndex("ts", true);
        for (String fmt : List.of("arrow", "parquet")) {
            String pattern = dir + "/" + fmt + "/part_*." + fmt;
            if (fmt.equals("arrow")) df.toArrow(pattern); else df.toParquet(pattern);
            String glob = dir + "/" + fmt + "/*." + fmt;
            DataFrame back = fmt.equals("arrow") ? DataFrame.readArrow(glob) : DataFrame.readParquet(glob);
            assertEquals("ts", back.indexColumn(), fmt);
            assertEquals(df.divisions(), back.divisions(), fmt);
            Object lo = df.divisions().get(1);
            DataFrame part = back.loc(lo, ((LocalDateTime) lo).plusMinutes(30));
            TaskGraph g = Jdask.optimize(part);
            long reads = g.nodes().values().stream().filter(n -> n instanceof Task tk && tk.function() instanceof FileFormats.ReadFile).count();
            assertTrue(reads <= 2, fmt + " reads " + reads);
            assertEquals(df.loc(lo, ((LocalDateTime) lo).plusMinutes(30)).len(), part.len(), fmt);
        }
    }
}

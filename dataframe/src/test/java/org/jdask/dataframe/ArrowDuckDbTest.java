package org.jdask.dataframe;

import static org.jdask.dataframe.Agg.count;
import static org.jdask.dataframe.Agg.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.c.jni.JniLoader;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBResultSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.DateColumn;
import tech.tablesaw.api.DateTimeColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.InstantColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.api.TimeColumn;

/**
 * Arrow IPC files checked against DuckDB both ways (issue 18). DuckDB's own Arrow file reader is its
 * community {@code arrow} extension, which it downloads on first use (not possible offline); so the
 * bytes go through the Arrow C data interface instead (arrow-c-data): the IPC file jdask wrote is
 * opened with Arrow's file reader and handed to DuckDB as an ArrowArrayStream, so DuckDB interprets
 * every schema, type (date, timestamp unit and zone, time, dictionary) and buffer jdask wrote; and
 * DuckDB's query results, exported as Arrow, are written to an IPC file that jdask reads.
 */
class ArrowDuckDbTest {
    static final Map<String, Object> SYNC = Map.of("scheduler", "sync");
    static final String[] CARRIERS = {"UA", "AA", "DL", "WN", "B6", "AS", "NK", "F9"};

    @TempDir static Path dir;
    static Table data;

    @BeforeAll
    static void nativeBridge() {
        try {
            JniLoader.get().ensureLoaded();
        } catch (Throwable e) { // UnsatisfiedLinkError or the loader's IllegalStateException
            assumeTrue(false, "arrow-c-data's native library (arrow_cdata_jni/<arch>/libarrow_cdata_jni.so in the "
                    + "org.apache.arrow:arrow-c-data jar) could not load on " + System.getProperty("os.arch") + ": " + e);
        }
        data = generated(5_000, 7);
    }

    /** Rows with every column type toArrow writes, missing values, a dictionary-sized and a high-cardinality string. */
    static Table generated(int n, long seed) {
        Random r = new Random(seed);
        IntColumn i = IntColumn.create("i");
        LongColumn l = LongColumn.create("l");
        DoubleColumn x = DoubleColumn.create("x");
        StringColumn s = StringColumn.create("s");
        StringColumn u = StringColumn.create("u");
        BooleanColumn b = BooleanColumn.create("b");
        DateColumn d = DateColumn.create("d");
        DateTimeColumn dt = DateTimeColumn.create("dt");
        InstantColumn ins = InstantColumn.create("ins");
        TimeColumn t = TimeColumn.create("t");
        for (int k = 0; k < n; k++) {
            boolean miss = k % 17 == 3;
            i.append(k);
            if (miss) l.appendMissing(); else l.append(r.nextLong() >> 8);
            if (k % 13 == 5) x.appendMissing(); else x.append(Math.round(r.nextGaussian() * 1e6) / 1e3);
            if (k % 29 == 11) s.appendMissing(); else s.append(CARRIERS[r.nextInt(CARRIERS.length)]);
            u.append("row-" + Long.toString(r.nextLong() & 0xffffffffL, 36) + "-é" + k);
            if (miss) b.appendMissing(); else b.append(r.nextBoolean());
            long ms = -2_000_000_000_000L + (long) (r.nextDouble() * 4_000_000_000_000L); // 1906 .. 2096
            if (k % 19 == 7) d.appendMissing(); else d.append(LocalDate.ofEpochDay(Math.floorDiv(ms, 86_400_000L)));
            if (k % 23 == 9) dt.appendMissing(); else dt.append(LocalDateTime.ofEpochSecond(Math.floorDiv(ms, 1000), (int) Math.floorMod(ms, 1000) * 1_000_000, java.time.ZoneOffset.UTC));
            if (miss) ins.appendMissing(); else ins.append(Instant.ofEpochMilli(ms + 12_345));
            if (k % 31 == 1) t.appendMissing(); else t.append(LocalTime.ofNanoOfDay(Math.floorMod(ms, 86_400_000L) * 1_000_000L));
        }
        return Table.create("gen", i, l, x, s, u, b, d, dt, ins, t);
    }

    /** A DuckDB connection holding table {@code m}: every file's rows, read through the C data interface. */
    static Connection duckOver(List<Path> files) throws SQLException, IOException {
        Connection c = DriverManager.getConnection("jdbc:duckdb:");
        try (Statement st = c.createStatement()) {
            st.execute("SET TimeZone='UTC'");
            for (int f = 0; f < files.size(); f++) {
                try (BufferAllocator a = new RootAllocator();
                     FileChannel ch = FileChannel.open(files.get(f), StandardOpenOption.READ);
                     ArrowFileReader reader = new ArrowFileReader(ch, a);
                     ArrowArrayStream stream = ArrowArrayStream.allocateNew(a)) {
                    Data.exportArrayStream(a, reader, stream);
                    c.unwrap(DuckDBConnection.class).registerArrowStream("part" + f, stream);
                    st.execute(f == 0 ? "CREATE TABLE m AS SELECT * FROM part0" : "INSERT INTO m SELECT * FROM part" + f);
                }
            }
        }
        return c;
    }

    @Test
    void duckDbReadsEveryValueJdaskWrote() throws Exception {
        List<Path> files = DataFrame.fromTable(data, 3).toArrow(dir + "/w/part_*.arrow");
        assertEquals(3, files.size());
        assertTrue(FileFormats.arrowSchemaOf(files.get(0).toString()).findField("s").getDictionary() != null, "s is written as a dictionary");
        try (Connection c = duckOver(files); Statement st = c.createStatement()) {
            Map<String, String> types = new HashMap<>();
            try (ResultSet r = st.executeQuery("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'm'")) {
                while (r.next()) types.put(r.getString(1), r.getString(2));
            }
            assertEquals(Map.of("i", "INTEGER", "l", "BIGINT", "x", "DOUBLE", "s", "VARCHAR", "u", "VARCHAR", "b", "BOOLEAN",
                    "d", "DATE", "dt", "TIMESTAMP_MS", "ins", "TIMESTAMP WITH TIME ZONE", "t", "TIME"), types);
            int n = 0;
            try (ResultSet r = st.executeQuery("SELECT i, l, x, s, u, b, CAST(d AS VARCHAR), epoch_ms(dt), epoch_ms(ins), "
                    + "CAST(extract('epoch' FROM t) * 1000 AS BIGINT) FROM m ORDER BY i")) {
                while (r.next()) {
                    int k = r.getInt(1);
                    assertEquals(n, k, "row order");
                    String at = "row " + k;
                    assertEquals(data.longColumn("l").isMissing(k) ? null : data.longColumn("l").get(k), (Long) r.getObject(2), at);
                    double x = data.doubleColumn("x").getDouble(k);
                    assertEquals(Double.isNaN(x) ? null : x, (Double) r.getObject(3), at);
                    assertEquals(data.stringColumn("s").isMissing(k) ? null : data.stringColumn("s").get(k), r.getString(4), at);
                    assertEquals(data.stringColumn("u").get(k), r.getString(5), at);
                    assertEquals(data.booleanColumn("b").isMissing(k) ? null : data.booleanColumn("b").get(k), (Boolean) r.getObject(6), at);
                    assertEquals(data.dateColumn("d").isMissing(k) ? null : data.dateColumn("d").get(k).toString(), r.getString(7), at);
                    LocalDateTime dt = data.dateTimeColumn("dt").get(k);
                    assertEquals(dt == null ? null : dt.toInstant(java.time.ZoneOffset.UTC).toEpochMilli(), (Long) r.getObject(8), at);
                    Instant ins = data.instantColumn("ins").get(k);
                    assertEquals(ins == null ? null : ins.toEpochMilli(), (Long) r.getObject(9), at);
                    LocalTime t = data.timeColumn("t").get(k);
                    assertEquals(t == null ? null : t.toNanoOfDay() / 1_000_000L, (Long) r.getObject(10), at);
                    n++;
                }
            }
            assertEquals(data.rowCount(), n);
        }
    }

    @Test
    void duckDbAggregatesOfJdaskFilesEqualJdasksOwn() throws Exception {
        DataFrame df = DataFrame.fromTable(data, 4);
        List<Path> files = df.toArrow(dir + "/agg/part_*.arrow");
        Table mine = DataFrame.readArrow(dir + "/agg/*.arrow").groupBy("s").agg(sum("x"), count("x")).compute(SYNC);
        try (Connection c = duckOver(files); Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SELECT s, sum(x), count(x) FROM m WHERE s IS NOT NULL GROUP BY s ORDER BY s")) {
            int groups = 0;
            while (r.next()) {
                String key = r.getString(1);
                Table row = mine.where(mine.stringColumn("s").isEqualTo(key));
                assertEquals(1, row.rowCount(), key);
                assertEquals(r.getDouble(2), row.doubleColumn("x_sum").getDouble(0), 1e-6, key);
                assertEquals(r.getLong(3), (long) row.numberColumn("x_count").getDouble(0), key);
                groups++;
            }
            assertEquals(CARRIERS.length, groups);
        }
        try (Connection c = duckOver(files); Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SELECT count(*), count(d), min(d), epoch_ms(max(dt)), count(DISTINCT u), sum(l) FILTER (WHERE b) FROM m")) {
            r.next();
            assertEquals(data.rowCount(), r.getLong(1));
            assertEquals(data.rowCount() - data.dateColumn("d").countMissing(), r.getLong(2));
            assertEquals(data.dateColumn("d").min().toString(), r.getString(3));
            assertEquals(data.dateTimeColumn("dt").max().toInstant(java.time.ZoneOffset.UTC).toEpochMilli(), r.getLong(4));
            assertEquals(data.rowCount(), r.getLong(5));
            long sum = 0;
            for (int k = 0; k < data.rowCount(); k++) if (!data.booleanColumn("b").isMissing(k) && data.booleanColumn("b").get(k)) sum += data.longColumn("l").get(k);
            assertEquals(java.math.BigInteger.valueOf(sum), new java.math.BigInteger(r.getString(6)));
        }
    }

    /** DuckDB's results exported as Arrow (ENUM as a dictionary, TIMESTAMP in micros, TIMESTAMPTZ) and written to an IPC file read by jdask. */
    @Test
    void jdaskReadsArrowFilesOfDuckDbResults() throws Exception {
        Path p = dir.resolve("duck.arrow");
        String q = "SELECT k::INTEGER AS i, (k * 1000003)::BIGINT AS l, CASE WHEN k % 7 = 3 THEN NULL ELSE k / 8.0 END AS x, "
                + "CASE WHEN k % 11 = 2 THEN NULL ELSE (['UA','AA','DL','WN'])[1 + k % 4]::carrier END AS s, "
                + "'v' || k AS u, DATE '1969-12-01' + k::INTEGER AS d, TIMESTAMP '2024-02-28 23:00:00.123456' + to_minutes(k) AS dt, "
                + "TIMESTAMPTZ '2024-03-05 13:07:09+02' + to_seconds(k * 37) AS ins, TIME '00:00:00' + to_seconds(k * 61) AS t "
                + "FROM range(3000) r(k) ORDER BY k";
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            st.execute("SET TimeZone='UTC'");
            st.execute("CREATE TYPE carrier AS ENUM ('UA', 'AA', 'DL', 'WN')");
            try (BufferAllocator a = new RootAllocator(); DuckDBResultSet rs = (DuckDBResultSet) st.executeQuery(q);
                 ArrowReader reader = (ArrowReader) rs.arrowExportStream(a, 1024);
                 FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 ArrowFileWriter w = new ArrowFileWriter(reader.getVectorSchemaRoot(), reader, ch)) {
                w.start();
                while (reader.loadNextBatch()) w.writeBatch();
                w.end();
            }
            assertTrue(Files.size(p) > 0);
            DataFrame df = DataFrame.readArrow(p.toString());
            assertEquals(ColumnType.STRING, df.dtypes().get("s"));
            assertEquals(ColumnType.LOCAL_DATE_TIME, df.dtypes().get("dt"));
            assertEquals(ColumnType.INSTANT, df.dtypes().get("ins"));
            Table t = df.compute(SYNC);
            assertEquals(3000, t.rowCount());
            try (ResultSet r = st.executeQuery("SELECT i, l, x, CAST(s AS VARCHAR), u, CAST(d AS VARCHAR), CAST(dt AS VARCHAR), epoch_ms(ins), "
                    + "CAST(extract('epoch' FROM t) AS BIGINT) FROM (" + q + ")")) {
                for (int k = 0; r.next(); k++) {
                    String at = "row " + k;
                    assertEquals(r.getInt(1), t.intColumn("i").getInt(k), at);
                    assertEquals(r.getLong(2), t.longColumn("l").getLong(k), at);
                    Object x = r.getObject(3);
                    if (x == null) assertTrue(t.doubleColumn("x").isMissing(k), at); else assertEquals(r.getDouble(3), t.doubleColumn("x").getDouble(k), at);
                    assertEquals(r.getString(4), t.stringColumn("s").isMissing(k) ? null : t.stringColumn("s").get(k), at);
                    assertEquals(r.getString(5), t.stringColumn("u").get(k), at);
                    assertEquals(r.getString(6), t.dateColumn("d").get(k).toString(), at);
                    // jdask keeps milliseconds: DuckDB's micros truncated
                    assertEquals(r.getString(7).substring(0, 23), t.dateTimeColumn("dt").get(k).toString().replace('T', ' ').substring(0, 23), at);
                    assertEquals(r.getLong(8), t.instantColumn("ins").get(k).toEpochMilli(), at);
                    assertEquals(r.getLong(9), t.timeColumn("t").get(k).toSecondOfDay(), at);
                }
            }
        }
    }
}

package org.jdask.dataframe;

import static org.jdask.dataframe.Agg.mean;
import static org.jdask.dataframe.Expr.col;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdask.Jdask;
import org.jdask.testing.GenFlights;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.Table;

/**
 * The seed's airline queries (W4) on files from {@link GenFlights} (gen_flights.py in Java), checked against
 * DuckDB's JDBC driver on the same files.
 */
class FlightsTest {
    @TempDir static Path dir;

    static CsvOptions options() {
        CsvOptions o = CsvOptions.defaults();
        for (String c : List.of("DepTime", "ArrTime", "ActualElapsedTime", "AirTime", "ArrDelay", "DepDelay", "TaxiIn", "TaxiOut",
                "CarrierDelay", "WeatherDelay", "NASDelay", "SecurityDelay", "LateAircraftDelay")) {
            o = o.dtype(c, ColumnType.DOUBLE);
        }
        return o.dtype("CancellationCode", ColumnType.STRING).dtype("TailNum", ColumnType.STRING);
    }

    @BeforeAll
    static void generate() {
        GenFlights.write(dir, 3, 30000, 1); // the Java port of gen_flights.py: no Python needed
    }

    /**
     * Dask's peer needs explicit dtypes (its sample has no NA in DepDelay, so int64, then a later
     * block has NA). Tablesaw's INTEGER holds missing values, so the inferred types work here.
     */
    @org.junit.jupiter.api.Test
    void inferredTypesHoldForEveryPartitionWithoutDtypes() {
        DataFrame air = DataFrame.readCsv(dir + "/*.csv", CsvOptions.defaults().blocksize(1 << 20).sampleBytes(4096));
        assertEquals(ColumnType.INTEGER, air.dtypes().get("DepDelay"));
        double typed = DataFrame.readCsv(dir + "/*.csv", options()).col("DepDelay").max().compute(Map.of("scheduler", "sync"));
        assertEquals(typed, air.col("DepDelay").max().compute(Map.of("scheduler", "threads")));
        assertEquals(DataFrame.readCsv(dir + "/*.csv", options()).col("DepDelay").count().compute(),
                air.col("DepDelay").count().compute());
    }

    /** The seed's files are bz2 and latin-1: the same answers from bz2 copies read as ISO-8859-1. */
    @org.junit.jupiter.api.Test
    void bz2Latin1FilesGiveTheSameAnswers() throws Exception {
        Path bz = Files.createDirectories(dir.resolve("bz2"));
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".csv")).toList()) {
                try (var out = new org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream(
                        Files.newOutputStream(bz.resolve(f.getFileName() + ".bz2")))) {
                    Files.copy(f, out);
                }
            }
        }
        CsvOptions latin1 = options().encoding(java.nio.charset.StandardCharsets.ISO_8859_1);
        DataFrame plain = DataFrame.readCsv(dir + "/*.csv", options());
        DataFrame comp = DataFrame.readCsv(bz + "/*.csv.bz2", latin1);
        assertEquals(3, comp.npartitions());
        DataFrame q1 = plain.filter(col("UniqueCarrier").eq("UA").and(col("Origin").eq("SFO"))).groupBy("Dest").agg(mean("DepDelay"));
        DataFrame q2 = comp.filter(col("UniqueCarrier").eq("UA").and(col("Origin").eq("SFO"))).groupBy("Dest").agg(mean("DepDelay"));
        List<Object> r = Jdask.computeAll(List.of(q1, q2, plain.col("DepDelay").max(), comp.col("DepDelay").max()), Map.of("scheduler", "threads"));
        assertEquals(r.get(0).toString(), r.get(1).toString());
        assertEquals(r.get(2), r.get(3));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sync", "threads"})
    void maxAndFilteredGroupbyMeanMatchDuckDb(String scheduler) throws Exception {
        DataFrame air = DataFrame.readCsv(dir + "/*.csv", options().blocksize(1 << 20));
        Scalar<Double> mx = air.col("DepDelay").max();
        DataFrame byDest = air.filter(col("UniqueCarrier").eq("UA").and(col("Origin").eq("SFO"))).groupBy("Dest").agg(mean("DepDelay"));
        Object[] r = Jdask.computeAll(List.of(mx, byDest), Map.of("scheduler", scheduler)).toArray();
        Table t = (Table) r[1];
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            String src = "read_csv('" + dir + "/*.csv', header=true, nullstr='NA')";
            try (ResultSet rs = s.executeQuery("SELECT max(DepDelay) FROM " + src)) {
                rs.next();
                assertEquals(rs.getDouble(1), (Double) r[0], 0.0);
            }
            Map<String, Double> expect = new LinkedHashMap<>();
            try (ResultSet rs = s.executeQuery("SELECT Dest, avg(DepDelay) FROM " + src
                    + " WHERE UniqueCarrier='UA' AND Origin='SFO' GROUP BY Dest HAVING count(DepDelay) > 0 ORDER BY Dest")) {
                while (rs.next()) expect.put(rs.getString(1), rs.getDouble(2));
            }
            Map<String, Double> got = new LinkedHashMap<>();
            for (int i = 0; i < t.rowCount(); i++) {
                double v = t.doubleColumn("DepDelay_mean").getDouble(i);
                if (!Double.isNaN(v)) got.put(t.stringColumn("Dest").get(i), v);
            }
            assertEquals(expect.keySet(), got.keySet());
            expect.forEach((k, v) -> assertEquals(v, got.get(k), 1e-9, k));
        }
    }
}

package org.jdask.distributed;

import static org.jdask.dataframe.Expr.col;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jdask.dataframe.Agg;
import org.jdask.dataframe.CsvOptions;
import org.jdask.dataframe.DataFrame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.DateColumn;
import tech.tablesaw.api.DateTimeColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.InstantColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.api.TimeColumn;

/**
 * Date/time columns, the index and the time-series plans (resample, rolling windows, cumulative
 * sums, loc) give on {@code scheduler=distributed} what they give on {@code sync}: the carries
 * between partitions and the temporal columns travel between worker JVMs.
 */
class TimeSeriesOnClusterTest {
    @TempDir static Path dir;

    /** Timestamped rows (irregular gaps, 3 keys, missing values) in 5 consecutive CSV files, read with dates. */
    static DataFrame frame() throws IOException {
        Path d = dir.resolve("ts");
        if (!Files.exists(d)) {
            Files.createDirectories(d);
            Random r = new Random(9);
            LocalDateTime t = LocalDateTime.of(2024, 1, 1, 0, 0);
            for (int f = 0; f < 5; f++) {
                StringBuilder sb = new StringBuilder("ts,key,value\n");
                for (int i = 0; i < 800; i++) {
                    t = t.plusNanos((long) (-Math.log(1 - r.nextDouble()) * 30e9) / 1_000_000 * 1_000_000);
                    sb.append(t.toString().replace('T', ' ')).append(",k").append(r.nextInt(3)).append(',')
                            .append(r.nextInt(30) == 0 ? "" : Double.toString(r.nextGaussian())).append('\n');
                }
                Files.writeString(d.resolve("ts_" + f + ".csv"), sb.toString());
            }
        }
        return DataFrame.readCsv(d + "/*.csv", CsvOptions.defaults().parseDates("ts")).setIndex("ts", true);
    }

    static List<String> results(Map<String, Object> on) throws IOException {
        DataFrame df = frame();
        return List.of(
                df.resample("1h").agg(Agg.mean("value"), Agg.count("value")).compute(on).printAll(),
                df.rolling("2h").by("key").mean("value").compute(on).printAll(),
                df.rolling(7).std("value").compute(on).printAll(),
                df.cumsum("value").shift(2, "value").compute(on).printAll(),
                df.loc("2024-01-01 10:00", "2024-01-01 12:00").filter(col("ts").dt().hour().ge(11)).compute(on).printAll());
    }

    /**
     * An in-memory table with every temporal column type, missing values in each and dates before
     * 1970; 3,000 rows, so each partition's Arrow bytes pass 16 KiB (Fory 1.6.0's nested
     * bytes-with-size broke there: the cause of "fromTable with temporal columns fails on distributed").
     */
    static DataFrame temporalTable() {
        int n = 3000;
        LocalDate[] d = new LocalDate[n];
        LocalDateTime[] dt = new LocalDateTime[n];
        Instant[] in = new Instant[n];
        LocalTime[] tm = new LocalTime[n];
        String[] s = new String[n];
        double[] x = new double[n];
        Random r = new Random(18);
        for (int i = 0; i < n; i++) {
            boolean gap = r.nextInt(40) == 0;
            d[i] = gap ? null : LocalDate.of(1969, 12, 20).plusDays(i / 50);
            dt[i] = i % 97 == 5 ? null : LocalDateTime.of(2024, 3, 1, 0, 0).plusSeconds(i * 61L + r.nextInt(60)).plusNanos(r.nextInt(1000) * 1_000_000L);
            in[i] = i % 89 == 3 ? null : Instant.parse("1960-01-01T00:00:00Z").plusMillis(i * 3_600_123L);
            tm[i] = i % 83 == 1 ? null : LocalTime.ofSecondOfDay(r.nextInt(86_400)).plusNanos(r.nextInt(1000) * 1_000_000L);
            s[i] = i % 71 == 2 ? null : new String[] {"UA", "AA", "DL", "ü"}[r.nextInt(4)];
            x[i] = i % 13 == 0 ? Double.NaN : r.nextGaussian();
        }
        Table t = Table.create("t", DateColumn.create("d", d), DateTimeColumn.create("dt", dt), InstantColumn.create("i", in),
                TimeColumn.create("tm", tm), StringColumn.create("s", s), DoubleColumn.create("x", x));
        return DataFrame.fromTable(t, 2);
    }

    static List<String> temporalResults(Map<String, Object> on) {
        DataFrame df = temporalTable();
        return List.of(
                df.compute(on).printAll(),
                df.filter(col("d").ge(LocalDate.of(2020, 3, 2))).compute(on).printAll(),
                df.assign("h", col("dt").dt().hour()).compute(on).printAll(),
                df.dropna("dt").setIndex("dt").resample("1d").agg(Agg.count("s")).compute(on).printAll(),
                df.dropna("i").setIndex("i").rolling("1d").mean("x").compute(on).printAll(),
                df.groupBy("d").agg(Agg.count("s")).compute(on).sortOn("d").printAll(),
                df.merge(DataFrame.fromTable(Table.create("k", StringColumn.create("s", "UA", "ü", "XX"), DateColumn.create("since",
                        LocalDate.of(1999, 1, 1), null, LocalDate.of(2001, 2, 3))), 1), "s", "inner").compute(on).sortOn("i", "dt").printAll(),
                df.dropna("d").setIndex("d").persist().loc(LocalDate.of(1970, 1, 1), LocalDate.of(1970, 1, 9)).compute(on).printAll(),
                df.describe().compute(on).printAll());
    }

    @Test
    void timeSeriesOnWorkerJvmsMatchSync() throws IOException {
        List<String> expect = results(Map.of("scheduler", "sync"));
        List<String> expectTable = temporalResults(Map.of("scheduler", "sync"));
        try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(true).build();
             Client client = Client.connect(cluster)) {
            assertEquals(expect, results(Map.of("scheduler", "distributed")));
            // fromTable with temporal columns: the tables travel inside the graph to worker JVMs
            assertEquals(expectTable, temporalResults(Map.of("scheduler", "distributed")));
        }
    }
}

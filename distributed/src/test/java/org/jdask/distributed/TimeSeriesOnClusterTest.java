package org.jdask.distributed;

import static org.jdask.dataframe.Expr.col;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jdask.dataframe.Agg;
import org.jdask.dataframe.CsvOptions;
import org.jdask.dataframe.DataFrame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void timeSeriesOnWorkerJvmsMatchSync() throws IOException {
        List<String> expect = results(Map.of("scheduler", "sync"));
        try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(true).build();
             Client client = Client.connect(cluster)) {
            assertEquals(expect, results(Map.of("scheduler", "distributed")));
        }
    }
}

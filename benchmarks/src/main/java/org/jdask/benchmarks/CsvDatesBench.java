package org.jdask.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jdask.dataframe.CsvOptions;
import org.jdask.dataframe.DataFrame;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import tech.tablesaw.api.ColumnType;

/**
 * The cost of parsing dates: one W7 file (1,000,000 rows of ts, key, value) read on the sync
 * scheduler with {@code ts} parsed as LOCAL_DATE_TIME ({@code dates}), read as a STRING
 * ({@code string}), and not materialized at all ({@code skip}, key and value only). Issue 18's goal:
 * {@code dates} within 1.3x of {@code string}.
 *
 * <p>Run (after {@code GenTimeseries --out /tmp/ts}): {@code java @graph/target/classes/org/jdask/jvm-flags.txt
 * -jar benchmarks/target/benchmarks.jar CsvDatesBench -f 1 -wi 3 -i 5 -w 1 -r 1}; {@code -p file=...} picks another file.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CsvDatesBench {
    @Param({"/tmp/ts/ts_000.csv"})
    public String file;

    @Param({"dates", "string", "skip"})
    public String ts;

    private DataFrame frame;

    @Setup
    public void setup() {
        if (!Files.exists(Path.of(file))) throw new IllegalStateException("generate " + file + " first (GenTimeseries or gen_timeseries.py)");
        CsvOptions o = CsvOptions.defaults().blocksize(Long.MAX_VALUE / 4).dtype("value", ColumnType.DOUBLE);
        frame = switch (ts) {
            case "dates" -> DataFrame.readCsv(file, o.parseDates("ts"));
            case "string" -> DataFrame.readCsv(file, o.dtype("ts", ColumnType.STRING));
            default -> DataFrame.readCsv(file, o).select("key", "value");
        };
    }

    @Benchmark
    public int read() {
        return frame.compute(Map.of("scheduler", "sync")).rowCount();
    }
}

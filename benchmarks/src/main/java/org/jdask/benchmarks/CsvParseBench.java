package org.jdask.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvReadOptions;

/**
 * One airline CSV file (gen_flights.py, 500,000 rows, 49 MB) parsed into a Tablesaw table: jdask's
 * chunk parser (through {@code DataFrame.readCsv(...).select(cols)} on the sync scheduler, one
 * partition) against Tablesaw's own CSV reader, for the one column W4(a) needs, the four W4(b)
 * needs, and all 29. Tablesaw's reader has no column projection: it always parses the whole file.
 *
 * <p>Run (after generating /tmp/flights): {@code java @graph/target/classes/org/jdask/jvm-flags.txt
 * -jar benchmarks/target/benchmarks.jar CsvParseBench -f 1 -wi 2 -i 3 -w 1 -r 1}; {@code
 * -p file=...} picks another file.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class CsvParseBench {
    @Param({"/tmp/flights/flights_000.csv"})
    public String file;

    @Param({"DepDelay", "UniqueCarrier,Origin,Dest,DepDelay", "all"})
    public String columns;

    private DataFrame frame;
    private CsvReadOptions tablesaw;

    @Setup
    public void setup() throws Exception {
        if (!Files.exists(Path.of(file))) throw new IllegalStateException("generate " + file + " first (gen_flights.py)");
        CsvOptions o = W4.options().blocksize(Long.MAX_VALUE / 4);
        DataFrame df = DataFrame.readCsv(file, o);
        frame = columns.equals("all") ? df : df.select(columns.split(","));
        ColumnType[] types = df.dtypes().values().toArray(new ColumnType[0]);
        tablesaw = CsvReadOptions.builder(file).columnTypes(types).build();
    }

    @Benchmark
    public Table jdask() {
        return frame.compute(Map.of("scheduler", "sync"));
    }

    @Benchmark
    public Table tablesaw() throws Exception {
        Table t = Table.read().usingOptions(tablesaw);
        if (columns.equals("all")) return t;
        List<String> cs = new ArrayList<>(List.of(columns.split(",")));
        return t.selectColumns(cs.toArray(new String[0]));
    }
}

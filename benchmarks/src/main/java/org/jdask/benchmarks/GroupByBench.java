package org.jdask.benchmarks;

import static org.jdask.dataframe.Agg.mean;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
import tech.tablesaw.aggregate.AggregateFunctions;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Groupby-mean of a double column by a string key (1,000,000 rows, {@code groups} distinct keys,
 * 5% missing values): jdask's kernel (dictionary codes → dense group ids, flat state array; through
 * {@code DataFrame.fromTable(t, 1).groupBy(..).agg(mean(..))} on sync), Tablesaw's own {@code
 * summarize(...).by(...)}, and a plain-Java floor (a {@code HashMap<String, double[]>} loop over
 * {@code String[]}/{@code double[]}).
 *
 * <p>Run: {@code java @graph/target/classes/org/jdask/jvm-flags.txt -jar benchmarks/target/benchmarks.jar
 * GroupByBench -f 1 -wi 2 -i 3 -w 1 -r 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class GroupByBench {
    @Param({"300", "20000"})
    public int groups;

    static final int N = 1_000_000;
    private Table table;
    private DataFrame frame;
    private String[] keys;
    private double[] values;

    @Setup
    public void setup() {
        Random r = new Random(1);
        keys = new String[N];
        values = new double[N];
        String[] names = new String[groups];
        for (int i = 0; i < groups; i++) names[i] = "K" + i;
        for (int i = 0; i < N; i++) {
            keys[i] = names[(int) Math.min(groups - 1, Math.abs(r.nextGaussian()) * groups / 3)];
            values[i] = r.nextInt(20) == 0 ? Double.NaN : r.nextGaussian() * 30;
        }
        table = Table.create(StringColumn.create("Dest", keys), DoubleColumn.create("DepDelay", values));
        frame = DataFrame.fromTable(table, 1);
    }

    @Benchmark
    public Table jdask() {
        return frame.groupBy("Dest").agg(mean("DepDelay")).compute(Map.of("scheduler", "sync"));
    }

    @Benchmark
    public Table tablesaw() {
        return table.summarize("DepDelay", AggregateFunctions.mean).by("Dest");
    }

    @Benchmark
    public Map<String, double[]> plainJava() {
        HashMap<String, double[]> m = new HashMap<>();
        for (int i = 0; i < N; i++) {
            double v = values[i];
            if (v != v) continue;
            double[] s = m.computeIfAbsent(keys[i], k -> new double[2]);
            s[0] += v;
            s[1]++;
        }
        return m;
    }
}

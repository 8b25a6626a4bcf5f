package org.jdask.dataframe;

import static org.jdask.dataframe.Agg.count;
import static org.jdask.dataframe.Agg.first;
import static org.jdask.dataframe.Agg.max;
import static org.jdask.dataframe.Agg.mean;
import static org.jdask.dataframe.Agg.min;
import static org.jdask.dataframe.Agg.nunique;
import static org.jdask.dataframe.Agg.std;
import static org.jdask.dataframe.Agg.sum;
import static org.jdask.dataframe.Agg.var;
import static org.jdask.dataframe.Expr.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.jdask.Jdask;
import org.jdask.TaskFailedException;
import org.jdask.graph.Key;
import org.jdask.graph.Task;
import org.jdask.graph.TaskGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** DataFrame against eager oracles (plain loops over the source arrays), on sync and threads. */
class DataFrameTest {
    static final int N = 5000;
    static FrameTestData data;
    @TempDir static Path dir;
    static String glob;

    @BeforeAll
    static void write() throws Exception {
        data = new FrameTestData(N, 7);
        Files.createDirectories(dir.resolve("csv"));
        data.writeFiles(dir.resolve("csv"), 3);
        glob = dir.resolve("csv") + "/*.csv";
    }

    static Map<String, Object> on(String s) {
        return Map.of("scheduler", s);
    }

    static void assertTableMatchesData(Table t) {
        assertEquals(N, t.rowCount());
        StringColumn k = t.stringColumn("k");
        IntColumn g = t.intColumn("g");
        DoubleColumn x = t.doubleColumn("x");
        IntColumn y = t.intColumn("y");
        for (int i = 0; i < N; i++) {
            assertEquals(data.k[i] == null ? "" : data.k[i], k.get(i), "k row " + i);
            assertEquals(data.g[i], g.getInt(i), "g row " + i);
            assertEquals(data.x[i], x.getDouble(i), 0.0, "x row " + i);
            if (data.y[i] == null) assertTrue(y.isMissing(i), "y row " + i);
            else assertEquals((int) data.y[i], y.getInt(i), "y row " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sync", "threads"})
    void readsEveryRowWithInferredTypes(String scheduler) {
        DataFrame df = DataFrame.readCsv(glob);
        assertEquals(List.of("k", "g", "x", "y"), df.columns());
        assertEquals(Map.of("k", ColumnType.STRING, "g", ColumnType.INTEGER, "x", ColumnType.DOUBLE, "y", ColumnType.INTEGER), df.dtypes());
        assertEquals(3, df.npartitions());
        assertTableMatchesData(df.compute(on(scheduler)));
    }

    /** Tiny blocks split files inside quoted fields with commas and newlines: rows still come out whole. */
    @ParameterizedTest
    @ValueSource(longs = {1, 7, 97, 1000, 30_000})
    void blocksizeSplitsAtRowBoundaries(long blocksize) {
        DataFrame df = DataFrame.readCsv(glob, CsvOptions.defaults().blocksize(blocksize));
        assertTrue(df.npartitions() >= 3);
        assertTableMatchesData(df.compute(on("threads")));
        assertEquals(N, df.len());
    }

    @Test
    void compressedFilesBySuffix() throws Exception {
        Path src = dir.resolve("csv/part-00.csv");
        Path cdir = Files.createDirectories(dir.resolve("compressed"));
        byte[] raw = Files.readAllBytes(src);
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(cdir.resolve("a.csv.gz")))) { o.write(raw); }
        try (OutputStream o = new BZip2CompressorOutputStream(Files.newOutputStream(cdir.resolve("b.csv.bz2")))) { o.write(raw); }
        try (OutputStream o = new com.github.luben.zstd.ZstdOutputStream(Files.newOutputStream(cdir.resolve("c.csv.zst")))) { o.write(raw); }
        Table plain = DataFrame.readCsv(src.toString()).compute(on("sync"));
        DataFrame all = DataFrame.readCsv(cdir + "/*", CsvOptions.defaults().blocksize(100));
        assertEquals(3, all.npartitions(), "compressed files are one partition each");
        Table t = all.compute(on("threads"));
        assertEquals(3 * plain.rowCount(), t.rowCount());
        for (int i = 0; i < plain.rowCount(); i++) {
            for (int r = 0; r < 3; r++) assertEquals(plain.stringColumn("k").get(i), t.stringColumn("k").get(r * plain.rowCount() + i));
        }
    }

    @Test
    void latin1AndSeparatorAndNoHeaderAndPathColumn() throws Exception {
        Path f = dir.resolve("latin1.txt");
        Files.write(f, "Zürich;1\nMünchen;2\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        DataFrame df = DataFrame.readCsv(f.toString(), CsvOptions.defaults().encoding(java.nio.charset.StandardCharsets.ISO_8859_1)
                .separator(';').names("city", "n").includePathColumn(true));
        Table t = df.compute(on("sync"));
        assertEquals(List.of("city", "n", "path"), t.columnNames());
        assertEquals("München", t.stringColumn("city").get(1));
        assertEquals(f.toString(), t.stringColumn("path").get(0));
    }

    @Test
    void usecolsAndDtypeOverride() {
        DataFrame df = DataFrame.readCsv(glob, CsvOptions.defaults().usecols("y", "k").dtype("y", ColumnType.DOUBLE));
        assertEquals(List.of("k", "y"), df.columns());
        assertEquals(ColumnType.DOUBLE, df.dtypes().get("y"));
        Table t = df.compute(on("sync"));
        assertEquals(N, t.rowCount());
        for (int i = 0; i < N; i++) assertEquals(data.y[i] == null ? Double.NaN : data.y[i], t.doubleColumn("y").getDouble(i), 0.0);
    }

    // ------------------------------------------------------------------ bad input

    @Test
    void laterValueThatBreaksTheInferredTypeNamesFileLineColumnAndFix() throws Exception {
        Path d = Files.createDirectories(dir.resolve("mismatch"));
        StringBuilder a = new StringBuilder("id,v\n");
        for (int i = 0; i < 100; i++) a.append(i).append(',').append(i).append('\n');
        Files.writeString(d.resolve("a.csv"), a.toString());
        Files.writeString(d.resolve("b.csv"), "id,v\n1,2\n2,3\n3,12.5\n");
        DataFrame df = DataFrame.readCsv(d + "/*.csv");
        assertEquals(ColumnType.INTEGER, df.dtypes().get("v"));
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> df.compute(on("sync")));
        CsvParseException c = (CsvParseException) e.getCause();
        assertTrue(c.file().endsWith("b.csv"), c.file());
        assertEquals(4, c.line());
        assertEquals("v", c.column());
        assertEquals("12.5", c.value());
        assertEquals("INTEGER", c.expectedType());
        assertEquals(".dtype(\"v\", ColumnType.DOUBLE)", c.fix());
        assertTrue(c.getMessage().contains("b.csv line 4, column 'v'") && c.getMessage().contains(".dtype(\"v\", ColumnType.DOUBLE)"), c.getMessage());
        // and the fix works
        assertEquals(4967.5, DataFrame.readCsv(d + "/*.csv", CsvOptions.defaults().dtype("v", ColumnType.DOUBLE)).col("v").sum().compute(on("sync")));
    }

    @Test
    void raggedRowNamesFileAndLine() throws Exception {
        Path f = dir.resolve("ragged.csv");
        Files.writeString(f, "a,b,c\n1,2,3\n4,5\n6,7,8\n");
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> DataFrame.readCsv(f.toString()).compute(on("sync")));
        CsvParseException c = (CsvParseException) e.getCause();
        assertEquals(3, c.line());
        assertTrue(c.getMessage().contains("ragged.csv line 3") && c.getMessage().contains("2 field(s), expected 3"), c.getMessage());
    }

    @Test
    void differentHeaderInALaterFileIsNamed() throws Exception {
        Path d = Files.createDirectories(dir.resolve("headers"));
        Files.writeString(d.resolve("a.csv"), "x,y\n1,2\n");
        Files.writeString(d.resolve("b.csv"), "x,z\n1,2\n");
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> DataFrame.readCsv(d + "/*.csv").compute(on("sync")));
        assertTrue(e.getCause().getMessage().contains("b.csv line 1") && e.getCause().getMessage().contains("[x, z]"), e.getCause().getMessage());
    }

    @Test
    void unknownColumnsListTheRealOnes() {
        DataFrame df = DataFrame.readCsv(glob);
        for (Runnable r : List.<Runnable>of(() -> df.col("nope"), () -> df.select("k", "nope"), () -> df.filter(col("nope").gt(1)),
                () -> df.groupBy("nope"), () -> df.groupBy("k").agg(mean("nope")),
                () -> DataFrame.readCsv(glob, CsvOptions.defaults().usecols("nope")))) {
            NoSuchElementException e = assertThrows(NoSuchElementException.class, r::run);
            assertTrue(e.getMessage().contains("'nope'") && e.getMessage().contains("k, g, x, y"), e.getMessage());
        }
    }

    @Test
    void emptyGlobFails() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataFrame.readCsv(dir + "/csv/*.nothing"));
        assertTrue(e.getMessage().contains("no file matches") && e.getMessage().contains("*.nothing"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DataFrame.readCsv(dir + "/missing-dir/*.csv"));
    }

    @Test
    void typeErrorsInExpressionsFailAtBuildTime() {
        DataFrame df = DataFrame.readCsv(glob);
        assertThrows(IllegalArgumentException.class, () -> df.filter(col("k").add(1).gt(2)));
        assertThrows(IllegalArgumentException.class, () -> df.filter(col("x")));
        assertThrows(IllegalArgumentException.class, () -> df.col("k").mean());
    }

    // ------------------------------------------------------------------ expressions and reductions vs oracle

    @ParameterizedTest
    @ValueSource(strings = {"sync", "threads"})
    void filterAssignAndReductionsMatchPlainLoops(String s) {
        DataFrame df = DataFrame.readCsv(glob, CsvOptions.defaults().blocksize(20_000));
        DataFrame f = df.filter(col("x").gt(0).and(col("k").isin("alpha", "beta", "multi\nline")).or(col("y").isNull()))
                .assign("z", col("x").mul(2).add(col("g")));
        double sum = 0, max = Double.NEGATIVE_INFINITY, min = Double.POSITIVE_INFINITY;
        long rows = 0, cnt = 0;
        Set<Integer> gs = new HashSet<>();
        List<Double> zs = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            boolean keep = (data.x[i] > 0 && data.k[i] != null && Set.of("alpha", "beta", "multi\nline").contains(data.k[i])) || data.y[i] == null;
            if (!keep) continue;
            rows++;
            gs.add(data.g[i]);
            double z = data.x[i] * 2 + data.g[i];
            if (Double.isNaN(z)) continue;
            zs.add(z);
            cnt++;
            sum += z;
            max = Math.max(max, z);
            min = Math.min(min, z);
        }
        double mean = sum / cnt, m2 = 0;
        for (double z : zs) m2 += (z - mean) * (z - mean);
        Series z = f.col("z");
        Object[] r = Jdask.computeAll(List.of(z.sum(), z.mean(), z.min(), z.max(), z.count(), z.std(), z.var(), f.col("g").nunique(), f.rowCount()), on(s)).toArray();
        assertEquals(sum, (Double) r[0], 1e-6);
        assertEquals(mean, (Double) r[1], 1e-9);
        assertEquals(min, (Double) r[2]);
        assertEquals(max, (Double) r[3]);
        assertEquals(cnt, r[4]);
        assertEquals(Math.sqrt(m2 / (cnt - 1)), (Double) r[5], 1e-9);
        assertEquals(m2 / (cnt - 1), (Double) r[6], 1e-6);
        assertEquals((long) gs.size(), r[7]);
        assertEquals(rows, r[8]);
    }

    @Test
    void stringFunctionsSelectDropRenameFillnaDropnaAstype() {
        DataFrame df = DataFrame.readCsv(glob);
        Table t = df.assign("lk", col("k").str().upper()).filter(col("lk").str().startsWith("AL").or(col("k").str().contains("comma")))
                .select("k", "lk", "y").rename(Map.of("y", "yy")).fillna(-1, "yy").astype("yy", ColumnType.DOUBLE).compute(on("threads"));
        int expect = 0;
        for (int i = 0; i < N; i++) if (data.k[i] != null && (data.k[i].startsWith("al") || data.k[i].contains("comma"))) expect++;
        assertEquals(expect, t.rowCount());
        assertEquals(List.of("k", "lk", "yy"), t.columnNames());
        assertEquals(ColumnType.DOUBLE, t.column("yy").type());
        assertEquals(0, t.column("yy").countMissing());
        long nonMissing = 0;
        for (int i = 0; i < N; i++) if (data.k[i] != null && !Double.isNaN(data.x[i])) nonMissing++;
        assertEquals(nonMissing, df.dropna("k", "x").len());
        assertEquals(List.of("k", "y"), df.drop("g", "x").columns());
        assertEquals(List.of("k", "y"), df.drop("g", "x").compute(on("sync")).columnNames());
    }

    record GroupOracle(double sum, long n, double min, double max, double m2mean, Set<Integer> gs, long size, Double first) {}

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void groupByAggMatchesOracle(int splitOut) {
        DataFrame df = DataFrame.readCsv(glob, CsvOptions.defaults().blocksize(10_000));
        Table t = df.groupBy("k").splitOut(splitOut).splitEvery(2)
                .agg(sum("x"), mean("x"), count("x"), min("x"), max("x"), std("x"), var("x"), nunique("g"), Agg.size(), first("x"))
                .compute(on("threads")).sortOn("k");
        TreeMap<String, List<Integer>> rows = new TreeMap<>();
        for (int i = 0; i < N; i++) if (data.k[i] != null) rows.computeIfAbsent(data.k[i], x -> new ArrayList<>()).add(i);
        assertEquals(rows.size(), t.rowCount());
        int r = 0;
        for (Map.Entry<String, List<Integer>> e : rows.entrySet()) {
            double s = 0, mn = Double.POSITIVE_INFINITY, mx = Double.NEGATIVE_INFINITY;
            long n = 0;
            Set<Integer> gs = new HashSet<>();
            Double firstX = null;
            for (int i : e.getValue()) {
                gs.add(data.g[i]);
                if (Double.isNaN(data.x[i])) continue;
                if (firstX == null) firstX = data.x[i];
                s += data.x[i];
                n++;
                mn = Math.min(mn, data.x[i]);
                mx = Math.max(mx, data.x[i]);
            }
            double mean = s / n, m2 = 0;
            for (int i : e.getValue()) if (!Double.isNaN(data.x[i])) m2 += (data.x[i] - mean) * (data.x[i] - mean);
            assertEquals(e.getKey(), t.stringColumn("k").get(r));
            assertEquals(s, t.doubleColumn("x_sum").getDouble(r), 1e-6);
            assertEquals(mean, t.doubleColumn("x_mean").getDouble(r), 1e-9);
            assertEquals(n, t.longColumn("x_count").getLong(r));
            assertEquals(mn, t.doubleColumn("x_min").getDouble(r));
            assertEquals(mx, t.doubleColumn("x_max").getDouble(r));
            assertEquals(Math.sqrt(m2 / (n - 1)), t.doubleColumn("x_std").getDouble(r), 1e-9);
            assertEquals(m2 / (n - 1), t.doubleColumn("x_var").getDouble(r), 1e-6);
            assertEquals(gs.size(), t.longColumn("g_nunique").getLong(r));
            assertEquals(e.getValue().size(), t.longColumn("size").getLong(r));
            assertEquals(firstX, t.doubleColumn("x_first").getDouble(r), 0.0);
            r++;
        }
        assertEquals(splitOut, df.groupBy("k").splitOut(splitOut).agg(Agg.size()).npartitions());
    }

    @Test
    void multiKeyGroupByOnOneRowPartitionsAndEmptyPartitions() {
        Table src = DataFrame.readCsv(glob).compute(on("sync"));
        Table small = src.first(60);
        DataFrame onePerRow = DataFrame.fromTable(small, 60);
        assertEquals(60, onePerRow.npartitions());
        Table a = onePerRow.groupBy("g", "k").agg(sum("y"), Agg.size()).compute(on("threads"));
        Table b = DataFrame.fromTable(small, 1).groupBy("g", "k").agg(sum("y"), Agg.size()).compute(on("sync"));
        assertEquals(b.toString(), a.toString());
        Map<List<Object>, Long> oracle = new HashMap<>();
        for (int i = 0; i < 60; i++) if (data.k[i] != null) oracle.merge(List.of(data.g[i], data.k[i]), 1L, Long::sum);
        assertEquals(oracle.size(), a.rowCount());
        // a filter that empties most partitions
        DataFrame sparse = onePerRow.filter(col("g").eq(3));
        long expect = 0;
        for (int i = 0; i < 60; i++) if (data.g[i] == 3) expect++;
        assertEquals(expect, sparse.len());
        assertEquals(expect, sparse.compute(on("threads")).rowCount());
        assertEquals(sparse.groupBy("g").agg(Agg.size()).compute(on("sync")).longColumn("size").getLong(0), expect);
    }

    @Test
    void valueCountsAndDescribe() {
        DataFrame df = DataFrame.readCsv(glob, CsvOptions.defaults().blocksize(30_000));
        Table vc = df.col("g").valueCounts().compute(on("threads"));
        Map<Integer, Long> counts = new HashMap<>();
        for (int v : data.g) counts.merge(v, 1L, Long::sum);
        long top = counts.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        assertEquals(counts.size(), vc.rowCount());
        assertEquals(top, vc.longColumn("count").getLong(0));
        Table d = df.describe().compute(on("sync"));
        assertEquals(List.of("statistic", "g", "x", "y"), d.columnNames());
        assertEquals(List.of("count", "mean", "std", "min", "25%", "50%", "75%", "max"), d.stringColumn("statistic").asList());
        assertEquals(N, d.doubleColumn("g").getDouble(0), 0.0);
        double[] y = java.util.Arrays.stream(data.y).filter(v -> v != null).mapToDouble(Integer::doubleValue).sorted().toArray();
        assertEquals(y[0], d.doubleColumn("y").getDouble(3), 0.0);
        assertEquals(y[y.length - 1], d.doubleColumn("y").getDouble(7), 0.0);
        double range = y[y.length - 1] - y[0];
        for (int q = 0; q < 3; q++) {
            double exact = y[(int) ((q + 1) * 0.25 * (y.length - 1))];
            assertEquals(exact, d.doubleColumn("y").getDouble(4 + q), 0.02 * range, "quantile " + (q + 1) * 25 + "%");
        }
    }

    // ------------------------------------------------------------------ graph properties

    @Test
    void keysAreDeterministicAndReadsAreSharedAcrossComputations() {
        DataFrame a = DataFrame.readCsv(glob);
        DataFrame b = DataFrame.readCsv(glob);
        Expr cond = col("k").eq("alpha").and(col("g").gt(0));
        assertEquals(a.filter(cond).keys(), b.filter(cond).keys());
        Scalar<Double> mx = a.col("x").max();
        DataFrame grp = a.filter(cond).groupBy("g").agg(mean("y"));
        TaskGraph g = Jdask.optimize(new Both(mx, grp));
        long reads = g.nodes().values().stream().filter(n -> n instanceof Task t && t.function() instanceof CsvTasks.ReadBlock).count();
        assertEquals(a.npartitions(), reads, "one read per partition for both results: " + g.keys());
        Object[] r = Jdask.compute(mx, grp);
        assertEquals(a.col("x").max().compute(on("sync")), r[0]);
        assertEquals(grp.compute(on("sync")).toString(), r[1].toString());
    }

    /** Two collections as one, to look at the optimized graph of both. */
    record Both(Scalar<Double> a, DataFrame b) implements org.jdask.Lazy<Object> {
        public TaskGraph graph() { return TaskGraph.merge(List.of(a.graph(), b.graph())); }
        public List<Key> keys() { List<Key> k = new ArrayList<>(a.keys()); k.addAll(b.keys()); return k; }
        public Object finish(List<Object> v) { return v; }
        public org.jdask.Lazy<Object> rebuild(TaskGraph p) { throw new UnsupportedOperationException(); }
        public org.jdask.graph.GraphOptimizer optimizer() { return a.optimizer(); }
    }

    /** Every task of CSV-based pipelines can be shipped to another JVM (what processes/distributed need). */
    @Test
    void tasksAreSerializable() {
        DataFrame df = DataFrame.readCsv(glob, CsvOptions.defaults().blocksize(20_000));
        DataFrame other = df.groupBy("g").agg(mean("x").as("mx"));
        DataFrame pipeline = df.filter(col("k").str().lower().isin("alpha").or(col("y").isNull()))
                .assign("z", col("x").div(col("g")))
                .mapPartitions(t -> t.dropRowsWithMissingValues(), Map.of("k", ColumnType.STRING, "g", ColumnType.INTEGER,
                        "x", ColumnType.DOUBLE, "y", ColumnType.INTEGER, "z", ColumnType.DOUBLE))
                .merge(other, List.of("g"), "left", 3).sortValues("z").repartition(2);
        for (org.jdask.Lazy<?> l : List.<org.jdask.Lazy<?>>of(pipeline, pipeline.groupBy("k").splitOut(2).agg(Agg.nunique("g"), Agg.first("z")),
                df.describe(), df.col("k").valueCounts(), df.col("x").std())) {
            org.jdask.graph.SerializationCheck.check(Jdask.optimize(l));
        }
        assertEquals(pipeline.compute(on("sync")).toString(), pipeline.compute(on("threads")).toString());
    }

    @Test
    void headComputesOnlyTheFirstPartitions() {
        DataFrame df = DataFrame.readCsv(glob);
        // partitions after the first fail if they are ever computed
        DataFrame guarded = df.mapPartitions(t -> {
            if (t.rowCount() > 0 && t.intColumn("g").getInt(0) == Integer.MAX_VALUE) return t;
            if (t.stringColumn("k").get(0).equals(data.k[0] == null ? "" : data.k[0]) && t.intColumn("g").getInt(0) == data.g[0]) return t;
            throw new IllegalStateException("head read a partition it did not need");
        }, df.dtypes());
        Table h = guarded.head(10);
        assertEquals(10, h.rowCount());
        assertEquals(data.g[3], h.intColumn("g").getInt(3));
        assertThrows(TaskFailedException.class, () -> guarded.compute(on("sync")));
    }

    @Test
    void mapPartitionsChecksMeta() {
        DataFrame df = DataFrame.readCsv(glob);
        DataFrame bad = df.mapPartitions(t -> t.selectColumns("k"), Map.of("g", ColumnType.INTEGER));
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> bad.compute(on("sync")));
        assertTrue(e.getCause().getMessage().contains("returned columns [k] but meta declares [g]"), e.getCause().getMessage());
        DataFrame ok = df.mapPartitions(t -> t.selectColumns("g"), Map.of("g", ColumnType.INTEGER));
        assertEquals(N, ok.compute(on("threads")).rowCount());
    }

    @Test
    void toCsvRoundTripsAndPersistKeepsResults() throws Exception {
        DataFrame df = DataFrame.readCsv(glob).filter(col("g").ge(0));
        List<Path> written = df.toCsv(dir.resolve("out") + "/part-*.csv");
        assertEquals(3, written.size());
        DataFrame back = DataFrame.readCsv(dir.resolve("out") + "/part-*.csv", CsvOptions.defaults().dtype("y", ColumnType.INTEGER));
        assertEquals(df.len(), back.len());
        assertEquals(df.col("y").sum().compute(), back.col("y").sum().compute());
        // Tablesaw writes a quote inside an unquoted field as is (q"uote): small blocks and projections still parse it
        DataFrame small = DataFrame.readCsv(dir.resolve("out") + "/part-*.csv", CsvOptions.defaults().dtype("y", ColumnType.INTEGER).blocksize(50));
        assertTrue(small.npartitions() > 10);
        assertEquals(df.col("y").sum().compute(), small.col("y").sum().compute());
        assertEquals(df.compute().toString(), small.compute().toString());
        DataFrame p = df.persist();
        assertEquals(df.len(), p.len());
        assertEquals(df.groupBy("g").agg(sum("x")).compute().toString(), p.groupBy("g").agg(sum("x")).compute().toString());
    }
}

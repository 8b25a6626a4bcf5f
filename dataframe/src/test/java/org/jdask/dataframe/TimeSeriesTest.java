package org.jdask.dataframe;

import static org.jdask.dataframe.Expr.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdask.Jdask;
import org.jdask.graph.Schedulers;
import org.jdask.graph.Task;
import org.jdask.graph.TaskGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.DateTimeColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.Table;

/**
 * Dates, the index and time series on generated timestamped data (irregular gaps, duplicate
 * times, a five-hour gap, missing values; file boundaries cutting bins and windows), against
 * DuckDB on the same files and plain loops over the generator's arrays, on every local scheduler.
 */
class TimeSeriesTest {
    static final int N = 6000;
    static final int FILES = 4;
    static TsTestData data;
    @TempDir static Path dir;
    static String glob;

    @BeforeAll
    static void write() throws Exception {
        data = new TsTestData(N, 11);
        data.write(dir.resolve("ts"), FILES);
        glob = dir.resolve("ts") + "/*.csv";
    }

    static List<String> schedulers() {
        List<String> s = new ArrayList<>(List.of("sync", "threads"));
        if (Schedulers.providers().containsKey("processes")) s.add("processes");
        return s;
    }

    static Map<String, Object> on(String s) {
        return Map.of("scheduler", s);
    }

    static DataFrame indexed() {
        return DataFrame.readCsv(glob, CsvOptions.defaults().parseDates("ts")).setIndex("ts", true);
    }

    static double[] duck(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            List<Double> out = new ArrayList<>();
            int cols = r.getMetaData().getColumnCount();
            while (r.next()) for (int i = 1; i <= cols; i++) out.add(r.getDouble(i));
            return out.stream().mapToDouble(Double::doubleValue).toArray();
        }
    }

    @Test
    void readsDatesAndKnowsDivisions() {
        DataFrame raw = DataFrame.readCsv(glob, CsvOptions.defaults().parseDates("ts"));
        assertEquals(ColumnType.LOCAL_DATE_TIME, raw.dtypes().get("ts"));
        DataFrame df = raw.setIndex("ts", true);
        assertEquals(FILES + 1, df.divisions().size());
        assertEquals(TsTestData.format(data.ts[0]), ((LocalDateTime) df.divisions().get(0)).format(TsTestData.FMT));
        assertEquals(TsTestData.format(data.ts[N - 1]), ((LocalDateTime) df.divisions().get(FILES)).format(TsTestData.FMT));
        Table t = df.compute(on("sync"));
        DateTimeColumn ts = t.dateTimeColumn("ts");
        for (int i = 0; i < N; i++) assertEquals(TsTestData.format(data.ts[i]), ts.get(i).format(TsTestData.FMT), "row " + i);
        // the index survives filter/assign/select
        DataFrame f = df.filter(col("value").gt(0)).assign("v2", col("value").mul(2)).select("ts", "v2");
        assertEquals("ts", f.indexColumn());
        assertEquals(df.divisions(), f.divisions());
    }

    @Test
    void locReadsOnlyOverlappingPartitions() throws Exception {
        DataFrame df = indexed();
        LocalDateTime lo = LocalDateTime.parse(TsTestData.format(data.ts[N / 8]).replace(' ', 'T'));
        LocalDateTime hi = LocalDateTime.parse(TsTestData.format(data.ts[N / 8 + 200]).replace(' ', 'T'));
        DataFrame week = df.loc(lo, hi);
        TaskGraph g = Jdask.optimize(week);
        long reads = g.nodes().values().stream().filter(n -> n instanceof Task t && t.function() instanceof CsvTasks.ReadBlock).count();
        assertEquals(1, reads, "a range inside the first file reads one partition");
        long cnt = 0;
        double sum = 0;
        for (int i = 0; i < N; i++) {
            long loMs = data.ts[N / 8], hiMs = data.ts[N / 8 + 200];
            if (data.ts[i] >= loMs && data.ts[i] <= hiMs) { cnt++; if (!Double.isNaN(data.value[i])) sum += data.value[i]; }
        }
        double[] d = duck("SELECT count(*), sum(value) FROM read_csv_auto('" + glob + "') WHERE ts BETWEEN TIMESTAMP '" + lo + "' AND TIMESTAMP '" + hi + "'");
        assertEquals(cnt, (long) d[0]);
        for (String s : schedulers()) {
            assertEquals(cnt, week.len(), s);
            assertEquals(sum, week.col("value").sum().compute(on(s)), 1e-6, s);
        }
        // a date-only upper bound covers its whole day; loc(value) of a day
        LocalDate day = LocalDate.parse(TsTestData.format(data.ts[N / 2]).substring(0, 10));
        long dayCount = 0;
        for (long t : data.ts) if (TsTestData.format(t).startsWith(day.toString())) dayCount++;
        assertEquals(dayCount, df.loc(day).len());
        assertEquals(dayCount, df.loc(day.toString(), day.toString()).len());
        // between on the column gives the same rows
        assertEquals(cnt, df.filter(col("ts").between(lo, hi)).len());
    }

    @Test
    void resampleIsExactAcrossPartitionBoundaries() throws Exception {
        DataFrame df = indexed();
        DataFrame h = df.resample("1h").agg(Agg.mean("value"), Agg.count("value"), Agg.sum("value"), Agg.max("value"), Agg.size());
        double[] d = duck("SELECT epoch_ms(time_bucket(INTERVAL 1 HOUR, ts)) b, avg(value), count(value), coalesce(sum(value), 0), max(value), count(*) "
                + "FROM read_csv_auto('" + glob + "') GROUP BY b ORDER BY b");
        Map<Long, double[]> expect = new HashMap<>();
        for (int i = 0; i < d.length; i += 6) expect.put((long) d[i], new double[] {d[i + 1], d[i + 2], d[i + 3], d[i + 4], d[i + 5]});
        for (String s : schedulers()) {
            Table t = h.compute(on(s));
            long first = (data.ts[0] / 3_600_000L) * 3_600_000L, last = (data.ts[N - 1] / 3_600_000L) * 3_600_000L;
            assertEquals((last - first) / 3_600_000L + 1, t.rowCount(), "every hour from first to last, empty ones too");
            int empty = 0;
            for (int i = 0; i < t.rowCount(); i++) {
                long bin = Temporal.dateTimeToEpochMs(t.dateTimeColumn("ts").getLongInternal(i));
                double[] e = expect.get(bin);
                if (e == null) {
                    empty++;
                    assertEquals(0, t.longColumn("size").getLong(i));
                    assertTrue(Double.isNaN(t.doubleColumn("value_mean").getDouble(i)));
                    continue;
                }
                assertEquals(e[0], t.doubleColumn("value_mean").getDouble(i), 1e-9, s + " bin " + bin);
                assertEquals((long) e[1], t.longColumn("value_count").getLong(i));
                assertEquals(e[2], t.doubleColumn("value_sum").getDouble(i), 1e-9);
                assertEquals(e[3], t.doubleColumn("value_max").getDouble(i), 1e-12);
                assertEquals((long) e[4], t.longColumn("size").getLong(i));
            }
            assertTrue(empty >= 4, "the five-hour gap gives empty bins: " + empty);
        }
        assertThrows(IllegalArgumentException.class, () -> df.resample("1 hour"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> df.resample("1 hour").agg(Agg.mean("value")));
        assertTrue(e.getMessage().contains("\"1 hour\"") && e.getMessage().contains("\"1h\""), e.getMessage());
    }

    /** Brute force: the window statistic of each row over rows j <= i with ts in (ts_i - w, ts_i] (same key when byKey). */
    static double[] bruteTime(long w, boolean byKey, String stat) {
        double[] o = new double[N];
        for (int i = 0; i < N; i++) {
            double cnt = 0, sum = 0, mx = Double.NEGATIVE_INFINITY;
            for (int j = i; j >= 0 && data.ts[j] > data.ts[i] - w; j--) {
                if (byKey && !data.key[j].equals(data.key[i])) continue;
                double v = data.value[j];
                if (Double.isNaN(v)) continue;
                cnt++;
                sum += v;
                mx = Math.max(mx, v);
            }
            o[i] = cnt == 0 ? Double.NaN : stat.equals("mean") ? sum / cnt : stat.equals("sum") ? sum : mx;
        }
        return o;
    }

    static void assertColumn(double[] expect, Table t, String col, String what) {
        DoubleColumn c = t.doubleColumn(col);
        assertEquals(expect.length, c.size(), what);
        for (int i = 0; i < expect.length; i++) {
            double e = expect[i], g = c.getDouble(i);
            if (Double.isNaN(e)) assertTrue(Double.isNaN(g), what + " row " + i + ": expected missing, got " + g);
            else assertEquals(e, g, 1e-9 * Math.max(1, Math.abs(e)), what + " row " + i);
        }
    }

    @Test
    void rollingWindowsBorrowTheTailOfThePartitionBefore() {
        DataFrame df = indexed();
        double[] mean2h = bruteTime(2 * 3_600_000L, false, "mean");
        double[] max30m = bruteTime(30 * 60_000L, false, "max");
        double[] perKey = bruteTime(3 * 3_600_000L, true, "mean");
        double[] rows5 = new double[N];
        for (int i = 0; i < N; i++) {
            double s = 0;
            int cnt = 0;
            for (int j = Math.max(0, i - 4); j <= i; j++) if (!Double.isNaN(data.value[j])) { s += data.value[j]; cnt++; }
            rows5[i] = i < 4 || cnt < 5 ? Double.NaN : s;
        }
        for (String s : schedulers()) {
            assertColumn(mean2h, df.rolling("2h").mean("value").compute(on(s)), "value", s + " rolling 2h mean");
            assertColumn(max30m, df.rolling("30min").max("value").compute(on(s)), "value", s + " rolling 30min max");
            assertColumn(perKey, df.rolling("3h").by("key").mean("value").compute(on(s)), "value", s + " rolling 3h mean by key");
            assertColumn(rows5, df.rolling(5).sum("value").compute(on(s)), "value", s + " rolling(5) sum");
        }
        // a window far longer than a partition chains the carries
        double[] all = bruteTime(10L * 24 * 3_600_000L, false, "sum");
        assertColumn(all, DataFrame.readCsv(glob, CsvOptions.defaults().parseDates("ts").blocksize(20_000)).setIndex("ts", true)
                .rolling("10d").sum("value").compute(on("threads")), "value", "10-day window over small partitions");
    }

    @Test
    void shiftDiffAndCumulativeAcrossPartitions() {
        DataFrame df = indexed();
        double[] shift = new double[N], diff = new double[N], cum = new double[N], cmax = new double[N];
        double acc = Double.NaN, mx = Double.NaN;
        for (int i = 0; i < N; i++) {
            double v = data.value[i];
            shift[i] = i == 0 ? Double.NaN : data.value[i - 1];
            diff[i] = i == 0 ? Double.NaN : v - data.value[i - 1];
            if (!Double.isNaN(v)) { acc = Double.isNaN(acc) ? v : acc + v; mx = Double.isNaN(mx) ? v : Math.max(mx, v); }
            cum[i] = Double.isNaN(v) ? Double.NaN : acc;
            cmax[i] = Double.isNaN(v) ? Double.NaN : mx;
        }
        for (String s : schedulers()) {
            assertColumn(shift, df.shift(1, "value").compute(on(s)), "value", s + " shift");
            assertColumn(diff, df.diff("value").compute(on(s)), "value", s + " diff");
            assertColumn(cum, df.cumsum("value").compute(on(s)), "value", s + " cumsum");
            assertColumn(cmax, df.cummax("value").compute(on(s)), "value", s + " cummax");
        }
        double[] back = new double[N];
        for (int i = 0; i < N; i++) back[i] = i + 2 < N ? data.value[i + 2] : Double.NaN;
        assertColumn(back, df.shift(-2, "value").compute(on("threads")), "value", "shift(-2)");
    }

    @Test
    void groupByDayFloorAndDtAccessors() throws Exception {
        DataFrame df = indexed();
        Table g = df.groupBy(col("ts").dt().floor("1d"), "key").agg(Agg.count("value"), Agg.mean("value")).compute(on("threads"));
        double[] d = duck("SELECT count(*) FROM (SELECT DISTINCT date_trunc('day', ts), key FROM read_csv_auto('" + glob + "'))");
        assertEquals((long) d[0], g.rowCount());
        Map<String, double[]> got = new HashMap<>();
        for (int i = 0; i < g.rowCount(); i++) {
            got.put(Temporal.dateTimeToEpochMs(g.dateTimeColumn("ts").getLongInternal(i)) + "|" + g.stringColumn("key").get(i),
                    new double[] {g.longColumn("value_count").getLong(i), g.doubleColumn("value_mean").getDouble(i)});
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT epoch_ms(date_trunc('day', ts)), key, count(value), avg(value) FROM read_csv_auto('" + glob + "') GROUP BY 1, 2")) {
            while (r.next()) {
                double[] v = got.get(r.getLong(1) + "|" + r.getString(2));
                assertEquals(r.getLong(3), (long) v[0]);
                assertEquals(r.getDouble(4), v[1], 1e-9);
            }
        }
        Table t = df.assign("h", col("ts").dt().hour()).assign("dow", col("ts").dt().dayOfWeek()).assign("day", col("ts").dt().date())
                .assign("dur", col("ts").sub(LocalDateTime.of(2024, 1, 1, 0, 0))).compute(on("sync"));
        for (int i = 0; i < N; i += 97) {
            LocalDateTime x = LocalDateTime.parse(TsTestData.format(data.ts[i]).replace(' ', 'T'));
            assertEquals(x.getHour(), t.intColumn("h").getInt(i));
            assertEquals(x.getDayOfWeek().getValue() - 1, t.intColumn("dow").getInt(i));
            assertEquals(x.toLocalDate(), t.dateColumn("day").get(i));
            assertEquals(data.ts[i] - TsTestData.START, t.longColumn("dur").getLong(i));
        }
    }

    @Test
    void setIndexSortsAndMergeOnTheIndexRunsPartitionToPartition() {
        DataFrame raw = DataFrame.readCsv(glob, CsvOptions.defaults().parseDates("ts"));
        DataFrame shuffled = raw.sortValues("value").repartition(3);
        DataFrame df = shuffled.setIndex("ts");
        assertEquals(4, df.divisions().size());
        Table t = df.compute(on("threads"));
        for (int i = 1; i < t.rowCount(); i++) assertTrue(!t.dateTimeColumn("ts").get(i).isBefore(t.dateTimeColumn("ts").get(i - 1)), "sorted at " + i);
        assertEquals(N, t.rowCount());
        // loc on an unsorted frame: clear errors
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> raw.sortValues("value").loc("2024-01-02", "2024-01-03"));
        assertTrue(e.getMessage().contains("setIndex"), e.getMessage());
        IllegalArgumentException u = assertThrows(IllegalArgumentException.class, () -> shuffled.setIndex("ts", true));
        assertTrue(u.getMessage().contains("not sorted") || u.getMessage().contains("not in order"), u.getMessage());
        // merge of two frames on their index: no shuffle
        DataFrame a = indexed().select("ts", "value");
        DataFrame b = indexed().select("ts", "key").repartition(List.of(a.divisions().get(0), a.divisions().get(2), a.divisions().get(4)));
        DataFrame m = a.merge(b, "ts", "inner");
        TaskGraph g = m.graph();
        assertTrue(g.nodes().values().stream().noneMatch(n -> n instanceof Task tk && tk.function() instanceof Shuffle.HashSplit), "no hash shuffle");
        long dup = 0;
        Map<Long, Integer> counts = new HashMap<>();
        for (long x : data.ts) counts.merge(x, 1, Integer::sum);
        for (int c : counts.values()) dup += (long) c * c;
        assertEquals(dup, m.len());
    }
}

package org.jdask.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdask.Jdask;
import org.jdask.dataframe.Agg;
import org.jdask.dataframe.CsvOptions;
import org.jdask.dataframe.DataFrame;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.Table;

/**
 * W7 (shared/BENCHMARKS.md): time series on the generated CSVs (gen_timeseries.py or its Java port
 * {@link GenTimeseries}; ts sorted across files): (a) read with dates parsed and the sorted index
 * set, row count; (b) hourly resample mean of value; (c) 24-hour time-window rolling mean of value
 * per key, summed; (d) loc of 2024-01-08..2024-01-14: count and sum. Every part re-reads the files,
 * as the Dask peer does. Side by side in one run: the Dask peer (w7_timeseries.py, threads) and
 * DuckDB JDBC (2 threads) on the same files; answers are printed side by side.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.jdask.benchmarks.GenTimeseries --out /tmp/ts --files 20 --rows-per-file 1000000 --seed 1
 * java @graph/target/classes/org/jdask/jvm-flags.txt -Xmx6g -cp benchmarks/target/benchmarks.jar \
 *     org.jdask.benchmarks.Runner w7 --data /tmp/ts [--reps 3] [--schedulers threads] [--peer ../shared/peers/dask] [--no-peer]
 * </pre>
 *
 * <p>DuckDB's (c) uses {@code RANGE BETWEEN INTERVAL 24 HOURS PRECEDING AND CURRENT ROW}, whose
 * window also holds rows at exactly t - 24 h and the later rows with the same timestamp (peers);
 * pandas (and jdask) use {@code (t - 24h, t]} up to the current row, so its sum differs slightly
 * where timestamps repeat.
 */
final class W7 {
    private W7() {}

    static DataFrame load(String glob) {
        return DataFrame.readCsv(glob, CsvOptions.defaults().parseDates("ts").dtype("key", ColumnType.STRING).dtype("value", ColumnType.DOUBLE))
                .setIndex("ts", true);
    }

    /** The four parts on one scheduler: seconds[4] and answers {rows, hours, hourly mean sum, rolling sum, week count, week sum}. */
    static double[][] runJdask(String glob, String scheduler) {
        Map<String, Object> cfg = Map.of("scheduler", scheduler);
        double[] t = new double[4], ans = new double[6];
        long t0 = System.nanoTime();
        ans[0] = load(glob).rowCount().compute(cfg);
        long t1 = System.nanoTime();
        Table h = load(glob).resample("1h").agg(Agg.mean("value")).compute(cfg);
        ans[1] = h.rowCount();
        double s = 0;
        for (int i = 0; i < h.rowCount(); i++) { double v = h.doubleColumn("value_mean").getDouble(i); if (v == v) s += v; }
        ans[2] = s;
        long t2 = System.nanoTime();
        ans[3] = load(glob).rolling("24h").by("key").mean("value").col("value").sum().compute(cfg);
        long t3 = System.nanoTime();
        DataFrame wk = load(glob).loc("2024-01-08", "2024-01-14");
        List<Object> r = Jdask.computeAll(List.of(wk.col("value").count(), wk.col("value").sum()), cfg);
        ans[4] = ((Number) r.get(0)).doubleValue();
        ans[5] = ((Number) r.get(1)).doubleValue();
        long t4 = System.nanoTime();
        t[0] = (t1 - t0) / 1e9;
        t[1] = (t2 - t1) / 1e9;
        t[2] = (t3 - t2) / 1e9;
        t[3] = (t4 - t3) / 1e9;
        return new double[][] {t, ans};
    }

    static double[][] runDuckDb(String glob) throws Exception {
        String src = "read_csv('" + glob + "', header=true, columns={'ts': 'TIMESTAMP', 'key': 'VARCHAR', 'value': 'DOUBLE'})";
        double[] t = new double[4], ans = new double[6];
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("SET threads TO 2");
            long t0 = System.nanoTime();
            try (ResultSet r = s.executeQuery("SELECT count(*) FROM " + src)) { r.next(); ans[0] = r.getLong(1); }
            long t1 = System.nanoTime();
            try (ResultSet r = s.executeQuery("SELECT count(*), sum(m) FROM (SELECT time_bucket(INTERVAL 1 HOUR, ts) h, avg(value) m FROM " + src + " GROUP BY h)")) {
                r.next();
                ans[1] = r.getLong(1);
                ans[2] = r.getDouble(2);
            }
            long t2 = System.nanoTime();
            try (ResultSet r = s.executeQuery("SELECT sum(m) FROM (SELECT avg(value) OVER (PARTITION BY key ORDER BY ts "
                    + "RANGE BETWEEN INTERVAL 24 HOURS PRECEDING AND CURRENT ROW) m FROM " + src + ")")) {
                r.next();
                ans[3] = r.getDouble(1);
            }
            long t3 = System.nanoTime();
            try (ResultSet r = s.executeQuery("SELECT count(value), sum(value) FROM " + src
                    + " WHERE ts BETWEEN TIMESTAMP '2024-01-08 00:00:00' AND TIMESTAMP '2024-01-14 23:59:59.999999'")) {
                r.next();
                ans[4] = r.getLong(1);
                ans[5] = r.getDouble(2);
            }
            long t4 = System.nanoTime();
            t[0] = (t1 - t0) / 1e9;
            t[1] = (t2 - t1) / 1e9;
            t[2] = (t3 - t2) / 1e9;
            t[3] = (t4 - t3) / 1e9;
        }
        return new double[][] {t, ans};
    }

    static final List<String> PARTS = List.of("a_parse", "b_resample_1h", "c_rolling_24h_per_key", "d_loc_week");
    static final List<String> ANSWERS = List.of("rows", "hours", "hourly_mean_sum", "rolling_sum", "week_count", "week_sum");

    static double[][] runPeer(Path peerDir, String data) throws IOException, InterruptedException {
        Path script = peerDir.resolve("w7_timeseries.py");
        if (!Files.exists(script)) {
            System.err.println("peer script not found: " + script.toAbsolutePath());
            return null;
        }
        Process p = new ProcessBuilder("/usr/bin/python3", "w7_timeseries.py", "--scheduler", "threads", "--data", data)
                .directory(peerDir.toFile()).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) out.append(line).append('\n');
        }
        if (!p.waitFor(3600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("peer w7 did not finish in 3600 s");
        }
        String text = out.toString();
        double[] t = new double[4], ans = new double[6];
        for (int i = 0; i < 4; i++) {
            Matcher m = Pattern.compile("\"" + PARTS.get(i) + "\": \\{\"seconds\": ([0-9.eE+-]+)").matcher(text);
            if (!m.find()) { System.err.println("could not parse the peer's output:\n" + text); return null; }
            t[i] = Double.parseDouble(m.group(1));
        }
        for (int i = 0; i < 6; i++) {
            Matcher m = Pattern.compile("\"" + ANSWERS.get(i) + "\": ([0-9.eE+-]+)").matcher(text);
            ans[i] = m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
        }
        return new double[][] {t, ans};
    }

    static double[] medians(List<double[]> runs) {
        double[] m = new double[runs.get(0).length];
        for (int i = 0; i < m.length; i++) {
            List<Double> xs = new ArrayList<>();
            for (double[] r : runs) xs.add(r[i]);
            m[i] = W4.median(xs);
        }
        return m;
    }

    static void run(List<String> args, int reps, Path peer, boolean noPeer) throws Exception {
        String data = Runner.opt(args, "--data", "/tmp/ts");
        String glob = data + "/*.csv";
        List<String> schedulers = List.of(Runner.opt(args, "--schedulers", "threads").split(","));
        Map<String, double[][]> jd = new LinkedHashMap<>();
        for (String s : schedulers) {
            runJdask(glob, s); // warm-up
            List<double[]> times = new ArrayList<>();
            double[] ans = null;
            for (int r = 0; r < reps; r++) {
                double[][] x = runJdask(glob, s);
                times.add(x[0]);
                ans = x[1];
            }
            jd.put(s, new double[][] {medians(times), ans});
        }
        runDuckDb(glob); // warm-up
        List<double[]> dt = new ArrayList<>();
        double[] dans = null;
        for (int r = 0; r < reps; r++) {
            double[][] x = runDuckDb(glob);
            dt.add(x[0]);
            dans = x[1];
        }
        double[] duck = medians(dt);
        double[][] dask = noPeer ? null : runPeer(peer, data);

        StringBuilder md = new StringBuilder("| part | ");
        for (String s : schedulers) md.append("jdask ").append(s).append(" s | ");
        md.append("Dask threads s | DuckDB JDBC (2 threads) s | Dask / jdask | jdask / DuckDB |\n|---|").append("---|".repeat(schedulers.size() + 4)).append('\n');
        double[] first = jd.get(schedulers.get(0))[0];
        for (int i = 0; i < 4; i++) {
            md.append("| ").append(PARTS.get(i)).append(" | ");
            for (String s : schedulers) md.append(String.format("%.2f | ", jd.get(s)[0][i]));
            md.append(dask == null ? "- | " : String.format("%.2f | ", dask[0][i])).append(String.format("%.2f | ", duck[i]));
            md.append(dask == null ? "- | " : String.format("%.2fx | ", dask[0][i] / first[i])).append(String.format("%.2fx |%n", first[i] / duck[i]));
        }
        md.append("\n| answer | jdask | Dask | DuckDB |\n|---|---|---|---|\n");
        double[] ja = jd.get(schedulers.get(0))[1];
        for (int i = 0; i < 6; i++) {
            md.append("| ").append(ANSWERS.get(i)).append(String.format(" | %.6f | %s | %.6f |%n", ja[i], dask == null ? "-" : String.format("%.6f", dask[1][i]), dans[i]));
        }
        System.out.println(md);
    }
}

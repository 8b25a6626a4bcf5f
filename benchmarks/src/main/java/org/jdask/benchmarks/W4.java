package org.jdask.benchmarks;

import static org.jdask.dataframe.Agg.mean;
import static org.jdask.dataframe.Expr.col;

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
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdask.Jdask;
import org.jdask.dataframe.CsvOptions;
import org.jdask.dataframe.DataFrame;
import org.jdask.dataframe.Scalar;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.Table;

/**
 * W4 (shared/BENCHMARKS.md): the airline CSVs (gen_flights.py, 20 x 500,000 rows): (a) {@code
 * DepDelay.max()}, (b) UA flights from SFO grouped by Dest, mean DepDelay, (c) both in one compute;
 * every part re-reads the files, as the Dask peer does. Side by side in one run: the Dask peer
 * (threads), pandas (single thread, load once + ops), DuckDB JDBC (threads=2) on the same files.
 * The answers are checked against the peer's recorded ones.
 *
 * <pre>
 * python3 ../shared/data/gen_flights.py --out /tmp/flights --files 20 --rows-per-file 500000 --seed 1
 * java @graph/target/classes/org/jdask/jvm-flags.txt -Xmx6g -cp benchmarks/target/benchmarks.jar \
 *     org.jdask.benchmarks.Runner w4 --data /tmp/flights [--reps 3] [--peer ../shared/peers/dask] [--no-peer]
 * </pre>
 */
final class W4 {
    private W4() {}

    static final List<String> FLOAT_COLS = List.of("DepTime", "ArrTime", "ActualElapsedTime", "AirTime", "ArrDelay", "DepDelay",
            "TaxiIn", "TaxiOut", "CarrierDelay", "WeatherDelay", "NASDelay", "SecurityDelay", "LateAircraftDelay");

    static CsvOptions options() {
        CsvOptions o = CsvOptions.defaults();
        for (String c : FLOAT_COLS) o = o.dtype(c, ColumnType.DOUBLE);
        return o.dtype("CancellationCode", ColumnType.STRING).dtype("TailNum", ColumnType.STRING);
    }

    record Answer(double max, Table groups) {}

    static DataFrame byDest(DataFrame air) {
        return air.filter(col("UniqueCarrier").eq("UA").and(col("Origin").eq("SFO"))).groupBy("Dest").agg(mean("DepDelay"));
    }

    /** Seconds of (a), (b), (c) for one scheduler, plus the answers of (c). */
    static double[] runJdask(String glob, String scheduler, Answer[] answer) {
        Map<String, Object> cfg = Map.of("scheduler", scheduler, "num_workers", 2);
        long t0 = System.nanoTime();
        double mx = DataFrame.readCsv(glob, options()).col("DepDelay").max().compute(cfg);
        long t1 = System.nanoTime();
        Table g = byDest(DataFrame.readCsv(glob, options())).compute(cfg);
        long t2 = System.nanoTime();
        DataFrame air = DataFrame.readCsv(glob, options());
        Scalar<Double> m = air.col("DepDelay").max();
        List<Object> both = Jdask.computeAll(List.of(m, byDest(air)), cfg);
        long t3 = System.nanoTime();
        if (!both.get(0).equals(mx) || !((Table) both.get(1)).toString().equals(g.toString())) {
            throw new IllegalStateException("(c) differs from (a)/(b)");
        }
        answer[0] = new Answer(mx, g);
        return new double[] {(t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9};
    }

    static double[] runDuckDb(String glob, Map<String, Double> groupsOut, double[] maxOut) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("SET threads=2");
            StringBuilder types = new StringBuilder("{");
            for (String f : FLOAT_COLS) types.append("'").append(f).append("': 'DOUBLE', ");
            types.append("'CancellationCode': 'VARCHAR', 'TailNum': 'VARCHAR'}");
            String src = "read_csv('" + glob + "', header=true, nullstr='NA', types=" + types + ")";
            String qa = "SELECT max(DepDelay) FROM " + src;
            String qb = "SELECT Dest, avg(DepDelay) FROM " + src + " WHERE UniqueCarrier='UA' AND Origin='SFO' GROUP BY Dest";
            long t0 = System.nanoTime();
            try (ResultSet r = s.executeQuery(qa)) { r.next(); maxOut[0] = r.getDouble(1); }
            long t1 = System.nanoTime();
            try (ResultSet r = s.executeQuery(qb)) { while (r.next()) groupsOut.put(r.getString(1), r.getDouble(2)); }
            long t2 = System.nanoTime();
            // (c): one statement scanning once, both answers
            String qc = "WITH air AS MATERIALIZED (SELECT DepDelay, UniqueCarrier, Origin, Dest FROM " + src + ") "
                    + "SELECT NULL AS Dest, max(DepDelay) FROM air UNION ALL "
                    + "(SELECT Dest, avg(DepDelay) FROM air WHERE UniqueCarrier='UA' AND Origin='SFO' GROUP BY Dest)";
            int rows = 0;
            try (ResultSet r = s.executeQuery(qc)) { while (r.next()) rows++; }
            long t3 = System.nanoTime();
            if (rows != groupsOut.size() + 1) throw new IllegalStateException("DuckDB (c) gave " + rows + " rows");
            return new double[] {(t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9};
        }
    }

    /**
     * {@code Runner cold}'s W4 workloads: part (a) or (b) as the first query of a fresh JVM on
     * {@code threads}; returns the {@code k=v} detail (query time, answer: the max, or the number of
     * groups and the sum of their means).
     */
    static String firstRun(char part) {
        return firstRun(part, Map.of("scheduler", "threads", "num_workers", 2));
    }

    /** {@link #firstRun(char)} with the given compute config (e.g. {@code scheduler: distributed} on a cluster the caller started). */
    static String firstRun(char part, Map<String, Object> cfg) {
        String glob = System.getProperty("jdask.bench.flights", "/tmp/flights") + "/*.csv";
        long t0 = System.nanoTime();
        String answer;
        if (part == 'a') {
            answer = "max=" + DataFrame.readCsv(glob, options()).col("DepDelay").max().compute(cfg);
        } else {
            Table g = byDest(DataFrame.readCsv(glob, options())).compute(cfg);
            answer = "groups=" + g.rowCount() + " sum_of_means=" + String.format("%.6f", g.doubleColumn("DepDelay_mean").sum());
        }
        return String.format("query_ms=%d %s", Math.round((System.nanoTime() - t0) / 1e6), answer);
    }

    static Map<String, String> runPeer(Path peerDir, String data, String scheduler) throws IOException, InterruptedException {
        Path script = peerDir.resolve("w4_dataframe.py");
        if (!Files.exists(script)) {
            System.err.println("peer script not found: " + script.toAbsolutePath());
            return Map.of();
        }
        Process p = new ProcessBuilder("/usr/bin/python3", "w4_dataframe.py", "--scheduler", scheduler, "--data", data)
                .directory(peerDir.toFile()).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) out.append(line).append('\n');
        }
        if (!p.waitFor(1800, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("peer w4 " + scheduler + " did not finish in 1800 s");
        }
        String text = out.toString();
        Map<String, String> m = new LinkedHashMap<>();
        for (String part : List.of("load", "a_max", "b_groupby", "c_both")) {
            Matcher pm = Pattern.compile("\"" + part + "\": \\{\"seconds\": ([0-9.eE+-]+)").matcher(text);
            if (pm.find()) m.put(part, pm.group(1));
        }
        Matcher mx = Pattern.compile("\"a_max_DepDelay\": ([0-9.eE+-]+)").matcher(text);
        if (mx.find()) m.put("max", mx.group(1));
        Matcher rss = Pattern.compile("\"peak_tree_rss_mb\": ([0-9.eE+-]+)").matcher(text);
        if (rss.find()) m.put("rss", rss.group(1));
        if (m.isEmpty()) System.err.println("could not parse the peer's output:\n" + text);
        return m;
    }

    /** The peer's recorded groupby answer (shared/peers/dask/expected). */
    static Map<String, Double> expected(Path peerDir) throws IOException {
        Path f = peerDir.resolve("expected/w4_b_groupby_UA_SFO_Dest_mean_DepDelay.csv");
        Map<String, Double> m = new TreeMap<>();
        if (!Files.exists(f)) return m;
        List<String> lines = Files.readAllLines(f);
        for (String l : lines.subList(1, lines.size())) {
            String[] p = l.split(",");
            m.put(p[0], p.length > 1 && !p[1].isEmpty() ? Double.parseDouble(p[1]) : Double.NaN);
        }
        return m;
    }

    static String check(Table g, Map<String, Double> expect) {
        if (expect.isEmpty()) return "no recorded answer to check against";
        int bad = 0;
        for (int i = 0; i < g.rowCount(); i++) {
            Double e = expect.get(g.stringColumn("Dest").get(i));
            double v = g.doubleColumn("DepDelay_mean").getDouble(i);
            if (e == null || !(Math.abs(e - v) <= 1e-9 * Math.max(1, Math.abs(e)) || (Double.isNaN(e) && Double.isNaN(v)))) bad++;
        }
        if (g.rowCount() != expect.size()) return "MISMATCH: " + g.rowCount() + " groups, peer has " + expect.size();
        return bad == 0 ? "all " + g.rowCount() + " group means equal the peer's (1e-9)" : "MISMATCH in " + bad + " groups";
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        return s.get(s.size() / 2);
    }

    static void run(List<String> args, int reps, Path peer, boolean noPeer) throws Exception {
        String data = Runner.opt(args, "--data", "/tmp/flights");
        String glob = data + "/*.csv";
        List<String> schedulers = List.of(Runner.opt(args, "--schedulers", "threads").split(","));
        Answer[] ans = new Answer[1];
        Map<String, double[]> jd = new LinkedHashMap<>();
        for (String s : schedulers) {
            runJdask(glob, s, ans); // warm-up
            List<List<Double>> parts = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            for (int r = 0; r < reps; r++) {
                double[] t = runJdask(glob, s, ans);
                for (int i = 0; i < 3; i++) parts.get(i).add(t[i]);
            }
            jd.put(s, new double[] {median(parts.get(0)), median(parts.get(1)), median(parts.get(2))});
        }
        Map<String, Double> duckGroups = new TreeMap<>();
        double[] duckMax = new double[1];
        runDuckDb(glob, new TreeMap<>(), new double[1]); // warm-up
        List<List<Double>> dparts = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int r = 0; r < reps; r++) {
            double[] t = runDuckDb(glob, duckGroups, duckMax);
            for (int i = 0; i < 3; i++) dparts.get(i).add(t[i]);
        }
        double[] duck = {median(dparts.get(0)), median(dparts.get(1)), median(dparts.get(2))};
        Map<String, String> dask = noPeer ? Map.of() : runPeer(peer, data, "threads");
        Map<String, String> pandas = noPeer ? Map.of() : runPeer(peer, data, "pandas");
        long hwm = peakRssKb();

        StringBuilder md = new StringBuilder();
        md.append("| part | ");
        for (String s : schedulers) md.append("jdask ").append(s).append(" s | ");
        md.append("Dask threads s | pandas s | DuckDB JDBC (2 threads) s | Dask / jdask | jdask / DuckDB |\n|---|");
        md.append("---|".repeat(schedulers.size() + 5)).append('\n');
        String[] names = {"a_max", "b_groupby", "c_both"};
        for (int i = 0; i < 3; i++) {
            double j = jd.get(schedulers.get(0))[i];
            double d = dask.containsKey(names[i]) ? Double.parseDouble(dask.get(names[i])) : Double.NaN;
            double p = pandas.containsKey(names[i]) ? Double.parseDouble(pandas.get(names[i])) : Double.NaN;
            md.append("| ").append(names[i]).append(" | ");
            for (String s : schedulers) md.append(String.format("%.2f | ", jd.get(s)[i]));
            md.append(fmt(d)).append(" | ").append(fmt(p)).append(" | ").append(String.format("%.2f", duck[i])).append(" | ")
                    .append(Double.isNaN(d) ? "n/a" : String.format("%.1f×", d / j)).append(" | ")
                    .append(String.format("%.2f×", j / duck[i])).append(" |\n");
        }
        if (pandas.containsKey("load")) md.append("\npandas load (read 20 files + concat, included in nothing above): ").append(pandas.get("load")).append(" s\n");
        md.append(String.format("%njdask answers: max DepDelay = %s (peer: %s, DuckDB: %s); groupby: %s; DuckDB groupby: %s%n",
                ans[0].max(), dask.getOrDefault("max", "n/a"), duckMax[0], check(ans[0].groups(), expected(peer)),
                duckGroups.size() + " groups"));
        md.append(String.format("jdask JVM peak RSS (VmHWM): %d MB; Dask peer tree peak RSS: %s MB%n", hwm / 1024, dask.getOrDefault("rss", "n/a")));
        System.out.println(md);
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "n/a" : String.format("%.2f", v);
    }

    static long peakRssKb() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmHWM:")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }
}

package org.jdask.benchmarks;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jdask.Config;
import org.jdask.dataframe.DataFrame;
import org.jdask.distributed.Client;
import org.jdask.distributed.LocalCluster;
import org.jdask.distributed.Nanny;
import org.jdask.distributed.WorkerInfo;
import org.jdask.distributed.report.TaskRecord;
import org.jdask.distributed.internal.Sizes;
import org.jdask.distributed.internal.memory.LocalDirectory;
import org.jdask.fn.Fn1;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * Issue 15: a dataframe shuffle whose data is {@code --times} (3) x the cluster's total memory:
 * {@code readCsv(files).setIndex("id")} (a global sort by a random int64 key: every row moves) and a
 * per-partition summary (rows, first and last id, sorted or not, sum of x), on worker JVMs with
 * {@code --memory-limit} each, then the same job on workers given enough memory (goal: at most 2x
 * faster; by default each worker gets 4x the data), then the Dask peer {@code benchmarks/peers/shuffle_big.py} (set_index with the p2p
 * shuffle when pyarrow is there, else the tasks shuffle) on the same files. Reports run time, peak
 * bytes in the workers' local directories ({@code du}: spill stores, Dask's p2p buffers), the peak of
 * the workers' reported spilled bytes, peak RSS per worker and restarts. The answer is checked
 * against the generator's own row count and sum.
 *
 * <p>Data: {@code --dir} gets CSV files of rows {@code id,k,x} (random id in [0, 10^12), k in
 * [0, 1000), x uniform in [0, 1)); in memory a row is about 20 bytes (int64 + int32 + float64), so
 * {@code rows = times x workers x limit / 20}, in partitions of about a sixteenth of a worker's limit.
 * The files are reused when {@code manifest.txt} matches.
 *
 * <pre>
 * java @graph/target/classes/org/jdask/jvm-flags.txt -Xmx2g -cp benchmarks/target/benchmarks.jar \
 *     org.jdask.benchmarks.Runner shuffle [--dir /tmp/jdask-shuffle] [--workers 2] [--memory-limit 256MiB] [--times 3] \
 *     [--big-limit 4GB] [--runs small,big,dask] [--peer benchmarks/peers] [--memory-config target=0.4,spill=0.5]
 * </pre>
 * A smaller variant with the same partition size and heap: {@code --times 1.5} (half the rows and
 * partitions, still spilling). {@code -Djdask.benchmarks.phases=true} prints per-phase task times;
 * with it {@code -Djdask.benchmarks.task-stream=FILE} writes every task as "worker prefix key
 * start-ms run-ms"; {@code -Djdask.distributed.worker.jvm-options="-Xlog:gc:file=/tmp/gc-%p.log"}
 * logs the workers' collections.
 */
final class ShuffleBig {
    private ShuffleBig() {}

    static final int BYTES_PER_ROW = 20;
    /**
     * {@code -Djdask.benchmarks.phases=true}: a dashboard on a free port (it keeps the task stream)
     * and per-phase task times after each jdask run ({@link TaskPhases}); off for the timed runs.
     */
    static final boolean PHASES = Boolean.getBoolean("jdask.benchmarks.phases");

    record Data(Path dir, int files, long rowsPerFile, double sumX) {
        long rows() {
            return files * rowsPerFile;
        }
    }

    record Run(String system, double seconds, long peakDiskBytes, long peakSpilledBytes, String rss, String note) {}

    static void run(List<String> a) throws Exception {
        int workers = Integer.parseInt(Runner.opt(a, "--workers", "2"));
        String limit = Runner.opt(a, "--memory-limit", "256MiB");
        long limitBytes = Sizes.parse(limit, "--memory-limit");
        double times = Double.parseDouble(Runner.opt(a, "--times", "3"));
        long rows = (long) (times * workers * limitBytes / BYTES_PER_ROW);
        long perFile = Math.max(1, limitBytes / 16 / BYTES_PER_ROW);
        int files = (int) Math.max(1, (rows + perFile - 1) / perFile);
        Data d = generate(Path.of(Runner.opt(a, "--dir", "/tmp/jdask-shuffle")), files, perFile);
        // enough memory: each worker could hold the whole data set 4 times (input, pieces, output and slack), so nothing spills
        String big = Runner.opt(a, "--big-limit", Long.toString(Math.max(limitBytes, 4 * d.rows() * BYTES_PER_ROW / workers)));
        List<String> which = List.of(Runner.opt(a, "--runs", "small,big,dask").split(","));
        List<Run> runs = new ArrayList<>();
        // --memory-config target=0.4,spill=0.5: distributed.worker.memory.* for the jdask workers (small heaps want a lower target)
        Map<String, Object> mem = new LinkedHashMap<>();
        for (String kv : Runner.opt(a, "--memory-config", "").split(",")) {
            if (kv.isBlank()) continue;
            String[] p = kv.split("=", 2);
            if (p.length != 2) throw new IllegalArgumentException("--memory-config wants name=value[,name=value], got " + kv);
            mem.put("distributed.worker.memory." + p[0].trim(), Double.parseDouble(p[1].trim()));
        }
        try (Config.Scope scope = Config.set(mem)) {
            if (which.contains("small")) runs.add(jdask(d, workers, limit));
            if (which.contains("big")) runs.add(jdask(d, workers, big));
        }
        if (which.contains("dask")) runs.add(peer(Peers.dir(a), d, workers, limit));
        StringBuilder md = new StringBuilder(String.format("Shuffle: readCsv(%d files).setIndex(\"id\") + per-partition summary, %,d rows "
                + "(~%.2f GB in memory, %.3gx of %d x %s)%n%n", d.files, d.rows(), d.rows() * (double) BYTES_PER_ROW / 1e9, times, workers, limit));
        md.append("| system | run s | peak bytes in worker dirs (du) | peak spilled bytes reported | peak RSS per worker MB: max sampled VmRSS (RssAnon) / VmHWM | notes |\n"
                + "|---|---|---|---|---|---|\n");
        for (Run r : runs) {
            md.append(String.format("| %s | %.1f | %,d | %,d | %s | %s |%n", r.system, r.seconds, r.peakDiskBytes, r.peakSpilledBytes, r.rss, r.note));
        }
        System.out.println(md);
    }

    /** Writes the files unless {@code manifest.txt} says they are there already. */
    static Data generate(Path dir, int files, long perFile) throws IOException {
        Files.createDirectories(dir);
        Path manifest = dir.resolve("manifest.txt");
        String want = files + " files x " + perFile + " rows, seed 15";
        if (Files.exists(manifest)) {
            List<String> m = Files.readAllLines(manifest);
            if (m.size() == 2 && m.get(0).equals(want)) return new Data(dir, files, perFile, Double.parseDouble(m.get(1)));
        }
        Files.deleteIfExists(manifest);
        long t0 = System.nanoTime();
        double sum = 0;
        for (int f = 0; f < files; f++) {
            SplittableRandom r = new SplittableRandom(15L * 1_000_003 + f);
            try (BufferedWriter w = Files.newBufferedWriter(dir.resolve(String.format("part-%05d.csv", f)), StandardCharsets.US_ASCII)) {
                w.write("id,k,x\n");
                StringBuilder line = new StringBuilder(64);
                for (long i = 0; i < perFile; i++) {
                    double x = r.nextDouble();
                    sum += x;
                    line.setLength(0);
                    line.append(r.nextLong(1_000_000_000_000L)).append(',').append(r.nextInt(1000)).append(',').append(x).append('\n');
                    w.append(line);
                }
            }
        }
        Files.writeString(manifest, want + "\n" + sum + "\n");
        System.err.printf("generated %d files x %,d rows in %s in %.1f s%n", files, perFile, dir, (System.nanoTime() - t0) / 1e9);
        return new Data(dir, files, perFile, sum);
    }

    /** One partition's summary: rows, first and last id, 1 when ids ascend, the sum of x. */
    static final Fn1<Table, Table> SUMMARY = t -> {
        Column<?> idc = t.column("id");
        long n = t.rowCount(), first = 0, last = 0, sorted = 1;
        double sx = 0;
        DoubleColumn xs = t.doubleColumn("x");
        for (int i = 0; i < n; i++) {
            long id = ((Number) idc.get(i)).longValue();
            if (i == 0) first = id;
            else if (id < last) sorted = 0;
            last = id;
            sx += xs.getDouble(i);
        }
        return Table.create(LongColumn.create("rows", n), LongColumn.create("first", first), LongColumn.create("last", last),
                LongColumn.create("sorted", sorted), DoubleColumn.create("sum_x", sx));
    };

    static Map<String, ColumnType> summaryMeta() {
        Map<String, ColumnType> m = new LinkedHashMap<>();
        for (String c : List.of("rows", "first", "last", "sorted")) m.put(c, ColumnType.LONG);
        m.put("sum_x", ColumnType.DOUBLE);
        return m;
    }

    /** Checks the summaries against the generator; returns "" or what is wrong. */
    static String check(Table s, Data d) {
        long rows = 0, prevLast = Long.MIN_VALUE;
        double sx = 0;
        for (int i = 0; i < s.rowCount(); i++) {
            long n = s.longColumn("rows").getLong(i);
            rows += n;
            sx += s.doubleColumn("sum_x").getDouble(i);
            if (n == 0) continue;
            if (s.longColumn("sorted").getLong(i) != 1) return "partition " + i + " is not sorted";
            if (s.longColumn("first").getLong(i) < prevLast) return "partition " + i + " starts before partition " + (i - 1) + " ends";
            prevLast = s.longColumn("last").getLong(i);
        }
        if (rows != d.rows()) return "rows " + rows + " != generated " + d.rows();
        if (Math.abs(sx - d.sumX) > 1e-6 * d.sumX) return "sum of x " + sx + " != generated " + d.sumX;
        return "";
    }

    static Run jdask(Data d, int workers, String limit) throws Exception {
        Path local = Files.createTempDirectory("jdask-shuffle-workers");
        try (LocalCluster cluster = LocalCluster.builder().workers(workers).threadsPerWorker(1).memoryLimit(limit).localDirectory(local)
                .dashboardAddress(PHASES ? ":0" : null).build();
             Client client = Client.connect(cluster);
             DirWatch disk = new DirWatch(local, 500)) {
            List<Long> pids = cluster.workerProcesses().stream().map(ProcessHandle::pid).toList();
            AtomicLong spilled = new AtomicLong();
            Poll spill = new Poll("spilled-bytes", 500, () -> {
                long s = 0;
                for (WorkerInfo w : client.workerInfo().values()) s += w.spilledBytes();
                spilled.accumulateAndGet(s, Math::max);
            });
            RssSampler rss = new RssSampler(pids, 100);
            long t0 = System.nanoTime(), startMs = System.currentTimeMillis();
            Table summary;
            // the whole job on the cluster, as Dask's with a Client: setIndex's eager divisions too (they ran on the
            // threads scheduler in this JVM, cold JIT in the first run: 39 s of the 3x run's 131 s vs 12.5 s warm)
            try (Config.Scope onCluster = Config.set("scheduler", "distributed")) {
                summary = DataFrame.readCsv(d.dir + "/part-*.csv").setIndex("id").mapPartitions(SUMMARY, summaryMeta()).compute();
            }
            double s = (System.nanoTime() - t0) / 1e9;
            if (PHASES) System.err.print(TaskPhases.describe(client.taskStream(), startMs, (long) (s * 1e3)));
            String streamFile = System.getProperty("jdask.benchmarks.task-stream"); // with phases: every task as "worker prefix key start-ms run-ms"
            if (PHASES && streamFile != null) {
                List<String> lines = new ArrayList<>();
                for (TaskRecord r : client.taskStream()) {
                    lines.add(r.worker() + " " + r.prefix() + " " + r.key() + " " + (r.startMs() - startMs) + " " + r.durationMs());
                }
                Files.write(Path.of(streamFile), lines);
            }
            rss.close();
            spill.close();
            int restarts = 0;
            for (Nanny nn : cluster.nannies()) restarts += nn.restarts();
            String logFile = System.getProperty("jdask.benchmarks.worker-logs"); // -Djdask.benchmarks.worker-logs=/tmp/w.log: every worker's log lines
            if (logFile != null) {
                List<String> all = new ArrayList<>();
                cluster.logs().forEach((w, lines) -> lines.forEach(l -> all.add(w + ": " + l)));
                Files.write(Path.of(logFile), all);
            }
            for (Map.Entry<String, List<String>> e : cluster.logs().entrySet()) { // what the memory manager did, for the reader
                long paused = e.getValue().stream().filter(l -> l.contains("paused")).count();
                long spilling = e.getValue().stream().filter(l -> l.contains("spilling")).count();
                System.err.printf("%s: %d 'spilling' and %d 'paused' log lines%n", e.getKey(), spilling, paused);
                if (restarts > 0) { // why a worker went: its last words
                    List<String> l = e.getValue();
                    for (String line : l.subList(Math.max(0, l.size() - 15), l.size())) System.err.println("  " + line);
                }
            }
            String bad = check(summary, d);
            return new Run("jdask " + workers + " x " + limit, s, disk.peakBytes(), spilled.get(), rss.describe(),
                    "restarts " + restarts + (bad.isEmpty() ? ", answer checked" : ", WRONG: " + bad));
        } finally {
            LocalDirectory.delete(local);
        }
    }

    static Run peer(Path dir, Data d, int workers, String limit) throws Exception {
        Path script = dir.resolve("shuffle_big.py");
        if (!Files.exists(script)) return new Run("Dask", Double.NaN, 0, 0, "", "peer script not found: " + script.toAbsolutePath());
        Map<String, String> m = Peers.runJson(List.of("/usr/bin/python3", script.toString(), "--data", d.dir.toString(), "--workers", "" + workers,
                "--memory-limit", limit), TimeUnit.HOURS.toSeconds(3), List.of("seconds", "rows", "sum_x", "sorted", "method", "peak_dir_bytes",
                "worker_peak_rss_mb", "restarts", "error", "dask_version"));
        String answer = m.containsKey("error") ? "error: " + m.get("error")
                : Peers.num(m, "rows") == d.rows() && Math.abs(Peers.num(m, "sum_x") - d.sumX) <= 1e-6 * d.sumX && "1".equals(m.get("sorted"))
                ? "answer checked" : "WRONG: " + m;
        return new Run("Dask " + m.getOrDefault("dask_version", "?") + " (" + m.getOrDefault("method", "?") + ") " + workers + " x " + limit,
                Peers.num(m, "seconds"), (long) Peers.num(m, "peak_dir_bytes"), 0, m.getOrDefault("worker_peak_rss_mb", "?"),
                "restarts " + m.getOrDefault("restarts", "?") + ", " + answer);
    }
}

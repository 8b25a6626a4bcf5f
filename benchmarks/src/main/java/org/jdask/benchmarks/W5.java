package org.jdask.benchmarks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdask.Jdask;
import org.jdask.bag.Bag;

/**
 * W5 of shared/BENCHMARKS.md, bag over wikistats text ({@code gen_wikistats.py}, 8 × 2,000,000
 * lines): (a) {@code count}; (b) {@code filter(find).count}; (c) count, filtered count and the
 * filtered list in one compute (the files are read once). {@link #find} is the Dask tutorial's
 * predicate: split on ' ', reject lines with fewer than 6 fields, keep {@code en} lines whose 4th
 * field contains "Obama" — written with {@code indexOf} instead of {@code split} (same answer on
 * every line, no per-field strings), and rejecting lines without "Obama" first.
 */
public final class W5 {
    private W5() {}

    /** The tutorial's {@code find}: at least 6 space-separated fields, field 2 is "en", field 3 contains "Obama". */
    public static boolean find(String line) {
        // most lines have no "Obama" anywhere: one intrinsic search rejects them
        if (!line.contains("Obama")) return false;
        int s1 = line.indexOf(' ');
        if (s1 < 0) return false;
        int s2 = line.indexOf(' ', s1 + 1);
        if (s2 < 0) return false;
        int s3 = line.indexOf(' ', s2 + 1);
        if (s3 < 0 || s3 - s2 != 3 || line.charAt(s2 + 1) != 'e' || line.charAt(s2 + 2) != 'n') return false;
        int s4 = line.indexOf(' ', s3 + 1);
        if (s4 < 0 || line.indexOf(' ', s4 + 1) < 0) return false;
        int o = line.indexOf("Obama", s3 + 1);
        return o >= 0 && o + 5 <= s4;
    }

    /** One part's time and answer. */
    public record Part(String name, double seconds, long lines) {}

    /** Runs the three parts on {@code scheduler}; returns their times and the results (to compare with the peer). */
    public static Map<String, Object> run(String pattern, String scheduler, int workers) {
        Map<String, Object> cfg = Map.of("scheduler", scheduler, "num_workers", workers);
        Map<String, Object> out = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        long n = Bag.readText(pattern).count().compute(cfg);
        long t1 = System.nanoTime();
        Bag<String> b = Bag.readText(pattern);
        long nf = b.filter(W5::find).count().compute(cfg);
        long t2 = System.nanoTime();
        b = Bag.readText(pattern);
        Bag<String> obama = b.filter(W5::find);
        List<Object> r = Jdask.computeAll(List.<org.jdask.Lazy<?>>of(b.count(), obama.count(), obama), cfg);
        long t3 = System.nanoTime();
        @SuppressWarnings("unchecked")
        List<String> lst = (List<String>) r.get(2);
        if (!r.get(0).equals(n) || !r.get(1).equals(nf) || lst.size() != nf) {
            throw new AssertionError("W5 parts disagree: " + n + " " + r.get(0) + " " + nf + " " + r.get(1) + " " + lst.size());
        }
        out.put("a_count", (t1 - t0) / 1e9);
        out.put("b_filter_count", (t2 - t1) / 1e9);
        out.put("c_together", (t3 - t2) / 1e9);
        out.put("count", n);
        out.put("filter_count", nf);
        out.put("list_len", (long) lst.size());
        long hits = 0;
        for (String l : lst) hits += Long.parseLong(l.split(" ")[4].trim());
        out.put("list_sum_hits", hits);
        out.put("list_md5", md5(lst));
        out.put("npartitions", (long) b.npartitions());
        return out;
    }

    /** {@code Runner cold}'s W5 workload: (b), filter-count with the user lambda, as the first query of a fresh JVM on {@code threads}. */
    static String firstRun() {
        String pattern = System.getProperty("jdask.bench.wiki", "/tmp/wiki") + "/*";
        long t0 = System.nanoTime();
        long nf = Bag.readText(pattern).filter(W5::find).count().compute(Map.of("scheduler", "threads", "num_workers", 2));
        return String.format("query_ms=%d filter_count=%d", Math.round((System.nanoTime() - t0) / 1e6), nf);
    }

    static String md5(List<String> lines) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            for (String l : lines) md.update(l.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static final List<String> PARTS = List.of("a_count", "b_filter_count", "c_together");
    static final List<String> RESULT_FIELDS = List.of("count", "filter_count", "list_len", "list_sum_hits", "list_md5");

    /**
     * The runner's {@code w5} case: jdask on each scheduler (median of {@code reps} after one
     * warm-up run), the Dask peer on the same scheduler, and {@code grep -c Obama} as the floor,
     * in one run; fails when jdask's results differ from the peer's. Prints a Markdown table.
     */
    static void runner(Path data, int reps, Path peer, boolean noPeer, List<String> schedulers) throws Exception {
        List<Path> files;
        try (var s = java.nio.file.Files.list(data)) {
            files = s.filter(java.nio.file.Files::isRegularFile).sorted().toList();
        }
        if (files.isEmpty()) throw new IllegalArgumentException("no files in " + data + " (run shared/data/gen_wikistats.py)");
        long bytes = 0;
        for (Path f : files) bytes += java.nio.file.Files.size(f);
        String pattern = data + "/*";
        double grep = grepFloor(files, reps);
        StringBuilder md = new StringBuilder();
        md.append(String.format("Data: %d files, %.0f MB in %s. `grep -c Obama` over the files (median of %d): **%.3f s** (%.0f MB/s).%n%n",
                files.size(), bytes / 1e6, data, reps, grep, bytes / 1e6 / grep));
        md.append("| scheduler | part | jdask s (median of ").append(reps).append(") | jdask MB/s | Dask s | speed-up vs Dask | jdask / grep |\n")
                .append("|---|---|---|---|---|---|---|\n");
        for (String sch : schedulers) {
            if (!org.jdask.graph.Schedulers.providers().containsKey(sch)) {
                Map<String, Object> dask = noPeer ? Map.of() : runPeer(peer, data, sch);
                for (String part : PARTS) {
                    md.append("| ").append(sch).append(" | ").append(part).append(" | (jdask: scheduler not on the classpath) | | ")
                            .append(dask.getOrDefault(part, "n/a")).append(" | | |\n");
                }
                continue;
            }
            run(pattern, sch, 2); // warm-up
            List<Map<String, Object>> runs = new java.util.ArrayList<>();
            for (int i = 0; i < reps; i++) runs.add(run(pattern, sch, 2));
            Map<String, Object> dask = noPeer ? Map.of() : runPeer(peer, data, sch);
            for (String f : RESULT_FIELDS) {
                Object mine = runs.get(0).get(f);
                Object theirs = dask.get(f);
                if (theirs != null && !String.valueOf(mine).equals(String.valueOf(theirs))) {
                    throw new AssertionError("W5 " + sch + ": " + f + " is " + mine + " in jdask but " + theirs + " in Dask");
                }
            }
            for (String part : PARTS) {
                List<Double> ts = new java.util.ArrayList<>();
                for (Map<String, Object> r : runs) ts.add((Double) r.get(part));
                java.util.Collections.sort(ts);
                double t = ts.get(ts.size() / 2);
                Object d = dask.get(part);
                double dt = d == null ? Double.NaN : Double.parseDouble(d.toString());
                md.append(String.format("| %s | %s | %.3f | %.0f | %s | %s | %.1f× |%n", sch, part, t, bytes / 1e6 / t,
                        Double.isNaN(dt) ? "n/a" : String.format("%.2f", dt), Double.isNaN(dt) ? "n/a" : String.format("%.1f×", dt / t), t / grep));
            }
            md.append(String.format("| %s | results | %s |  | %s | %s | |%n", sch, resultLine(runs.get(0)),
                    dask.isEmpty() ? "n/a" : resultLine(dask), dask.isEmpty() ? "" : "identical"));
        }
        System.out.println(md);
    }

    private static String resultLine(Map<String, Object> m) {
        StringBuilder b = new StringBuilder();
        for (String f : RESULT_FIELDS) b.append(f).append('=').append(m.get(f)).append(' ');
        return b.toString().trim();
    }

    /**
     * Median wall time of {@code grep -c Obama files...}, its output read through a pipe (GNU grep
     * stops at the first match when its output is /dev/null, which would not be a floor).
     */
    static double grepFloor(List<Path> files, int reps) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("grep", "-c", "Obama"));
        for (Path f : files) cmd.add(f.toString());
        List<Double> ts = new java.util.ArrayList<>();
        for (int i = 0; i <= reps; i++) {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(300, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new java.io.IOException("grep did not finish in 300 s");
            }
            double t = (System.nanoTime() - t0) / 1e9;
            long total = 0;
            for (String line : out.split("\n")) if (!line.isBlank()) total += Long.parseLong(line.substring(line.lastIndexOf(':') + 1).trim());
            if (total <= 0) throw new IllegalStateException("grep -c Obama found nothing: " + out);
            if (i > 0) ts.add(t); // the first run warms the page cache
        }
        java.util.Collections.sort(ts);
        return ts.get(ts.size() / 2);
    }

    /** Runs {@code w5_bag.py} and pulls the part times and result fields out of its JSON line. */
    static Map<String, Object> runPeer(Path peerDir, Path data, String scheduler) throws Exception {
        Path script = peerDir.resolve("w5_bag.py");
        if (!java.nio.file.Files.exists(script)) {
            System.err.println("peer script not found: " + script.toAbsolutePath() + " (pass --peer DIR or --no-peer)");
            return Map.of();
        }
        Process p = new ProcessBuilder("/usr/bin/python3", "w5_bag.py", "--data", data.toString(), "--scheduler", scheduler)
                .directory(peerDir.toFile()).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(1800, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new java.io.IOException("Dask peer w5 " + scheduler + " did not finish in 1800 s");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (String part : PARTS) {
            java.util.regex.Matcher pm = java.util.regex.Pattern.compile("\"" + part + "\": \\{\"seconds\": ([0-9.eE+-]+)").matcher(text);
            if (pm.find()) m.put(part, pm.group(1));
        }
        for (String f : RESULT_FIELDS) {
            java.util.regex.Matcher fm = java.util.regex.Pattern.compile("\"" + f + "\": \"?([0-9a-f]+)").matcher(text);
            if (fm.find()) m.put(f, fm.group(1));
        }
        if (m.isEmpty()) System.err.println("could not parse the peer's output:\n" + text);
        return m;
    }

    /** {@code W5 [pattern] [scheduler] [reps]}: jdask alone, one line of figures per run. */
    public static void main(String[] args) {
        String pattern = args.length > 0 ? args[0] : "/tmp/wiki/*";
        String s = args.length > 1 ? args[1] : "threads";
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        for (int i = 0; i < reps; i++) System.out.println(run(pattern, s, 2));
    }
}

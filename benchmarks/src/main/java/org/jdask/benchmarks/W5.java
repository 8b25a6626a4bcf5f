package org.jdask.benchmarks;

import java.nio.charset.StandardCharsets;
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
 * every line, no per-field strings).
 */
public final class W5 {
    private W5() {}

    /** The tutorial's {@code find}: at least 6 space-separated fields, field 2 is "en", field 3 contains "Obama". */
    public static boolean find(String line) {
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

    static String md5(List<String> lines) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            for (String l : lines) md.update(l.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void main(String[] args) {
        String pattern = args.length > 0 ? args[0] : "/tmp/wiki/*";
        String s = args.length > 1 ? args[1] : "threads";
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        for (int i = 0; i < reps; i++) System.out.println(run(pattern, s, 2));
    }
}

package org.jdask.benchmarks;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A Java port of {@code shared/data/gen_timeseries.py} (W7's data) with the same shapes: file k
 * ({@code ts_KKK.csv}) continues the time of file k - 1 (sorted across files), gaps exponential with
 * mean 0.5 s, 1% of gaps zero (duplicate timestamps), {@code ts} as {@code YYYY-MM-DD
 * HH:MM:SS.ffffff}, 8 keys with shares .30/.20/.15/.10/.10/.07/.05/.03, value = 20 + 5 sin(2π day
 * fraction) + 0.5 key + N(0, 1) written {@code %.6f}, 1% empty (missing).
 *
 * <p>Content depends only on (seed, k, rows per file), but the random streams are Java's
 * ({@link SplittableRandom}), not numpy's PCG64: the numbers differ from the Python generator's,
 * so compare jdask against the DuckDB and Dask runs on the same generated files, not against
 * answers recorded on the Python files. Needs no Python.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.jdask.benchmarks.GenTimeseries --out /tmp/ts --files 20 --rows-per-file 1000000 --seed 1
 * </pre>
 */
public final class GenTimeseries {
    private GenTimeseries() {}

    static final double[] SHARES = {0.30, 0.20, 0.15, 0.10, 0.10, 0.07, 0.05, 0.03};
    /** 2024-01-01T00:00:00 in epoch microseconds. */
    static final long START_US = 1_704_067_200_000_000L;

    public static void main(String[] args) throws IOException {
        java.util.List<String> a = java.util.List.of(args);
        Path out = Path.of(Runner.opt(a, "--out", "/tmp/ts"));
        int files = Integer.parseInt(Runner.opt(a, "--files", "20"));
        int rows = Integer.parseInt(Runner.opt(a, "--rows-per-file", "1000000"));
        long seed = Long.parseLong(Runner.opt(a, "--seed", "1"));
        write(out, files, rows, seed);
    }

    static void write(Path out, int files, int rows, long seed) throws IOException {
        Files.createDirectories(out);
        double t = 0; // seconds since START, carried across files
        for (int k = 0; k < files; k++) {
            SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + k);
            Path p = out.resolve(String.format("ts_%03d.csv", k));
            try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(p), 1 << 20)) {
                o.write("ts,key,value\n".getBytes());
                byte[] line = new byte[64];
                for (int i = 0; i < rows; i++) {
                    double gap = -Math.log(1 - rng.nextDouble()) * 0.5;
                    if (rng.nextDouble() < 0.01) gap = 0; // duplicate timestamps
                    t += gap;
                    int key = key(rng.nextDouble());
                    double day = (t % 86400.0) / 86400.0;
                    double v = 20 + 5 * Math.sin(2 * Math.PI * day) + key * 0.5 + gaussian(rng);
                    boolean missing = rng.nextDouble() < 0.01;
                    int n = stamp(line, START_US + Math.round(t * 1e6));
                    line[n++] = ',';
                    line[n++] = 's';
                    line[n++] = '0';
                    line[n++] = (byte) ('0' + key);
                    line[n++] = ',';
                    o.write(line, 0, n);
                    if (!missing) o.write(String.format("%.6f", v).getBytes());
                    o.write('\n');
                }
            }
            t += 0.5;
        }
    }

    static int key(double u) {
        double c = 0;
        for (int i = 0; i < SHARES.length; i++) {
            c += SHARES[i];
            if (u < c) return i;
        }
        return SHARES.length - 1;
    }

    static double gaussian(SplittableRandom r) {
        double u1 = 1 - r.nextDouble(), u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** {@code YYYY-MM-DD HH:MM:SS.ffffff} of epoch microseconds into {@code b}; returns the length (26). */
    static int stamp(byte[] b, long us) {
        long secs = Math.floorDiv(us, 1_000_000L);
        int micros = (int) Math.floorMod(us, 1_000_000L);
        java.time.LocalDateTime d = java.time.LocalDateTime.ofEpochSecond(secs, 0, java.time.ZoneOffset.UTC);
        int p = 0;
        p = digits(b, p, d.getYear(), 4);
        b[p++] = '-';
        p = digits(b, p, d.getMonthValue(), 2);
        b[p++] = '-';
        p = digits(b, p, d.getDayOfMonth(), 2);
        b[p++] = ' ';
        p = digits(b, p, d.getHour(), 2);
        b[p++] = ':';
        p = digits(b, p, d.getMinute(), 2);
        b[p++] = ':';
        p = digits(b, p, d.getSecond(), 2);
        b[p++] = '.';
        return digits(b, p, micros, 6);
    }

    private static int digits(byte[] b, int p, int v, int n) {
        for (int i = n - 1; i >= 0; i--) {
            b[p + i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        return p + n;
    }
}

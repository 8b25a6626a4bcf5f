package org.jdask.dataframe;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A seeded synthetic dataset written as CSV files, kept as plain arrays for eager oracles. */
final class FrameTestData {
    static final String[] KEYS = {"alpha", "beta", "gamma", "delta", "eps, with comma", "q\"uote", "multi\nline"};

    final int n;
    final String[] k;    // null = missing
    final int[] g;
    final double[] x;    // NaN = missing
    final Integer[] y;   // null = missing

    FrameTestData(int n, long seed) {
        this.n = n;
        Random r = new Random(seed);
        k = new String[n];
        g = new int[n];
        x = new double[n];
        y = new Integer[n];
        for (int i = 0; i < n; i++) {
            k[i] = r.nextInt(20) == 0 ? null : KEYS[r.nextInt(KEYS.length)];
            g[i] = r.nextInt(7) - 3;
            x[i] = r.nextInt(15) == 0 ? Double.NaN : Math.round(r.nextGaussian() * 1000) / 100.0;
            y[i] = r.nextInt(10) == 0 ? null : r.nextInt(100000) - 500;
        }
    }

    static String quote(String s) {
        if (s == null) return "";
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) return "\"" + s.replace("\"", "\"\"") + "\"";
        return s;
    }

    /** Writes rows [from, to) with a header; returns the path. */
    Path write(Path dir, String name, int from, int to) throws IOException {
        StringBuilder sb = new StringBuilder("k,g,x,y\n");
        for (int i = from; i < to; i++) {
            sb.append(quote(k[i])).append(',').append(g[i]).append(',').append(Double.isNaN(x[i]) ? "NA" : Double.toString(x[i]))
                    .append(',').append(y[i] == null ? "" : y[i].toString()).append('\n');
        }
        Path p = dir.resolve(name);
        Files.writeString(p, sb.toString(), StandardCharsets.UTF_8);
        return p;
    }

    List<Path> writeFiles(Path dir, int files) throws IOException {
        List<Path> out = new ArrayList<>();
        for (int f = 0; f < files; f++) out.add(write(dir, String.format("part-%02d.csv", f), (int) ((long) n * f / files), (int) ((long) n * (f + 1) / files)));
        return out;
    }
}

package org.jdask.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Timestamped sensor-like CSV files for W7: the Java port of the project's {@code
 * gen_timeseries.py}, same arguments, seeds and shape. File {@code k} ({@code ts_KKK.csv}) starts
 * where file k-1 ended (sorted within and across files). Columns: {@code ts} ('YYYY-MM-DD
 * HH:MM:SS.ffffff', exponential gaps of mean 0.5 s, 1% exact duplicates), {@code key} (s00..s07,
 * skewed), {@code value} (daily cycle + per-key offset + noise, ~1% empty = missing).
 */
public final class GenTimeseries {
    private static final double[] SHARES = {0.30, 0.20, 0.15, 0.10, 0.10, 0.07, 0.05, 0.03};
    private static final LocalDateTime START = LocalDateTime.of(2024, 1, 1, 0, 0);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    private GenTimeseries() {}

    /** Like {@code gen_timeseries.py --out OUT --files F --rows-per-file R --seed S}; returns the paths. */
    public static List<Path> write(Path out, int files, int rowsPerFile, long seed) {
        double[] keyCdf = Draws.cdf(SHARES);
        List<Path> paths = new ArrayList<>();
        double t = 0; // seconds since START, carried across files
        try {
            Files.createDirectories(out);
            for (int k = 0; k < files; k++) {
                Draws rng = new Draws(seed, k);
                StringBuilder b = new StringBuilder(rowsPerFile * 40).append("ts,key,value\n");
                for (int i = 0; i < rowsPerFile; i++) {
                    double gap = rng.exponential(0.5);
                    if (rng.random() < 0.01) gap = 0; // duplicate timestamps
                    t += gap;
                    int key = rng.choice(keyCdf);
                    double day = (t % 86400.0) / 86400.0;
                    double v = 20 + 5 * Math.sin(2 * Math.PI * day) + key * 0.5 + rng.normal(0, 1);
                    boolean missing = rng.random() < 0.01;
                    long micros = Math.round(t * 1e6);
                    b.append(START.plusNanos(micros * 1000).format(STAMP)).append(",s0").append(key).append(',')
                            .append(missing ? "" : String.format(Locale.ROOT, "%.6f", v)).append('\n');
                }
                t += 0.5;
                Path p = out.resolve(String.format("ts_%03d.csv", k));
                Files.writeString(p, b, StandardCharsets.UTF_8);
                paths.add(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing time-series files to " + out, e);
        }
        return paths;
    }
}

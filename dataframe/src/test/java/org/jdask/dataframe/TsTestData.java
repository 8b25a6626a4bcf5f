package org.jdask.dataframe;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded timestamped rows (ts, key, value) kept as arrays for oracles: irregular gaps (exponential),
 * about 3% duplicate timestamps, one gap of several hours, 4 keys, about 3% missing values; written
 * as consecutive CSV files whose boundaries cut hours and windows.
 */
final class TsTestData {
    static final DateTimeFormatter FMT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    static final long START = LocalDateTime.of(2024, 1, 1, 0, 0).toInstant(ZoneOffset.UTC).toEpochMilli();

    final int n;
    final long[] ts;      // epoch ms (UTC)
    final String[] key;
    final double[] value; // NaN = missing

    TsTestData(int n, long seed) {
        this.n = n;
        Random r = new Random(seed);
        ts = new long[n];
        key = new String[n];
        value = new double[n];
        long t = START;
        for (int i = 0; i < n; i++) {
            if (i > 0 && r.nextInt(33) != 0) t += (long) (-Math.log(1 - r.nextDouble()) * 40_000); // mean 40 s
            if (i == n / 3) t += 5 * 3_600_000L; // a gap of five hours: empty bins
            ts[i] = t;
            key[i] = "s" + Math.min(3, (int) (Math.abs(r.nextGaussian()) * 1.5));
            value[i] = r.nextInt(33) == 0 ? Double.NaN : Math.round((20 + r.nextGaussian() * 3) * 1000) / 1000.0;
        }
    }

    static String format(long ms) {
        return LocalDateTime.ofEpochSecond(Math.floorDiv(ms, 1000), Math.floorMod(ms, 1000) * 1_000_000, ZoneOffset.UTC).format(FMT);
    }

    /** Files of consecutive rows; returns their paths. */
    List<Path> write(Path dir, int files) throws IOException {
        Files.createDirectories(dir);
        List<Path> out = new ArrayList<>();
        for (int f = 0; f < files; f++) {
            int from = (int) ((long) n * f / files), to = (int) ((long) n * (f + 1) / files);
            StringBuilder sb = new StringBuilder("ts,key,value\n");
            for (int i = from; i < to; i++) {
                sb.append(format(ts[i])).append(',').append(key[i]).append(',').append(Double.isNaN(value[i]) ? "" : Double.toString(value[i])).append('\n');
            }
            Path p = dir.resolve(String.format("ts_%03d.csv", f));
            Files.writeString(p, sb.toString(), StandardCharsets.UTF_8);
            out.add(p);
        }
        return out;
    }
}

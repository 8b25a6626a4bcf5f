package org.jdask.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The demo's sample dataset: a few small CSV files of seeded random values, {@code
 * normal-00.csv, normal-01.csv, ...}, each with header {@code id,group,x} (a running id, a group
 * letter a–e, a standard normal value). Same seed, same bytes. Small on purpose: the bag and
 * dataframe parts of the demo read it.
 */
public final class SampleData {
    public static final String HEADER = "id,group,x";
    private static final String GROUPS = "abcde";

    private SampleData() {}

    /** Writes {@code files} CSV files of {@code rows} rows each into {@code dir}; returns their paths. */
    public static List<Path> write(Path dir, int files, int rows, long seed) throws IOException {
        Files.createDirectories(dir);
        List<Path> out = new ArrayList<>(files);
        long id = 0;
        for (int f = 0; f < files; f++) {
            SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + f);
            Path p = dir.resolve(String.format(Locale.ROOT, "normal-%02d.csv", f));
            try (BufferedWriter w = Files.newBufferedWriter(p, StandardCharsets.UTF_8)) {
                w.write(HEADER);
                w.newLine();
                for (int r = 0; r < rows; r++) {
                    w.write(Long.toString(id++));
                    w.write(',');
                    w.write(GROUPS.charAt(rng.nextInt(GROUPS.length())));
                    w.write(',');
                    w.write(String.format(Locale.ROOT, "%.6f", rng.nextGaussian()));
                    w.newLine();
                }
            }
            out.add(p);
        }
        return out;
    }
}

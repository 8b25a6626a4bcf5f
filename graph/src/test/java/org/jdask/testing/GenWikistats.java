package org.jdask.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Wikipedia page-view log files ({@code 20081022 230000 en Barack_Obama 997 123091092}): the Java
 * port of the project's {@code gen_wikistats.py}, same arguments, seeds, shape and distributions.
 * File {@code k} is {@code wikistats_KKK.txt}, the hourly snapshot 2008-10-22 00:00 + k hours:
 * ~30 language codes ('en' ~36%), 400,000 Zipf-popular synthetic titles (5% percent-encoded, none
 * containing 'Obama'), each well-formed line an Obama title with probability 0.1%, heavy-tailed
 * hits, bytes ~ hits x page size, ~0.1% malformed lines truncated to 1-5 fields.
 */
public final class GenWikistats {
    private static final String[] LANGS = {"en", "de", "ja", "fr", "es", "it", "pl", "ru", "nl", "pt", "zh", "sv", "commons.m",
        "en.d", "fi", "no", "tr", "cs", "ko", "hu", "da", "he", "ar", "id", "uk", "ca", "ro", "en.b", "de.d", "fr.d"};
    private static final double[] LANG_W = {36.0, 8.0, 7.5, 6.0, 5.5, 4.0, 3.5, 3.5, 3.0, 3.0, 2.5, 2.0, 2.0, 1.2, 1.0, 1.0, 1.0,
        0.9, 0.9, 0.8, 0.7, 0.6, 0.6, 0.5, 0.5, 0.5, 0.5, 0.4, 0.3, 0.3};
    /** The Obama titles, Zipf-weighted (s = 1.2) in this order. */
    public static final List<String> OBAMA_TITLES = List.of("Barack_Obama", "Michelle_Obama", "Barack_Obama_presidential_campaign,_2008",
            "Talk:Barack_Obama", "Barack_Obama,_Sr.", "Obama", "Obama_(surname)", "Public_image_of_Barack_Obama",
            "Early_life_and_career_of_Barack_Obama", "Special:Search/Obama", "Obama_Girl", "Image:Obama_portrait.jpg", "Malia_Obama",
            "Barack_Obama_citizenship_conspiracy_theories");
    public static final double P_OBAMA = 0.001;
    public static final double P_MALFORMED = 0.001;
    private static final int N_TITLES = 400_000;
    private static final String[] SYLL = ("ka ri to na mi sa lo ve ta ne ro ma li de po an el in er on ar us is or "
            + "ber gen ton land ville burg stad field wood sen son ley ham ford mont "
            + "al be co da fe ga hi jo ku lu mo nu pe qu ru su ti vo wa xi yo zu").split(" ");
    private static final String[] CATS = {"", "", "", "", "", "Talk:", "User:", "Category:", "Image:", "Special:Search/", "Template:",
        "Wikipedia:"};
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd HHmmss ");

    private GenWikistats() {}

    /** Like {@code gen_wikistats.py --out OUT --files F --lines-per-file L --seed S}; returns the paths. */
    public static List<Path> write(Path out, int files, int linesPerFile, long seed) {
        String[] titles = titles(seed);
        double[] cdf = zipf(titles.length, 1.05);
        double[] ocdf = zipf(OBAMA_TITLES.size(), 1.2);
        double[] langCdf = Draws.cdf(LANG_W);
        List<Path> paths = new ArrayList<>();
        try {
            Files.createDirectories(out);
            for (int k = 0; k < files; k++) {
                Draws rng = new Draws(seed, 0x3B1, k);
                String prefix = LocalDateTime.of(2008, 10, 22, 0, 0).plusHours(k).format(STAMP);
                StringBuilder b = new StringBuilder(linesPerFile * 48);
                for (int i = 0; i < linesPerFile; i++) {
                    int rank = Math.min(Draws.searchRight(cdf, rng.random()), titles.length - 1);
                    boolean obama = rng.random() < P_OBAMA;
                    String page = obama ? OBAMA_TITLES.get(rng.choice(ocdf)) : titles[rank];
                    double base = obama ? 40.0 : 2000.0 / Math.pow(rank + 20.0, 0.8);
                    long hits = Math.min(1 + (long) Math.floor(rng.pareto(1.6) * (0.6 + base)), 2_000_000);
                    long bytes = (long) Math.floor(hits * Math.exp(rng.normal(9.8, 1.0)) * rng.uniform(0.9, 1.1));
                    String line = prefix + LANGS[rng.choice(langCdf)] + " " + page + " " + hits + " " + bytes;
                    if (rng.random() < P_MALFORMED) line = String.join(" ", Arrays.copyOf(line.split(" "), rng.integers(1, 6)));
                    b.append(line).append('\n');
                }
                Path p = out.resolve(String.format("wikistats_%03d.txt", k));
                Files.writeString(p, b, StandardCharsets.UTF_8);
                paths.add(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing wikistats files to " + out, e);
        }
        return paths;
    }

    private static String[] titles(long seed) {
        Draws rng = new Draws(seed, 0x717);
        int[] nwords = {1, 2, 2, 3, 3, 4};
        String[] titles = new String[N_TITLES];
        for (int i = 0; i < N_TITLES; i++) {
            String t;
            if (rng.random() < 0.05) {
                t = String.format("%%E3%%%02X%%%02X%%E3%%%02X%%%02X", rng.integers(0x80, 0xC0), rng.integers(0x80, 0xC0),
                        rng.integers(0x80, 0xC0), rng.integers(0x80, 0xC0));
            } else {
                int words = nwords[rng.integers(0, nwords.length)];
                List<String> ws = new ArrayList<>();
                for (int j = 0; j < words; j++) {
                    int len = rng.integers(1, 4);
                    StringBuilder w = new StringBuilder();
                    for (int s = 0; s < len; s++) w.append(SYLL[rng.integers(0, SYLL.length)]);
                    String word = w.toString();
                    ws.add(j == 0 || len > 1 ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : word);
                }
                t = CATS[rng.integers(0, CATS.length)] + String.join("_", ws);
            }
            titles[i] = t.replace("Obama", "Obana");
        }
        titles[0] = "Main_Page";
        titles[1] = "Special:Search";
        titles[2] = "Special:Random";
        return titles;
    }

    private static double[] zipf(int n, double s) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) w[i] = 1.0 / Math.pow(i + 1, s);
        return Draws.cdf(w);
    }
}

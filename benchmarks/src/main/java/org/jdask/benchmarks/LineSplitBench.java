package org.jdask.benchmarks;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.jdask.bag.internal.Lines;
import org.jdask.bag.internal.TextBlock;
import org.jdask.bag.internal.TextReader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The {@code readText} kernel: split 16 MB of wikistats-shaped lines (about 47 bytes each, ASCII)
 * and decode each to a {@code String}, four ways, on ASCII text and on text with an accent in
 * every line ({@code text} param). {@code jdaskLines} is what {@code Bag.readText}
 * runs ({@link Lines}: SWAR newline search, Latin-1 copy for ASCII lines, strict decode
 * otherwise); {@code jdaskCountOnly} is the kernel of a bare {@code count()} ({@code
 * Lines.countCheckedLines}: count and check the charset in one pass) and {@code readTextCount}
 * the whole per-partition count through {@code TextReader}, file read included; {@code accented}
 * should be within 2x of {@code ascii} for both. Baselines: {@code
 * BufferedReader.readLine} (the JDK idiom, which also drops the newline) and a byte-at-a-time
 * loop with {@code new String(.., UTF_8)} (no error reporting: it replaces bad bytes).
 *
 * <pre>
 * java @graph/target/classes/org/jdask/jvm-flags.txt -jar benchmarks/target/benchmarks.jar LineSplitBench -f 1 -wi 3 -i 5
 * java @graph/target/classes/org/jdask/jvm-flags.txt -jar benchmarks/target/benchmarks.jar 'LineSplitBench.(jdaskCountOnly|readTextCount)' -f 1 -wi 3 -i 5
 * java @graph/target/classes/org/jdask/jvm-flags.txt -jar benchmarks/target/benchmarks.jar 'LineSplitBench.(jdaskLines|readTextLines|byteLoopUtf8)' -f 1 -wi 3 -i 5
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class LineSplitBench {
    static final int BYTES = 16 << 20;
    byte[] data;
    Path file;

    /**
     * {@code ascii}: wikistats lines; {@code accented}: the same with an {@code é} in every line
     * (issue 21: counting such text ran 300x slower than ASCII; it must stay within 2x).
     */
    @Param({"ascii", "accented"})
    public String text;

    @Setup
    public void setup() throws IOException {
        Random r = new Random(1);
        String[] langs = {"en", "de", "ja", "fr", "es", "commons.m"};
        StringBuilder b = new StringBuilder(BYTES + 100);
        String accent = text.equals("accented") ? "\u00e9" : "";
        while (b.length() < BYTES) {
            b.append("20081022 ").append(String.format("%02d", r.nextInt(24))).append("0000 ").append(langs[r.nextInt(langs.length)])
                    .append(' ').append(accent).append(r.nextInt(10) == 0 ? "Barack_Obama" : "Page_" + r.nextInt(400_000)).append(' ')
                    .append(1 + r.nextInt(50)).append(' ').append(r.nextInt(10_000_000)).append('\n');
        }
        data = b.toString().getBytes(StandardCharsets.UTF_8);
        file = Files.createTempFile("linesplit-" + text, ".txt");
        Files.write(file, data);
        file.toFile().deleteOnExit();
    }

    @TearDown
    public void tearDown() throws IOException {
        Files.deleteIfExists(file);
    }

    @Benchmark
    public long jdaskLines(Blackhole bh) {
        Lines lines = new Lines(StandardCharsets.UTF_8);
        byte[] d = data;
        long n = 0;
        int lo = 0;
        while (lo < d.length) {
            int nl = lines.indexOfNewline(d, lo, d.length);
            int end = nl < 0 ? d.length : nl + 1;
            bh.consume(lines.decode(d, lo, end - lo));
            n++;
            lo = end;
        }
        return n;
    }

    @Benchmark
    public long jdaskCountOnly() {
        Lines lines = new Lines(StandardCharsets.UTF_8);
        int end = data.length;
        while (end > 0 && data[end - 1] != '\n') end--;
        if (lines.countCheckedLines(data, 0, end) != end) throw new IllegalStateException("invalid UTF-8 in the benchmark data");
        return lines.counted();
    }

    /** What {@code Bag.readText(file).count()} runs for one partition: the file read through {@code TextReader}. */
    @Benchmark
    public long readTextCount() {
        return TextReader.count(new TextBlock(file.toString(), 0, -1, "none", "UTF-8", false));
    }

    /**
     * What {@code Bag.readText(file)} hands a user lambda for one partition: every line decoded to
     * a {@code String} through {@code TextReader}, file read included (issue 17: 16 MB at >= 1 GB/s,
     * i.e. under 16 ms per op).
     */
    @Benchmark
    public long readTextLines(Blackhole bh) {
        long[] n = {0};
        TextReader.read(new TextBlock(file.toString(), 0, -1, "none", "UTF-8", false), line -> {
            bh.consume(line);
            n[0]++;
        });
        return n[0];
    }

    @Benchmark
    public long byteLoopUtf8(Blackhole bh) {
        byte[] d = data;
        long n = 0;
        int lo = 0;
        for (int i = 0; i < d.length; i++) {
            if (d[i] == '\n') {
                bh.consume(new String(d, lo, i + 1 - lo, StandardCharsets.UTF_8));
                n++;
                lo = i + 1;
            }
        }
        return n;
    }

    @Benchmark
    public long bufferedReader(Blackhole bh) throws IOException {
        long n = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(data), StandardCharsets.UTF_8), 1 << 16)) {
            for (String l; (l = r.readLine()) != null; ) {
                bh.consume(l);
                n++;
            }
        }
        return n;
    }
}

package org.jdask.benchmarks;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.jdask.bag.internal.Lines;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The {@code readText} kernel: split 16 MB of wikistats-shaped lines (about 47 bytes each, ASCII)
 * and decode each to a {@code String}, four ways. {@code jdaskLines} is what {@code Bag.readText}
 * runs ({@link Lines}: SWAR newline search, Latin-1 copy for ASCII lines, strict decode
 * otherwise); {@code jdaskCountOnly} is what a bare {@code count()} runs. Baselines: {@code
 * BufferedReader.readLine} (the JDK idiom, which also drops the newline) and a byte-at-a-time
 * loop with {@code new String(.., UTF_8)} (no error reporting: it replaces bad bytes).
 *
 * <pre>
 * java @graph/target/classes/org/jdask/jvm-flags.txt -jar benchmarks/target/benchmarks.jar LineSplitBench -f 1 -wi 3 -i 5
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

    @Setup
    public void setup() {
        Random r = new Random(1);
        String[] langs = {"en", "de", "ja", "fr", "es", "commons.m"};
        StringBuilder b = new StringBuilder(BYTES + 100);
        while (b.length() < BYTES) {
            b.append("20081022 ").append(String.format("%02d", r.nextInt(24))).append("0000 ").append(langs[r.nextInt(langs.length)])
                    .append(' ').append(r.nextInt(10) == 0 ? "Barack_Obama" : "Page_" + r.nextInt(400_000)).append(' ')
                    .append(1 + r.nextInt(50)).append(' ').append(r.nextInt(10_000_000)).append('\n');
        }
        data = b.toString().getBytes(StandardCharsets.UTF_8);
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
        return Lines.countNewlinesIfAscii(data, 0, data.length);
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

package org.jdask.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jdask.distributed.internal.memory.LocalDirectory;
import org.jdask.distributed.internal.memory.SpillBuffer;
import org.jdask.serialize.Codecs;
import org.jdask.serialize.FrameStreams;

/**
 * The worker spill store's write and read speed against {@code dd} on the same directory (the
 * disk's limit), side by side (issue 15's goal: spill at 50% or more of the disk's write speed).
 * Writes {@code --gb} GB of 16 MB {@code double[]} blocks through a {@link SpillBuffer} whose
 * target is 0 (every value goes to the Chronicle Map store), reads them all back, then runs
 * {@code dd if=/dev/zero of=DIR/dd.bin bs=1M count=N conv=fdatasync} and
 * {@code dd if=DIR/dd.bin of=/dev/null bs=1M} (after dropping the file from the page cache with
 * {@code dd iflag=nocache} where supported). Run alone, on a quiet machine:
 * <pre>
 * java @graph/target/classes/org/jdask/jvm-flags.txt -Xmx2g -XX:+UseParallelGC -cp benchmarks/target/benchmarks.jar \
 *     org.jdask.benchmarks.Runner spill [--dir /tmp] [--gb 4] [--reps 3]
 * </pre>
 */
final class SpillBench {
    private SpillBench() {}

    static final SpillBuffer.Codec CODECS = new SpillBuffer.Codec() {
        @Override
        public byte[] encode(Object value) {
            return Codecs.encode(value);
        }

        @Override
        public Object decode(byte[] frame) {
            return Codecs.decode(frame);
        }

        @Override
        public void encode(Object value, OutputStream out) throws IOException {
            FrameStreams.encode(value, out); // as a worker spills: in chunks, no second copy
        }

        @Override
        public Object decode(InputStream in, int length) throws IOException {
            return FrameStreams.read(in, length, Codecs::decode);
        }
    };

    static void run(Path base, double gb, int reps) throws IOException, InterruptedException {
        int blocks = (int) Math.ceil(gb * 1e9 / 16e6);
        double[] block = new double[2_000_000];
        for (int i = 0; i < block.length; i++) block[i] = i;
        StringBuilder md = new StringBuilder("| what | GB | write GB/s | read GB/s |\n|---|---|---|---|\n");
        for (int r = 0; r < reps; r++) {
            try (LocalDirectory dir = LocalDirectory.create(base);
                 SpillBuffer<Integer> b = new SpillBuffer<>(0, dir.path(), 256L << 20, CODECS)) {
                b.prepare(); // creating the Chronicle Map is not part of the speed
                long t0 = System.nanoTime();
                for (int i = 0; i < blocks; i++) b.put(i, block, 16_000_016L);
                double w = (System.nanoTime() - t0) / 1e9;
                t0 = System.nanoTime();
                double check = 0;
                for (int i = 0; i < blocks; i++) {
                    check += ((double[]) CODECS.decode(b.encoded(i)))[1];
                }
                double rd = (System.nanoTime() - t0) / 1e9;
                if (check != blocks) throw new IllegalStateException("read back wrong data: " + check);
                double bytes = b.stats().diskBytes() / 1e9;
                md.append(String.format("| jdask spill (Chronicle Map, codec included) | %.2f | %.2f | %.2f |%n", bytes, bytes / w, bytes / rd));
                Path dd = dir.path().resolve("dd.bin");
                int mb = (int) Math.round(bytes * 1e3 / 1.048576);
                double dw = time("dd", "if=/dev/zero", "of=" + dd, "bs=1M", "count=" + mb, "conv=fdatasync");
                time("dd", "if=" + dd, "iflag=nocache", "count=0");
                double dr = time("dd", "if=" + dd, "of=/dev/null", "bs=1M");
                md.append(String.format("| dd (same directory) | %.2f | %.2f | %.2f |%n", mb * 1.048576e-3, mb * 1.048576e-3 / dw, mb * 1.048576e-3 / dr));
            }
        }
        System.out.print(md);
    }

    private static double time(String... cmd) throws IOException, InterruptedException {
        List<String> c = new ArrayList<>(List.of(cmd));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(c).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", c) + " did not finish in 600 s");
        }
        return (System.nanoTime() - t0) / 1e9;
    }
}

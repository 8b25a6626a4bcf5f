package org.jdask.benchmarks;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.concurrent.TimeUnit;
import org.apache.fory.Fory;
import org.apache.fory.config.Language;
import org.jdask.serialize.Codecs;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Encode + decode round trips per second: {@link Codecs} (raw frame for a {@code double[]}, Fory
 * behind the class policy for a record) against plain Fory (no policy) and java.io, for a 1 MiB
 * {@code double[]} and a small record.
 *
 * <p>Run: {@code java @graph/target/classes/org/jdask/jvm-flags.txt -jar benchmarks/target/benchmarks.jar
 * CodecBench -f 1 -wi 2 -i 3 -w 1 -r 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class CodecBench {
    public record Small(int id, double value, String name) implements Serializable {}

    @Param({"doubles1MiB", "smallRecord"})
    public String payload;

    private Object value;
    private Fory fory;

    @Setup
    public void setup() {
        if (payload.equals("doubles1MiB")) {
            double[] d = new double[131_072];
            for (int i = 0; i < d.length; i++) d[i] = i * 0.5;
            value = d;
        } else {
            value = new Small(7, 3.25, "chunk-7");
        }
        fory = Fory.builder().withLanguage(Language.JAVA).withRefTracking(true).requireClassRegistration(false).build();
        Codecs.allow("org.jdask.benchmarks");
    }

    @Benchmark
    public Object codecs() {
        return Codecs.decode(Codecs.encode(value));
    }

    @Benchmark
    public Object fory() {
        return fory.deserialize(fory.serialize(value));
    }

    @Benchmark
    public Object javaIo() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return in.readObject();
        }
    }
}

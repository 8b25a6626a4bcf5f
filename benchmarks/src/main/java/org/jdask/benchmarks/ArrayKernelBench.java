package org.jdask.benchmarks;

import static org.jdask.array.Shape.shape;

import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.jdask.array.DArray;
import org.jdask.array.NDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The hot chunk kernels of jdask-array on a 1000×1000 float64 block, each beside a plain-Java
 * loop doing the same work (the limit): elementwise add and scalar multiply, sum along each
 * axis and mean, normal generation (a one-block random array computed on {@code sync}), a
 * 1000×1000 matrix product (EJML vs a cache-friendly i-k-j loop), and a strided slice copy.
 *
 * <p>Run: {@code java @graph/target/classes/org/jdask/jvm-flags.txt -jar benchmarks/target/benchmarks.jar
 * ArrayKernelBench -f 1 -wi 3 -i 5 -w 1 -r 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class ArrayKernelBench {
    static final int N = 1000;
    double[] a, b;
    NDArray x, y;

    @Setup
    public void setup() {
        Random r = new Random(1);
        a = new double[N * N];
        b = new double[N * N];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextGaussian();
            b[i] = r.nextGaussian();
        }
        x = NDArray.of(a.clone(), N, N);
        y = NDArray.of(b.clone(), N, N);
    }

    @Benchmark public NDArray addKernel() { return x.add(y); }

    @Benchmark
    public double[] addLoop() {
        double[] c = new double[a.length];
        for (int i = 0; i < c.length; i++) c[i] = a[i] + b[i];
        return c;
    }

    @Benchmark public NDArray mulScalarKernel() { return x.mul(2.0); }

    @Benchmark
    public double[] mulScalarLoop() {
        double[] c = new double[a.length];
        for (int i = 0; i < c.length; i++) c[i] = a[i] * 2.0;
        return c;
    }

    @Benchmark public NDArray sumAxis0Kernel() { return x.sum(0); }

    @Benchmark
    public double[] sumAxis0Loop() {
        double[] s = new double[N];
        for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) s[j] += a[i * N + j];
        return s;
    }

    @Benchmark public NDArray sumAxis1Kernel() { return x.sum(1); }

    @Benchmark
    public double[] sumAxis1Loop() {
        double[] s = new double[N];
        for (int i = 0; i < N; i++) {
            double acc = 0;
            for (int j = 0; j < N; j++) acc += a[i * N + j];
            s[i] = acc;
        }
        return s;
    }

    @Benchmark public NDArray meanAxis1Kernel() { return x.mean(1); }

    @Benchmark public NDArray normalKernel() {
        return DArray.random(7).normal(0, 1, shape(N, N), shape(N, N)).compute(Map.of("scheduler", "sync"));
    }

    @Benchmark
    public double[] normalLoop() {
        RandomGenerator g = RandomGeneratorFactory.of("Xoshiro256PlusPlus").create(7);
        double[] c = new double[N * N];
        for (int i = 0; i < c.length; i++) c[i] = g.nextGaussian();
        return c;
    }

    @Benchmark public NDArray matmulKernel() { return x.matmul(y); }

    @Benchmark
    public double[] matmulLoop() {
        double[] c = new double[N * N];
        for (int i = 0; i < N; i++) {
            for (int k = 0; k < N; k++) {
                double v = a[i * N + k];
                int bo = k * N, co = i * N;
                for (int j = 0; j < N; j++) c[co + j] += v * b[bo + j];
            }
        }
        return c;
    }

    @Benchmark public NDArray sliceCopyKernel() { return x.slice("::2, 100:600").copy(); }

    @Benchmark
    public double[] sliceCopyLoop() {
        double[] c = new double[(N / 2) * 500];
        int o = 0;
        for (int i = 0; i < N; i += 2) {
            System.arraycopy(a, i * N + 100, c, o, 500);
            o += 500;
        }
        return c;
    }
}

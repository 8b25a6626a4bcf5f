package org.jdask.array;

import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.jdask.graph.Tokenize;

/**
 * Random arrays from one seed ({@code DArray.random(seed)}): block {@code b} (C-order position
 * in the block grid) draws from its own stream of a {@code Xoshiro256PlusPlus} generator seeded
 * with {@code seed} and advanced by {@code b / 4096} leaps (2<sup>192</sup> steps) plus {@code b %
 * 4096} jumps (2<sup>128</sup> steps). Streams of different blocks therefore never overlap, a
 * block's numbers depend only on seed, the array's chunking and its position, and the same seed
 * and chunks give the same numbers on every scheduler and worker. Inside a block values are drawn
 * in C order ({@code nextGaussian} is the JDK's ziggurat).
 */
public final class RandomState {
    static final String ALGORITHM = "Xoshiro256PlusPlus";
    private final long seed;

    RandomState(long seed) {
        this.seed = seed;
    }

    /** The generator of block stream {@code stream}. */
    static RandomGenerator stream(long seed, long stream) {
        RandomGenerator.LeapableGenerator g =
                (RandomGenerator.LeapableGenerator) RandomGeneratorFactory.of(ALGORITHM).create(seed);
        for (long i = 0; i < stream / 4096; i++) g.leap();
        for (long i = 0; i < stream % 4096; i++) g.jump();
        return g;
    }

    /** Normal values with mean {@code loc} and standard deviation {@code scale}. */
    public DArray normal(double loc, double scale, int[] shape, int[] blockShape) {
        if (!(scale >= 0)) throw new IllegalArgumentException("scale must be >= 0, got " + scale);
        return make("normal", new Object[] {loc, scale}, shape, blockShape, DType.FLOAT64, (g, buf, n) -> {
            double[] v = (double[]) buf;
            for (int i = 0; i < n; i++) v[i] = loc + scale * g.nextGaussian();
        });
    }

    public DArray standardNormal(int[] shape, int[] blockShape) {
        return normal(0, 1, shape, blockShape);
    }

    /** Uniform values in {@code [low, high)}. */
    public DArray uniform(double low, double high, int[] shape, int[] blockShape) {
        if (!(high >= low)) throw new IllegalArgumentException("uniform needs low <= high, got " + low + ", " + high);
        double w = high - low;
        return make("uniform", new Object[] {low, high}, shape, blockShape, DType.FLOAT64, (g, buf, n) -> {
            double[] v = (double[]) buf;
            for (int i = 0; i < n; i++) v[i] = low + w * g.nextDouble();
        });
    }

    /** int64 values in {@code [low, high)}. */
    public DArray integers(long low, long high, int[] shape, int[] blockShape) {
        if (high <= low) throw new IllegalArgumentException("integers needs low < high, got " + low + ", " + high);
        return make("integers", new Object[] {low, high}, shape, blockShape, DType.INT64, (g, buf, n) -> {
            long[] v = (long[]) buf;
            for (int i = 0; i < n; i++) v[i] = g.nextLong(low, high);
        });
    }

    /** Fills the first {@code n} elements of {@code buf} (a double[] or long[]) from {@code g}. */
    interface Fill extends java.io.Serializable {
        void fill(RandomGenerator g, Object buf, int n);
    }

    private DArray make(String kind, Object[] params, int[] shape, int[] blockShape, DType t, Fill fill) {
        Chunks c = Chunks.regular(shape, blockShape);
        long s = seed;
        String name = kind + "-" + Tokenize.token(kind, s, params, shape, c.all());
        return DArray.generate(name, c, t, (idx, bs, off) -> {
            long stream = c.flatIndex(idx);
            return new BlockFn(kind, a -> {
                NDArray out = NDArray.zeros(t, bs);
                fill.fill(stream(s, stream), out.raw(), out.size);
                return out;
            });
        }, (idx, bs) -> {
            RandomGenerator g = stream(s, c.flatIndex(idx));
            NDArray[] buffer = new NDArray[1];
            // one strip buffer per block, reused: a strip is reduced before the next one is drawn
            return rows -> {
                int[] strip = bs.clone();
                strip[0] = rows;
                int n = Shape.intSize(strip);
                if (buffer[0] == null || buffer[0].size < n) buffer[0] = NDArray.zeros(t, strip);
                NDArray b = buffer[0];
                fill.fill(g, b.raw(), n);
                return new NDArray(t, strip, Shape.cStrides(strip), 0, b.d, b.l, null);
            };
        });
    }
}

package org.jdask.cli;

import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;

/**
 * The functions of the demo's main job, the {@code calc_mean} pipeline of Dask's tutorial: each
 * replicate draws {@code n} standard normal values and reports their mean and standard deviation;
 * a summary averages the replicates.
 *
 * <p>Unlike the tutorial (NumPy's global {@code RandomState}, one lock shared by every thread),
 * replicate {@code i} has its own generator seeded with {@code i}, so results are the same on
 * every scheduler and every run, and threads never contend. Values are not kept: mean and
 * variance are accumulated in one pass (Welford), so a replicate of 10 M draws needs no 80 MB array.
 */
public final class CalcMean {
    /** The generator algorithm; fast (about 5 ns per Gaussian here) and splittable-quality. */
    public static final String ALGORITHM = "L64X128MixRandom";

    /**
     * {@link #calcMean} as a function value created in compiled code. Notebooks (JShell) use this to
     * ship the function to worker JVMs: a method reference written in a JShell cell, even to this
     * class, is a lambda of the cell's own generated class, which a worker cannot load.
     */
    public static final Fn2<Integer, Integer, double[]> CALC_MEAN = CalcMean::calcMean;

    /** {@link #summarize} as a function value created in compiled code (see {@link #CALC_MEAN}). */
    public static final Fn1<List<double[]>, Summary> SUMMARIZE = CalcMean::summarize;

    private CalcMean() {}

    /** Replicate {@code i}: {@code [mean, std]} of {@code n} normal draws (population std, like {@code np.std}). */
    public static double[] calcMean(int i, int n) {
        if (n < 1) throw new IllegalArgumentException("n must be >= 1, got " + n);
        RandomGenerator rng = RandomGeneratorFactory.of(ALGORITHM).create(i);
        double mean = 0;
        double m2 = 0;
        for (int k = 1; k <= n; k++) {
            double x = rng.nextGaussian();
            double d = x - mean;
            mean += d / k;
            m2 += d * (x - mean);
        }
        return new double[] {mean, Math.sqrt(m2 / n)};
    }

    /** What the demo prints: every replicate's {@code [mean, std]} and their averages. */
    public record Summary(List<double[]> results, double meanOfMeans, double meanOfStds) {}

    /** The summary task: averages of the replicates' means and standard deviations. */
    public static Summary summarize(List<double[]> results) {
        if (results.isEmpty()) throw new IllegalArgumentException("no replicates to summarize");
        double means = 0;
        double stds = 0;
        for (double[] r : results) {
            means += r[0];
            stds += r[1];
        }
        return new Summary(List.copyOf(results), means / results.size(), stds / results.size());
    }
}

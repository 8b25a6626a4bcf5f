package org.jdask.testing;

import java.util.SplittableRandom;

/**
 * The numpy draws the test-data generators use, on a {@link SplittableRandom}: same distributions
 * and parameters as numpy's {@code Generator} methods of the same names, not the same streams (so
 * the Java generators give the same shapes, not the same bytes, as the Python ones).
 */
final class Draws {
    final SplittableRandom rng;

    /** A stream for the seed parts, like {@code SeedSequence([a, b, ...])}. */
    Draws(long... seedParts) {
        long s = 0x9E3779B97F4A7C15L;
        for (long p : seedParts) s = mix(s ^ mix(p + 0x632BE59BD9B4E019L));
        rng = new SplittableRandom(s);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    double random() {
        return rng.nextDouble();
    }

    /** Uniform integer in {@code [lo, hi)}. */
    int integers(int lo, int hi) {
        return rng.nextInt(lo, hi);
    }

    double uniform(double lo, double hi) {
        return lo + (hi - lo) * rng.nextDouble();
    }

    double normal(double mean, double sd) {
        return mean + sd * rng.nextGaussian();
    }

    double exponential(double scale) {
        return scale * rng.nextExponential();
    }

    /** numpy's {@code pareto(a)}: Lomax, {@code exp(E / a) - 1}. */
    double pareto(double a) {
        return Math.expm1(rng.nextExponential() / a);
    }

    /** Marsaglia-Tsang gamma with shape {@code k} and scale {@code theta}. */
    double gamma(double k, double theta) {
        if (k < 1) return gamma(k + 1, theta) * Math.pow(rng.nextDouble(), 1 / k);
        double d = k - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x = rng.nextGaussian();
            double v = 1 + c * x;
            if (v <= 0) continue;
            v = v * v * v;
            double u = rng.nextDouble();
            if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v * theta;
        }
    }

    double[] dirichlet(double... alpha) {
        double[] g = new double[alpha.length];
        double sum = 0;
        for (int i = 0; i < alpha.length; i++) sum += g[i] = gamma(alpha[i], 1);
        for (int i = 0; i < g.length; i++) g[i] /= sum;
        return g;
    }

    /** Cumulative, normalized weights for {@link #choice(double[])}. */
    static double[] cdf(double[] weights) {
        double[] c = new double[weights.length];
        double sum = 0;
        for (int i = 0; i < weights.length; i++) c[i] = sum += weights[i];
        for (int i = 0; i < c.length; i++) c[i] /= sum;
        return c;
    }

    /** An index drawn with the probabilities of {@code cdf} (from {@link #cdf}). */
    int choice(double[] cdf) {
        return searchRight(cdf, rng.nextDouble());
    }

    /** numpy's {@code searchsorted(cdf, u, side="right")}, capped at the last index. */
    static int searchRight(double[] cdf, double u) {
        int lo = 0;
        int hi = cdf.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cdf[mid] <= u) lo = mid + 1;
            else hi = mid;
        }
        return Math.min(lo, cdf.length - 1);
    }
}

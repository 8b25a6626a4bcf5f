package org.jdask.notebooks.examples;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * "Existing" {@link ExecutorService} code for {@code notebooks/06-executor.ipynb}: a grid search over
 * ridge-regression penalties and polynomial degrees, each candidate scored by k-fold cross-validation
 * in its own {@link Callable}, all handed to {@link ExecutorService#invokeAll}. It knows nothing of
 * jdask; the notebook runs it on a thread pool and on a cluster's {@code client.executorService()}.
 *
 * <p>The data are generated from a seed ({@code y = sin(3x) + noise}), so every run and every
 * executor gives the same scores.
 */
public final class GridSearch {
    /** One point of the grid. */
    public record Params(int degree, double lambda) implements Serializable {}

    /** A candidate's mean squared error on held-out folds. */
    public record Score(Params params, double mse) implements Serializable {
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "degree=%d lambda=%-6g mse=%.5f", params.degree, params.lambda, mse);
        }
    }

    /** The cross-validation of one candidate: a serializable {@link Callable}, so it can go to another JVM. */
    public record Evaluate(Params params, double[] x, double[] y, int folds) implements Callable<Score>, Serializable {
        @Override
        public Score call() {
            return new Score(params, crossValidate(params, x, y, folds));
        }
    }

    private GridSearch() {}

    /** {@code n} points {@code (x, sin(3x) + 0.1 N(0,1))}, {@code x} uniform in [-1, 1], from {@code seed}. */
    public static double[][] data(int n, long seed) {
        RandomGenerator rng = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = rng.nextDouble(-1, 1);
            y[i] = Math.sin(3 * x[i]) + 0.1 * rng.nextGaussian();
        }
        return new double[][] {x, y};
    }

    /** The grid: every degree with every penalty. */
    public static List<Params> grid(int[] degrees, double[] lambdas) {
        List<Params> g = new ArrayList<>();
        for (int d : degrees) for (double l : lambdas) g.add(new Params(d, l));
        return g;
    }

    /** Scores every candidate on {@code executor} with {@code invokeAll}; best (lowest error) first. */
    public static List<Score> search(ExecutorService executor, List<Params> grid, double[] x, double[] y, int folds)
            throws InterruptedException, ExecutionException {
        List<Callable<Score>> tasks = new ArrayList<>();
        for (Params p : grid) tasks.add(new Evaluate(p, x, y, folds));
        List<Score> scores = new ArrayList<>();
        for (Future<Score> f : executor.invokeAll(tasks)) scores.add(f.get());
        scores.sort(Comparator.comparingDouble(Score::mse));
        return scores;
    }

    /** Mean squared error of ridge polynomial regression over {@code folds} interleaved folds. */
    static double crossValidate(Params p, double[] x, double[] y, int folds) {
        double sse = 0;
        for (int f = 0; f < folds; f++) {
            int m = p.degree + 1;
            double[][] a = new double[m][m];
            double[] b = new double[m];
            for (int i = 0; i < x.length; i++) {
                if (i % folds == f) continue;
                double[] phi = powers(x[i], m);
                for (int r = 0; r < m; r++) {
                    b[r] += phi[r] * y[i];
                    for (int c = 0; c < m; c++) a[r][c] += phi[r] * phi[c];
                }
            }
            for (int r = 1; r < m; r++) a[r][r] += p.lambda;
            double[] w = solve(a, b);
            for (int i = f; i < x.length; i += folds) {
                double[] phi = powers(x[i], m);
                double pred = 0;
                for (int r = 0; r < m; r++) pred += w[r] * phi[r];
                sse += (pred - y[i]) * (pred - y[i]);
            }
        }
        return sse / x.length;
    }

    private static double[] powers(double x, int m) {
        double[] phi = new double[m];
        double v = 1;
        for (int r = 0; r < m; r++) {
            phi[r] = v;
            v *= x;
        }
        return phi;
    }

    /** Gaussian elimination with partial pivoting (the systems are tiny and symmetric positive definite). */
    private static double[] solve(double[][] a, double[] b) {
        int n = b.length;
        for (int c = 0; c < n; c++) {
            int piv = c;
            for (int r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) piv = r;
            double[] t = a[c]; a[c] = a[piv]; a[piv] = t;
            double tb = b[c]; b[c] = b[piv]; b[piv] = tb;
            for (int r = c + 1; r < n; r++) {
                double k = a[r][c] / a[c][c];
                for (int j = c; j < n; j++) a[r][j] -= k * a[c][j];
                b[r] -= k * b[c];
            }
        }
        double[] w = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double s = b[r];
            for (int j = r + 1; j < n; j++) s -= a[r][j] * w[j];
            w[r] = s / a[r][r];
        }
        return w;
    }
}

package org.jdask.dataframe;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * {@code describe()}: count, mean, std, min, 25%, 50%, 75%, max of every numeric column.
 *
 * <p>How the quartiles work. Each partition keeps its column's non-missing values sorted, as a
 * weighted sample: every value with weight 1 when there are at most {@link #KEEP}, else
 * {@code KEEP} evenly spaced values each standing for {@code n / KEEP} rows. Combining
 * concatenates the samples with their weights and thins back to {@code KEEP} points of equal
 * weight only when there are more. A quantile {@code q} is then read as pandas and NumPy do
 * (linear interpolation, NumPy's default): at rank {@code q * (N - 1)} of the {@code N} rows,
 * between the two sample points whose centre ranks surround it. So the quartiles are exact
 * (the 25% of 1..16 is 4.75) while a column has at most {@code KEEP} values in all, and
 * approximate beyond, as in Dask.
 */
record Describe(List<String> columns) implements Reductions.Reduction<Describe.Partial> {
    static final int KEEP = 1000;
    static final String[] STATS = {"count", "mean", "std", "min", "25%", "50%", "75%", "max"};

    /** Per numeric column: {n, sum, min, max, M2}, and a sorted sample whose point j stands for weights[j] rows. */
    record Partial(double[][] stats, double[][] values, double[][] weights) implements Serializable {}

    /** A sorted weighted sample of one column. */
    record Sample(double[] values, double[] weights) {
        /** At most keep points of equal weight (the same sample when it is small enough). */
        Sample thin(int keep) {
            int n = values.length;
            if (n <= keep) return this;
            double sum = 0;
            for (double w : weights) sum += w;
            double[] v = new double[keep], w = new double[keep];
            double acc = 0;
            int j = 0;
            for (int q = 0; q < keep; q++) {
                double target = (q + 0.5) * sum / keep;
                while (j < n - 1 && acc + weights[j] < target) acc += weights[j++];
                v[q] = values[j];
                w[q] = sum / keep;
            }
            return new Sample(v, w);
        }

        /** The q-quantile by linear interpolation between the centre ranks of the sample points. */
        double quantile(double q) {
            int n = values.length;
            if (n == 0) return Double.NaN;
            double total = 0;
            for (double w : weights) total += w;
            double rank = q * (total - 1);
            double before = 0, prevCentre = Double.NaN;
            for (int j = 0; j < n; j++) {
                double centre = before + (weights[j] - 1) / 2;
                if (rank <= centre) {
                    if (j == 0) return values[0];
                    double t = (rank - prevCentre) / (centre - prevCentre);
                    return values[j - 1] + t * (values[j] - values[j - 1]);
                }
                prevCentre = centre;
                before += weights[j];
            }
            return values[n - 1];
        }

        /** The union of several samples, sorted by value. */
        static Sample merge(List<Sample> parts) {
            int total = 0;
            for (Sample p : parts) total += p.values.length;
            double[] vals = new double[total], wts = new double[total];
            Integer[] order = new Integer[total];
            int o = 0;
            for (Sample p : parts) {
                for (int j = 0; j < p.values.length; j++) {
                    vals[o] = p.values[j];
                    wts[o] = p.weights[j];
                    order[o] = o;
                    o++;
                }
            }
            Arrays.sort(order, (a, b) -> Double.compare(vals[a], vals[b]));
            double[] v = new double[total], w = new double[total];
            for (int i = 0; i < total; i++) {
                v[i] = vals[order[i]];
                w[i] = wts[order[i]];
            }
            return new Sample(v, w);
        }
    }

    public String name() { return "describe"; }

    public Partial chunk(Table t) {
        int k = columns.size();
        double[][] st = new double[k][], vs = new double[k][], ws = new double[k][];
        for (int i = 0; i < k; i++) {
            st[i] = new Reductions.Stat(columns.get(i), "var").chunk(t);
            NumericColumn<?> c = (NumericColumn<?>) t.column(columns.get(i));
            double[] v = new double[c.size()];
            int n = 0;
            for (int r = 0; r < c.size(); r++) if (!c.isMissing(r)) v[n++] = c.getDouble(r);
            Arrays.sort(v, 0, n);
            double[] w = new double[n];
            Arrays.fill(w, 1);
            Sample s = new Sample(Arrays.copyOf(v, n), w).thin(KEEP);
            vs[i] = s.values();
            ws[i] = s.weights();
        }
        return new Partial(st, vs, ws);
    }

    public Partial combine(List<Partial> parts) {
        int k = columns.size();
        double[][] st = new double[k][], vs = new double[k][], ws = new double[k][];
        for (int i = 0; i < k; i++) {
            List<double[]> col = new ArrayList<>();
            List<Sample> samples = new ArrayList<>();
            for (Partial p : parts) {
                col.add(p.stats()[i]);
                samples.add(new Sample(p.values()[i], p.weights()[i]));
            }
            st[i] = new Reductions.Stat(columns.get(i), "var").combine(col);
            Sample s = Sample.merge(samples).thin(KEEP);
            vs[i] = s.values();
            ws[i] = s.weights();
        }
        return new Partial(st, vs, ws);
    }

    public Object finish(Partial p) {
        Table t = Table.create("describe", StringColumn.create("statistic", STATS));
        for (int i = 0; i < columns.size(); i++) {
            String c = columns.get(i);
            Sample s = new Sample(p.values()[i], p.weights()[i]);
            double[] v = new double[STATS.length];
            for (int k = 0; k < STATS.length; k++) {
                String st = STATS[k];
                v[k] = st.endsWith("%") ? s.quantile(Integer.parseInt(st.substring(0, st.length() - 1)) / 100.0)
                        : ((Number) new Reductions.Stat(c, st).finish(p.stats()[i])).doubleValue();
            }
            t.addColumns(DoubleColumn.create(c, v));
        }
        return t;
    }
}

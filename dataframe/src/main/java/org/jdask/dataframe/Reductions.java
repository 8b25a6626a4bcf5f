package org.jdask.dataframe;

import java.io.Serializable;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import org.jdask.fn.FnN;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/** Tree reductions: chunk (partition → partial), combine (partials → partial), finish. */
final class Reductions {
    private Reductions() {}

    interface Reduction<P> extends Serializable {
        String name();
        P chunk(Table t);
        P combine(List<P> parts);
        Object finish(P p);
    }

    record Chunk(Reduction<?> r) implements FnN {
        @Override public Object invoke(Object[] a) { return r.chunk((Table) a[0]); }
        @Override public int arity() { return 1; }
        @Override public String toString() { return r.name() + "-chunk"; }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    record Combine(Reduction r) implements FnN {
        @Override public Object invoke(Object[] a) { return r.combine((List) a[0]); }
        @Override public int arity() { return 1; }
        @Override public String toString() { return r.name() + "-combine"; }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    record Finish(Reduction r) implements FnN {
        @Override public Object invoke(Object[] a) { return r.finish(r.combine((List) a[0])); }
        @Override public int arity() { return 1; }
        @Override public String toString() { return r.name() + "-agg"; }
    }

    /**
     * sum/mean/min/max/count/std/var of one column; partial = {n, sum, min, max, M2} (M2 merged with
     * Chan's formula). Results are Double, except count (Long). Missing values are skipped.
     */
    record Stat(String column, String stat) implements Reduction<double[]> {
        public String name() { return stat; }
        public double[] chunk(Table t) {
            Column<?> c = t.column(column);
            double[] s = {0, 0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0};
            if (!(c instanceof NumericColumn<?> nc)) {
                s[0] = c.size() - c.countMissing();
                return s;
            }
            int n = c.size();
            double cnt = 0, sum = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            if (nc instanceof DoubleColumn dc) {
                for (int i = 0; i < n; i++) {
                    double x = dc.getDouble(i);
                    if (x != x) continue;
                    cnt++;
                    sum += x;
                    if (x < min) min = x;
                    if (x > max) max = x;
                }
            } else {
                for (int i = 0; i < n; i++) {
                    if (nc.isMissing(i)) continue;
                    double x = nc.getDouble(i);
                    cnt++;
                    sum += x;
                    if (x < min) min = x;
                    if (x > max) max = x;
                }
            }
            double m2 = 0;
            if (cnt > 0 && (stat.equals("std") || stat.equals("var"))) {
                double mean = sum / cnt;
                for (int i = 0; i < n; i++) {
                    if (nc.isMissing(i)) continue;
                    double d = nc.getDouble(i) - mean;
                    m2 += d * d;
                }
            }
            return new double[] {cnt, sum, min, max, m2};
        }
        public double[] combine(List<double[]> parts) {
            double[] s = {0, 0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0};
            for (double[] p : parts) {
                if (p[0] == 0) continue;
                if (s[0] == 0) { s = p.clone(); continue; }
                double n = s[0] + p[0];
                double delta = p[1] / p[0] - s[1] / s[0];
                s[4] = s[4] + p[4] + delta * delta * s[0] * p[0] / n;
                s[0] = n;
                s[1] += p[1];
                s[2] = Math.min(s[2], p[2]);
                s[3] = Math.max(s[3], p[3]);
            }
            return s;
        }
        public Object finish(double[] s) {
            double n = s[0];
            return switch (stat) {
                case "count" -> (long) n;
                case "sum" -> s[1];
                case "mean" -> n == 0 ? Double.NaN : s[1] / n;
                case "min" -> n == 0 ? Double.NaN : s[2];
                case "max" -> n == 0 ? Double.NaN : s[3];
                case "var" -> n < 2 ? Double.NaN : s[4] / (n - 1);
                case "std" -> n < 2 ? Double.NaN : Math.sqrt(s[4] / (n - 1));
                default -> throw new IllegalArgumentException("unknown statistic " + stat);
            };
        }
    }

    /** Number of distinct non-missing values of a column (Long). */
    record NUnique(String column) implements Reduction<HashSet<Object>> {
        public String name() { return "nunique"; }
        public HashSet<Object> chunk(Table t) {
            Column<?> c = t.column(column);
            HashSet<Object> s = new HashSet<>();
            for (int i = 0, n = c.size(); i < n; i++) if (!c.isMissing(i)) s.add(c.get(i));
            return s;
        }
        public HashSet<Object> combine(List<HashSet<Object>> parts) {
            HashSet<Object> s = new HashSet<>();
            for (HashSet<Object> p : parts) s.addAll(p);
            return s;
        }
        public Object finish(HashSet<Object> s) { return (long) s.size(); }
    }

    /** Row count (Long). */
    record Rows() implements Reduction<Long> {
        public String name() { return "len"; }
        public Long chunk(Table t) { return (long) t.rowCount(); }
        public Long combine(List<Long> parts) { long s = 0; for (Long p : parts) s += p; return s; }
        public Object finish(Long s) { return s; }
    }

    /** groupBy(by).agg(aggs) through {@link GroupKernel}. */
    record GroupAgg(List<String> by, List<Agg> aggs, LinkedHashMap<String, String> inSchema) implements Reduction<GroupKernel.Partial> {
        public String name() { return "groupby-agg"; }
        public GroupKernel.Partial chunk(Table t) { return GroupKernel.chunk(t, by, aggs); }
        public GroupKernel.Partial combine(List<GroupKernel.Partial> parts) {
            return parts.size() == 1 ? parts.get(0) : GroupKernel.combine(parts, aggs);
        }
        public Object finish(GroupKernel.Partial p) {
            LinkedHashMap<String, ColumnType> s = new LinkedHashMap<>();
            inSchema.forEach((c, t) -> s.put(c, Dtypes.of(t)));
            return GroupKernel.finish(p, by, aggs, s);
        }
    }
}

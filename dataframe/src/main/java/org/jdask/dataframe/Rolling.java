package org.jdask.dataframe;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * {@code frame.rolling(3).mean("x")}, {@code frame.rolling("7d").sum("x")}: moving-window statistics
 * exact across partition boundaries. Each partition borrows the tail of the partitions before it
 * (the last n - 1 rows, or the rows within the window of its last time), as Dask's
 * {@code map_overlap}, and computes every window in one streaming pass (running count, sum and sum
 * of squares; a monotonic deque for min and max). With {@link #by(String)}, each key has its own
 * window (pandas' {@code groupby(key).rolling(...)}), still one pass.
 *
 * <p>As in pandas, a row window needs {@code n} values ({@code minPeriods}) and a time window one;
 * a time window holds the rows with index in {@code (t - window, t]} up to this row.
 */
public final class Rolling {
    private final DataFrame frame;
    private final int rows;
    private final long windowMs;
    private final String by;
    private final int minPeriods;

    private Rolling(DataFrame frame, int rows, long windowMs, String by, int minPeriods) {
        this.frame = frame;
        this.rows = rows;
        this.windowMs = windowMs;
        this.by = by;
        this.minPeriods = minPeriods;
    }

    static Rolling rows(DataFrame frame, int n) {
        if (n < 1) throw new IllegalArgumentException("rolling(n) needs n >= 1, got " + n);
        return new Rolling(frame, n, 0, null, n);
    }

    static Rolling time(DataFrame frame, String window) {
        long ms = Temporal.frequencyMs(window);
        FrameIndex idx = frame.index;
        if (idx == null || !Temporal.isTemporal(idx.columnType())) {
            throw new IllegalStateException("rolling(\"" + window + "\") needs a date/time index (the rows in time order): "
                    + (idx == null ? "this frame has none" : "the index '" + idx.column() + "' is " + idx.type())
                    + "; fix: call setIndex(\"ts\", true) (already sorted) or setIndex(\"ts\") first");
        }
        return new Rolling(frame, 0, ms, null, 1);
    }

    /** A separate window per value of {@code key} (pandas' {@code groupby(key).rolling(...)}). */
    public Rolling by(String key) {
        Ops.check(frame.plan.schema, List.of(key), "rolling.by");
        return new Rolling(frame, rows, windowMs, key, minPeriods);
    }

    /** Windows with fewer values than this give a missing result. */
    public Rolling minPeriods(int n) {
        if (n < 0) throw new IllegalArgumentException("minPeriods must be >= 0, got " + n);
        return new Rolling(frame, rows, windowMs, by, n);
    }

    public DataFrame mean(String... cols) { return stat("mean", cols); }
    public DataFrame sum(String... cols) { return stat("sum", cols); }
    public DataFrame min(String... cols) { return stat("min", cols); }
    public DataFrame max(String... cols) { return stat("max", cols); }
    public DataFrame count(String... cols) { return stat("count", cols); }
    /** Sample standard deviation (ddof 1). */
    public DataFrame std(String... cols) { return stat("std", cols); }
    public DataFrame var(String... cols) { return stat("var", cols); }

    private DataFrame stat(String stat, String[] cols) {
        List<String> c = new ArrayList<>(TimeSeries.numericColumns(frame.plan.schema, List.of(cols), "rolling." + stat));
        if (frame.index != null && cols.length == 0) c.remove(frame.index.column());
        String time = windowMs > 0 ? frame.index.column() : null;
        return TimeSeries.overlap(frame, new Window(stat, c, rows, windowMs, time, by, minPeriods), false, true);
    }

    /** The window as a {@link TimeSeries.Window}. */
    record Window(String stat, List<String> cols, int rows, long windowMs, String time, String by, int minPeriods) implements TimeSeries.Window {
        public String name() { return "rolling-" + stat; }

        private String[] needed() {
            LinkedHashSet<String> s = new LinkedHashSet<>(cols);
            if (time != null) s.add(time);
            if (by != null) s.add(by);
            return s.toArray(new String[0]);
        }

        public Table carry(Table carry, Table part) {
            Table all = TimeSeries.joined(carry, part.selectColumns(needed()));
            int n = all.rowCount();
            if (n == 0) return all;
            if (time != null) {
                long[] ts = Temporal.epochMs(all.column(time));
                long last = Long.MIN_VALUE;
                for (long t : ts) if (t != Temporal.MISSING && t > last) last = t;
                int from = 0;
                while (from < n && (ts[from] == Temporal.MISSING || ts[from] <= last - windowMs)) from++;
                return all.inRange(from, n);
            }
            if (by == null) return all.inRange(Math.max(0, n - (rows - 1)), n);
            // the last rows - 1 rows of each key, in order
            Column<?> k = all.column(by);
            Map<Object, Integer> seen = new HashMap<>();
            boolean[] keep = new boolean[n];
            for (int i = n - 1; i >= 0; i--) {
                int c = seen.merge(k.isMissing(i) ? "\u0000NA" : k.get(i), 1, Integer::sum);
                keep[i] = c <= rows - 1;
            }
            tech.tablesaw.selection.Selection s = new tech.tablesaw.selection.BitmapBackedSelection();
            for (int i = 0; i < n; i++) if (keep[i]) s.add(i);
            return all.where(s);
        }

        public Table apply(Table carry, Table part) {
            Table all = TimeSeries.joined(carry, part.selectColumns(needed()));
            int n = all.rowCount(), skip = n - part.rowCount();
            long[] ts = time == null ? null : Temporal.epochMs(all.column(time));
            List<int[]> groups = groups(all);
            Map<String, double[]> res = new LinkedHashMap<>();
            for (String c : cols) {
                double[] x = TimeSeries.values(all.column(c));
                double[] o = new double[n];
                for (int[] g : groups) window(x, ts, g, o);
                res.put(c, java.util.Arrays.copyOfRange(o, skip, n));
            }
            return TimeSeries.replace(part, res);
        }

        /** Row positions of each key, in order (one group of all rows without {@code by}). */
        private List<int[]> groups(Table all) {
            int n = all.rowCount();
            if (by == null) {
                int[] g = new int[n];
                for (int i = 0; i < n; i++) g[i] = i;
                return List.of(g);
            }
            Column<?> k = all.column(by);
            // a group id per row (one hash lookup per row, no boxed lists), then positions grouped by id
            Map<Object, Integer> ids = new HashMap<>();
            int[] id = new int[n];
            for (int i = 0; i < n; i++) id[i] = ids.computeIfAbsent(k.isMissing(i) ? "\u0000NA" : k.get(i), x -> ids.size());
            int[] count = new int[ids.size()];
            for (int g : id) count[g]++;
            int[][] pos = new int[count.length][];
            for (int g = 0; g < count.length; g++) pos[g] = new int[count[g]];
            int[] fill = new int[count.length];
            for (int i = 0; i < n; i++) pos[id[i]][fill[id[i]]++] = i;
            return List.of(pos);
        }

        /** One streaming pass over the rows {@code g} (in order), writing each row's window statistic. */
        private void window(double[] x, long[] ts, int[] g, double[] o) {
            double cnt = 0, sum = 0, sq = 0;
            int start = 0;
            ArrayDeque<Integer> dq = new ArrayDeque<>(); // positions into g, values monotonic (min: increasing, max: decreasing)
            boolean isMin = stat.equals("min"), extreme = isMin || stat.equals("max");
            for (int j = 0; j < g.length; j++) {
                double v = x[g[j]];
                if (v == v) {
                    cnt++;
                    sum += v;
                    sq += v * v;
                    if (extreme) {
                        while (!dq.isEmpty() && (isMin ? x[g[dq.peekLast()]] >= v : x[g[dq.peekLast()]] <= v)) dq.pollLast();
                        dq.addLast(j);
                    }
                }
                while (start < j && outside(ts, g, start, j)) {
                    double u = x[g[start]];
                    if (u == u) {
                        cnt--;
                        sum -= u;
                        sq -= u * u;
                    }
                    if (extreme && !dq.isEmpty() && dq.peekFirst() == start) dq.pollFirst();
                    start++;
                }
                if (cnt == 0) { sum = 0; sq = 0; } // no drift once the window empties
                double r;
                if (stat.equals("count")) r = cnt;
                else if (cnt < Math.max(1, minPeriods)) r = Double.NaN;
                else r = switch (stat) {
                    case "sum" -> sum;
                    case "mean" -> sum / cnt;
                    case "min", "max" -> x[g[dq.peekFirst()]];
                    default -> {
                        if (cnt < 2) yield Double.NaN;
                        double var = Math.max(0, (sq - sum * sum / cnt) / (cnt - 1));
                        yield stat.equals("std") ? Math.sqrt(var) : var;
                    }
                };
                o[g[j]] = r;
            }
        }

        private boolean outside(long[] ts, int[] g, int start, int j) {
            if (ts == null) return j - start >= rows;
            long t0 = ts[g[start]], t = ts[g[j]];
            return t0 == Temporal.MISSING || (t != Temporal.MISSING && t0 <= t - windowMs);
        }

        public LinkedHashMap<String, ColumnType> schema(LinkedHashMap<String, ColumnType> in) {
            Ops.check(in, cols, "rolling");
            return TimeSeries.asDouble(in, cols);
        }

        public Set<String> needs(Set<String> r, Map<String, ColumnType> in) {
            return Ops.plus(r, new LinkedHashSet<>(List.of(needed())));
        }
    }
}

package org.jdask.dataframe;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdask.graph.Key;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * {@code frame.resample("1h").agg(mean("x"), count("x"))}: aggregations per time bin of the
 * date-time index (or of the column given with {@link #on(String)}), as a one-partition frame
 * sorted by bin, every bin from the first to the last present (empty ones: count 0, others
 * missing), as pandas does.
 *
 * <p>How: a tree reduction. Each partition becomes one row per bin it touches holding count, sum,
 * sum of squares, min and max of every aggregated column (no per-row hashing when rows are in time
 * order: a run of rows in one bin adds to the same slot); partials are merged by bin, so a bin cut
 * by a partition boundary is combined exactly. Bins start at multiples of the frequency since the
 * epoch (pandas' default for frequencies that divide a day).
 */
public final class Resampler {
    private final DataFrame frame;
    private final String freq;
    private final String on;

    Resampler(DataFrame frame, String freq) {
        this(frame, freq, frame.index == null ? null : frame.index.column());
    }

    private Resampler(DataFrame frame, String freq, String on) {
        Temporal.frequencyMs(freq);
        this.frame = frame;
        this.freq = freq;
        this.on = on;
    }

    /** Bins this date/time column instead of the index. */
    public Resampler on(String column) {
        return new Resampler(frame, freq, column);
    }

    public DataFrame mean(String column) { return agg(Agg.mean(column)); }
    public DataFrame sum(String column) { return agg(Agg.sum(column)); }
    public DataFrame count(String column) { return agg(Agg.count(column)); }

    /** sum, mean, count, min, max, std, var of columns, and size (rows per bin). */
    public DataFrame agg(Agg... aggs) {
        if (on == null) {
            throw new IllegalStateException("resample(\"" + freq + "\") needs a date/time index or a column: this frame has no index; "
                    + "fix: call setIndex(\"ts\", true) first, or resample(\"" + freq + "\").on(\"ts\")");
        }
        Ops.check(frame.plan.schema, List.of(on), "resample");
        ColumnType t = frame.plan.schema.get(on);
        if (!Temporal.isTemporal(t) || Temporal.same(t, ColumnType.LOCAL_TIME)) {
            throw new IllegalArgumentException("resample bins a date or date-time column; '" + on + "' is " + t.name());
        }
        if (aggs.length == 0) throw new IllegalArgumentException("resample(...).agg needs at least one aggregation");
        List<Agg> list = List.of(aggs);
        for (Agg a : list) {
            if (!List.of("sum", "mean", "count", "min", "max", "std", "var", "size").contains(a.fn())) {
                throw new IllegalArgumentException("resample(...).agg supports sum, mean, count, min, max, std, var and size, not " + a.fn());
            }
        }
        Bins r = new Bins(on, t.name(), Temporal.frequencyMs(freq), list, new ArrayList<>(outNames(list)));
        LinkedHashMap<String, ColumnType> schema = new LinkedHashMap<>();
        schema.put(on, t);
        LinkedHashMap<String, ColumnType> in = frame.plan.schema;
        for (Agg a : list) {
            ColumnType ot = a.outType(in);
            if (schema.put(a.outName(), ot) != null) throw new IllegalArgumentException("two output columns named '" + a.outName() + "'; name one with .as(...)");
        }
        return new DataFrame(new ResamplePlan(frame.plan, r, schema), new FrameIndex(on, t.name(), null));
    }

    private static List<String> outNames(List<Agg> aggs) {
        List<String> out = new ArrayList<>();
        for (Agg a : aggs) out.add(a.outName());
        return out;
    }

    /** The per-bin partial states (a table: bin, then n/sum/sq/min/max per column). */
    record Bins(String on, String type, long freqMs, List<Agg> aggs, List<String> outCols) implements Reductions.Reduction<Table> {
        public String name() { return "resample"; }

        List<String> columns() {
            LinkedHashSet<String> s = new LinkedHashSet<>();
            for (Agg a : aggs) if (a.column() != null) s.add(a.column());
            return new ArrayList<>(s);
        }

        public Table chunk(Table t) {
            long[] ts = Temporal.epochMs(t.column(on));
            List<String> cols = columns();
            double[][] x = new double[cols.size()][];
            for (int c = 0; c < x.length; c++) x[c] = TimeSeries.values(t.column(cols.get(c)));
            Acc acc = new Acc(cols.size());
            long prevBin = Long.MIN_VALUE;
            int slot = -1;
            for (int i = 0; i < ts.length; i++) {
                if (ts[i] == Temporal.MISSING) continue;
                long bin = Math.floorDiv(ts[i], freqMs) * freqMs;
                if (bin != prevBin) { slot = acc.slot(bin); prevBin = bin; }
                acc.size[slot]++;
                for (int c = 0; c < x.length; c++) acc.add(slot, c, x[c][i]);
            }
            return acc.table(cols);
        }

        public Table combine(List<Table> parts) {
            List<String> cols = columns();
            Acc acc = new Acc(cols.size());
            for (Table p : parts) {
                LongColumn bins = p.longColumn("bin"), size = p.longColumn("size");
                for (int i = 0; i < p.rowCount(); i++) {
                    int slot = acc.slot(bins.getLong(i));
                    acc.size[slot] += size.getLong(i);
                    for (int c = 0; c < cols.size(); c++) {
                        String n = cols.get(c);
                        acc.merge(slot, c, p.doubleColumn(n + "#n").getDouble(i), p.doubleColumn(n + "#s").getDouble(i),
                                p.doubleColumn(n + "#q").getDouble(i), p.doubleColumn(n + "#min").getDouble(i), p.doubleColumn(n + "#max").getDouble(i));
                    }
                }
            }
            return acc.table(cols);
        }

        public Object finish(Table p) {
            List<String> cols = columns();
            int rows = p.rowCount();
            long[] bins = p.longColumn("bin").asLongArray();
            Integer[] order = new Integer[rows];
            for (int i = 0; i < rows; i++) order[i] = i;
            Arrays.sort(order, (a, b) -> Long.compare(bins[a], bins[b]));
            int nb = rows == 0 ? 0 : Math.toIntExact((bins[order[rows - 1]] - bins[order[0]]) / freqMs + 1);
            long first = rows == 0 ? 0 : bins[order[0]];
            int[] at = new int[nb];
            Arrays.fill(at, -1);
            for (int i = 0; i < rows; i++) at[(int) ((bins[i] - first) / freqMs)] = i;
            long[] outBins = new long[nb];
            for (int b = 0; b < nb; b++) outBins[b] = first + b * freqMs;
            return output(outBins, at, p);
        }
 
        /** The output table: every bin from the first to the last, {@code at[b]} its row in the partial (or -1). */
        Table output(long[] bins, int[] at, Table p) {
            int nb = bins.length;
            List<Column<?>> out = new ArrayList<>();
            out.add(Temporal.fromEpochMs(on, Dtypes.of(type), bins));
            for (Agg ag : aggs) {
                if (ag.fn().equals("size") || ag.fn().equals("count")) {
                    long[] v = new long[nb];
                    for (int b = 0; b < nb; b++) {
                        int i = at[b];
                        v[b] = i < 0 ? 0 : ag.fn().equals("size") ? p.longColumn("size").getLong(i) : (long) p.doubleColumn(ag.column() + "#n").getDouble(i);
                    }
                    out.add(LongColumn.create(ag.outName(), v));
                    continue;
                }
                double[] v = new double[nb];
                String c = ag.column();
                for (int b = 0; b < nb; b++) {
                    int i = at[b];
                    double cnt = i < 0 ? 0 : p.doubleColumn(c + "#n").getDouble(i);
                    if (cnt == 0) { v[b] = ag.fn().equals("sum") ? 0 : Double.NaN; continue; }
                    double s = p.doubleColumn(c + "#s").getDouble(i), q = p.doubleColumn(c + "#q").getDouble(i);
                    v[b] = switch (ag.fn()) {
                        case "sum" -> s;
                        case "mean" -> s / cnt;
                        case "min" -> p.doubleColumn(c + "#min").getDouble(i);
                        case "max" -> p.doubleColumn(c + "#max").getDouble(i);
                        default -> {
                            if (cnt < 2) yield Double.NaN;
                            double var = Math.max(0, (q - s * s / cnt) / (cnt - 1));
                            yield ag.fn().equals("std") ? Math.sqrt(var) : var;
                        }
                    };
                }
                out.add(DoubleColumn.create(ag.outName(), v));
            }
            return Table.create(out);
        }
    }

    /** Accumulators per bin slot. */
    static final class Acc {
        final Map<Long, Integer> slots = new HashMap<>();
        final int ncols;
        long[] bins = new long[16];
        long[] size = new long[16];
        double[][] n, s, q, min, max;
        int used;

        Acc(int ncols) {
            this.ncols = ncols;
            n = new double[ncols][16];
            s = new double[ncols][16];
            q = new double[ncols][16];
            min = new double[ncols][16];
            max = new double[ncols][16];
        }

        int slot(long bin) {
            Integer k = slots.get(bin);
            if (k != null) return k;
            if (used == bins.length) grow();
            bins[used] = bin;
            for (int c = 0; c < ncols; c++) {
                min[c][used] = Double.POSITIVE_INFINITY;
                max[c][used] = Double.NEGATIVE_INFINITY;
            }
            slots.put(bin, used);
            return used++;
        }

        private void grow() {
            int cap = bins.length * 2;
            bins = Arrays.copyOf(bins, cap);
            size = Arrays.copyOf(size, cap);
            for (int c = 0; c < ncols; c++) {
                n[c] = Arrays.copyOf(n[c], cap);
                s[c] = Arrays.copyOf(s[c], cap);
                q[c] = Arrays.copyOf(q[c], cap);
                min[c] = Arrays.copyOf(min[c], cap);
                max[c] = Arrays.copyOf(max[c], cap);
            }
        }

        void add(int slot, int c, double v) {
            if (v != v) return;
            n[c][slot]++;
            s[c][slot] += v;
            q[c][slot] += v * v;
            if (v < min[c][slot]) min[c][slot] = v;
            if (v > max[c][slot]) max[c][slot] = v;
        }

        void merge(int slot, int c, double cn, double cs, double cq, double cmin, double cmax) {
            n[c][slot] += cn;
            s[c][slot] += cs;
            q[c][slot] += cq;
            min[c][slot] = Math.min(min[c][slot], cmin);
            max[c][slot] = Math.max(max[c][slot], cmax);
        }

        Table table(List<String> cols) {
            List<Column<?>> out = new ArrayList<>();
            out.add(LongColumn.create("bin", Arrays.copyOf(bins, used)));
            out.add(LongColumn.create("size", Arrays.copyOf(size, used)));
            for (int c = 0; c < ncols; c++) {
                String name = cols.get(c);
                out.add(DoubleColumn.create(name + "#n", Arrays.copyOf(n[c], used)));
                out.add(DoubleColumn.create(name + "#s", Arrays.copyOf(s[c], used)));
                out.add(DoubleColumn.create(name + "#q", Arrays.copyOf(q[c], used)));
                out.add(DoubleColumn.create(name + "#min", Arrays.copyOf(min[c], used)));
                out.add(DoubleColumn.create(name + "#max", Arrays.copyOf(max[c], used)));
            }
            return Table.create(out);
        }
    }

    static final class ResamplePlan extends Plan {
        final Plan input;
        final Bins bins;

        ResamplePlan(Plan input, Bins bins, LinkedHashMap<String, ColumnType> schema) {
            super(schema, 1);
            this.input = input;
            this.bins = bins;
        }

        @Override Object identity() { return List.of("resample", bins.on(), bins.freqMs(), bins.aggs().toString(), input.token()); }

        @Override List<Key> lower(Set<String> required, Lowering lw) {
            Set<String> need = new LinkedHashSet<>(bins.columns());
            need.add(bins.on());
            List<Key> in = lw.keys(input, need);
            String name = "resample-" + token();
            return List.of(Plan.reduce(name, in, bins, 8, lw));
        }
    }
}

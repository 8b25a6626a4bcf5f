package org.jdask.dataframe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

/** describe()'s quartiles against NumPy's default (linear) percentile, written out as a loop. */
class DescribeTest {
    /** numpy.percentile(x, 100 q) with the default linear method, the oracle. */
    static double linear(double[] sorted, double q) {
        double rank = q * (sorted.length - 1);
        int lo = (int) Math.floor(rank), hi = (int) Math.ceil(rank);
        return sorted[lo] + (rank - lo) * (sorted[hi] - sorted[lo]);
    }

    static double[] quartiles(Table d, String column) {
        DoubleColumn c = d.doubleColumn(column);
        return new double[] {c.getDouble(4), c.getDouble(5), c.getDouble(6)};
    }

    @Test
    void quartilesOfOneToSixteenInterpolateLikePandas() {
        int[] v = new int[16];
        for (int i = 0; i < 16; i++) v[i] = i + 1;
        for (int parts : new int[] {1, 3, 16}) {
            Table t = Table.create("t", IntColumn.create("x", v));
            Table d = DataFrame.fromTable(t, parts).describe().compute(Map.of("scheduler", "sync"));
            assertEquals(List.of(4.75, 8.5, 12.25), Arrays.stream(quartiles(d, "x")).boxed().toList(), parts + " partitions");
            assertEquals(1.0, d.doubleColumn("x").getDouble(3));
            assertEquals(16.0, d.doubleColumn("x").getDouble(7));
        }
    }

    @Test
    void exactUpToKeepValuesWhateverThePartitioning() {
        Random r = new Random(7);
        for (int round = 0; round < 20; round++) {
            int n = 1 + r.nextInt(Describe.KEEP);
            double[] x = new double[n];
            for (int i = 0; i < n; i++) x[i] = Math.round(r.nextGaussian() * 1000) / 10.0;
            // some missing values, which describe() skips
            DoubleColumn col = DoubleColumn.create("x", x);
            double[] withMissing = x.clone();
            for (int i = 0; i < n; i += 7) col.setMissing(i);
            double[] present = new double[n - (n + 6) / 7];
            int o = 0;
            for (int i = 0; i < n; i++) if (i % 7 != 0) present[o++] = withMissing[i];
            if (present.length == 0) continue;
            Arrays.sort(present);
            Table d = DataFrame.fromTable(Table.create("t", col), 1 + r.nextInt(9)).describe().compute(Map.of("scheduler", "sync"));
            double[] got = quartiles(d, "x");
            for (int q = 0; q < 3; q++) assertEquals(linear(present, (q + 1) * 0.25), got[q], 1e-9, "n " + n + " quartile " + (q + 1));
        }
    }

    @Test
    void approximateBeyondKeepButClose() {
        // 50,000 values over 5 unequal partitions (weights differ per partition) stay within 0.5% of the range
        Random r = new Random(11);
        List<Table> parts = new ArrayList<>();
        List<Double> all = new ArrayList<>();
        for (int size : new int[] {30_000, 10, 15_000, 999, 4_000}) {
            double[] x = new double[size];
            for (int i = 0; i < size; i++) {
                x[i] = r.nextDouble() * r.nextDouble() * 100;
                all.add(x[i]);
            }
            parts.add(Table.create("t", DoubleColumn.create("x", x)));
        }
        double[] sorted = all.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double[] got = quartiles(DataFrame.fromTables(parts).describe().compute(Map.of("scheduler", "sync")), "x");
        for (int q = 0; q < 3; q++) {
            double exact = linear(sorted, (q + 1) * 0.25);
            assertTrue(Math.abs(exact - got[q]) < 0.005 * 100, "quartile " + (q + 1) + ": " + got[q] + " vs " + exact);
        }
    }

    @Test
    void sampleQuantileReadsWeightedCentres() {
        // two points standing for 3 rows each: ranks 0..5, centres 1 and 4
        Describe.Sample s = new Describe.Sample(new double[] {10, 40}, new double[] {3, 3});
        assertEquals(10.0, s.quantile(0.0));
        assertEquals(10.0, s.quantile(0.2));   // rank 1
        assertEquals(25.0, s.quantile(0.5));   // rank 2.5, halfway between the centres
        assertEquals(40.0, s.quantile(0.8));   // rank 4
        assertEquals(40.0, s.quantile(1.0));
        assertTrue(Double.isNaN(new Describe.Sample(new double[0], new double[0]).quantile(0.5)));
    }
}

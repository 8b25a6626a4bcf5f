package org.jdask.dataframe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tech.tablesaw.api.DateTimeColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.columns.Column;

/** {@link SortOrder} against a boxed stable sort of the column's values (missing last), on awkward columns. */
class SortOrderTest {
    /** The oracle: rows sorted by a comparator over the values, stable, missing rows last in row order. */
    static int[] oracle(Column<?> c, Comparator<Integer> byValue, boolean ascending) {
        Integer[] rows = new Integer[c.size()];
        for (int i = 0; i < rows.length; i++) rows[i] = i;
        Arrays.sort(rows, (x, y) -> {
            boolean mx = c.isMissing(x), my = c.isMissing(y);
            if (mx || my) return mx == my ? 0 : mx ? 1 : -1;
            return ascending ? byValue.compare(x, y) : byValue.compare(y, x);
        });
        return Arrays.stream(rows).mapToInt(Integer::intValue).toArray();
    }

    static void check(Column<?> c, Comparator<Integer> byValue) {
        for (boolean asc : new boolean[] {true, false}) assertArrayEquals(oracle(c, byValue, asc), SortOrder.of(c, asc), c.name() + " asc=" + asc);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 7, 1000})
    void longsIntsDoublesAndDateTimesSortLikeTheBoxedStableSort(int n) {
        SplittableRandom r = new SplittableRandom(n);
        LongColumn ids = LongColumn.create("ids"); // a shuffle's ids: packed path, with ties and missing
        LongColumn wide = LongColumn.create("wide"); // the whole long range: boxed path
        LongColumn dense = LongColumn.create("dense"); // nothing missing: packed in place
        IntColumn ints = IntColumn.create("ints");
        DoubleColumn ds = DoubleColumn.create("ds"); // negatives, -0.0, 0.0, infinities, NaN (missing)
        DateTimeColumn ts = DateTimeColumn.create("ts");
        double[] special = {-0.0, 0.0, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, -1e300, 1e-300, Double.NaN};
        for (int i = 0; i < n; i++) {
            if (r.nextInt(10) == 0) ids.appendMissing(); else ids.append(r.nextLong(50));
            if (r.nextInt(10) == 0) wide.appendMissing(); else wide.append(r.nextInt(3) == 0 ? Long.MAX_VALUE - r.nextInt(3) : r.nextLong() | 1);
            if (r.nextInt(10) == 0) ints.appendMissing(); else ints.append(r.nextInt(-20, 20));
            dense.append(r.nextLong(-1_000_000_000_000L, 1_000_000_000_000L) / (r.nextInt(4) + 1));
            ds.append(r.nextInt(3) == 0 ? special[r.nextInt(special.length)] : r.nextDouble(-5, 5));
            if (r.nextInt(10) == 0) ts.appendMissing(); else ts.append(LocalDateTime.of(2020, 1, 1, 0, 0).plusMinutes(r.nextInt(-100, 100)));
        }
        check(ids, Comparator.comparingLong(ids::getLong));
        check(wide, Comparator.comparingLong(wide::getLong));
        check(dense, Comparator.comparingLong(dense::getLong));
        check(ints, Comparator.comparingInt(ints::getInt));
        IntFunction<Double> d = ds::getDouble;
        check(ds, (x, y) -> Double.compare(d.apply(x), d.apply(y)));
        check(ts, (x, y) -> ts.get(x).compareTo(ts.get(y)));
    }
}

package org.jdask.dataframe;

import java.util.Arrays;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.ShortColumn;
import tech.tablesaw.columns.Column;

/**
 * The row order that sorts a column: stable (equal keys keep their row order), missing values
 * last in row order, ascending or descending.
 *
 * <h2>How it works</h2>
 * Each key becomes a {@code long} that orders as the key does (integers as they are, date-times as
 * epoch milliseconds, doubles by their bits with the sign folded in). When the keys' range and the
 * row numbers fit in 63 bits together ({@code (key - min) << rowBits | row}: a shuffle's int64 ids
 * below 10^12 with half a million rows take 40 + 19 bits), one {@code long[]} is sorted with the
 * JDK's primitive sort and the rows read from its low bits: ties break by row number, so the
 * order is stable. Otherwise (doubles spread over the whole line, huge ranges) the rows are sorted
 * as boxed {@code Integer}s with a comparator over the same keys.
 *
 * <p>Why: the boxed sort of a 420,000-row partition made 420,000 {@code Integer}s (~8 MB of
 * garbage) and spent most of a shuffle's sort time in {@code TimSort}; a 128 MiB worker of the 3x
 * shuffle collected it over and over (issue 15). The packed sort allocates one {@code long[]}.
 */
final class SortOrder {
    private SortOrder() {}

    /** Whether {@link #of} can sort {@code c}: numbers and date-times (others sort by their comparable values). */
    static boolean sorts(Column<?> c) {
        return Temporal.isTemporal(c.type()) || c instanceof NumericColumn<?>;
    }

    /** The rows of {@code c} (see {@link #sorts}) in sorted order. */
    static int[] of(Column<?> c, boolean ascending) {
        int n = c.size();
        long[] key = new long[n];
        boolean[] missing = new boolean[n];
        keys(c, key, missing);
        int present = 0;
        long min = Long.MAX_VALUE, max = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            if (missing[i]) continue;
            present++;
            min = Math.min(min, key[i]);
            max = Math.max(max, key[i]);
        }
        int[] order = new int[n];
        int rowBits = Math.max(1, 32 - Integer.numberOfLeadingZeros(Math.max(1, n - 1)));
        long range = max - min; // overflows (negative) only when the range needs all 64 bits
        if (present == 0 || range >= 0 && 64 - Long.numberOfLeadingZeros(range) + rowBits <= 63) {
            packed(key, missing, present, min, max, rowBits, ascending, order);
        } else {
            boxed(key, missing, ascending, order);
        }
        int at = present;
        for (int i = 0; i < n; i++) if (missing[i]) order[at++] = i;
        return order;
    }

    /** Fills {@code key} with longs that order as the column's values, and marks the missing ones. */
    private static void keys(Column<?> c, long[] key, boolean[] missing) {
        int n = key.length;
        if (Temporal.isTemporal(c.type())) {
            long[] ms = Temporal.epochMs(c);
            for (int i = 0; i < n; i++) {
                missing[i] = ms[i] == Temporal.MISSING;
                key[i] = ms[i];
            }
        } else if (c instanceof LongColumn || c instanceof IntColumn || c instanceof ShortColumn) {
            NumericColumn<?> num = (NumericColumn<?>) c;
            for (int i = 0; i < n; i++) {
                missing[i] = num.isMissing(i);
                key[i] = missing[i] ? 0 : c instanceof LongColumn l ? l.getLong(i) : (long) num.getDouble(i);
            }
        } else {
            double[] d = TimeSeries.values(c);
            for (int i = 0; i < n; i++) {
                missing[i] = d[i] != d[i];
                long bits = Double.doubleToLongBits(d[i]);
                key[i] = missing[i] ? 0 : bits ^ ((bits >> 63) & Long.MAX_VALUE); // negatives: magnitude reversed; -0.0 < 0.0 as Double.compare
            }
        }
    }

    private static void packed(long[] key, boolean[] missing, int present, long min, long max, int rowBits, boolean ascending, int[] order) {
        long[] packed = present == key.length ? key : new long[present]; // packed in place when nothing is missing (k == i)
        int k = 0;
        for (int i = 0; i < key.length; i++) {
            if (missing[i]) continue;
            long rel = ascending ? key[i] - min : max - key[i];
            packed[k++] = rel << rowBits | i;
        }
        Arrays.sort(packed);
        long rowMask = (1L << rowBits) - 1;
        for (int i = 0; i < present; i++) order[i] = (int) (packed[i] & rowMask);
    }

    private static void boxed(long[] key, boolean[] missing, boolean ascending, int[] order) {
        Integer[] rows = new Integer[key.length - count(missing)];
        int k = 0;
        for (int i = 0; i < key.length; i++) if (!missing[i]) rows[k++] = i;
        Arrays.sort(rows, (x, y) -> ascending ? Long.compare(key[x], key[y]) : Long.compare(key[y], key[x]));
        for (int i = 0; i < rows.length; i++) order[i] = rows[i];
    }

    private static int count(boolean[] flags) {
        int n = 0;
        for (boolean f : flags) if (f) n++;
        return n;
    }
}

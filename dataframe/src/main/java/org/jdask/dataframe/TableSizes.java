package org.jdask.dataframe;

import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * The bytes a Tablesaw table holds on the heap, counted from its columns' types and row counts
 * (a worker's managed size of a partition: issue 15 wants it exact for tables and cheap). Until
 * now a table was sized by encoding it to Arrow IPC into a null stream: a whole copy of every
 * result through Arrow's buffers, for a number; this reads a few fields.
 *
 * <p>A fixed-width column is {@code rows x byteSize} (its primitive array); a string column is its
 * per-row dictionary keys plus its distinct strings (sampled: up to {@link #SAMPLE} of them).
 */
final class TableSizes {
    private TableSizes() {}

    static final int SAMPLE = 16;
    /** A column object, its array header, and the table's share of bookkeeping. */
    static final long COLUMN_OVERHEAD = 64;

    static long of(Table t) {
        long n = 64;
        for (Column<?> c : t.columns()) n += of(c);
        return n;
    }

    static long of(Column<?> c) {
        int rows = c.size();
        if (!(c instanceof StringColumn s)) return COLUMN_OVERHEAD + (long) rows * c.type().byteSize();
        int unique = s.countUnique();
        long keys = (long) rows * 4; // the dictionary's int key per row (byte/short keys when few: an upper bound)
        if (unique == 0) return COLUMN_OVERHEAD + keys;
        long chars = 0;
        int seen = Math.min(SAMPLE, rows);
        for (int i = 0; i < seen; i++) chars += s.get(i).length();
        double perString = 56 + 2.0 * chars / Math.max(1, seen); // String + byte[] headers, the map's entries, Latin-1 or UTF-16
        return COLUMN_OVERHEAD + keys + (long) (unique * perString);
    }

    /** A split partition: the pieces it still holds. */
    static long of(Pieces p) {
        long n = 16L + 8L * p.size();
        for (int j = 0; j < p.size(); j++) {
            Table t = p.peek(j);
            if (t != null) n += of(t);
        }
        return n;
    }
}

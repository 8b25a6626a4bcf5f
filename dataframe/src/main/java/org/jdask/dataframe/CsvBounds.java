package org.jdask.dataframe;

import java.util.ArrayList;
import java.util.List;
import tech.tablesaw.api.Table;

/**
 * The first and last value of a column in each partition of a CSV read, from the first and the last
 * row of each file only (what {@code setIndex(column, true)} trusts, as Dask's {@code sorted=True}):
 * reads the head and the last 64 KiB of every file instead of parsing them. Only for reads whose
 * partitions are whole uncompressed files; null otherwise (the caller then reads the column).
 */
final class CsvBounds {
    private CsvBounds() {}

    static final int TAIL = 64 << 10;

    static List<List<Object>> of(Plan plan, String column) {
        if (!(plan instanceof Plan.Csv csv)) return null;
        CsvSpec spec = csv.spec;
        List<List<Object>> out = new ArrayList<>();
        for (int[] p : spec.partitions()) {
            String f = spec.files().get(p[0]);
            if (p[2] != 1 || CsvFiles.compressed(f)) return null;
            try {
                out.add(file(spec, f, column));
            } catch (RuntimeException e) {
                return null; // an odd first or last line: the caller reads the whole column instead
            }
        }
        return out;
    }

    private static List<Object> file(CsvSpec spec, String f, String column) {
        CsvOptions o = spec.options();
        long size = CsvFiles.size(f);
        byte[] head = CsvFiles.head(f, (int) Math.min(size, TAIL));
        int from = Inference.skipLines(head, o.skipRows);
        if (o.comment != 0) from = CsvTasks.skipComments(head, from, (byte) o.comment);
        if (o.header) from = CsvTasks.headerEnd(head, from, (byte) o.quote);
        if (o.comment != 0) from = CsvTasks.skipComments(head, from, (byte) o.comment);
        int firstEnd = from;
        while (firstEnd < head.length && head[firstEnd] != '\n') firstEnd++;
        if (from >= head.length || firstEnd == head.length && head.length < size) {
            if (from >= head.length && head.length == size) return new ArrayList<>(java.util.Arrays.asList(null, null, -1, 0, List.of()));
            throw new IllegalStateException("no complete first row in the head of " + f);
        }
        Object first = key(spec, column, head, from, firstEnd, f);
        long tailFrom = Math.max(0, size - TAIL);
        byte[] tail = CsvFiles.range(f, tailFrom, size);
        int end = tail.length;
        while (end > 0 && (tail[end - 1] == '\n' || tail[end - 1] == '\r')) end--;
        int start = end;
        while (start > 0 && tail[start - 1] != '\n') start--;
        if (start == 0 && tailFrom > 0) throw new IllegalStateException("no complete last row in the tail of " + f);
        if (tailFrom + start < from) start = (int) (from - tailFrom); // a one-row file
        Object last = key(spec, column, tail, start, end, f);
        return new ArrayList<>(java.util.Arrays.asList(first, last, -1, -1, List.of()));
    }

    private static Object key(CsvSpec spec, String column, byte[] b, int from, int to, String f) {
        Table t = new CsvChunkParser(spec, List.of(column)).parse(b, from, to, f, 0, 0);
        if (t.rowCount() != 1) throw new IllegalStateException("not one row");
        Object k = FrameIndex.keyAt(t.column(column), 0);
        if (k == null) throw new IllegalStateException("a missing index value at a file boundary");
        return k;
    }
}

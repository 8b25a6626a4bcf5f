package org.jdask.dataframe;

import java.util.List;
import org.jdask.fn.FnN;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** The task functions of {@link DataFrame#readCsv}: plain serializable records. */
final class CsvTasks {
    private CsvTasks() {}

    /** Row-start offsets of one big uncompressed file (see {@link CsvFiles#divisions}). */
    record Divisions(String file, int nblocks, long blocksize, byte quote, byte sep) implements FnN {
        @Override public Object invoke(Object[] a) { return CsvFiles.divisions(file, nblocks, blocksize, quote, sep); }
        @Override public int arity() { return 0; }
        @Override public String toString() { return "csv-divisions"; }
    }

    /** Reads and parses one partition: a whole file, or block {@code block} of a split one. */
    record ReadBlock(CsvSpec spec, int file, int block, int nblocks, List<String> columns) implements FnN {
        @Override
        public Object invoke(Object[] a) {
            String f = spec.files().get(file);
            byte[] b;
            long line;
            if (nblocks == 1) {
                b = CsvFiles.readAll(f);
                line = 1;
            } else {
                long[][] d = (long[][]) a[0];
                b = CsvFiles.range(f, d[0][block], d[0][block + 1]);
                line = d[1][block];
            }
            int from = 0;
            CsvOptions o = spec.options();
            if (block == 0 && o.header) {
                from = headerEnd(b, (byte) o.quote);
                List<List<String>> h = Inference.rows(b, 0, from, (byte) o.separator, (byte) o.quote, o.encoding(), false, 1);
                List<String> names = h.isEmpty() ? List.of() : h.get(0);
                if (o.names == null && !names.equals(spec.fileColumns())) {
                    throw new CsvParseException(f, 1, null, String.join(",", names), null, null, f + " line 1: the header "
                            + names + " differs from the first file's " + spec.fileColumns() + " (" + spec.files().get(0)
                            + "); read files with different columns separately");
                }
                for (int i = 0; i < from; i++) if (b[i] == '\n') line++;
            }
            CsvChunkParser p = new CsvChunkParser(spec, columns);
            Table t = p.parse(b, from, b.length, f, line);
            String pathCol = o.pathColumn;
            if (pathCol != null && columns.contains(pathCol)) {
                StringColumn pc = StringColumn.create(pathCol);
                for (int i = 0, n = t.rowCount(); i < n; i++) pc.append(f);
                t.addColumns(pc);
            }
            return t;
        }

        @Override public int arity() { return 1; }
        @Override public String toString() { return "read-csv"; }
    }

    /** Index just past the first row (quotes honoured), or the length when there is one line. */
    static int headerEnd(byte[] b, byte quote) {
        boolean q = false;
        for (int i = 0; i < b.length; i++) {
            byte c = b[i];
            if (c == quote) q = !q;
            else if (c == '\n' && !q) return i + 1;
        }
        return b.length;
    }
}

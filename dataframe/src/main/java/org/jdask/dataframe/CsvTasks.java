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
    record ReadBlock(CsvSpec spec, int file, int block, int nblocks, List<String> columns, boolean countBadLines) implements FnN {
        ReadBlock(CsvSpec spec, int file, int block, int nblocks, List<String> columns) {
            this(spec, file, block, nblocks, columns, false);
        }

        @Override
        public Object invoke(Object[] a) {
            String f = spec.files().get(file);
            byte[] b;
            long line;
            long base = 0;
            if (nblocks == 1) {
                b = CsvFiles.readAll(f);
                line = 1;
            } else {
                long[][] d = (long[][]) a[0];
                base = d[0][block];
                b = CsvFiles.range(f, base, d[0][block + 1]);
                line = d[1][block];
            }
            int from = 0;
            CsvOptions o = spec.options();
            if (block == 0) {
                from = Inference.skipLines(b, o.skipRows);
                if (o.comment != 0) from = skipComments(b, from, (byte) o.comment);
            }
            if (block == 0 && o.header) {
                int start = from;
                from = headerEnd(b, from, (byte) o.quote);
                List<List<String>> h = Inference.rows(b, start, from, o, false, 1);
                List<String> names = h.isEmpty() ? List.of() : h.get(0);
                if (o.names == null && !names.equals(spec.fileColumns())) {
                    throw new CsvParseException(f, 1, null, String.join(",", names), null, null, f + " line 1: the header "
                            + names + " differs from the first file's " + spec.fileColumns() + " (" + spec.files().get(0)
                            + "); read files with different columns separately");
                }
            }
            for (int i = 0; i < from; i++) if (b[i] == '\n') line++;
            CsvChunkParser p = new CsvChunkParser(spec, columns);
            Table t = p.parse(b, from, b.length, f, line, base);
            if (countBadLines) {
                Table c = Table.create(tech.tablesaw.api.LongColumn.create("bad_lines", new long[] {p.badLines()}));
                return c;
            }
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

    /** Index past whole lines starting with {@code comment} from {@code p}. */
    static int skipComments(byte[] b, int p, byte comment) {
        while (p < b.length && b[p] == comment) {
            while (p < b.length && b[p] != '\n') p++;
            if (p < b.length) p++;
        }
        return p;
    }

    /** Index just past the first row (quotes honoured), or the length when there is one line. */
    static int headerEnd(byte[] b, int from, byte quote) {
        boolean q = false;
        for (int i = from; i < b.length; i++) {
            byte c = b[i];
            if (c == quote) q = !q;
            else if (c == '\n' && !q) return i + 1;
        }
        return b.length;
    }
}

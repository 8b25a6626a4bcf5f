package org.jdask.dataframe;

import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tech.tablesaw.api.ColumnType;

/** Type inference from a sample, and a simple row tokenizer for headers and samples. */
final class Inference {
    private Inference() {}

    /** The narrowest of INTEGER, LONG, DOUBLE, BOOLEAN, STRING that holds {@code s}. */
    static ColumnType typeOf(String s) {
        String t = s.trim();
        if (t.isEmpty()) return ColumnType.STRING;
        try {
            long v = Long.parseLong(t);
            return v > Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? ColumnType.INTEGER : ColumnType.LONG;
        } catch (NumberFormatException ignored) {
            // not an integer
        }
        try {
            Double.parseDouble(t);
            return ColumnType.DOUBLE;
        } catch (NumberFormatException ignored) {
            // not a number
        }
        if (t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false")) return ColumnType.BOOLEAN;
        return ColumnType.STRING;
    }

    /** A number written with {@code thousands}/{@code decimal} options, in Java's notation (other text unchanged). */
    static String numeric(String v, CsvOptions o) {
        if (o.thousands == 0 && o.decimal == '.') return v;
        String t = v;
        if (o.thousands != 0) t = t.replace(String.valueOf(o.thousands), "");
        if (o.decimal != '.') t = t.replace(o.decimal, '.');
        return typeOf(t) == ColumnType.STRING ? v : t;
    }

    /** Lines to skip at the start of a file ({@code skipRows}): the index after them. */
    static int skipLines(byte[] b, int n) {
        int p = 0;
        for (int k = 0; k < n && p < b.length; k++) {
            while (p < b.length && b[p] != '\n') p++;
            if (p < b.length) p++;
        }
        return p;
    }

    /** Joins two observed types; null means "nothing seen yet". */
    static ColumnType join(ColumnType a, ColumnType b) {
        if (a == null) return b;
        if (a == b) return a;
        if (Dtypes.isNumeric(a) && Dtypes.isNumeric(b)) {
            if (a == ColumnType.DOUBLE || b == ColumnType.DOUBLE) return ColumnType.DOUBLE;
            return ColumnType.LONG;
        }
        return ColumnType.STRING;
    }

    /**
     * Splits {@code b[from, to)} into rows of fields (quotes honoured). Stops before an incomplete
     * last row when {@code partial} is true (a sample cut mid-row). {@code maxRows} < 0: all.
     */
    static List<List<String>> rows(byte[] b, int from, int to, CsvOptions o, boolean partial, int maxRows) {
        byte sep = (byte) o.separator, quote = (byte) o.quote, esc = (byte) o.escape, comment = (byte) o.comment;
        Charset cs = o.encoding();
        List<List<String>> rows = new ArrayList<>();
        int p = from;
        java.io.ByteArrayOutputStream field = new java.io.ByteArrayOutputStream();
        while (p < to && (maxRows < 0 || rows.size() < maxRows)) {
            if (b[p] == '\n') { p++; continue; }
            if (b[p] == '\r' && p + 1 < to && b[p + 1] == '\n') { p += 2; continue; }
            if (comment != 0 && b[p] == comment) {
                while (p < to && b[p] != '\n') p++;
                continue;
            }
            List<String> row = new ArrayList<>();
            boolean complete = false;
            while (true) {
                field.reset();
                if (p < to && b[p] == quote) {
                    int q = p + 1;
                    boolean closed = false;
                    while (q < to) {
                        if (esc != quote && b[q] == esc && q + 1 < to) { field.write(b[q + 1]); q += 2; continue; }
                        if (b[q] == quote) {
                            if (q + 1 < to && b[q + 1] == quote) { field.write(quote); q += 2; continue; }
                            closed = true;
                            break;
                        }
                        field.write(b[q++]);
                    }
                    if (!closed) return rows; // cut inside a quoted field
                    p = q + 1;
                    while (p < to && b[p] != sep && b[p] != '\n') p++;
                } else {
                    int s = p;
                    while (p < to && b[p] != sep && b[p] != '\n') p++;
                    int e = p;
                    if (e > s && b[e - 1] == '\r') e--;
                    field.write(b, s, e - s);
                }
                row.add(field.toString(cs));
                if (p >= to) break;
                if (b[p] == sep) { p++; continue; }
                p++;
                complete = true;
                break;
            }
            if (!complete && partial) break;
            rows.add(row);
        }
        return rows;
    }

    /** Infers each column's type from sample rows; NA strings are skipped; all-NA columns are STRING. */
    static List<ColumnType> infer(List<String> names, List<List<String>> rows, Set<String> na, CsvOptions o) {
        ColumnType[] t = new ColumnType[names.size()];
        for (List<String> r : rows) {
            for (int i = 0; i < t.length && i < r.size(); i++) {
                String v = r.get(i);
                if (na.contains(v)) continue;
                if (t[i] == ColumnType.STRING) continue;
                t[i] = join(t[i], typeOf(numeric(v, o)));
            }
        }
        List<ColumnType> out = new ArrayList<>();
        for (ColumnType c : t) out.add(c == null ? ColumnType.STRING : c);
        return out;
    }
}

package org.jdask.dataframe;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.DateColumn;
import tech.tablesaw.api.DateTimeColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.InstantColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.api.TimeColumn;
import tech.tablesaw.columns.Column;

/**
 * Parses a byte range of CSV straight into Tablesaw columns, materializing only the wanted
 * columns (the others are only scanned past).
 *
 * <p>How it works: one pass over the bytes, field by field. An unquoted field is the run up to
 * the next separator or newline; a quoted field runs to its closing quote ({@code ""} is an
 * escaped quote, newlines inside count as lines). Wanted fields go to a typed builder that parses
 * the bytes in place: integers and simple decimals without making a {@code String} (a decimal
 * with at most 18 significant digits and a power of ten within 10^22 is exact as {@code m / 10^k}
 * or {@code m * 10^k}, else {@link Double#parseDouble}), strings through a small byte-keyed cache so
 * a repeated code ({@code "SFO"}) is decoded once per chunk. A value that does not parse and is not
 * an NA string fails with {@link CsvParseException} naming file, line, column, value, the expected
 * type and the {@code dtype} option that fixes it; a row with the wrong number of fields names the
 * file and line. Not thread-safe: one parser per task.
 */
final class CsvChunkParser {
    private final byte sep;
    private final byte quote;
    private final String[] fileCols;
    private final ColumnType[] fileTypes;
    /** Per file column: index among the outputs, or -1 when the column is skipped. */
    private final int[] out;
    private final String[] outNames;
    private final Charset cs;
    private final byte[][] na;
    private final int maxNa;
    private final String inferredFrom;
    private final byte esc;
    private final byte comment;
    private final byte thousands;
    private final byte decimal;
    private final boolean normalize;
    private final boolean skipBad;
    private final boolean warnBad;
    private final boolean strictText;
    private final DateFormat[] formats;
    private final CharsetDecoder decoder;
    private long badLines;
    private long base;
    private byte[] scratch = new byte[256];

    CsvChunkParser(CsvSpec spec, List<String> wanted) {
        CsvOptions o = spec.options();
        this.sep = (byte) o.separator;
        this.quote = (byte) o.quote;
        this.fileCols = spec.fileColumns().toArray(new String[0]);
        this.fileTypes = new ColumnType[fileCols.length];
        for (int i = 0; i < fileCols.length; i++) fileTypes[i] = Dtypes.of(spec.fileTypes().get(i));
        this.out = new int[fileCols.length];
        Arrays.fill(out, -1);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < fileCols.length; i++) {
            if (wanted.contains(fileCols[i])) {
                out[i] = names.size();
                names.add(fileCols[i]);
            }
        }
        this.outNames = names.toArray(new String[0]);
        this.cs = o.encoding();
        this.na = o.naValues.stream().map(s -> s.getBytes(cs)).toArray(byte[][]::new);
        int m = 0;
        for (byte[] n : na) m = Math.max(m, n.length);
        this.maxNa = m;
        this.inferredFrom = spec.inferredFrom();
        this.esc = (byte) o.escape;
        this.comment = (byte) o.comment;
        this.thousands = (byte) o.thousands;
        this.decimal = (byte) o.decimal;
        this.normalize = o.thousands != 0 || o.decimal != '.';
        this.skipBad = !o.onBadLines.equals("error");
        this.warnBad = o.onBadLines.equals("warn");
        this.strictText = o.encodingErrors.equals("strict");
        this.formats = spec.formats() == null ? new DateFormat[fileCols.length] : spec.formats().toArray(new DateFormat[0]);
        this.decoder = cs.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    /** Rows dropped by {@code onBadLines("skip"|"warn")} in the last {@link #parse}. */
    long badLines() {
        return badLines;
    }

    /** Column names in file order that this parser materializes. */
    String[] outNames() {
        return outNames;
    }

    /**
     * Rows to size the column builders for: the range's bytes over the mean line length of its
     * first 64 KiB, plus an eighth (a builder that must grow copies itself once; one sized for 4
     * bytes a field held three times the rows of a typical numeric file, which on a small worker is
     * the difference between a read that fits and one that runs out of heap: issue 15).
     */
    static int rowEstimate(byte[] b, int from, int to, int ncol) {
        int fallback = Math.max(16, (to - from) / Math.max(8, ncol * 4));
        int end = Math.min(to, from + (64 << 10)), lines = 0;
        for (int i = from; i < end; i++) if (b[i] == '\n') lines++;
        if (lines < 8) return fallback; // too few lines to judge (or one huge field): the old bound
        double perLine = (double) (end - from) / lines;
        long est = (long) ((to - from) / perLine * 1.125) + 16;
        return (int) Math.min(Integer.MAX_VALUE - 16, est);
    }

    /**
     * Parses rows in {@code b[from, to)}; {@code firstLine} is the 1-based line number of the byte at
     * {@code from}. Blank lines are skipped.
     */
    Table parse(byte[] b, int from, int to, String file, long firstLine, long baseOffset) {
        int ncol = fileCols.length;
        int estimate = rowEstimate(b, from, to, ncol);
        Builder[] builders = new Builder[outNames.length];
        int[] wanted = new int[outNames.length];
        for (int i = 0; i < ncol; i++) {
            if (out[i] >= 0) {
                builders[out[i]] = builder(i, estimate);
                wanted[out[i]] = i;
            }
        }
        int p = from;
        line = firstLine;
        base = baseOffset;
        badLines = 0;
        int rows = 0;
        final byte sep = this.sep;
        rows:
        while (p < to) {
            byte first = b[p];
            if (first == '\n') { p++; line++; continue; }
            if (first == '\r' && p + 1 < to && b[p + 1] == '\n') { p += 2; line++; continue; }
            if (first == comment && comment != 0) {
                while (p < to && b[p] != '\n') p++;
                continue;
            }
            long rowLine = line;
            int rowStart = p;
            try {
                int col = 0;
                for (int wi = 0; wi < wanted.length; wi++) {
                    int w = wanted[wi];
                    if (w > col) {
                        int r = skipFields(b, p, to, w - col, file, rowLine);
                        if (r < 0) throw ragged(file, rowLine, col + (w - col - remaining) + 1, ncol);
                        p = r;
                        col = w;
                    }
                    p = field(b, p, to, builders[wi], col, file, rowLine);
                    col++;
                    if (p < to && b[p] == sep) {
                        p++;
                        if (p >= to) { // a trailing separator at the very end: one more empty field
                            if (col < ncol && out[col] >= 0) builders[out[col]].missing();
                            col++;
                            if (col != ncol) throw ragged(file, rowLine, col, ncol);
                            for (int rest = wi + 1; rest < wanted.length; rest++) if (wanted[rest] != col - 1) throw ragged(file, rowLine, col, ncol);
                            rows++;
                            break rows;
                        }
                    } else {
                        if (col != ncol) throw ragged(file, rowLine, col, ncol);
                        if (p < to) { p++; line++; }
                        rows++;
                        continue rows;
                    }
                }
                // past the last wanted field, just after a separator: the rest of the row
                if (col >= ncol) throw ragged(file, rowLine, col + 1, ncol);
                int r = skipFields(b, p, to, ncol - col, file, rowLine);
                if (r >= 0 || remaining != 1) throw ragged(file, rowLine, r >= 0 ? ncol + 1 : ncol - remaining + 1, ncol);
                p = -r - 1;
                if (p < to) { p++; line++; }
                rows++;
            } catch (RaggedRow e) {
                if (!skipBad) throw e;
                badLines++;
                if (warnBad) LOG.warn("skipped a bad line (onBadLines(\"warn\")): {}", e.getMessage().substring(0, e.getMessage().indexOf("; fix:")));
                for (Builder bl : builders) bl.truncate(rows);
                line = rowLine;
                int r = skipFields(b, rowStart, to, Integer.MAX_VALUE, file, rowLine);
                p = -r - 1;
                if (p < to) { p++; line++; }
            }
        }
        List<Column<?>> cols = new ArrayList<>(builders.length);
        for (int i = 0; i < builders.length; i++) cols.add(builders[i].build(outNames[i]));
        return Table.create(cols);
    }

    private long line;
    private int remaining;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CsvChunkParser.class);

    /** A row with the wrong number of fields (what {@code onBadLines} skips). */
    static final class RaggedRow extends CsvParseException {
        RaggedRow(String file, long line, String message) {
            super(file, line, null, null, null, ".onBadLines(\"skip\")", message);
        }
    }

    private RaggedRow ragged(String file, long rowLine, int fields, int ncol) {
        return new RaggedRow(file, rowLine, file + " line " + rowLine + ": row has " + fields
                + " field(s), expected " + ncol + " (" + String.join(",", fileCols) + "); fix: quote fields that contain '"
                + (char) sep + "', or add .onBadLines(\"skip\") (or \"warn\") to the CsvOptions to drop such rows");
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;
    private static final long NL8 = 0x0A0A0A0A0A0A0A0AL;

    /** High bit set in each byte of {@code w} equal to the byte repeated in {@code pattern} (exact). */
    private static long eq(long w, long pattern) {
        long y = w ^ pattern;
        long t = (y & LOW7) + LOW7;
        return ~(t | y | LOW7);
    }

    /**
     * From a field start, skips {@code k} fields: returns the start of the field after the k-th
     * separator, or, when the row ends first, {@code -(end + 1)} where end is the newline's index
     * (or {@code to}) with {@link #remaining} = fields still wanted (1 means the row ended exactly
     * after k - 1 separators). Eight bytes at a time while no quote is in sight.
     */
    private int skipFields(byte[] b, int p, int to, int k, String file, long rowLine) {
        final long sp8 = (sep & 0xFFL) * 0x0101010101010101L, q8 = (quote & 0xFFL) * 0x0101010101010101L;
        final int start = p;
        while (true) {
            if (p + 8 <= to) {
                long w = (long) LONGS.get(b, p);
                if (eq(w, q8) == 0) {
                    long nl = eq(w, NL8), sp = eq(w, sp8);
                    if (nl != 0) sp &= (nl & -nl) - 1;
                    int c = Long.bitCount(sp);
                    if (c >= k) {
                        for (int j = 1; j < k; j++) sp &= sp - 1;
                        return p + (Long.numberOfTrailingZeros(sp) >>> 3) + 1;
                    }
                    if (nl != 0) {
                        remaining = k - c;
                        return -(p + (Long.numberOfTrailingZeros(nl) >>> 3)) - 1;
                    }
                    k -= c;
                    p += 8;
                    continue;
                }
            }
            if (p >= to) {
                remaining = k;
                return -to - 1;
            }
            byte c = b[p];
            if (c == quote && (p == start || b[p - 1] == sep)) { // quotes open a field only at its start
                p++;
                while (true) {
                    if (p >= to) throw new CsvParseException(file, rowLine, null, null, null, null, file + " line " + rowLine + ": unterminated quoted field");
                    byte d = b[p];
                    if (d == esc && esc != quote && p + 1 < to) { p += 2; continue; }
                    if (d == quote) {
                        if (p + 1 < to && b[p + 1] == quote) { p += 2; continue; }
                        p++;
                        break;
                    }
                    if (d == '\n') line++;
                    p++;
                }
                continue;
            }
            if (c == sep) {
                if (--k == 0) return p + 1;
            } else if (c == '\n') {
                remaining = k;
                return -p - 1;
            }
            p++;
        }
    }

    /** Parses the field starting at {@code p} into {@code bld}; returns the index of the delimiter after it. */
    private int field(byte[] b, int p, int to, Builder bld, int col, String file, long rowLine) {
        byte[] src = b;
        int fs, fe;
        if (p < to && b[p] == quote) {
            int q = p + 1;
            boolean escaped = false;
            while (true) {
                if (q >= to) throw new CsvParseException(file, rowLine, fileCols[col], null, null, null,
                        file + " line " + rowLine + ": unterminated quoted field in column '" + fileCols[col] + "'");
                byte c = b[q];
                if (c == esc && esc != quote && q + 1 < to) { escaped = true; q += 2; continue; }
                if (c == quote) {
                    if (q + 1 < to && b[q + 1] == quote) { escaped = true; q += 2; continue; }
                    break;
                }
                if (c == '\n') line++;
                q++;
            }
            fs = p + 1;
            fe = q;
            p = q + 1;
            if (escaped) {
                src = unescape(b, fs, fe);
                fe = unescapedLength;
                fs = 0;
            }
            if (p < to && b[p] == '\r' && p + 1 < to && b[p + 1] == '\n') p++;
            if (p < to && b[p] != sep && b[p] != '\n') {
                throw new CsvParseException(file, line, fileCols[col], null, null, null, file + " line " + line
                        + ": unexpected character '" + (char) (b[p] & 0xff) + "' after a closing quote in column '" + fileCols[col] + "'");
            }
        } else {
            fs = p;
            final byte sep = this.sep;
            while (p < to) {
                byte c = b[p];
                if (c == sep || c == '\n') break;
                p++;
            }
            fe = p;
            if (fe > fs && b[fe - 1] == '\r' && (p >= to || b[p] == '\n')) fe--;
        }
        if (normalize && bld.numeric() && fe > fs) {
            src = normalizeNumber(src, fs, fe);
            fe = unescapedLength;
            fs = 0;
        }
        textAt = fs;
        textFile = file;
        textLine = rowLine;
        textCol = col;
        textSrc = src == b ? 0 : -1;
        if (!bld.add(src, fs, fe - fs)) {
            byte[] copy = Arrays.copyOfRange(src, fs, fe);
            if (isNa(copy, 0, copy.length)) bld.missing();
            else throw badValue(file, rowLine, col, new String(copy, cs), src == b ? base + fs : -1);
        }
        return p;
    }

    private int unescapedLength;
    // where the field being added starts (for encoding errors): offset in the chunk (or -1), file, line, column
    private int textAt;
    private int textSrc;
    private String textFile;
    private long textLine;
    private int textCol;

    /** The number without thousands separators and with '.' as the decimal mark (into the scratch). */
    private byte[] normalizeNumber(byte[] b, int fs, int fe) {
        byte[] out = new byte[fe - fs];
        int w = 0;
        for (int i = fs; i < fe; i++) {
            byte c = b[i];
            if (c == thousands && thousands != 0) continue;
            out[w++] = c == decimal ? (byte) '.' : c;
        }
        unescapedLength = w;
        return out;
    }

    /** Decodes text, failing on invalid bytes unless {@code encodingErrors("replace")}. */
    private String decode(byte[] b, int off, int len) {
        if (strictText) {
            boolean ascii = true;
            for (int i = off, end = off + len; i < end; i++) if (b[i] < 0) { ascii = false; break; }
            if (!ascii) {
                try {
                    return decoder.reset().decode(java.nio.ByteBuffer.wrap(b, off, len)).toString();
                } catch (CharacterCodingException e) {
                    int bad = off;
                    try {
                        decoder.reset();
                        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(b, off, len);
                        java.nio.CharBuffer outBuf = java.nio.CharBuffer.allocate(len);
                        java.nio.charset.CoderResult r = decoder.decode(in, outBuf, true);
                        bad = r.isError() ? in.position() : off;
                    } catch (RuntimeException ignored) {
                        // keep the field start
                    }
                    String where = textSrc == 0 ? ", byte offset " + (base + bad) : "";
                    String name = fileCols[textCol];
                    String fix = ".encoding(StandardCharsets.ISO_8859_1)";
                    throw new CsvParseException(textFile, textLine, name, null, null, fix, textFile + " line " + textLine
                            + ", column '" + name + "'" + where + ": bytes that are not valid " + cs.name()
                            + "; fix: add " + fix + " (or the file's real encoding) to the CsvOptions, or .encodingErrors(\"replace\") to read them as U+FFFD");
                }
            }
        }
        return new String(b, off, len, cs);
    }

    private byte[] unescape(byte[] b, int fs, int fe) {
        if (scratch.length < fe - fs) scratch = new byte[Math.max(fe - fs, scratch.length * 2)];
        int w = 0;
        for (int i = fs; i < fe; i++) {
            byte c = b[i];
            if (c == esc && esc != quote && i + 1 < fe) c = b[++i];
            else if (c == quote) i++;
            scratch[w++] = c;
        }
        unescapedLength = w;
        return scratch;
    }

    private boolean isNa(byte[] b, int off, int len) {
        if (len > maxNa) return false;
        for (byte[] n : na) if (n.length == len && Arrays.equals(n, 0, len, b, off, off + len)) return true;
        return false;
    }

    private CsvParseException badValue(String file, long line, int col, String value, long offset) {
        String at = offset < 0 ? "" : " (" + (CsvFiles.compressed(file) ? "decompressed " : "") + "byte offset " + offset + ")";
        String name = fileCols[col];
        ColumnType expected = fileTypes[col];
        if (Temporal.isTemporal(expected)) {
            DateFormat f = formats[col] == null ? new DateFormat("iso", null) : formats[col];
            boolean noZone = Temporal.same(expected, ColumnType.INSTANT) && f.parse(value.getBytes(cs), 0, value.getBytes(cs).length, ColumnType.LOCAL_DATE_TIME) != DateFormat.FAIL;
            String option = noZone ? Dtypes.option(name, ColumnType.LOCAL_DATE_TIME) : ".dateFormat(\"" + name + "\", \"<pattern>\")";
            String why = noZone ? "a date-time without a zone (Z or +hh:mm), but column '" + name + "' is INSTANT, which needs one"
                    : "expected " + expected.name() + " written as " + f.describe();
            return new CsvParseException(file, line, name, value, expected.name(), option,
                    file + " line " + line + ", column '" + name + "'" + at + ": found \"" + value + "\", " + why + " (" + (formats[col] != null && f.kind().equals("pattern")
                    ? "given by dateFormat" : "format " + inferredFrom) + "); fix: add " + option + " to the CsvOptions"
                    + (noZone ? " to read it as local time" : ", or list \"" + value + "\" in naValues(...)"));
        }
        ColumnType fits = Inference.typeOf(value);
        ColumnType fix = fits == ColumnType.INTEGER || fits == ColumnType.LONG
                ? (expected == ColumnType.INTEGER ? ColumnType.LONG : ColumnType.DOUBLE)
                : fits == ColumnType.DOUBLE && Dtypes.isNumeric(expected) ? ColumnType.DOUBLE : ColumnType.STRING;
        String option = Dtypes.option(name, fix);
        return new CsvParseException(file, line, name, value, expected.name(), option,
                file + " line " + line + ", column '" + name + "'" + at + ": found \"" + value + "\", expected " + expected.name()
                        + " (" + inferredFrom + "); fix: add " + option + " to the CsvOptions"
                        + (fits == ColumnType.STRING && Dtypes.isNumeric(expected) ? " or list \"" + value + "\" in naValues(...)" : ""));
    }

    private Builder builder(int col, int estimate) {
        ColumnType t = fileTypes[col];
        if (t == ColumnType.INTEGER || t == ColumnType.SHORT) return new IntBuilder(estimate);
        if (t == ColumnType.LONG) return new LongBuilder(estimate);
        if (t == ColumnType.DOUBLE || t == ColumnType.FLOAT) return new DoubleBuilder(estimate);
        if (t == ColumnType.BOOLEAN) return new BoolBuilder();
        if (t == ColumnType.STRING) return new StringBuilder();
        if (Temporal.isTemporal(t)) return new TemporalBuilder(t, formats[col] == null ? new DateFormat("iso", null) : formats[col], estimate);
        throw new IllegalArgumentException("CSV reading supports INTEGER, LONG, DOUBLE, BOOLEAN, STRING, LOCAL_DATE, LOCAL_DATE_TIME, "
                + "INSTANT and LOCAL_TIME columns, not " + t.name());
    }

    // ------------------------------------------------------------------ builders

    private abstract static class Builder {
        /** Appends the value, or returns false when the bytes do not parse (caller checks NA). */
        abstract boolean add(byte[] b, int off, int len);
        abstract void missing();
        abstract Column<?> build(String name);
        /** Drops values past the first {@code rows} (a bad row being skipped). */
        abstract void truncate(int rows);
        boolean numeric() { return false; }
    }

    /** Dates and times parsed in place into Tablesaw's packed longs (ints for dates and times of day). */
    private final class TemporalBuilder extends Builder {
        final ColumnType type;
        final DateFormat format;
        long[] v;
        int n;
        TemporalBuilder(ColumnType type, DateFormat format, int cap) { this.type = type; this.format = format; v = new long[cap]; }

        @Override boolean add(byte[] b, int off, int len) {
            if (len == 0) { missing(); return true; }
            long x = format.parse(b, off, len, type);
            if (x == DateFormat.FAIL || x == DateFormat.NO_ZONE) {
                if (isNa(b, off, len)) { missing(); return true; }
                return false;
            }
            if (n == v.length) v = Arrays.copyOf(v, n * 2);
            v[n++] = x;
            return true;
        }
        @Override void missing() {
            if (n == v.length) v = Arrays.copyOf(v, n * 2);
            v[n++] = Long.MIN_VALUE;
        }
        @Override void truncate(int rows) { n = Math.min(n, rows); }
        @Override Column<?> build(String name) {
            if (Temporal.same(type, ColumnType.LOCAL_DATE_TIME)) return DateTimeColumn.createInternal(name, Arrays.copyOf(v, n));
            if (Temporal.same(type, ColumnType.INSTANT)) return InstantColumn.createInternal(name, Arrays.copyOf(v, n));
            int[] iv = new int[n];
            for (int i = 0; i < n; i++) iv[i] = v[i] == Long.MIN_VALUE ? Integer.MIN_VALUE : (int) v[i];
            return Temporal.same(type, ColumnType.LOCAL_DATE) ? DateColumn.createInternal(name, iv) : TimeColumn.createInternal(name, iv);
        }
    }

    private final class IntBuilder extends Builder {
        int[] v;
        int n;
        IntBuilder(int cap) { v = new int[cap]; }

        @Override boolean add(byte[] b, int off, int len) {
            if (len == 0) { missing(); return true; }
            int i = off, end = off + len;
            boolean neg = false;
            byte c = b[i];
            if (c == '-') { neg = true; i++; } else if (c == '+') i++;
            if (i == end || end - i > 10) return false;
            long x = 0;
            for (; i < end; i++) {
                int d = b[i] - '0';
                if (d < 0 || d > 9) return false;
                x = x * 10 + d;
            }
            if (neg) x = -x;
            if (x <= Integer.MIN_VALUE || x > Integer.MAX_VALUE) return false;
            if (n == v.length) v = Arrays.copyOf(v, n * 2);
            v[n++] = (int) x;
            return true;
        }
        @Override void missing() {
            if (n == v.length) v = Arrays.copyOf(v, n * 2);
            v[n++] = Integer.MIN_VALUE;
        }
        @Override Column<?> build(String name) { return IntColumn.create(name, n == v.length ? v : Arrays.copyOf(v, n)); }
        @Override void truncate(int rows) { n = Math.min(n, rows); }
        @Override boolean numeric() { return true; }
    }

    private final class LongBuilder extends Builder {
        long[] v;
        int n;
        LongBuilder(int cap) { v = new long[cap]; }

        @Override boolean add(byte[] b, int off, int len) {
            if (len == 0) { missing(); return true; }
            int i = off, end = off + len;
            boolean neg = false;
            byte c = b[i];
            if (c == '-') { neg = true; i++; } else if (c == '+') i++;
            if (i == end || end - i > 19) return false;
            long x = 0;
            for (; i < end; i++) {
                int d = b[i] - '0';
                if (d < 0 || d > 9) return false;
                x = x * 10 + d;
                if (x < 0) return false;
            }
            if (neg) x = -x;
            if (x == Long.MIN_VALUE) return false;
            if (n == v.length) v = Arrays.copyOf(v, n * 2);
            v[n++] = x;
            return true;
        }
        @Override void missing() {
            if (n == v.length) v = Arrays.copyOf(v, n * 2);
            v[n++] = Long.MIN_VALUE;
        }
        @Override Column<?> build(String name) { return LongColumn.create(name, n == v.length ? v : Arrays.copyOf(v, n)); }
        @Override void truncate(int rows) { n = Math.min(n, rows); }
        @Override boolean numeric() { return true; }
    }

    private static final double[] POW10 = new double[23];
    static {
        double p = 1;
        for (int i = 0; i < POW10.length; i++) { POW10[i] = p; p *= 10; }
    }

    /** Parses a decimal in place; NaN when it is not one (callers fall back to the JDK). */
    static double parseDouble(byte[] b, int off, int len) {
        int i = off, end = off + len;
        boolean neg = false;
        byte c = b[i];
        if (c == '-') { neg = true; i++; } else if (c == '+') i++;
        long m = 0;
        int digits = 0, scale = 0;
        boolean any = false;
        for (; i < end; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) break;
            any = true;
            if (m != 0 || d != 0) digits++;
            m = m * 10 + d;
        }
        if (i < end && b[i] == '.') {
            i++;
            for (; i < end; i++) {
                int d = b[i] - '0';
                if (d < 0 || d > 9) break;
                any = true;
                if (m != 0 || d != 0) digits++;
                m = m * 10 + d;
                scale++;
            }
        }
        if (!any || digits > 18) return Double.NaN;
        int exp = 0;
        if (i < end && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            boolean eneg = false;
            if (i < end && (b[i] == '-' || b[i] == '+')) { eneg = b[i] == '-'; i++; }
            if (i == end) return Double.NaN;
            for (; i < end; i++) {
                int d = b[i] - '0';
                if (d < 0 || d > 9 || exp > 1000) return Double.NaN;
                exp = exp * 10 + d;
            }
            if (eneg) exp = -exp;
        }
        if (i != end) return Double.NaN;
        int e = exp - scale;
        if (m >= (1L << 53) || e < -22 || e > 22) return Double.NaN;
        double v = e >= 0 ? m * POW10[e] : m / POW10[-e];
        return neg ? -v : v;
    }

    private final class DoubleBuilder extends Builder {
        double[] v;
        int n;
        DoubleBuilder(int cap) { v = new double[cap]; }

        @Override boolean add(byte[] b, int off, int len) {
            if (len == 0) { missing(); return true; }
            double x = parseDouble(b, off, len);
            if (x != x) {
                if (isNa(b, off, len)) { missing(); return true; }
                try {
                    x = Double.parseDouble(new String(b, off, len, cs).trim());
                } catch (NumberFormatException e) {
                    return false;
                }
            }
            if (n == v.length) v = Arrays.copyOf(v, n * 2);
            v[n++] = x;
            return true;
        }
        @Override void missing() {
            if (n == v.length) v = Arrays.copyOf(v, n * 2);
            v[n++] = Double.NaN;
        }
        @Override Column<?> build(String name) { return DoubleColumn.create(name, n == v.length ? v : Arrays.copyOf(v, n)); }
        @Override void truncate(int rows) { n = Math.min(n, rows); }
        @Override boolean numeric() { return true; }
    }

    private final class BoolBuilder extends Builder {
        BooleanColumn c = BooleanColumn.create("b");

        @Override boolean add(byte[] b, int off, int len) {
            String s = new String(b, off, len, cs);
            if (s.equalsIgnoreCase("true")) c.append(true);
            else if (s.equalsIgnoreCase("false")) c.append(false);
            else if (isNa(b, off, len)) c.appendMissing();
            else return false;
            return true;
        }
        @Override void missing() { c.appendMissing(); }
        @Override Column<?> build(String name) { return c.setName(name); }
        @Override void truncate(int rows) { if (c.size() > rows) c = c.first(rows); }
    }

    /**
     * Strings as dictionary codes: a field's bytes are looked up among the distinct values seen so
     * far in the chunk ({@link FieldCodes}: no {@code String} per row, no Tablesaw lookup per row,
     * the NA values compared only once per distinct value); each distinct value is decoded once, and
     * the column is built from the codes at the end ({@link DictStrings}).
     */
    private final class StringBuilder extends Builder {
        final DictStrings.Builder dict = new DictStrings.Builder();
        final FieldCodes codes = new FieldCodes();
        int[] rows = new int[1024];
        int n;

        private void put(int code) {
            if (n == rows.length) rows = Arrays.copyOf(rows, n * 2);
            rows[n++] = code;
        }

        /** Non-null once the chunk has more than 65,534 distinct values: rows are appended to it directly. */
        StringColumn wide;

        @Override boolean add(byte[] b, int off, int len) {
            if (wide != null) return addWide(b, off, len);
            int code = codes.get(b, off, len);
            if (code == FieldCodes.ABSENT) { // a value not seen in this chunk: NA or a new dictionary entry
                if (isNa(b, off, len)) {
                    code = -1;
                } else if (dict.size() >= 65_534) { // high cardinality (ids, timestamps): Tablesaw's own column from here on
                    goWide();
                    return addWide(b, off, len);
                } else {
                    code = dict.codeOf(decode(b, off, len));
                }
                codes.put(b, off, len, code);
            }
            put(code);
            return true;
        }

        @Override void missing() {
            if (wide != null) wide.appendMissing();
            else put(-1);
        }
        /**
         * Switches to appending to a Tablesaw column: for a high-cardinality column Tablesaw drops its
         * dictionary, and building one in bulk here measured 6x slower (1 M distinct timestamps read
         * as strings: 3.1 s vs 0.47 s).
         */
        private void goWide() {
            String[] v = dict.values();
            wide = StringColumn.create("s");
            for (int i = 0; i < n; i++) {
                if (rows[i] < 0) wide.appendMissing();
                else wide.append(v[rows[i]]);
            }
        }

        private boolean addWide(byte[] b, int off, int len) {
            if (len <= maxNa && isNa(b, off, len)) wide.appendMissing();
            else wide.append(decode(b, off, len));
            return true;
        }

        @Override Column<?> build(String name) {
            return wide != null ? wide.setName(name) : DictStrings.column(name, dict, rows, n);
        }
        @Override void truncate(int keep) {
            if (wide != null) {
                if (wide.size() > keep) wide = wide.first(keep);
            } else {
                n = Math.min(n, keep);
            }
        }
    }
}

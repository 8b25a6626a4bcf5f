package org.jdask.dataframe;

import java.io.Serializable;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdask.graph.Tokenizable;
import tech.tablesaw.api.ColumnType;

/**
 * Options of {@link DataFrame#readCsv}: an immutable value, each setter returns a changed copy
 * (so {@code CsvOptions.defaults()} can be shared).
 *
 * <pre>{@code
 * CsvOptions.defaults().encoding(StandardCharsets.ISO_8859_1).dtype("Distance", ColumnType.DOUBLE)
 *     .naValues("NA", "").usecols("Origin", "Dest", "DepDelay").blocksize(64 << 20)
 * }</pre>
 *
 * <p>Defaults: UTF-8, a header line, separator {@code ','}, quote {@code '"'}, NA strings {@code ""},
 * {@code NA}, {@code N/A}, {@code NaN}, {@code null}; blocksize 64 MiB (uncompressed files bigger
 * than this are split at row boundaries, quoted newlines respected; compressed files are one
 * partition each); types inferred from the first {@code sampleBytes} (256 KiB) of the first file.
 */
public final class CsvOptions implements Serializable, Tokenizable {
    private static final long serialVersionUID = 1L;
    private static final CsvOptions DEFAULTS = new CsvOptions();

    String charset = StandardCharsets.UTF_8.name();
    boolean header = true;
    char separator = ',';
    char quote = '"';
    LinkedHashMap<String, String> dtypes = new LinkedHashMap<>();
    LinkedHashSet<String> naValues = new LinkedHashSet<>(List.of("", "NA", "N/A", "NaN", "null"));
    List<String> usecols;
    List<String> names;
    String pathColumn;
    long blocksize = 64L << 20;
    int sampleBytes = 256 << 10;
    /** Escape character inside quoted fields; equal to {@code quote} means the doubled-quote rule. */
    char escape = '"';
    /** Lines starting with this character are skipped; 0 = none. */
    char comment;
    int skipRows;
    /** Thousands separator stripped from numbers; 0 = none. */
    char thousands;
    char decimal = '.';
    LinkedHashSet<String> parseDates = new LinkedHashSet<>();
    LinkedHashMap<String, String> dateFormats = new LinkedHashMap<>();
    String onBadLines = "error";
    String encodingErrors = "strict";

    private CsvOptions() {}

    /** The defaults (see the class comment). */
    public static CsvOptions defaults() {
        return DEFAULTS;
    }

    private CsvOptions copy() {
        CsvOptions c = new CsvOptions();
        c.charset = charset;
        c.header = header;
        c.separator = separator;
        c.quote = quote;
        c.dtypes = new LinkedHashMap<>(dtypes);
        c.naValues = new LinkedHashSet<>(naValues);
        c.usecols = usecols;
        c.names = names;
        c.pathColumn = pathColumn;
        c.blocksize = blocksize;
        c.sampleBytes = sampleBytes;
        c.escape = escape == quote ? c.quote : escape;
        c.comment = comment;
        c.skipRows = skipRows;
        c.thousands = thousands;
        c.decimal = decimal;
        c.parseDates = new LinkedHashSet<>(parseDates);
        c.dateFormats = new LinkedHashMap<>(dateFormats);
        c.onBadLines = onBadLines;
        c.encodingErrors = encodingErrors;
        return c;
    }

    /** Text encoding; must be ASCII-compatible (UTF-8, ISO-8859-x, windows-125x...). */
    public CsvOptions encoding(Charset cs) {
        if (!cs.newEncoder().canEncode(',') || ",".getBytes(cs).length != 1 || "\n".getBytes(cs).length != 1) {
            throw new IllegalArgumentException("encoding " + cs + " is not ASCII-compatible; CSV files must use an "
                    + "ASCII-compatible encoding such as UTF-8 or ISO-8859-1");
        }
        CsvOptions c = copy();
        c.charset = cs.name();
        return c;
    }

    /** Whether the first line of each file holds column names (default true). */
    public CsvOptions header(boolean hasHeader) {
        CsvOptions c = copy();
        c.header = hasHeader;
        return c;
    }

    /** Column names for files without a header (implies {@code header(false)} unless set after). */
    public CsvOptions names(String... columnNames) {
        CsvOptions c = copy();
        c.names = List.of(columnNames);
        c.header = false;
        return c;
    }

    /** Field separator (default {@code ','}). */
    public CsvOptions separator(char sep) {
        if (sep == '\n' || sep == '\r' || sep == quote || sep > 127) throw new IllegalArgumentException("bad separator " + (int) sep);
        CsvOptions c = copy();
        c.separator = sep;
        return c;
    }

    /** Sets the type of one column (overrides inference). */
    public CsvOptions dtype(String column, ColumnType type) {
        CsvOptions c = copy();
        c.dtypes.put(column, Dtypes.name(type));
        return c;
    }

    /** Strings read as missing values (replaces the defaults). */
    public CsvOptions naValues(String... na) {
        CsvOptions c = copy();
        c.naValues = new LinkedHashSet<>(Arrays.asList(na));
        return c;
    }

    /** Reads only these columns (in file order). */
    public CsvOptions usecols(String... columns) {
        CsvOptions c = copy();
        c.usecols = List.of(columns);
        return c;
    }

    /** Adds a STRING column {@code name} holding each row's file path. */
    public CsvOptions includePathColumn(String name) {
        CsvOptions c = copy();
        c.pathColumn = name;
        return c;
    }

    /** Adds a STRING column {@code "path"} holding each row's file path. */
    public CsvOptions includePathColumn(boolean include) {
        return includePathColumn(include ? "path" : null);
    }

    /** Target partition size in bytes for uncompressed files (default 64 MiB). */
    public CsvOptions blocksize(long bytes) {
        if (bytes < 1) throw new IllegalArgumentException("blocksize must be >= 1, got " + bytes);
        CsvOptions c = copy();
        c.blocksize = bytes;
        return c;
    }

    /** How many bytes of the first file are read to infer column types (default 256 KiB). */
    public CsvOptions sampleBytes(int bytes) {
        if (bytes < 1) throw new IllegalArgumentException("sampleBytes must be >= 1, got " + bytes);
        CsvOptions c = copy();
        c.sampleBytes = bytes;
        return c;
    }

    /** Quote character (default {@code '"'}); a field starting with it runs to the closing one. */
    public CsvOptions quote(char q) {
        if (q == '\n' || q == '\r' || q == separator || q > 127) throw new IllegalArgumentException("bad quote character " + (int) q);
        CsvOptions c = copy();
        if (c.escape == c.quote) c.escape = q;
        c.quote = q;
        return c;
    }

    /**
     * Escape character inside quoted fields (e.g. {@code '\\'} for {@code "a \"b\""}); the default is
     * the quote itself (a doubled quote {@code ""} is one quote).
     */
    public CsvOptions escape(char e) {
        if (e == '\n' || e == '\r' || e == separator || e > 127) throw new IllegalArgumentException("bad escape character " + (int) e);
        CsvOptions c = copy();
        c.escape = e;
        return c;
    }

    /** Lines whose first character is {@code ch} are skipped (whole lines only, not the end of a line). */
    public CsvOptions comment(char ch) {
        if (ch == '\n' || ch == '\r' || ch == separator || ch == quote || ch > 127) throw new IllegalArgumentException("bad comment character " + (int) ch);
        CsvOptions c = copy();
        c.comment = ch;
        return c;
    }

    /** Skips the first {@code n} lines of every file (before the header). */
    public CsvOptions skipRows(int n) {
        if (n < 0) throw new IllegalArgumentException("skipRows must be >= 0, got " + n);
        CsvOptions c = copy();
        c.skipRows = n;
        return c;
    }

    /** Thousands separator inside numbers ({@code 1,234,567} with {@code thousands(',')}; quote such fields when it is the separator). */
    public CsvOptions thousands(char ch) {
        if (ch == '\n' || ch == '\r' || ch > 127) throw new IllegalArgumentException("bad thousands character " + (int) ch);
        CsvOptions c = copy();
        c.thousands = ch;
        return c;
    }

    /** Decimal mark of numbers (default {@code '.'}; {@code ','} for {@code 3,14}). */
    public CsvOptions decimal(char ch) {
        if (ch == '\n' || ch == '\r' || ch > 127) throw new IllegalArgumentException("bad decimal character " + (int) ch);
        CsvOptions c = copy();
        c.decimal = ch;
        return c;
    }

    /**
     * Parses these columns as dates or times; the format and the type (LOCAL_DATE, LOCAL_DATE_TIME,
     * INSTANT when the values carry a zone or are epoch numbers, LOCAL_TIME) are inferred from the
     * sample. Set a type with {@link #dtype} or a format with {@link #dateFormat} to override.
     */
    public CsvOptions parseDates(String... columns) {
        CsvOptions c = copy();
        c.parseDates.addAll(Arrays.asList(columns));
        return c;
    }

    /**
     * Parses {@code column} with a {@link java.time.format.DateTimeFormatter} pattern (e.g. {@code
     * "dd.MM.yyyy HH:mm"}); implies {@code parseDates(column)}.
     */
    public CsvOptions dateFormat(String column, String pattern) {
        try {
            java.time.format.DateTimeFormatter.ofPattern(pattern);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("dateFormat(\"" + column + "\", \"" + pattern + "\"): " + e.getMessage(), e);
        }
        CsvOptions c = copy();
        c.parseDates.add(column);
        c.dateFormats.put(column, pattern);
        return c;
    }

    /**
     * What to do with a row whose number of fields is wrong: {@code "error"} (default: fail naming
     * file and line), {@code "skip"} (drop it) or {@code "warn"} (drop it and log file and line).
     * {@link DataFrame#badLines()} counts the dropped rows.
     */
    public CsvOptions onBadLines(String action) {
        if (!List.of("error", "skip", "warn").contains(action)) {
            throw new IllegalArgumentException("onBadLines must be \"error\", \"skip\" or \"warn\", got \"" + action + "\"");
        }
        CsvOptions c = copy();
        c.onBadLines = action;
        return c;
    }

    /**
     * What to do with bytes that are not valid in the encoding: {@code "strict"} (default: fail
     * naming file, line and byte offset) or {@code "replace"} (U+FFFD, as Java's decoders do).
     */
    public CsvOptions encodingErrors(String action) {
        if (!List.of("strict", "replace").contains(action)) {
            throw new IllegalArgumentException("encodingErrors must be \"strict\" or \"replace\", got \"" + action + "\"");
        }
        CsvOptions c = copy();
        c.encodingErrors = action;
        return c;
    }

    public Charset encoding() {
        return Charset.forName(charset);
    }

    public long blocksize() {
        return blocksize;
    }

    public Map<String, String> dtypes() {
        return java.util.Collections.unmodifiableMap(dtypes);
    }

    public Set<String> naValues() {
        return java.util.Collections.unmodifiableSet(naValues);
    }

    @Override
    public Object tokenIdentity() {
        return List.of(charset, header, String.valueOf(separator), String.valueOf(quote), new ArrayList<>(dtypes.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).toList()), new ArrayList<>(naValues),
                usecols == null ? List.of() : usecols, names == null ? List.of() : names,
                pathColumn == null ? "" : pathColumn, blocksize, sampleBytes, List.of(String.valueOf(escape), (int) comment, skipRows,
                        (int) thousands, String.valueOf(decimal), new ArrayList<>(parseDates), new ArrayList<>(dateFormats.entrySet().stream()
                                .map(e -> e.getKey() + "=" + e.getValue()).toList()), onBadLines, encodingErrors));
    }

    @Override
    public String toString() {
        return "CsvOptions" + tokenIdentity();
    }
}

package org.jdask.dataframe;

import org.jdask.JdaskException;

/**
 * A CSV value or row that does not fit what {@link DataFrame#readCsv} expects: names the file, the
 * 1-based line, the column, the value found and the expected type, and how to fix it (usually a
 * {@code dtype(...)} option, since types are inferred from a sample of the first file).
 */
public class CsvParseException extends JdaskException {
    private final String file;
    private final long line;
    private final String column;
    private final String value;
    private final String expectedType;
    private final String fix;

    public CsvParseException(String file, long line, String column, String value, String expectedType, String fix, String message) {
        super(message);
        this.file = file;
        this.line = line;
        this.column = column;
        this.value = value;
        this.expectedType = expectedType;
        this.fix = fix;
    }

    /** The file (path as given by the glob). */
    public String file() { return file; }
    /** 1-based line number in the (decompressed) file. */
    public long line() { return line; }
    /** The column name, or null for a whole-row problem (a ragged row). */
    public String column() { return column; }
    /** The offending text, or null. */
    public String value() { return value; }
    /** The type the column was expected to have, or null. */
    public String expectedType() { return expectedType; }
    /** The option that fixes it (e.g. {@code .dtype("DepDelay", ColumnType.DOUBLE)}), or null. */
    public String fix() { return fix; }
}

package org.jdask.notebooks;

import java.nio.file.Path;
import org.jdask.JdaskException;

/**
 * A notebook cell failed: it did not compile, threw, or ran past its timeout. The message names
 * the notebook, the cell number (1-based, counting every cell), the line in the cell and its text,
 * then the compiler's diagnostics or the exception with its stack (frames in notebook code shown
 * as {@code (cell 4, line 2)}), then whatever the cell printed before it failed.
 */
public final class CellFailedException extends JdaskException {
    private static final long serialVersionUID = 1L;

    private final Path file;
    private final int cell;
    private final int line;
    private final String detail;

    CellFailedException(Path file, int cell, int line, String sourceLine, String detail) {
        super(file + ": cell " + cell + " failed at line " + line + ": " + sourceLine.strip() + "\n" + detail);
        this.file = file;
        this.cell = cell;
        this.line = line;
        this.detail = detail;
    }

    /** The notebook file. */
    public Path file() {
        return file;
    }

    /** The failing cell's number (1-based, among all cells). */
    public int cell() {
        return cell;
    }

    /** The line in the cell (1-based) where it failed. */
    public int line() {
        return line;
    }

    /** The diagnostics or the exception and stack, without the location header. */
    public String detail() {
        return detail;
    }
}

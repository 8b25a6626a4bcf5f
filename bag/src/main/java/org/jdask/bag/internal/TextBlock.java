package org.jdask.bag.internal;

import java.io.Serializable;

/**
 * One piece of one text file that a {@code readText} partition reads: the lines that start in
 * bytes {@code [start, end)} of {@code path} ({@code end = -1}: to the end of the file). A line
 * belongs to the block its first byte is in, so consecutive blocks neither lose nor repeat a
 * line wherever the boundaries fall.
 *
 * @param path the file, as listed when the bag was built
 * @param start first byte (0 for compressed files, which are never split)
 * @param end byte after the block, or -1 for the end of the file
 * @param compression {@code none}, {@code gzip}, {@code bz2}, {@code xz} or {@code zstd}
 * @param charset the charset name
 * @param includePath whether each record is a {@code (line, path)} entry instead of the line
 */
public record TextBlock(String path, long start, long end, String compression, String charset, boolean includePath)
        implements Serializable {
    @Override
    public String toString() {
        return path + (start == 0 && end < 0 ? "" : "[" + start + ":" + (end < 0 ? "" : end) + "]");
    }
}

package org.jdask.bag;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Options of {@link Bag#readText(String, TextOptions)}, immutable with withers:
 * {@code TextOptions.defaults().blocksize(64 << 20).encoding("ISO-8859-1")}.
 *
 * <ul>
 *   <li>{@code blocksize} (bytes, 0 = off): split each uncompressed file into blocks of about this
 *       size, one partition each, cut at line boundaries (a line belongs to the block its first
 *       byte is in). Compressed files cannot be split: a blocksize with a compressed file fails when
 *       the bag is built, naming the file (as Dask refuses).
 *   <li>{@code encoding}: the files' charset (UTF-8 by default); bytes it cannot decode fail the
 *       read with the file, byte offset and line.
 *   <li>{@code filesPerPartition}: without a blocksize, this many files make one partition.
 *   <li>{@code compression}: null (by suffix, the default) or forced for every file.
 * </ul>
 */
public record TextOptions(long blocksize, Charset encoding, int filesPerPartition, Compression compression) {
    public TextOptions {
        if (blocksize < 0) throw new IllegalArgumentException("blocksize must be >= 0 (0 = one block per file), got " + blocksize);
        if (encoding == null) throw new IllegalArgumentException("encoding must not be null");
        if (filesPerPartition < 1) throw new IllegalArgumentException("filesPerPartition must be >= 1, got " + filesPerPartition);
        if (blocksize > 0 && filesPerPartition > 1) {
            throw new IllegalArgumentException("blocksize and filesPerPartition > 1 cannot be combined (blocks split files, "
                    + "filesPerPartition groups them)");
        }
    }

    /** One partition per file, UTF-8, compression by suffix. */
    public static TextOptions defaults() {
        return new TextOptions(0, StandardCharsets.UTF_8, 1, null);
    }

    public TextOptions blocksize(long bytes) {
        return new TextOptions(bytes, encoding, filesPerPartition, compression);
    }

    public TextOptions encoding(String charsetName) {
        return encoding(Charset.forName(charsetName));
    }

    public TextOptions encoding(Charset charset) {
        return new TextOptions(blocksize, charset, filesPerPartition, compression);
    }

    public TextOptions filesPerPartition(int n) {
        return new TextOptions(blocksize, encoding, n, compression);
    }

    public TextOptions compression(Compression c) {
        return new TextOptions(blocksize, encoding, filesPerPartition, c);
    }
}

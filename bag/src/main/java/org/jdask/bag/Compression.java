package org.jdask.bag;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;

/**
 * Compression of text files, chosen by file suffix unless given: {@code .gz} (JDK), {@code .bz2}
 * and {@code .xz} (commons-compress), {@code .zst} (zstd-jni). Compressed files are read whole
 * (one block each): their bytes cannot be split at arbitrary offsets.
 */
public enum Compression {
    NONE("none", ""), GZIP("gzip", ".gz"), BZIP2("bz2", ".bz2"), XZ("xz", ".xz"), ZSTD("zstd", ".zst");

    private final String id;
    private final String suffix;

    Compression(String id, String suffix) {
        this.id = id;
        this.suffix = suffix;
    }

    /** The compression a file name's suffix implies ({@link #NONE} for any other suffix). */
    public static Compression forPath(String path) {
        String p = path.toLowerCase(Locale.ROOT);
        for (Compression c : values()) if (c != NONE && p.endsWith(c.suffix)) return c;
        if (p.endsWith(".zstd")) return ZSTD;
        if (p.endsWith(".bzip2")) return BZIP2;
        return NONE;
    }

    /** The id used inside tasks: {@code none}, {@code gzip}, {@code bz2}, {@code xz}, {@code zstd}. */
    public String id() {
        return id;
    }

    /** The usual file suffix ({@code ""} for none). */
    public String suffix() {
        return suffix;
    }

    static Compression ofId(String id) {
        for (Compression c : values()) if (c.id.equals(id)) return c;
        throw new IllegalArgumentException("unknown compression '" + id + "'");
    }

    /** Wraps {@code out} in this compressor. */
    OutputStream wrap(OutputStream out) throws IOException {
        return switch (this) {
            case NONE -> out;
            case GZIP -> new GZIPOutputStream(out, 1 << 16);
            case BZIP2 -> new BZip2CompressorOutputStream(out);
            case XZ -> new XZCompressorOutputStream(out);
            case ZSTD -> new com.github.luben.zstd.ZstdOutputStream(out);
        };
    }
}

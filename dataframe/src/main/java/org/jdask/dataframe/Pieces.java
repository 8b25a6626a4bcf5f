package org.jdask.dataframe;

import tech.tablesaw.api.Table;

/**
 * A partition split into pieces for a shuffle (hash, range or index split): piece {@code j} goes
 * to output partition {@code j} ({@link GroupBy.Pick}). Its own type so that {@link PiecesCodec}
 * writes it table by table: spilled to disk or sent, a split of 100 pieces is never one whole
 * frame on the heap (as {@code Table[]}, Fory built it in a growing buffer and copied it twice,
 * the largest thing a 128 MiB worker held during the 3x shuffle: issue 15).
 */
final class Pieces {
    private final Table[] parts;

    Pieces(Table[] parts) {
        this.parts = parts;
    }

    Table get(int j) {
        return parts[j];
    }

    int size() {
        return parts.length;
    }

    @Override
    public String toString() {
        return "Pieces(" + parts.length + ")";
    }
}

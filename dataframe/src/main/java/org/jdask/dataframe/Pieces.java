package org.jdask.dataframe;

import tech.tablesaw.api.Table;

/**
 * A partition split into pieces for a shuffle (hash, range or index split): piece {@code j} goes
 * to output partition {@code j} ({@link GroupBy.Pick}). Its own type so that {@link PiecesCodec}
 * writes it table by table: spilled to disk or sent, a split of 100 pieces is never one whole
 * frame on the heap (as {@code Table[]}, Fory built it in a growing buffer and copied it twice,
 * the largest thing a 128 MiB worker held during the 3x shuffle: issue 15).
 *
 * <p>A pick {@link #take takes} its piece: the split lets go of it, so the piece's rows are held
 * (and counted by a worker's memory manager, {@link TableSizes#of(Pieces)}) once — by the pick's
 * result — not twice, and spilling the pick's result frees them. Each piece is taken once (each
 * pick task runs once per split; a recomputed pick recomputes its split, or reads a copy of it
 * that a peer fetched).
 */
final class Pieces {
    private final Table[] parts;

    Pieces(Table[] parts) {
        this.parts = parts;
    }

    /** Piece {@code j}, which this split no longer holds afterwards. */
    synchronized Table take(int j) {
        Table t = parts[j];
        if (t == null) {
            throw new IllegalStateException("piece " + j + " of this split partition (" + parts.length + " pieces) was already taken by its "
                    + "pick task: a split hands each piece over once (recompute the split to pick it again)");
        }
        parts[j] = null;
        return t;
    }

    /** Piece {@code j} if this split still holds it, else null; it stays here. */
    synchronized Table peek(int j) {
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

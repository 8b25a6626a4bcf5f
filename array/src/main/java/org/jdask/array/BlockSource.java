package org.jdask.array;

import java.io.Serializable;

/**
 * A layer whose blocks are generated from nothing but their position (random draws, constants),
 * drawn strip by strip along axis 0. Reductions read such an array straight from its source:
 * each block's partial is folded over strips of about 1 MB instead of materializing the block,
 * so {@code random.normal(...).mean(axis)} needs memory for a strip, not for a block (and the
 * strip stays in cache while it is reduced). The values are exactly the block's values.
 */
interface BlockSource extends Serializable {
    /** The reader of block {@code idx} (shape {@code blockShape}); strips come in order. */
    StripReader open(int[] idx, int[] blockShape);

    interface StripReader {
        /**
         * The next {@code rows} rows (along axis 0) of the block. The strip may live in a buffer
         * the reader reuses: it is valid until the next call (reductions consume it at once).
         */
        NDArray next(int rows);
    }
}

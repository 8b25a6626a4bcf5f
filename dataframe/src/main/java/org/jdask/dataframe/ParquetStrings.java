package org.jdask.dataframe;

import java.util.Arrays;
import java.util.IdentityHashMap;
import org.apache.parquet.io.api.Binary;
import tech.tablesaw.api.StringColumn;

/**
 * One Parquet string column read into codes. Parquet's reader hands each row of a dictionary page
 * the dictionary's own {@link Binary} instance, so an identity lookup finds the code of a row
 * without decoding its UTF-8 again: each dictionary value is decoded once per page dictionary.
 * Plain (non-dictionary) pages give a new {@code Binary} per row: those are decoded and looked up
 * by value, and the identity map stops growing past {@link #IDENTITY_CAP} entries so a
 * high-cardinality column does not keep one entry per row.
 */
final class ParquetStrings {
    static final int IDENTITY_CAP = 1 << 16;

    private final DictStrings.Builder dict = new DictStrings.Builder();
    private final IdentityHashMap<Binary, Integer> seen = new IdentityHashMap<>();
    private int[] codes = new int[1024];

    /** Row {@code r}'s value: a {@code Binary}, a {@code String} or null (missing). */
    void add(int r, Object v) {
        if (r == codes.length) codes = Arrays.copyOf(codes, r * 2);
        int c;
        if (v == null) {
            c = -1;
        } else if (v instanceof Binary b) {
            Integer known = seen.get(b);
            if (known != null) {
                c = known;
            } else {
                c = dict.codeOf(b.toStringUsingUTF8());
                if (seen.size() < IDENTITY_CAP) seen.put(b, c);
            }
        } else {
            c = dict.codeOf(String.valueOf(v));
        }
        codes[r] = c;
    }

    StringColumn column(String name, int rows) {
        return DictStrings.column(name, dict.values(), codes, rows);
    }
}

package org.jdask.dataframe;

import it.unimi.dsi.fastutil.bytes.Byte2IntOpenHashMap;
import it.unimi.dsi.fastutil.bytes.Byte2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.objects.Object2ByteOpenHashMap;
import it.unimi.dsi.fastutil.objects.Object2IntOpenHashMap;
import it.unimi.dsi.fastutil.objects.Object2ShortOpenHashMap;
import it.unimi.dsi.fastutil.shorts.Short2IntOpenHashMap;
import it.unimi.dsi.fastutil.shorts.Short2ObjectOpenHashMap;
import java.util.List;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.columns.strings.ByteDictionaryMap;
import tech.tablesaw.columns.strings.DictionaryMap;
import tech.tablesaw.columns.strings.IntDictionaryMap;
import tech.tablesaw.columns.strings.NullDictionaryMap;
import tech.tablesaw.columns.strings.ShortDictionaryMap;

/**
 * Tablesaw string columns built from a dictionary and per-row codes, without a string lookup per
 * row. How it works: Tablesaw's {@code StringColumn} already is a dictionary column (a
 * {@link DictionaryMap}: per-row keys of a byte, short or int, plus key-to-value, value-to-key and
 * key-to-count maps). Appending a {@code String} per row hashes it and bumps a count; here the
 * dictionary is built once (one hash per distinct value), each row's code is mapped to its key
 * through an array, and the counts are counted in an {@code int[]}. Used for Arrow dictionary
 * vectors, Parquet dictionary pages, and partitions that meet in a groupby, merge or concat
 * (their dictionaries are merged and the codes remapped, see {@link #concat}).
 *
 * <p>Tablesaw's conventions are kept exactly: the empty string is its missing value; keys start
 * one above the type's minimum; the missing key is the type's maximum; a byte map holds up to 254
 * values, a short map 65,534, else an int map.
 */
final class DictStrings {
    private DictStrings() {}

    private static Object2IntOpenHashMap<String> newCodeMap() {
        Object2IntOpenHashMap<String> m = new Object2IntOpenHashMap<>();
        m.defaultReturnValue(-1);
        return m;
    }

    /** A dictionary under construction: distinct values in first-seen order, each with its code. */
    static final class Builder {
        private final Object2IntOpenHashMap<String> code = newCodeMap();
        private String[] values = new String[16];
        private int size;

        /** The code of {@code s} ({@code -1}: missing, as null and "" are in Tablesaw). */
        int codeOf(String s) {
            if (s == null || s.isEmpty()) return -1;
            int c = code.getInt(s);
            if (c >= 0) return c;
            if (size == values.length) values = java.util.Arrays.copyOf(values, size * 2);
            values[size] = s;
            code.put(s, size);
            return size++;
        }

        int size() { return size; }

        String[] values() { return java.util.Arrays.copyOf(values, size); }
    }

    /**
     * A column named {@code name} whose row {@code i} is {@code dict[codes[i]]} (a negative code,
     * a null or an empty value: missing). {@code dict} may hold duplicates and unused values.
     */
    /** The column of a {@link Builder}'s dictionary (distinct, non-empty values) and codes into it: no re-hashing. */
    static StringColumn column(String name, Builder dict, int[] codes, int n) {
        return build(name, dict.values(), codes, n);
    }

    static StringColumn column(String name, String[] dict, int[] codes, int n) {
        Builder b = new Builder();
        int[] remap = new int[dict.length];
        for (int i = 0; i < dict.length; i++) remap[i] = b.codeOf(dict[i]);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = codes[i] < 0 ? -1 : remap[codes[i]];
        return build(name, b.values(), out, n);
    }

    /**
     * The rows of {@code parts} one after another, as one column: the dictionaries are merged (one
     * hash per distinct value of each part) and each row's key is remapped through an array.
     */
    static StringColumn concat(String name, List<StringColumn> parts) {
        for (StringColumn p : parts) {
            // Tablesaw drops the dictionary of a high-cardinality column (NullDictionaryMap: no keys
            // to remap): such parts are appended value by value, as Tablesaw itself would
            if (p.getDictionary() instanceof NullDictionaryMap) return appended(name, parts);
        }
        Builder b = new Builder();
        int total = 0;
        for (StringColumn p : parts) total += p.size();
        int[] out = new int[total];
        int at = 0;
        for (StringColumn p : parts) {
            DictionaryMap d = p.getDictionary();
            int n = p.size();
            Int2IntOpenHashMap keyToCode = new Int2IntOpenHashMap();
            keyToCode.defaultReturnValue(Integer.MIN_VALUE);
            for (int i = 0; i < n; i++) {
                int key = d.getKeyForIndex(i);
                int c = keyToCode.get(key);
                if (c == Integer.MIN_VALUE) {
                    c = b.codeOf(d.getValueForKey(key));
                    keyToCode.put(key, c);
                }
                out[at++] = c;
            }
        }
        return build(name, b.values(), out, total);
    }

    private static StringColumn appended(String name, List<StringColumn> parts) {
        StringColumn out = StringColumn.create(name);
        for (StringColumn p : parts) out.append(p);
        return out;
    }

    /** Builds the Tablesaw column; {@code codes} index {@code values} (distinct, non-empty), -1 missing. */
    private static StringColumn build(String name, String[] values, int[] codes, int n) {
        int[] count = new int[values.length];
        int missing = 0;
        for (int i = 0; i < n; i++) {
            int c = codes[i];
            if (c < 0) missing++; else count[c]++;
        }
        int used = 0;
        for (int k : count) if (k > 0) used++;
        DictionaryMap map;
        if (used <= 254) map = byteMap(values, codes, n, count, missing);
        else if (used <= 65_534) map = shortMap(values, codes, n, count, missing);
        else map = intMap(values, codes, n, count, missing);
        return StringColumn.createInternal(name, map);
    }

    /** Keys of used codes in code order, starting one above {@code min}; unused codes get none. */
    private static int[] keys(int[] count, int min) {
        int[] key = new int[count.length];
        int next = min;
        for (int c = 0; c < count.length; c++) key[c] = count[c] > 0 ? ++next : min;
        return key;
    }

    private static DictionaryMap byteMap(String[] values, int[] codes, int n, int[] count, int missing) {
        int[] key = keys(count, Byte.MIN_VALUE);
        byte[] rows = new byte[n];
        for (int i = 0; i < n; i++) rows[i] = codes[i] < 0 ? Byte.MAX_VALUE : (byte) key[codes[i]];
        Byte2ObjectOpenHashMap<String> k2v = new Byte2ObjectOpenHashMap<>();
        Object2ByteOpenHashMap<String> v2k = new Object2ByteOpenHashMap<>();
        v2k.defaultReturnValue(Byte.MIN_VALUE); // Tablesaw's "absent"
        Byte2IntOpenHashMap k2c = new Byte2IntOpenHashMap();
        int last = Byte.MIN_VALUE;
        for (int c = 0; c < values.length; c++) {
            if (count[c] == 0) continue;
            byte k = (byte) key[c];
            k2v.put(k, values[c]);
            v2k.put(values[c], k);
            k2c.put(k, count[c]);
            last = k;
        }
        if (missing > 0) {
            k2v.put(Byte.MAX_VALUE, "");
            v2k.put("", Byte.MAX_VALUE);
            k2c.put(Byte.MAX_VALUE, missing);
        }
        return new ByteDictionaryMap.ByteDictionaryBuilder().setNextIndex(last).setKeyToValue(k2v).setValueToKey(v2k)
                .setKeyToCount(k2c).setValues(rows).build();
    }

    private static DictionaryMap shortMap(String[] values, int[] codes, int n, int[] count, int missing) {
        int[] key = keys(count, Short.MIN_VALUE);
        short[] rows = new short[n];
        for (int i = 0; i < n; i++) rows[i] = codes[i] < 0 ? Short.MAX_VALUE : (short) key[codes[i]];
        Short2ObjectOpenHashMap<String> k2v = new Short2ObjectOpenHashMap<>();
        Object2ShortOpenHashMap<String> v2k = new Object2ShortOpenHashMap<>();
        v2k.defaultReturnValue(Short.MIN_VALUE);
        Short2IntOpenHashMap k2c = new Short2IntOpenHashMap();
        int last = Short.MIN_VALUE;
        for (int c = 0; c < values.length; c++) {
            if (count[c] == 0) continue;
            short k = (short) key[c];
            k2v.put(k, values[c]);
            v2k.put(values[c], k);
            k2c.put(k, count[c]);
            last = k;
        }
        if (missing > 0) {
            k2v.put(Short.MAX_VALUE, "");
            v2k.put("", Short.MAX_VALUE);
            k2c.put(Short.MAX_VALUE, missing);
        }
        return new ShortDictionaryMap.ShortDictionaryBuilder().setNextIndex(last).setKeyToValue(k2v).setValueToKey(v2k)
                .setKeyToCount(k2c).setValues(rows).build();
    }

    private static DictionaryMap intMap(String[] values, int[] codes, int n, int[] count, int missing) {
        int[] key = keys(count, Integer.MIN_VALUE);
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) rows[i] = codes[i] < 0 ? Integer.MAX_VALUE : key[codes[i]];
        Int2ObjectOpenHashMap<String> k2v = new Int2ObjectOpenHashMap<>();
        Object2IntOpenHashMap<String> v2k = new Object2IntOpenHashMap<>();
        v2k.defaultReturnValue(Integer.MIN_VALUE);
        Int2IntOpenHashMap k2c = new Int2IntOpenHashMap();
        int last = Integer.MIN_VALUE;
        for (int c = 0; c < values.length; c++) {
            if (count[c] == 0) continue;
            k2v.put(key[c], values[c]);
            v2k.put(values[c], key[c]);
            k2c.put(key[c], count[c]);
            last = key[c];
        }
        if (missing > 0) {
            k2v.put(Integer.MAX_VALUE, "");
            v2k.put("", Integer.MAX_VALUE);
            k2c.put(Integer.MAX_VALUE, missing);
        }
        return new IntDictionaryMap.IntDictionaryBuilder().setNextIndex(last).setKeyToValue(k2v).setValueToKey(v2k)
                .setKeyToCount(k2c).setValues(rows).build();
    }
}

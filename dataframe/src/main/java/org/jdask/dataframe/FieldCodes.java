package org.jdask.dataframe;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The CSV parser's cache from a string field's bytes to its dictionary code (or -1 for a missing
 * value): the per-row step of reading a string column, so no {@code String} is made per row. Fields
 * of at most 7 bytes (carrier and airport codes, flags, small categories: most categorical columns)
 * are packed with their length into one {@code long} and looked up in a long-keyed open-addressing
 * table: one multiply for the hash, one compare, no pointer to follow. Longer fields go to a
 * byte-keyed table (polynomial hash, {@code Arrays.equals} on a hit). Both stop taking new entries
 * past {@link #MAX} distinct values (lookups still work; the parser switches to Tablesaw's column
 * well before that).
 */
final class FieldCodes {
    /** {@link #get} found no entry. */
    static final int ABSENT = Integer.MIN_VALUE;
    static final int MAX = 65_536;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private long[] shortKeys = new long[256]; // 0 = empty slot (a packed key always has its length + 1 in the low byte)
    private int[] shortVals = new int[256];
    private int shortSize;
    private byte[][] keys = new byte[256][];
    private int[] vals = new int[256];
    private int size;

    /** The code stored for these bytes, or {@link #ABSENT}. */
    int get(byte[] b, int off, int len) {
        if (len <= 7) {
            long k = pack(b, off, len);
            long[] ks = shortKeys;
            int mask = ks.length - 1;
            for (int slot = slot(k, mask); ; slot = (slot + 1) & mask) {
                long x = ks[slot];
                if (x == k) return shortVals[slot];
                if (x == 0) return ABSENT;
            }
        }
        int mask = keys.length - 1;
        for (int slot = hash(b, off, len) & mask; ; slot = (slot + 1) & mask) {
            byte[] k = keys[slot];
            if (k == null) return ABSENT;
            if (k.length == len && Arrays.equals(k, 0, len, b, off, off + len)) return vals[slot];
        }
    }

    /** Stores {@code code} for bytes {@link #get} did not find. */
    void put(byte[] b, int off, int len, int code) {
        if (len <= 7) {
            if (shortSize >= MAX) return;
            long k = pack(b, off, len);
            int mask = shortKeys.length - 1;
            int slot = slot(k, mask);
            while (shortKeys[slot] != 0) slot = (slot + 1) & mask;
            shortKeys[slot] = k;
            shortVals[slot] = code;
            if (++shortSize * 2 > shortKeys.length) growShort();
            return;
        }
        if (size >= MAX) return;
        int mask = keys.length - 1;
        int slot = hash(b, off, len) & mask;
        while (keys[slot] != null) slot = (slot + 1) & mask;
        keys[slot] = Arrays.copyOfRange(b, off, off + len);
        vals[slot] = code;
        if (++size * 2 > keys.length) grow();
    }

    /** The bytes (little-endian) shifted up one byte, their length + 1 in the low byte: never 0. */
    static long pack(byte[] b, int off, int len) {
        long w = 0;
        if (len > 0) {
            if (off + 8 <= b.length) {
                w = (long) LONGS.get(b, off) & ((1L << (8 * len)) - 1);
            } else {
                for (int i = len - 1; i >= 0; i--) w = (w << 8) | (b[off + i] & 0xFFL);
            }
        }
        return (w << 8) | (len + 1);
    }

    private static int slot(long k, int mask) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private static int hash(byte[] b, int off, int len) {
        int h = 1;
        for (int i = off, end = off + len; i < end; i++) h = 31 * h + b[i];
        h *= 0x9E3779B9; // values differing only in their last bytes have nearby polynomial hashes
        return h ^ (h >>> 16);
    }

    private void growShort() {
        long[] ok = shortKeys;
        int[] ov = shortVals;
        shortKeys = new long[ok.length * 2];
        shortVals = new int[ok.length * 2];
        int mask = shortKeys.length - 1;
        for (int i = 0; i < ok.length; i++) {
            if (ok[i] == 0) continue;
            int slot = slot(ok[i], mask);
            while (shortKeys[slot] != 0) slot = (slot + 1) & mask;
            shortKeys[slot] = ok[i];
            shortVals[slot] = ov[i];
        }
    }

    private void grow() {
        byte[][] ok = keys;
        int[] ov = vals;
        keys = new byte[ok.length * 2][];
        vals = new int[ok.length * 2];
        int mask = keys.length - 1;
        for (int i = 0; i < ok.length; i++) {
            byte[] k = ok[i];
            if (k == null) continue;
            int slot = hash(k, 0, k.length) & mask;
            while (keys[slot] != null) slot = (slot + 1) & mask;
            keys[slot] = k;
            vals[slot] = ov[i];
        }
    }
}

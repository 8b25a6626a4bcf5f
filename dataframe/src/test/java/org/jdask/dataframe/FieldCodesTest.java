package org.jdask.dataframe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The CSV parser's bytes-to-code cache against a HashMap of Strings: short (packed) and long keys, keys at the end of the buffer. */
class FieldCodesTest {
    @Test
    void agreesWithAHashMapOnShortAndLongKeysAnywhereInTheBuffer() {
        FieldCodes codes = new FieldCodes();
        Map<String, Integer> ref = new HashMap<>();
        Random r = new Random(3);
        for (int i = 0; i < 200_000; i++) {
            int len = r.nextInt(12); // 0..11: packed (<= 7) and byte-keyed
            byte[] v = new byte[len];
            for (int k = 0; k < len; k++) v[k] = (byte) (r.nextInt(4) == 0 ? r.nextInt(256) : 'A' + r.nextInt(3)); // many repeats, some high bytes
            // the same value at the very end of a buffer (the packer's byte loop) and in the middle (one 8-byte read)
            byte[] buf = new byte[len + (i % 2 == 0 ? 0 : 9)];
            int off = buf.length - len - (i % 2 == 0 ? 0 : 4);
            System.arraycopy(v, 0, buf, off, len);
            String key = new String(v, StandardCharsets.ISO_8859_1);
            int got = codes.get(buf, off, len);
            Integer want = ref.get(key);
            assertEquals(want == null ? FieldCodes.ABSENT : want, got, "value of length " + len + " at " + off);
            if (want == null) {
                int code = ref.size() % 5 == 0 ? -1 : ref.size();
                codes.put(buf, off, len, code);
                ref.put(key, code);
            }
        }
        assertNotEquals(FieldCodes.pack(new byte[] {0}, 0, 1), FieldCodes.pack(new byte[0], 0, 0), "a zero byte differs from the empty value");
        assertNotEquals(FieldCodes.pack(new byte[] {'A', 0}, 0, 2), FieldCodes.pack(new byte[] {'A'}, 0, 1));
    }
}

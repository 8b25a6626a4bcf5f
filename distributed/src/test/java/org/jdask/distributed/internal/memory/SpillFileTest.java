package org.jdask.distributed.internal.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SpillFileTest {
    @Test
    void valuesOfEverySizeRoundTripIncludingMultiChunkOnesAndTheFileGoesOnClose() {
        try (LocalDirectory dir = LocalDirectory.create(null)) {
            SpillFile f = new SpillFile(dir.path(), 64L << 30);
            Random r = new Random(1);
            int[] sizes = {0, 1, 1000, SpillFile.CHUNK - 1, SpillFile.CHUNK, SpillFile.CHUNK + 1, 5 * SpillFile.CHUNK + 17};
            long[] ids = new long[sizes.length];
            byte[][] data = new byte[sizes.length][];
            for (int i = 0; i < sizes.length; i++) {
                data[i] = new byte[sizes[i]];
                r.nextBytes(data[i]);
                ids[i] = f.write(data[i]);
            }
            for (int i = 0; i < sizes.length; i++) assertArrayEquals(data[i], f.read(ids[i], sizes[i]), "size " + sizes[i]);
            long total = 0;
            for (int s : sizes) total += s;
            assertEquals(total, f.bytes());
            f.remove(ids[6], sizes[6]);
            assertEquals(total - sizes[6], f.bytes());
            assertTrue(Files.exists(f.file()));
            f.close();
            assertFalse(Files.exists(f.file()));
        }
    }
}

package org.jdask.distributed.internal.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.jdask.serialize.Codecs;
import org.jdask.serialize.FrameStreams;
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

    @Test
    void framesStreamInAndOutInChunksExactlyAsCodecsWritesThemAndAFailedWriteLeavesNothing() throws Exception {
        try (LocalDirectory dir = LocalDirectory.create(null)) {
            SpillFile f = new SpillFile(dir.path(), 64L << 20);
            double[] a = new double[3 * SpillFile.CHUNK / 8 + 5]; // 3 chunks and a bit
            for (int i = 0; i < a.length; i++) a[i] = i * 0.5;
            SpillFile.Written w = f.write(out -> FrameStreams.encode(a, out));
            byte[] whole = Codecs.encode(a);
            assertEquals(whole.length, w.length());
            assertArrayEquals(whole, f.read(w.id(), w.length()), "the same bytes as Codecs.encode");
            try (java.io.InputStream in = f.open(w.id(), w.length())) {
                assertArrayEquals(a, (double[]) FrameStreams.read(in, w.length(), b -> b));
            }
            List<Object> others = List.of("text", List.of(1, 2, 3), new long[] {1, 2}, new int[0], new byte[] {1, 2, 3});
            for (Object v : others) {
                SpillFile.Written x = f.write(out -> FrameStreams.encode(v, out));
                try (java.io.InputStream in = f.open(x.id(), x.length())) {
                    Object back = FrameStreams.read(in, x.length(), Codecs::decode);
                    assertEquals(Arrays.deepToString(new Object[] {v}), Arrays.deepToString(new Object[] {back}));
                }
            }
            long before = f.bytes();
            IllegalStateException boom = assertThrows(IllegalStateException.class, () -> f.write(out -> {
                out.write(new byte[2 * SpillFile.CHUNK]);
                throw new IllegalStateException("cannot encode");
            }));
            assertEquals("cannot encode", boom.getMessage());
            assertEquals(before, f.bytes(), "a failed write leaves no bytes counted");
            f.close();
        }
    }
}

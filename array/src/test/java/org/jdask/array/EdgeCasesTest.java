package org.jdask.array;

import static org.jdask.array.Shape.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Slices that keep everything, the position in stack/concatenate errors, and chunk length 0 (Dask's behaviour). */
class EdgeCasesTest {
    static final Map<String, Object> SYNC = Map.of("scheduler", "sync");

    @Test
    void aSliceKeepingEveryElementIsTheSameArray() {
        DArray x = DArray.arange(0, 24, 1, 5);
        for (String s : List.of(":", "0:24", "0:100", "-24:", "::1", "-100:24:1", "...", "0:24, ...")) assertSame(x, x.slice(s), s);
        assertSame(x, x.get(Slice.of(0, 24)));
        DArray m = DArray.zeros(shape(1, 6, 0), shape(1, 4, 1));
        // a length-1 axis reversed, and any slice of a length-0 axis, keep every element in order
        assertSame(m, m.slice("::-1, 0:6, 3:1"));
        // slices that drop, reorder or add something are new arrays
        for (String s : List.of("1:", "0:23", "::-1", "::2", "None", "0")) {
            DArray y = x.slice(s);
            assertNotSame(x, y, s);
            assertEquals(x.compute().slice(s), y.compute(SYNC), s);
        }
    }

    @Test
    void concatenateAndStackErrorsNameTheOffendingArray() {
        DArray a = DArray.zeros(shape(4, 3), shape(2, 2)), b = DArray.zeros(shape(2, 3), shape(2, 2)), c = DArray.zeros(shape(4, 2), shape(2, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DArray.concatenate(List.of(a, b, c), 0));
        assertEquals("concatenate along axis 0: array 2 has shape (4, 2) and array 0 has (4, 3); they differ on axis 1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DArray.concatenate(List.of(a, a, DArray.zeros(shape(4), shape(2))), 0));
        assertTrue(e.getMessage().contains("array 2 has shape (4,) and array 0 has (4, 3)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DArray.stack(List.of(a, a, a, b), 0));
        assertEquals("stack: all input arrays must have the same shape, but array 3 has shape (2, 3) and array 0 has (4, 3)", e.getMessage());
        // NDArray names the position the same way
        e = assertThrows(IllegalArgumentException.class, () -> NDArray.stack(List.of(a.compute(SYNC), b.compute(SYNC)), 0));
        assertTrue(e.getMessage().contains("array 1 has shape (2, 3)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NDArray.concatenate(List.of(a.compute(SYNC), c.compute(SYNC)), 0));
        assertTrue(e.getMessage().contains("array 1 has shape (4, 2)"), e.getMessage());
        assertArrayEquals(new int[] {6, 3}, DArray.concatenate(List.of(a, b), 0).shape());
    }

    @Test
    void chunkLengthZeroIsRefusedButZeroLengthAxesWork() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DArray.zeros(shape(24, 5), shape(0, 5)));
        assertTrue(e.getMessage().contains("chunk length 0 on axis 0 (length 24)") && e.getMessage().contains("use -1 for the whole axis"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DArray.arange(0, 10, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> DArray.zeros(shape(4, 4), shape(2, 2)).rechunk(2, 0));
        // -1 is the whole axis; a zero-length axis takes 0 or any length
        assertArrayEquals(new int[] {1, 2}, DArray.zeros(shape(24, 5), shape(-1, 3)).chunks().grid());
        for (int[] chunks : new int[][] {{0, 5}, {3, 5}, {-1, 2}}) {
            DArray z = DArray.zeros(shape(0, 5), chunks);
            assertArrayEquals(new int[] {0, 5}, z.compute(SYNC).shape());
            assertEquals(0.0, z.sum().compute(SYNC).item());
        }
    }
}

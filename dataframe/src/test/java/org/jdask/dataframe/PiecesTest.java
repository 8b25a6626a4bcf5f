package org.jdask.dataframe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jdask.serialize.Codecs;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** A split partition hands each piece to its pick once, and is counted by what it still holds (issue 15). */
class PiecesTest {
    static Table table(int rows) {
        int[] k = new int[rows];
        double[] x = new double[rows];
        for (int i = 0; i < rows; i++) {
            k[i] = i;
            x[i] = i / 2.0;
        }
        return Table.create("t", IntColumn.create("k", k), DoubleColumn.create("x", x));
    }

    @Test
    void aPickTakesItsPieceSoTheSplitCountsOnlyTheRest() {
        Table t = table(3000);
        Table a = t.inRange(0, 1000), b = t.inRange(1000, 3000);
        Pieces p = new Pieces(new Table[] {a, b});
        long whole = TableSizes.of(p);
        assertEquals(16 + 8 * 2 + TableSizes.of(a) + TableSizes.of(b), whole);
        Table got = (Table) new GroupBy.Pick(1).invoke(new Object[] {p});
        assertSame(b, got);
        assertNull(p.peek(1), "the split let go of the piece its pick took");
        assertEquals(whole - TableSizes.of(b), TableSizes.of(p), "the taken rows are counted once: by the pick's result");
        IllegalStateException again = assertThrows(IllegalStateException.class, () -> new GroupBy.Pick(1).invoke(new Object[] {p}));
        assertTrue(again.getMessage().contains("piece 1") && again.getMessage().contains("already taken"), again.getMessage());
        // sent or spilled after a pick: the taken piece stays taken, the others come back whole
        Pieces back = (Pieces) Codecs.decode(Codecs.encode(p));
        assertEquals(2, back.size());
        assertNull(back.peek(1));
        assertEquals(a.toString(), back.peek(0).toString());
        assertEquals(TableSizes.of(p), TableSizes.of(back));
    }

    @Test
    void tablesAreCountedFromTheirColumns() {
        assertEquals(64 + (64 + 4 * 3000) + (64 + 8 * 3000), TableSizes.of(table(3000)));
        StringColumn s = StringColumn.create("s", new String[] {"ab", "ab", "cd", "ab"});
        long n = TableSizes.of(Table.create("u", s));
        // four int keys and two distinct strings of two characters
        assertEquals(64 + 64 + 4 * 4 + (long) (2 * (56 + 2.0 * 2)), n);
    }
}

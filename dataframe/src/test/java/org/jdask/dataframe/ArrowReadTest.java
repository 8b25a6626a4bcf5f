package org.jdask.dataframe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.Table;
import org.junit.jupiter.api.Test;

/**
 * A table read from Arrow IPC (a piece read back from a worker's spill store or from a peer) fills
 * arrays of their final size, and a shuffle's split gathers rows into the arrays that become its
 * pieces' columns: no growing column, no copy of a filled array (issue 15: they threw away about
 * the table's bytes again in copies, a good part of a 128 MiB worker's garbage).
 */
class ArrowReadTest {
    static final int ROWS = 1_000_000;

    static Table table() {
        long[] id = new long[ROWS];
        double[] x = new double[ROWS];
        int[] k = new int[ROWS];
        for (int i = 0; i < ROWS; i++) {
            id[i] = 3L * i;
            x[i] = i / 4.0;
            k[i] = i % 1000;
        }
        return Table.create("t", LongColumn.create("id", id), DoubleColumn.create("x", x), IntColumn.create("k", k));
    }

    static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void aSplitGathersRowsIntoTheArraysOfItsPieces() {
        Table t = table();
        int[] bucket = new int[ROWS];
        for (int i = 0; i < ROWS; i++) bucket[i] = (int) ((i * 2654435761L) % 100);
        Join.split(t, bucket, 100); // warm
        long before = THREADS.getCurrentThreadAllocatedBytes();
        Table[] pieces = Join.split(t, bucket, 100);
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        long rows = 0;
        for (Table p : pieces) rows += p.rowCount();
        assertEquals(ROWS, rows);
        long data = 20L * ROWS, index = 4L * ROWS;
        assertTrue(allocated < data * 1.25 + index, "splitting " + data + " bytes of columns allocated " + allocated + " bytes on the heap");
    }

    @Test
    void aTableWithoutMissingValuesIsReadIntoArraysOfItsSize() {
        Table t = table();
        byte[] frame = ArrowTables.toBytes(t);
        TableCodec codec = new TableCodec();
        codec.decode(ByteBuffer.wrap(frame)); // class loading and Arrow's first use out of the count
        long before = THREADS.getCurrentThreadAllocatedBytes();
        Table back = (Table) codec.decode(ByteBuffer.wrap(frame));
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        long data = 20L * ROWS; // 8 + 8 + 4 bytes a row
        assertTrue(allocated < data * 1.25, "reading " + data + " bytes of columns allocated " + allocated + " bytes on the heap");
        assertEquals(t.toString(), back.toString());
        assertEquals(3L * (ROWS - 1), back.longColumn("id").getLong(ROWS - 1));
        assertEquals(999, back.intColumn("k").getInt(999));
        // a missing value still comes back missing (the value-by-value path)
        DoubleColumn withGap = DoubleColumn.create("x", new double[] {1, 2, 3});
        withGap.setMissing(1);
        Table gap = (Table) codec.decode(ByteBuffer.wrap(ArrowTables.toBytes(Table.create("g", withGap))));
        assertTrue(gap.doubleColumn("x").isMissing(1));
        assertEquals(3.0, gap.doubleColumn("x").getDouble(2));
    }
}

package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jdask.distributed.internal.Sizes;
import org.jdask.fn.Fn0;
import org.jdask.fn.Fn1;
import org.jdask.graph.Key;
import org.jdask.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.Table;

/**
 * A worker counts a table from its columns, and counts a task's input again after the task: a
 * shuffle's pick takes its piece out of the split partition, and the rows must be counted once
 * (by the pick's result), not twice (issue 15). Here a task empties the table it reads in place;
 * the worker's managed bytes must follow.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InputRemeasureTest {
    static final int ROWS = 1_000_000;

    static Table table(int rows) {
        long[] ids = new long[rows];
        double[] xs = new double[rows];
        for (int i = 0; i < rows; i++) {
            ids[i] = i;
            xs[i] = i * 0.5;
        }
        return Table.create("t", LongColumn.create("id", ids), DoubleColumn.create("x", xs));
    }

    @Test
    void aTableIsCountedFromItsColumnsNotByEncodingIt() {
        Table t = table(ROWS);
        // 16 bytes a row in two primitive arrays plus a little per column and table; the Arrow frame
        // (what was counted before) adds validity bitmaps, padding and the schema
        assertEquals(64 + 2 * (64 + 8L * ROWS), Sizes.of(t));
        assertEquals(64 + 2 * 64, Sizes.of(table(0)));
    }

    @Test
    void plainInputsTakeTheFastPathAndKeepNothing() {
        Object[] plain = {null, 7, 2.5, "text", new StringBuilder("sb"), true, 'c', new double[3], new long[0],
                new String[] {"a"}, List.of(1, 2), Map.of("k", 1)};
        TaskCompute.Reads reads = new TaskCompute.Reads();
        for (int i = 0; i < plain.length; i++) {
            assertTrue(Sizes.plain(plain[i]), "plain: " + plain[i]);
            reads.read(Key.of("in", i), plain[i]);
        }
        assertTrue(reads.kept().isEmpty(), () -> "kept: " + reads.kept());
    }

    @Test
    void anInputACodecSizesIsKeptForRemeasuring() {
        Table t = table(3);
        assertFalse(Sizes.plain(t));
        TaskCompute.Reads reads = new TaskCompute.Reads();
        reads.read(Key.of("n"), 1);
        reads.read(Key.of("t"), t);
        assertEquals(Map.of(Key.of("t"), t), reads.kept());
        assertSame(t, reads.kept().get(Key.of("t")));
    }

    @Test
    void anInputATaskShrankIsCountedAgainAfterTheTask() throws Exception {
        Fn0<Table> make = () -> table(ROWS);
        Fn1<Table, Integer> empty = t -> { // as a pick takes its piece out of a split partition
            int n = t.rowCount();
            t.clear();
            return n;
        };
        try (LocalCluster cluster = LocalCluster.builder().workers(1).threadsPerWorker(1).processes(false).memoryLimit("2GB")
                .dashboardAddress(null).build();
             Client client = Client.connect(cluster)) {
            Future<Table> whole = client.submit(make);
            Await.until(() -> managed(client) >= 16L * ROWS, Duration.ofSeconds(60), "the table's 16 MB counted");
            Future<Integer> took = client.submit(empty, whole);
            assertEquals(ROWS, took.result());
            // the table is still held (its future is alive) but holds no rows now
            Await.until(() -> managed(client) < 1 << 20, Duration.ofSeconds(60), "the emptied table counted small",
                    () -> "managed bytes: " + managed(client));
            assertTrue(whole.result().rowCount() == 0);
        }
    }

    static long managed(Client client) {
        long n = 0;
        for (WorkerInfo w : client.workerInfo().values()) n += w.managedBytes();
        return n;
    }
}

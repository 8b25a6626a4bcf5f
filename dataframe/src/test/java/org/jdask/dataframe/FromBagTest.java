package org.jdask.dataframe;

import static org.jdask.dataframe.Agg.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdask.TaskFailedException;
import org.jdask.bag.Bag;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.Table;

class FromBagTest {
    private static Map<String, ColumnType> schema() {
        Map<String, ColumnType> s = new LinkedHashMap<>();
        s.put("name", ColumnType.STRING);
        s.put("amount", ColumnType.DOUBLE);
        return s;
    }

    @Test
    void bagOfMapsBecomesAFrameWithOnePartitionPerBagPartition() {
        List<Map<String, Object>> recs = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", "n" + (i % 3));
            if (i != 7) m.put("amount", (double) i);
            recs.add(m);
        }
        DataFrame df = DataFrame.fromBag(Bag.fromSequence(recs, 4), schema());
        assertEquals(4, df.npartitions());
        assertEquals(List.of("name", "amount"), df.columns());
        for (String s : List.of("sync", "threads")) {
            Table t = df.compute(Map.of("scheduler", s));
            assertEquals(100, t.rowCount());
            assertEquals(1, t.doubleColumn("amount").countMissing());
            Table g = df.groupBy("name").agg(sum("amount")).compute(Map.of("scheduler", s));
            assertEquals(3, g.rowCount());
            double total = 0;
            for (int i = 0; i < 100; i++) if (i != 7) total += i;
            assertEquals(total, g.doubleColumn(1).sum(), 1e-9);
        }
    }

    @Test
    void bagOfListsIsByPosition() {
        Bag<List<Object>> b = Bag.fromSequence(List.of(List.of("a", 1.5), List.of("b", 2.5)), 2);
        Table t = DataFrame.fromBag(b, schema()).compute(Map.of("scheduler", "sync"));
        assertEquals("b", t.stringColumn("name").get(1));
        assertEquals(4.0, t.doubleColumn("amount").sum(), 1e-12);
    }

    @Test
    void aRecordThatDoesNotFitNamesThePartitionAndPosition() {
        Bag<List<Object>> b = Bag.fromSequence(List.of(List.of("a", 1.5), List.of("b"), List.of("c", 3.0)), 1);
        TaskFailedException e = assertThrows(TaskFailedException.class,
                () -> DataFrame.fromBag(b, schema()).compute(Map.of("scheduler", "sync")));
        String msg = e.getCause().getMessage();
        assertTrue(msg.contains("record 1 of bag partition") && msg.contains("has 1 values for 2 columns"), msg);
    }

    @Test
    void emptySchemaIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> DataFrame.fromBag(Bag.fromSequence(List.of(1), 1), Map.of()));
    }
}

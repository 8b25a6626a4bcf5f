package org.jdask.dataframe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** merge (against DuckDB), sortValues and repartition (against plain sorting), adversarial partitioning. */
class ShuffleTest {
    static Table left(int n, long seed) {
        Random r = new Random(seed);
        int[] id = new int[n];
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            id[i] = r.nextInt(15) == 0 ? Integer.MIN_VALUE : r.nextInt(60);
            a[i] = r.nextInt(10) == 0 ? Double.NaN : r.nextInt(1000) / 10.0;
        }
        return Table.create(IntColumn.create("id", id), DoubleColumn.create("a", a));
    }

    static Table right(int n, long seed) {
        Random r = new Random(seed);
        long[] id = new long[n];
        String[] b = new String[n];
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            id[i] = r.nextInt(80);
            b[i] = "v" + r.nextInt(5);
            a[i] = i;
        }
        return Table.create(LongColumn.create("id", id), StringColumn.create("b", b), DoubleColumn.create("a", a));
    }

    static List<String> rows(Table t) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < t.rowCount(); i++) {
            StringBuilder sb = new StringBuilder();
            for (int c = 0; c < t.columnCount(); c++) {
                var col = t.column(c);
                Object v = col.isMissing(i) ? null : col.get(i);
                if (v instanceof Number num) v = num.doubleValue();
                sb.append(v).append('|');
            }
            out.add(sb.toString());
        }
        Collections.sort(out);
        return out;
    }

    static List<String> duck(Table l, Table r, String how) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE l(id INTEGER, a DOUBLE)");
            s.execute("CREATE TABLE r(id BIGINT, b VARCHAR, a DOUBLE)");
            try (PreparedStatement p = c.prepareStatement("INSERT INTO l VALUES (?, ?)")) {
                for (int i = 0; i < l.rowCount(); i++) {
                    p.setObject(1, l.intColumn("id").isMissing(i) ? null : l.intColumn("id").getInt(i));
                    p.setObject(2, l.doubleColumn("a").isMissing(i) ? null : l.doubleColumn("a").getDouble(i));
                    p.execute();
                }
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO r VALUES (?, ?, ?)")) {
                for (int i = 0; i < r.rowCount(); i++) {
                    p.setLong(1, r.longColumn("id").getLong(i));
                    p.setString(2, r.stringColumn("b").get(i));
                    p.setDouble(3, r.doubleColumn("a").getDouble(i));
                    p.execute();
                }
            }
            String join = switch (how) { case "inner" -> "INNER"; case "left" -> "LEFT"; case "right" -> "RIGHT"; default -> "FULL OUTER"; };
            List<String> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT coalesce(l.id, r.id), l.a, r.b, r.a FROM l " + join + " JOIN r ON l.id = r.id")) {
                while (rs.next()) {
                    StringBuilder sb = new StringBuilder();
                    for (int k = 1; k <= 4; k++) {
                        Object v = rs.getObject(k);
                        if (v instanceof Number num) v = num.doubleValue();
                        sb.append(v).append('|');
                    }
                    out.add(sb.toString());
                }
            }
            Collections.sort(out);
            return out;
        }
    }

    @ParameterizedTest
    @CsvSource({"inner,1", "left,1", "inner,3", "left,4", "right,3", "outer,2", "right,1", "outer,1"})
    void mergeMatchesDuckDb(String how, int rightParts) throws Exception {
        Table l = left(300, 1), r = right(90, 2);
        DataFrame dl = DataFrame.fromTable(l, 4), dr = DataFrame.fromTable(r, rightParts);
        DataFrame m = dl.merge(dr, "id", how);
        assertEquals(List.of("id", "a", "b", "a_right"), m.columns());
        Table got = m.compute(Map.of("scheduler", "threads"));
        assertEquals(duck(l, r, how), rows(got));
        assertEquals(rows(got), rows(dl.merge(dr, List.of("id"), how, 7).compute(Map.of("scheduler", "sync"))));
    }

    @Test
    void mergeRejectsBadKeysAndHow() {
        DataFrame dl = DataFrame.fromTable(left(10, 1), 2), dr = DataFrame.fromTable(right(10, 2), 1);
        NoSuchElementException e = assertThrows(NoSuchElementException.class, () -> dl.merge(dr, "b", "inner"));
        assertTrue(e.getMessage().contains("[id, a]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> dl.merge(dr, "id", "cross"));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 50})
    void sortValuesIsAGlobalSort(int parts) {
        Table l = left(400, 3);
        DataFrame df = DataFrame.fromTable(l, parts);
        List<Double> expect = new ArrayList<>();
        int missing = 0;
        for (int i = 0; i < l.rowCount(); i++) {
            if (l.doubleColumn("a").isMissing(i)) missing++;
            else expect.add(l.doubleColumn("a").getDouble(i));
        }
        Collections.sort(expect);
        for (boolean asc : new boolean[] {true, false}) {
            Table t = df.sortValues("a", asc).compute(Map.of("scheduler", "threads"));
            assertEquals(400, t.rowCount());
            List<Double> got = new ArrayList<>();
            for (int i = 0; i < t.rowCount() ; i++) if (!t.doubleColumn("a").isMissing(i)) got.add(t.doubleColumn("a").getDouble(i));
            List<Double> e = new ArrayList<>(expect);
            if (!asc) Collections.reverse(e);
            assertEquals(e, got);
            assertEquals(missing, t.doubleColumn("a").countMissing());
            assertEquals(rows(l), rows(t));
        }
        Table byId = df.setIndex("id").compute(Map.of("scheduler", "sync"));
        for (int i = 1; i < byId.rowCount(); i++) {
            if (byId.intColumn("id").isMissing(i)) continue;
            assertTrue(byId.intColumn("id").getInt(i - 1) <= byId.intColumn("id").getInt(i));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5, 13, 40})
    void repartitionKeepsRowsInOrder(int n) {
        Table l = left(100, 4);
        DataFrame df = DataFrame.fromTable(l, 5).repartition(n);
        assertEquals(n, df.npartitions());
        assertEquals(l.toString(), df.compute(Map.of("scheduler", "threads")).toString());
    }
}

package org.jdask.dataframe;

import static org.jdask.dataframe.Expr.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jdask.graph.Schedulers;
import org.jdask.serialize.Codecs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** Arrow IPC and Parquet round trips, projection, and tables through the codec layer. */
class FileFormatsTest {
    @TempDir Path dir;

    static Table sample(int n, int seed) {
        IntColumn i = IntColumn.create("i");
        LongColumn l = LongColumn.create("l");
        DoubleColumn d = DoubleColumn.create("d");
        StringColumn s = StringColumn.create("s");
        BooleanColumn b = BooleanColumn.create("b");
        java.util.Random r = new java.util.Random(seed);
        for (int k = 0; k < n; k++) {
            if (k % 7 == 3) i.appendMissing(); else i.append(r.nextInt(1000) - 500);
            if (k % 5 == 1) l.appendMissing(); else l.append(r.nextLong());
            if (k % 6 == 2) d.appendMissing(); else d.append(r.nextGaussian());
            if (k % 4 == 0) s.appendMissing(); else s.append("s" + r.nextInt(50) + (k % 9 == 0 ? "ü" : ""));
            if (k % 8 == 5) b.appendMissing(); else b.append(r.nextBoolean());
        }
        return Table.create("sample", i, l, d, s, b);
    }

    static Stream<String> formats() {
        return Stream.of("arrow", "parquet");
    }

    @ParameterizedTest
    @MethodSource("formats")
    void roundTripWithMissingValuesAndProjection(String format) {
        Table t = sample(1000, 1);
        DataFrame df = DataFrame.fromTable(t, 3);
        String pattern = dir.resolve(format) + "/part-*." + format;
        List<Path> files = format.equals("arrow") ? df.toArrow(pattern) : df.toParquet(pattern);
        assertEquals(3, files.size());
        DataFrame back = format.equals("arrow") ? DataFrame.readArrow(dir.resolve(format) + "/*." + format) : DataFrame.readParquet(dir.resolve(format) + "/*." + format);
        assertEquals(df.dtypes(), back.dtypes());
        Table got = back.compute(Map.of("scheduler", "threads"));
        assertEquals(t.rowCount(), got.rowCount());
        for (String c : t.columnNames()) {
            for (int r = 0; r < t.rowCount(); r++) {
                assertEquals(t.column(c).isMissing(r), got.column(c).isMissing(r), c + " row " + r);
                if (!t.column(c).isMissing(r)) assertEquals(t.column(c).get(r), got.column(c).get(r), c + " row " + r);
            }
        }
        Table proj = back.filter(col("i").gt(0)).select("s").compute(Map.of("scheduler", "sync"));
        assertEquals(List.of("s"), proj.columnNames());
        assertEquals(DataFrame.fromTable(t, 1).filter(col("i").gt(0)).len(), proj.rowCount());
    }

    @Test
    void tablesCrossTheCodecLayerAsArrow() {
        Table t = sample(500, 2);
        byte[] frame = Codecs.encode(t);
        assertEquals(33, frame[0], "tag 33: the dataframe module's codec");
        Table back = (Table) Codecs.decode(frame);
        assertEquals(t.toString(), back.toString());
        assertEquals("sample", back.name());
        Table empty = sample(0, 3);
        assertEquals(empty.columnNames(), ((Table) Codecs.decode(Codecs.encode(empty))).columnNames());
        List<Object> nested = new ArrayList<>(List.of(t, "x"));
        @SuppressWarnings("unchecked")
        List<Object> nb = (List<Object>) Codecs.decode(Codecs.encode(nested));
        assertEquals(t.toString(), nb.get(0).toString());
    }

    @Test
    void aTableStreamsToASpillStoreAsTheSameFrameAsItsEncoding() throws Exception {
        Table t = sample(5000, 2);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream() {
            @Override
            public void close() {
                throw new AssertionError("the codec must leave the caller's stream open");
            }
        };
        long n = org.jdask.serialize.FrameStreams.encode(t, out);
        byte[] streamed = out.toByteArray();
        assertEquals(streamed.length, n, "the length it reports is what it wrote");
        assertEquals(33, streamed[0]);
        assertEquals(t.toString(), ((Table) Codecs.decode(streamed)).toString(), "Codecs reads what the stream wrote");
        assertEquals(t.toString(), ((Table) Codecs.decode(Codecs.encode(t))).toString());
    }

    @Test
    void aSplitPartitionStreamsPieceByPieceAndComesBackWhole() throws Exception {
        Table t = sample(3000, 2);
        Pieces p = new Pieces(new Table[] {t.inRange(0, 1000), t.inRange(1000, 1000), t.inRange(1000, 3000)});
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        long n = org.jdask.serialize.FrameStreams.encode(p, out);
        assertEquals(34, out.toByteArray()[0], "tag 34: a split's own codec, not Fory");
        assertEquals(out.size(), n);
        Pieces back = (Pieces) Codecs.decode(out.toByteArray());
        assertEquals(3, back.size());
        assertEquals(0, back.peek(1).rowCount(), "an empty piece stays a piece");
        assertEquals(t.inRange(1000, 3000).toString(), back.peek(2).toString());
        assertEquals(p.peek(0).toString(), ((Pieces) Codecs.decode(Codecs.encode(p))).peek(0).toString());
        assertEquals(p.peek(2).rowCount(), ((Table) new GroupBy.Pick(2).invoke(new Object[] {back})).rowCount());
    }

    @Test
    void dateColumnsCrossProcessesThroughTheCodec() {
        Table t = Table.create(tech.tablesaw.api.DateColumn.create("day", java.time.LocalDate.of(2024, 1, 1), null));
        Table back = (Table) Codecs.decode(Codecs.encode(t));
        assertEquals(t.toString(), back.toString());
        assertTrue(back.dateColumn("day").isMissing(1));
    }

    /** The same W4-style answer on every scheduler on the class path (processes included when present). */
    @Test
    void sameAnswersOnEveryLocalScheduler() {
        DataFrame df = DataFrame.fromTable(sample(3000, 4), 6);
        Table expect = df.filter(col("b").eq(true)).groupBy("s").agg(Agg.mean("d"), Agg.count("i")).compute(Map.of("scheduler", "sync"));
        for (String s : List.of("threads", "processes")) {
            if (!Schedulers.providers().containsKey(s)) continue;
            Table got = df.filter(col("b").eq(true)).groupBy("s").agg(Agg.mean("d"), Agg.count("i")).compute(Map.of("scheduler", s));
            assertEquals(expect.toString(), got.toString(), s);
        }
        assertEquals(ColumnType.DOUBLE, df.groupBy("s").agg(Agg.mean("d")).dtypes().get("d_mean"));
    }
}

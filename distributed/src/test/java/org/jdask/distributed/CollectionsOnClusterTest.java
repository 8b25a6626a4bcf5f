package org.jdask.distributed;

import static org.jdask.dataframe.Agg.mean;
import static org.jdask.dataframe.Agg.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jdask.array.DArray;
import org.jdask.array.NDArray;
import org.jdask.bag.Bag;
import org.jdask.dataframe.Agg;
import org.jdask.dataframe.DataFrame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Bag, DArray and DataFrame computed with {@code scheduler=distributed} on a LocalCluster give the
 * same results as {@code sync}: with in-process workers, and with worker JVMs (values then cross
 * as bytes: NDArray through ValueCodec tag 32, Tablesaw tables as Arrow through tag 33).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CollectionsOnClusterTest {
    @TempDir
    static Path dir;

    static final Map<String, Object> SYNC = Map.of("scheduler", "sync");
    static final Map<String, Object> DIST = Map.of("scheduler", "distributed");

    /** Three text files; lines containing "7" are kept by the filter. */
    static String textGlob() throws IOException {
        for (int f = 0; f < 3; f++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 2_000; i++) sb.append("line ").append(f).append(' ').append(i).append('\n');
            Files.writeString(dir.resolve("part-" + f + ".txt"), sb.toString());
        }
        return dir + "/part-*.txt";
    }

    static List<Object> computeAll(Map<String, Object> on) throws IOException {
        List<Object> out = new ArrayList<>();
        Bag<String> lines = Bag.readText(textGlob(), 4_096);
        out.add(lines.filter(s -> s.contains("7")).count().compute(on));

        double[][] a = new double[60][40];
        for (int i = 0; i < 60; i++) for (int j = 0; j < 40; j++) a[i][j] = i * 0.5 - j * 0.25 + (i * j % 7);
        DArray x = DArray.fromArray(a, new int[] {16, 15});
        out.add(x.sum(0).compute(on));
        out.add(x.mul(x).sum().compute(on));

        Table t = Table.create("t");
        StringColumn k = StringColumn.create("k");
        DoubleColumn v = DoubleColumn.create("v");
        for (int i = 0; i < 1_000; i++) {
            k.append("g" + (i % 13));
            v.append(i * 0.5);
        }
        t.addColumns(k, v);
        Table g = DataFrame.fromTable(t, 4).groupBy("k").agg(sum("v"), mean("v"), Agg.size()).compute(on).sortOn("k");
        out.add(g.toString());
        return out;
    }

    static void assertSameAsSync(List<Object> got) throws IOException {
        List<Object> want = computeAll(SYNC);
        assertEquals(want.get(0), got.get(0), "bag filter count");
        assertEquals(want.get(1), got.get(1), "darray sum(0)");
        assertEquals(want.get(2), got.get(2), "darray sum of squares");
        assertEquals(want.get(3), got.get(3), "dataframe groupBy");
        long eager = 3 * java.util.stream.IntStream.range(0, 2_000).filter(i -> String.valueOf(i).contains("7")).count();
        assertEquals(eager, ((Number) got.get(0)).longValue(), "bag count against the eager oracle");
        assertEquals(13, ((String) got.get(3)).lines().filter(l -> l.trim().startsWith("g")).count(), "13 groups");
    }

    @Test
    void collectionsOnInProcessWorkersMatchSync() throws IOException {
        try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(2).processes(false).build();
             Client client = Client.connect(cluster)) {
            assertSameAsSync(computeAll(DIST));
        }
    }

    @Test
    void collectionsOnWorkerJvmsMatchSync() throws IOException {
        try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(true).build();
             Client client = Client.connect(cluster)) {
            assertSameAsSync(computeAll(DIST));
        }
    }
}

package org.jdask.distributed;

import static org.jdask.dataframe.Agg.mean;
import static org.jdask.dataframe.Agg.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.cfgfns.CfgFns;
import example.userfns.UserFns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jdask.Config;
import org.jdask.bag.Item;
import org.jdask.Jdask;
import org.jdask.graph.Task;
import org.jdask.serialize.Codecs;
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
 * as bytes: NDArray through ValueCodec tag 32, Tablesaw tables as Arrow through tag 33). Fused
 * programs call functions of a package the client allowed with {@code Codecs.allow}: worker JVMs
 * decode them only because that allow travels with the tasks.
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

    static {
        Codecs.allow("example.userfns"); // in this JVM only: the client must hand it to worker JVMs
    }

    static final List<Integer> ONE_TO_100 = IntStream.rangeClosed(1, 100).boxed().toList();

    /** map+filter+count: each partition's chain is fused into one task calling the user's functions. */
    static Item<Long> evenSquares() {
        return Bag.fromSequence(ONE_TO_100, 4).map(UserFns::square).filter(UserFns::isEven).count();
    }

    /** A fused elementwise chain ending in a reduction, calling a user function per element. */
    static DArray fusedArray(DArray x) {
        return x.map(UserFns::halfPlusOne).mul(x).add(1.0).sum(1);
    }

    static List<Object> computeAll(Map<String, Object> on) throws IOException {
        List<Object> out = new ArrayList<>();
        Bag<String> lines = Bag.readText(textGlob(), 4_096);
        out.add(lines.filter(s -> s.contains("7")).count().compute(on));
        out.add(evenSquares().compute(on));
        out.add(new TreeMap<>(Map.ofEntries(Bag.fromSequence(ONE_TO_100, 4).map(UserFns::mod7).frequencies().compute(on)
                .toArray(Map.Entry[]::new))));

        double[][] a = new double[60][40];
        for (int i = 0; i < 60; i++) for (int j = 0; j < 40; j++) a[i][j] = i * 0.5 - j * 0.25 + (i * j % 7);
        DArray x = DArray.fromArray(a, new int[] {16, 15});
        out.add(x.sum(0).compute(on));
        out.add(x.mul(x).sum().compute(on));
        out.add(fusedArray(x).compute(on));

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
        String[] what = {"bag filter count", "bag map+filter+count (fused, user functions)", "bag map+frequencies (user function)",
            "darray sum(0)", "darray sum of squares", "fused darray expression (user function)", "dataframe groupBy"};
        assertEquals(what.length, got.size());
        for (int i = 0; i < what.length; i++) assertEquals(want.get(i), got.get(i), what[i]);
        long eager = 3 * IntStream.range(0, 2_000).filter(i -> String.valueOf(i).contains("7")).count();
        assertEquals(eager, ((Number) got.get(0)).longValue(), "bag count against the eager oracle");
        assertEquals(ONE_TO_100.stream().filter(i -> i * i % 2 == 0).count(), ((Number) got.get(1)).longValue(), "even squares");
        Map<Integer, Long> freq = new TreeMap<>();
        for (int i : ONE_TO_100) freq.merge(i % 7, 1L, Long::sum);
        assertEquals(freq, got.get(2), "frequencies against the eager oracle");
        assertEquals(13, ((String) got.get(6)).lines().filter(l -> l.trim().startsWith("g")).count(), "13 groups");
    }

    @Test
    void theBagAndArrayExpressionsAreFused() {
        // the point of the tests below: fused programs (not only single calls) cross to worker JVMs
        assertTrue(Jdask.optimize(evenSquares()).nodes().values().stream()
                .anyMatch(n -> n instanceof Task t && t.function().toString().contains("map|filter|count")), "bag chain fused");
        DArray x = DArray.fromArray(new double[][] {{1, 2}, {3, 4}}, new int[] {1, 2});
        assertTrue(Jdask.optimize(fusedArray(x)).nodes().values().stream()
                .anyMatch(n -> n instanceof Task t && t.function().toString().startsWith("fused[")), "array chain fused");
    }

    @Test
    void packagesAllowedByConfigReachWorkerJvmsBeforeTheTaskIsDecoded() {
        // example.cfgfns is allowed only by the caller's config, which travels with the tasks
        try (LocalCluster cluster = LocalCluster.builder().workers(1).threadsPerWorker(1).processes(true).build();
             Client client = Client.connect(cluster);
             var s = Config.set("serialization.allowed-packages", "example.cfgfns")) {
            Object total = Bag.fromSequence(ONE_TO_100, 3).map(CfgFns::triple).sum().compute(DIST);
            assertEquals(3L * 5050, ((Number) total).longValue());
        }
    }

    @Test
    void submitAndRunOfUserFunctionsOnWorkerJvms() {
        try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(true).build();
             Client client = Client.connect(cluster)) {
            assertEquals(49, client.submit(UserFns::square, 7).result());
            Map<String, Long> pids = client.run(UserFns::pid);
            assertEquals(2, pids.size());
            assertEquals(Set.copyOf(pids.values()), cluster.workerProcesses().stream().map(ProcessHandle::pid).collect(Collectors.toSet()));
        }
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

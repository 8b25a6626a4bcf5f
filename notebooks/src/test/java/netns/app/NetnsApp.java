package netns.app;

import static org.jdask.dataframe.Agg.sum;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;
import org.jdask.bag.Bag;
import org.jdask.dataframe.Agg;
import org.jdask.dataframe.DataFrame;
import org.jdask.distributed.Client;
import org.jdask.distributed.Future;
import org.jdask.distributed.Security;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * A user's program on a "host" of {@code NetnsClusterTest}: its classes (this package) exist only
 * on the client, so every task below reaches the workers by code shipping. Prints one line per
 * check, {@code OK name} or {@code MISMATCH name got ... want ...}, each against the same program
 * on {@code sync} in this JVM; {@code KILL-NOW} asks the test to kill -9 a worker JVM while the
 * slow computation runs, {@code LINK-DOWN-NOW} to take a worker host's link down during the last one.
 */
public final class NetnsApp {
    /** A user record that crosses to the workers and back. */
    public record Reading(String sensor, double value) {}

    static final Map<String, Object> SYNC = Map.of("scheduler", "sync");
    static final Map<String, Object> DIST = Map.of("scheduler", "distributed");

    static int inc(int i) {
        return i + 1;
    }

    static long total(List<Integer> xs) {
        return xs.stream().mapToLong(Integer::longValue).sum();
    }

    static Reading parse(String line) {
        String[] f = line.split(",");
        return new Reading(f[0], Double.parseDouble(f[1]));
    }

    static int slow(int i) throws InterruptedException {
        Thread.sleep(40);
        return i * 3;
    }

    /** User code inside the dataframe pipelines below (this class exists only on the client): v doubled. */
    static Table scaled(Table t) {
        Table out = t.copy();
        out.replaceColumn("v", out.doubleColumn("v").multiply(2).setName("v"));
        return out;
    }

    static Map<String, ColumnType> keyValue() {
        Map<String, ColumnType> m = new LinkedHashMap<>();
        m.put("k", ColumnType.STRING);
        m.put("v", ColumnType.DOUBLE);
        return m;
    }

    static Object bag(Path data, Map<String, Object> on) {
        return Bag.readText(data + "/part-*.csv", 2_048).map(NetnsApp::parse).filter(r -> r.value() > 40)
                .map(Reading::sensor).frequencies().compute(on);
    }

    static String groupBy(Map<String, Object> on) {
        Table t = Table.create("t");
        StringColumn k = StringColumn.create("k");
        DoubleColumn v = DoubleColumn.create("v");
        for (int i = 0; i < 5_000; i++) {
            k.append("g" + (i % 17));
            v.append(i * 0.25);
        }
        t.addColumns(k, v);
        return DataFrame.fromTable(t, 6).mapPartitions(NetnsApp::scaled, keyValue()).groupBy("k").agg(sum("v"), Agg.size()).compute(on).sortOn("k").toString();
    }

    /** A merge of two frames on a non-index key: both sides hash-shuffled, so partitions cross between the worker hosts. */
    static String shuffle(Map<String, Object> on) {
        Table left = Table.create("left"), right = Table.create("right");
        StringColumn lk = StringColumn.create("k"), rk = StringColumn.create("k"), name = StringColumn.create("name");
        DoubleColumn lv = DoubleColumn.create("v");
        for (int i = 0; i < 4_000; i++) {
            lk.append("key" + (i * 7 % 301));
            lv.append(i);
        }
        for (int i = 0; i < 301; i += 2) {
            rk.append("key" + i);
            name.append("n" + (i % 5));
        }
        left.addColumns(lk, lv);
        right.addColumns(rk, name);
        return DataFrame.fromTable(left, 5).mapPartitions(NetnsApp::scaled, keyValue()).merge(DataFrame.fromTable(right, 3), "k", "inner").groupBy("name")
                .agg(sum("v"), Agg.size()).compute(on).sortOn("name").toString();
    }

    static void check(String name, Object got, Object want) {
        System.out.println(Objects.equals(got, want) ? "OK " + name : "MISMATCH " + name + " got " + got + " want " + want);
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        String scheduler = args[0];
        Path keys = Path.of(args[1]);
        Path data = Path.of(args[2]);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) lines.add("s" + (i % 11) + "," + (i % 97));
        for (int p = 0; p < 3; p++) Files.write(data.resolve("part-" + p + ".csv"), lines.subList(p * 1_000, (p + 1) * 1_000));
        try (Client client = Client.connect(scheduler, Security.load(keys))) {
            System.out.println("WORKERS " + client.workerAddresses());
            List<Integer> xs = IntStream.range(0, 3_000).boxed().toList();
            List<Future<Integer>> fs = client.map(NetnsApp::inc, xs);
            check("w1", client.submit(NetnsApp::total, fs).result(), total(xs.stream().map(NetnsApp::inc).toList()));
            check("reading", client.submit(NetnsApp::parse, "s3,4.5").result(), new Reading("s3", 4.5));
            check("bag", bag(data, DIST), bag(data, SYNC));
            check("groupby", groupBy(DIST), groupBy(SYNC));
            check("shuffle", shuffle(DIST), shuffle(SYNC));
            List<Future<Integer>> slow = client.map(NetnsApp::slow, IntStream.range(0, 400).boxed().toList());
            Future<Long> sum = client.submit(NetnsApp::total, slow);
            System.out.println("KILL-NOW");
            System.out.flush();
            check("after-kill", sum.result(), 3L * IntStream.range(0, 400).sum());
            System.out.println("WORKERS-AFTER " + client.workerAddresses());
            // a host whose network drops: its tasks are recomputed on the other one
            long deadline = System.currentTimeMillis() + 180_000;
            while (client.workerAddresses().size() < 2 && System.currentTimeMillis() < deadline) Thread.sleep(200); // the killed JVM's nanny restarts it
            List<Future<Integer>> more = client.map(NetnsApp::slow, IntStream.range(1_000, 1_300).boxed().toList());
            Future<Long> moreSum = client.submit(NetnsApp::total, more);
            Thread.sleep(1_000); // both hosts busy
            System.out.println("LINK-DOWN-NOW " + client.workerAddresses().size());
            System.out.flush();
            check("after-link-down", moreSum.result(), 3L * IntStream.range(1_000, 1_300).sum());
        }
        System.out.println("DONE");
    }
}

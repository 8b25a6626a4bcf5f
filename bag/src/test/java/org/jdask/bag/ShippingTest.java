package org.jdask.bag;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdask.Jdask;
import org.jdask.graph.Key;
import org.jdask.graph.Node;
import org.jdask.graph.SerializationCheck;
import org.jdask.graph.Task;
import org.jdask.graph.TaskGraph;
import org.jdask.serialize.Codecs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bag graphs are ready for schedulers that ship tasks to other JVMs: every optimized task
 * (fused pipelines and tees included) passes the serialization check and, after a round trip
 * through the wire codec, computes the same value as the original.
 */
class ShippingTest {
    @TempDir
    Path dir;

    @Test
    void optimizedTasksSurviveTheWireCodec() throws Exception {
        Files.writeString(dir.resolve("a.txt"), "en Obama 1\nde Main 2\nen Obama_Girl 3\n");
        Files.writeString(dir.resolve("b.txt"), "en x 4\nen Obama 5\n");
        Bag<String> wiki = Bag.readText(dir + "/*.txt");
        Bag<String> obama = wiki.filter(l -> l.contains("Obama"));
        Bag<Integer> nums = Bag.fromSequence(List.of(5, 1, 4, 1, 5, 9, 2, 6), 3);
        List<org.jdask.Lazy<?>> all = List.of(obama, obama.count(), wiki.count(), nums.map(x -> x * 2).topk(2),
                nums.groupBy(x -> x % 2), nums.foldby(x -> x % 3, Integer::sum), nums.frequencies(true), nums.std(),
                nums.zip(nums.map(x -> -x)), nums.repartition(5), nums.distinct());
        List<Object> expected = Jdask.computeAll(all, Map.of("scheduler", "sync"));
        for (int c = 0; c < all.size(); c++) {
            TaskGraph g = Jdask.optimize(all.get(c));
            SerializationCheck.check(g);
            // evaluate the round-tripped graph by hand in topological order
            Map<Key, Object> values = new java.util.HashMap<>();
            List<Key> order = org.jdask.graph.Graphs.toposort(g);
            for (Key k : order) {
                Node n = (Node) Codecs.decode(Codecs.encode(g.get(k)));
                Object v = n instanceof Task t ? t.execute(values::get)
                        : n instanceof org.jdask.graph.DataNode d ? d.value() : values.get(((org.jdask.graph.Alias) n).target());
                values.put(k, v);
            }
            List<Object> mine = new ArrayList<>();
            for (Key k : all.get(c).keys()) mine.add(values.get(k));
            assertEquals(String.valueOf(expected.get(c)), String.valueOf(finish(all.get(c), mine)), "collection " + c);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object finish(org.jdask.Lazy l, List<Object> values) {
        return l.finish(values);
    }
}

package org.jdask.bag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jdask.graph.Key;
import org.jdask.graph.Task;
import org.jdask.graph.TaskGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shapes the bag optimizer produces: private chains stream, shared reads become tees, outputs stay. */
class StreamFusionTest {
    @TempDir
    Path dir;

    private static List<Key> keysNamed(TaskGraph g, String prefix) {
        return g.keys().stream().filter(k -> k.name().startsWith(prefix)).sorted().toList();
    }

    @Test
    void shapes() throws Exception {
        Files.writeString(dir.resolve("a.txt"), "x Obama\ny\n");
        Files.writeString(dir.resolve("b.txt"), "z\n");
        Bag<String> wiki = Bag.readText(dir + "/*.txt");
        Bag<String> obama = wiki.filter(l -> l.contains("Obama"));

        // a private chain: no read-text or filter task left, the count part streams
        TaskGraph one = LazyNode.OPTIMIZER.optimize(obama.count().graph(), obama.count().keys());
        assertEquals(List.of(), keysNamed(one, "read-text"), one.toString());
        assertEquals(List.of(), keysNamed(one, "filter"), one.toString());
        assertTrue(one.nodes().values().stream().anyMatch(n -> n instanceof Task t && t.function() instanceof StreamFusion.Pipeline));

        // shared by the filter (an output) and wiki's count: one tee per file, no listed lines
        List<Key> outs = new java.util.ArrayList<>(obama.keys());
        outs.addAll(obama.count().keys());
        outs.addAll(wiki.count().keys());
        TaskGraph merged = TaskGraph.merge(List.of(obama.graph(), obama.count().graph(), wiki.count().graph()));
        TaskGraph shared = LazyNode.OPTIMIZER.optimize(merged, outs);
        assertEquals(2, keysNamed(shared, "tee-read-text").size(), shared.toString());
        assertEquals(List.of(), keysNamed(shared, "read-text"), shared.toString());
        for (Key k : obama.keys()) assertTrue(shared.contains(k), "outputs stay: " + k);

        // the bag itself as output: its partitions are listed, nothing else fused away
        TaskGraph whole = LazyNode.OPTIMIZER.optimize(wiki.graph(), wiki.keys());
        assertEquals(wiki.keys(), keysNamed(whole, "read-text"));
        assertEquals(List.of("x Obama\n"), obama.compute(Map.of("scheduler", "sync")));
    }
}

package org.jdask.array;

import static org.jdask.array.Shape.shape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jdask.Jdask;
import org.jdask.TaskFailedException;
import org.jdask.graph.Key;
import org.jdask.graph.TaskGraph;
import org.junit.jupiter.api.Test;

/** Keys, random streams, fusion, culling of slices, and the errors users see. */
class GraphTest {
    @Test
    void randomIsDeterministicPerSeedAndChunksOnEveryScheduler() {
        DArray a = DArray.random(42).normal(0, 1, shape(30, 20), shape(7, 6));
        DArray b = DArray.random(42).normal(0, 1, shape(30, 20), shape(7, 6));
        assertEquals(a.name(), b.name());
        assertTrue(a.name().startsWith("normal-"), a.name());
        assertEquals(Key.of(a.name(), 1, 2), a.blockKey(1, 2));
        NDArray sync = a.compute(Map.of("scheduler", "sync"));
        for (String s : DArrayTest.schedulers()) assertEquals(sync, b.compute(Map.of("scheduler", s)), s);
        // a block's numbers depend only on seed, chunking and position: slicing does not change them
        assertEquals(sync.slice("7:14, 6:12"), a.slice("7:14, 6:12").compute());
        // other seeds and other blocks draw other numbers
        assertNotEquals(sync, DArray.random(43).normal(0, 1, shape(30, 20), shape(7, 6)).compute());
        assertNotEquals(sync.slice(":7, :6"), sync.slice("7:14, :6"));
        // the streams are statistically sound: 1e6 draws in 100 blocks
        NDArray big = DArray.random(7).normal(2, 3, shape(1000, 1000), shape(100, 100)).compute();
        assertEquals(2, big.mean().item(), 0.02);
        assertEquals(3, big.std().item(), 0.02);
        NDArray u = DArray.random(7).uniform(-1, 1, shape(1000), shape(64)).compute();
        assertTrue(u.min().item() >= -1 && u.max().item() < 1);
        NDArray k = DArray.random(7).integers(0, 5, shape(1000), shape(64)).compute();
        assertEquals(DType.INT64, k.dtype());
        assertEquals(0, k.min().getLong());
        assertEquals(4, k.max().getLong());
    }

    @Test
    void reductionsOfRandomArraysStreamStripsAndAgreeWithTheBlocks() {
        // 150,000-row blocks of 2 columns: each block is reduced over 3 strips of its rows
        DArray x = DArray.random(11).normal(0, 1, shape(300000, 2), shape(150000, 2));
        NDArray whole = x.compute();
        for (String s : DArrayTest.schedulers()) {
            DArrayTest.Batch batch = new DArrayTest.Batch();
            for (Reduction r : Reduction.values()) {
                for (int[] ax : new int[][] {{}, {0}, {1}}) {
                    batch.add(whole.reduce(r, ax, false), x.reduce(r, ax, false), r + " " + java.util.Arrays.toString(ax) + " on " + s);
                }
            }
            batch.check(Map.of("scheduler", s));
        }
        DArray u = DArray.ones(shape(5, 3), shape(2, 2));
        assertEquals(NDArray.full(5, 3), u.sum(0).compute());
        TaskGraph g = Jdask.optimize(x.mean(1));
        assertTrue(g.keys().stream().noneMatch(k -> k.name().startsWith("normal-")), "no block is materialized: " + g);
    }

    @Test
    void keysAreDeterministicAndNamedLikeDask() {
        DArray x = DArray.ones(shape(4, 4), shape(2, 2));
        assertEquals(x.add(1).name(), x.add(1).name());
        assertNotEquals(x.add(1).name(), x.add(2).name());
        assertTrue(x.add(1).name().startsWith("add-"));
        assertTrue(x.sum(0).name().startsWith("sum-"));
        assertTrue(x.slice(":1").name().startsWith("getitem-"));
        DoubleFn inc = v -> v + 1;
        assertEquals(x.map(inc).name(), x.map(inc).name());
        assertNotEquals(x.map(inc).name(), x.map(v -> v + 2).name());
        assertEquals(4, x.keys().size());
    }

    @Test
    void elementwiseChainsFuseIntoOneTaskPerBlock() {
        DArray x = DArray.random(1).normal(0, 1, shape(40, 40), shape(10, 10)); // 16 blocks
        DArray y = x.add(1).mul(2).sum();
        TaskGraph raw = y.graph();
        TaskGraph opt = Jdask.optimize(y);
        // raw: 16 × (normal, add, mul, sum-chunk) + combine tree
        assertTrue(raw.size() >= 64, "raw graph " + raw.size());
        // fused: one task per block (normal+add+mul+sum-chunk) plus the tree: 16 + 1 aggregate
        // (renamed fused keys leave Aliases under the old names; count the tasks)
        long perBlock = tasks(opt).stream().filter(k -> k.indexLength() == 2).count();
        assertEquals(16, perBlock, opt.toString());
        assertEquals(17, tasks(opt).size(), opt.toString());
        assertEquals(x.compute().add(1).mul(2).sum().item(), y.compute().item(), 1e-9);
        try (var off = org.jdask.Config.set("array.fuse", false)) {
            assertEquals(raw.size(), Jdask.optimize(y).size());
        }
    }

    @Test
    void slicingTouchesOnlyTheBlocksItNeeds() {
        DArray x = DArray.random(3).normal(0, 1, shape(400, 400), shape(100, 100)); // 16 blocks
        DArray corner = x.slice(":10, :10");
        TaskGraph g = Jdask.optimize(corner);
        assertEquals(1, tasks(g).size(), g.toString()); // normal block (0, 0) fused with its getitem
        assertEquals(x.compute().slice(":10, :10"), corner.compute());
        assertEquals(2, tasks(Jdask.optimize(x.slice("95:105, 0"))).size());
    }

    static Set<Key> tasks(TaskGraph g) {
        return g.keys().stream().filter(k -> g.get(k) instanceof org.jdask.graph.Task).collect(Collectors.toSet());
    }

    @Test
    void badInputErrorsNameShapes() {
        DArray a = DArray.zeros(shape(4, 3), shape(2, 2)), b = DArray.zeros(shape(4, 2), shape(2, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.add(b));
        assertEquals("operands could not be broadcast together with shapes (4, 3) (4, 2)", e.getMessage());
        IndexOutOfBoundsException o = assertThrows(IndexOutOfBoundsException.class, () -> a.slice("4, :"));
        assertTrue(o.getMessage().contains("index 4 is out of bounds for axis 0 with size 4"), o.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Chunks.of(shape(10, 4), new int[][] {{5, 4}, {4}}));
        assertTrue(e.getMessage().contains("do not add up to shape (10, 4): axis 0 sums to 9"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DArray.zeros(shape(4, 3), shape(2)));
        assertTrue(e.getMessage().contains("chunks (2,) have 1 dimensions but the shape (4, 3) has 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> a.matmul(a));
        assertTrue(e.getMessage().contains("(4, 3) and (4, 3) not aligned"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> a.reshape(5, 5));
        assertTrue(e.getMessage().contains("cannot reshape array of size 12 and shape (4, 3) into shape (5, 5)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> a.sum(2));
        assertTrue(e.getMessage().contains("axis 2 is out of bounds for array of dimension 2"), e.getMessage());
        // a failing block names its key
        DArray bad = a.mapBlocks(blk -> blk.reshape(-1));
        TaskFailedException t = assertThrows(TaskFailedException.class, () -> bad.compute(Map.of("scheduler", "sync")));
        assertTrue(String.valueOf(t.getMessage()).contains("map-blocks"), t.getMessage());
        assertTrue(t.getCause().getMessage().contains("returned shape (4,) for a block of shape (2, 2)"), t.getCause().getMessage());
    }

    @Test
    void fromDelayedChecksItsPromise() {
        org.jdask.Delayed<NDArray> d = org.jdask.Delayed.of((Integer n) -> NDArray.arange(0, n, 1)).pure().apply(6);
        DArray x = DArray.fromDelayed(d, shape(6), DType.FLOAT64);
        assertEquals(NDArray.arange(0, 6, 1).mul(3), x.mul(3).compute());
        DArray lie = DArray.fromDelayed(d, shape(5), DType.FLOAT64);
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> lie.compute(Map.of("scheduler", "sync")));
        assertTrue(e.getCause().getMessage().contains("float64 of shape (6,), promised float64 of shape (5,)"), e.getCause().getMessage());
    }

    @Test
    void arrayGraphsCanBeShippedToOtherProcesses(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        java.nio.file.Path f = dir.resolve("a.npy");
        Npy.write(NDArray.arange(0, 12, 1).reshape(3, 4), f);
        DArray r = DArray.random(1).normal(0, 1, shape(20, 20), shape(7, 6));
        DoubleFn sq = v -> v * v;
        for (DArray x : java.util.List.of(r.mean(1), r.map(sq).slice("::2, 3").rechunk(4), r.matmul(r.transpose()).argmax(0),
                Linalg.qr(r.rechunk(7, -1)).q(), DArray.fromNpy(f, shape(2, 2)).cumsum(1), r.var(0, 1), DArray.where(r.gt(0), r, r.neg()))) {
            org.jdask.graph.SerializationCheck.check(Jdask.optimize(x));
        }
    }

    @Test
    void everyTaskSurvivesTheCodecsRoundTrip(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        // what the processes/distributed schedulers do to a task: encode, decode elsewhere, run
        java.nio.file.Path f = dir.resolve("a.npy");
        Npy.write(NDArray.arange(0, 40, 1).reshape(5, 8), f);
        DArray r = DArray.random(1).normal(0, 1, shape(12, 10), shape(5, 4));
        DoubleFn sq = v -> v * v;
        for (DArray x : java.util.List.of(r.mean(1), r.map(sq).slice("::2, 3").rechunk(4), r.matmul(r.transpose()).argmax(0),
                Linalg.qr(r.rechunk(7, -1)).q(), DArray.fromNpy(f, shape(2, 3)).cumsum(1), r.var(0, 1), r.std(0))) {
            TaskGraph g = Jdask.optimize(x);
            TaskGraph.Builder b = TaskGraph.builder();
            g.nodes().forEach((k, n) -> b.put(k, (org.jdask.graph.Node) org.jdask.serialize.Codecs.decode(org.jdask.serialize.Codecs.encode(n))));
            org.jdask.graph.RunOptions opts = org.jdask.graph.RunOptions.of(Map.of());
            java.util.List<Object> values = org.jdask.graph.Schedulers.provider("sync").scheduler(opts).get(b.build(), x.keys(), opts);
            assertTrue(x.compute().allClose(x.finish(values), 1e-12, 1e-12), x.toString());
        }
    }

    @Test
    void persistKeepsBlocks() {
        DArray x = DArray.arange(10, 3).mul(2);
        DArray p = x.persist();
        assertEquals(x.name(), p.name());
        assertEquals(4, p.graph().size());
        assertEquals(x.compute(), p.compute());
        assertEquals(NDArray.arange(0, 10, 1).mul(2), p.compute());
        assertEquals(NDArray.of(0, 0.25, 0.5, 0.75, 1), DArray.linspace(0, 1, 5, 2).compute());
        assertEquals(NDArray.eye(5, 5, 0), DArray.eye(5, 2).compute());
        assertEquals(NDArray.eye(4, 6, 1), DArray.eye(4, 6, 1, shape(3, 4)).compute());
    }
}

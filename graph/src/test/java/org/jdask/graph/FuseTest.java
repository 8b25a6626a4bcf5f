package org.jdask.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdask.Config;
import org.jdask.Ops;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;
import org.junit.jupiter.api.Test;

class FuseTest {
    static final Fn1<Integer, Integer> INC = Ops::inc;
    static final Fn2<Integer, Integer, Integer> ADD = Ops::add;
    static final FuseOptions PLAIN = FuseOptions.defaults().withRenameKeys(false);

    static List<Object> run(TaskGraph g, List<Key> outputs) {
        return ReferenceScheduler.INSTANCE.get(g, outputs, RunOptions.of(Map.of()));
    }

    static Key k(String name, int... index) {
        return Key.of(name, index);
    }

    /** a <- b <- c <- d, a is data. */
    static TaskGraph chain() {
        return TaskGraph.builder().data(k("a"), 1).task(k("b"), INC, k("a")).task(k("c"), INC, k("b"))
                .task(k("d"), INC, k("c")).build();
    }

    @Test
    void linearChainBecomesOneTaskUnderTheLastKey() {
        TaskGraph fused = Optimize.fuse(chain(), List.of(k("d")), PLAIN);
        assertEquals(List.of(k("a"), k("d")), new ArrayList<>(fused.keys()));
        Task d = (Task) fused.get(k("d"));
        FusedFn fn = assertInstanceOf(FusedFn.class, d.function());
        assertEquals(List.of(k("b"), k("c"), k("d")), fn.keys());
        assertEquals(List.of(k("a")), d.dependencies());
        assertEquals(List.of(4), run(fused, List.of(k("d"))));
    }

    @Test
    void aFailingPartIsNamedAndTheUsersExceptionKept() {
        Fn1<Integer, Integer> boom = Ops::boom;
        TaskGraph g = TaskGraph.builder().data(k("a"), 1).task(k("b"), INC, k("a")).task(k("c"), boom, k("b"))
                .task(k("d"), INC, k("c")).build();
        TaskGraph fused = Optimize.fuse(g, List.of(k("d")), PLAIN);
        assertEquals(2, fused.size());
        org.jdask.TaskFailedException e = org.junit.jupiter.api.Assertions.assertThrows(
                org.jdask.TaskFailedException.class, () -> run(fused, List.of(k("d"))));
        assertInstanceOf(ArithmeticException.class, e.getCause());
        assertEquals(1, e.getCause().getSuppressed().length);
        assertTrue(e.getCause().getSuppressed()[0].getMessage().contains("fused part 'c'"),
                e.getCause().getSuppressed()[0].getMessage());
    }

    @Test
    void nothingToFuseReturnsTheSameGraph() {
        TaskGraph g = TaskGraph.builder().data(k("a"), 1).task(k("b"), INC, k("a")).build();
        assertSame(g, Optimize.fuse(g, List.of(k("b")), FuseOptions.defaults()));
    }

    @Test
    void outputsAreNeverFusedAwayAndStayReadable() {
        List<Key> outs = List.of(k("b"), k("d"));
        TaskGraph fused = Optimize.fuse(chain(), outs, PLAIN);
        assertEquals(List.of(k("a"), k("b"), k("d")), new ArrayList<>(fused.keys()));
        assertEquals(List.of(2, 4), run(fused, outs));
        TaskGraph renamed = Optimize.fuse(chain(), outs, FuseOptions.defaults());
        assertEquals(new Alias(k("c-d")), renamed.get(k("d")));
        assertEquals(List.of(2, 4), run(renamed, outs));
    }

    @Test
    void branchesAreNotFused() {
        // y is read by both a and b: it stays; a and b feed c, a reduction ave-width 1 refuses
        TaskGraph g = TaskGraph.builder().data(k("x"), 1).task(k("y"), INC, k("x")).task(k("a"), INC, k("y"))
                .task(k("b"), INC, k("y")).task(k("c"), ADD, k("a"), k("b")).build();
        assertEquals(g, Optimize.fuse(g, List.of(k("c")), PLAIN));
        TaskGraph wide = Optimize.fuse(g, List.of(k("c")), FuseOptions.of(2).withRenameKeys(false));
        assertEquals(List.of(k("x"), k("y"), k("c")), new ArrayList<>(wide.keys()));
        assertEquals(List.of(k("y")), wide.dependencies(k("c")));
        assertEquals(run(g, List.of(k("c"))), run(wide, List.of(k("c"))));
    }

    @Test
    void renamedKeyJoinsPrefixesAndTheOldKeyIsAnAlias() {
        Key load = k("load-5a5a5a5a");
        Key inc = k("inc-aaaa1111");
        Key dbl = k("double-bbbb2222");
        Key add = k("add-cccc3333");
        TaskGraph g = TaskGraph.builder().data(load, 1).task(inc, INC, load).task(dbl, ADD, inc, inc)
                .task(add, ADD, dbl, load).build();
        TaskGraph fused = Optimize.fuse(g, List.of(add), FuseOptions.defaults());
        Key renamed = k("double-inc-add-cccc3333");
        assertEquals(new Alias(renamed), fused.get(add));
        assertInstanceOf(FusedFn.class, ((Task) fused.get(renamed)).function());
        assertEquals(List.of(5), run(fused, List.of(add)));
        assertEquals(run(g, List.of(add)), run(fused, List.of(renamed)));
    }

    @Test
    void renamedTupleKeysKeepTheirIndex() {
        TaskGraph g = TaskGraph.builder().data(k("x", 0, 1), 1).task(k("inc", 0, 1), INC, k("x", 0, 1))
                .task(k("sum", 0, 1), INC, k("inc", 0, 1)).build();
        TaskGraph fused = Optimize.fuse(g, List.of(k("sum", 0, 1)), FuseOptions.defaults());
        assertEquals(new Alias(k("inc-sum", 0, 1)), fused.get(k("sum", 0, 1)));
        assertEquals("('inc-sum', 0, 1)", k("inc-sum", 0, 1).toString());
    }

    @Test
    void renamedKeysAreCutToTheMaximumLengthWithAToken() {
        TaskGraph.Builder b = TaskGraph.builder().data(k("x"), 0);
        Key prev = k("x");
        for (String w : List.of("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf")) {
            Key next = k(w.repeat(4) + "-0");
            b.task(next, INC, prev);
            prev = next;
        }
        TaskGraph g = b.build();
        FuseOptions o = FuseOptions.defaults().withMaxKeyLength(40);
        TaskGraph fused = Optimize.fuse(g, List.of(prev), o);
        Key renamed = ((Alias) fused.get(prev)).target();
        assertTrue(renamed.name().length() <= 40, renamed.name());
        assertTrue(renamed.name().matches("alphaalpha.*-[0-9a-f]{8}"), renamed.name());
        assertEquals(fused, Optimize.fuse(g, List.of(prev), o), "deterministic");
        // a longer limit keeps the whole joined name
        Key full = ((Alias) Optimize.fuse(g, List.of(prev), FuseOptions.defaults().withMaxKeyLength(1000)).get(prev)).target();
        assertTrue(full.name().startsWith("alphaalphaalphaalpha-bravobravo"), full.name());
        assertTrue(full.name().endsWith("-golfgolfgolfgolf-0"), full.name());
        assertEquals(List.of(7), run(fused, List.of(prev)));
    }

    @Test
    void keyPrefixDropsTokensAndNumbers() {
        assertEquals("inc", Fuse.prefix("inc-1f2e3d4c"));
        assertEquals("sum-chunk", Fuse.prefix("sum-chunk-3"));
        assertEquals("x", Fuse.prefix("x"));
        assertEquals("read", Fuse.prefix("read-deadbeefcafe"));
    }

    /** l0..l3 (each inc of a data leaf) reduced pairwise into p0, p1 and then top. */
    static TaskGraph reductionTree() {
        TaskGraph.Builder b = TaskGraph.builder();
        for (int i = 0; i < 4; i++) b.data(k("x", i), i).task(k("l", i), INC, k("x", i));
        b.task(k("p", 0), ADD, k("l", 0), k("l", 1)).task(k("p", 1), ADD, k("l", 2), k("l", 3));
        return b.task(k("top"), ADD, k("p", 0), k("p", 1)).build();
    }

    @Test
    void reductionsFuseOnlyWithinTheAverageWidth() {
        TaskGraph g = reductionTree();
        List<Key> out = List.of(k("top"));
        assertEquals(g, Optimize.fuse(g, out, PLAIN), "ave-width 1 fuses no reduction");
        // ave-width 2: each pair (3 tasks, height 2) fuses, the 4-wide top exceeds max-width 1.5+2ln3
        TaskGraph two = Optimize.fuse(g, out, FuseOptions.of(2).withRenameKeys(false));
        assertEquals(4 + 3, two.size());
        assertEquals(List.of(k("l", 0), k("l", 1), k("p", 0)), ((FusedFn) ((Task) two.get(k("p", 0))).function()).keys());
        assertInstanceOf(Task.class, two.get(k("top")));
        // ave-width 3: 7 tasks over height 3 fit, all in one task
        TaskGraph three = Optimize.fuse(g, out, FuseOptions.of(3).withRenameKeys(false));
        assertEquals(4 + 1, three.size());
        assertEquals(7, ((FusedFn) ((Task) three.get(k("top"))).function()).keys().size());
        // max-height caps it again
        TaskGraph low = Optimize.fuse(g, out, FuseOptions.of(3).withRenameKeys(false).withMaxHeight(2));
        assertEquals(4 + 3, low.size());
        Object expected = run(g, out);
        assertEquals(expected, run(two, out));
        assertEquals(expected, run(three, out));
        assertEquals(expected, run(low, out));
    }

    @Test
    void maxHeightSplitsALongChain() {
        TaskGraph.Builder b = TaskGraph.builder().data(k("t", 0), 0);
        for (int i = 1; i <= 9; i++) b.task(k("t", i), INC, k("t", i - 1));
        TaskGraph g = b.build();
        TaskGraph fused = Optimize.fuse(g, List.of(k("t", 9)), PLAIN.withMaxHeight(3));
        assertEquals(List.of(k("t", 0), k("t", 3), k("t", 6), k("t", 9)), new ArrayList<>(fused.keys()));
        assertEquals(List.of(9), run(fused, List.of(k("t", 9))));
    }

    @Test
    void fusedGraphComputesTheSameResults() {
        TaskGraph g = OrderTest.randomDag(400, 11);
        List<Key> sinks = new ArrayList<>();
        for (Key key : g.keys()) if (!g.dependents().containsKey(key)) sinks.add(key);
        List<Object> expected = run(g, sinks);
        for (double ave : new double[] {1, 2, 4}) {
            for (boolean rename : new boolean[] {false, true}) {
                FuseOptions o = FuseOptions.of(ave).withRenameKeys(rename);
                TaskGraph fused = Optimize.fuse(g, sinks, o);
                assertTrue(fused.size() < g.size(), "something fused");
                assertEquals(expected, run(fused, sinks), "ave " + ave + " rename " + rename);
            }
        }
    }

    @Test
    void hundredThousandChainFusesRunsAndSerializesWithoutDeepRecursion() throws Exception {
        int n = 100_000;
        TaskGraph.Builder b = TaskGraph.builder(n).data(k("c", 0), 0);
        for (int i = 1; i < n; i++) b.task(k("c", i), INC, k("c", i - 1));
        TaskGraph g = b.build();
        List<Key> out = List.of(k("c", n - 1));
        TaskGraph fused = Optimize.fuse(g, out, FuseOptions.defaults());
        assertEquals(2, fused.size());
        assertEquals(List.of(n - 1), run(fused, out));
        Task task = (Task) fused.get(k("c", n - 1));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream oos = new ObjectOutputStream(bytes)) {
            oos.writeObject(task);
        }
        Task back;
        try (ObjectInputStream ois = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (Task) ois.readObject();
        }
        assertEquals(((FusedFn) task.function()).keys(), ((FusedFn) back.function()).keys());
        assertEquals(n - 1, back.execute(key -> key.equals(k("c", 0)) ? 0 : null));
    }

    @Test
    void millionTaskGraphFuses() {
        TaskGraph g = OrderTest.chainsWithSum(1000, 1000);
        long t0 = System.nanoTime();
        TaskGraph fused = Optimize.fuse(g, List.of(k("total")), FuseOptions.defaults());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("Optimize.fuse on " + g.size() + " tasks: " + ms + " ms");
        // per chain: the data root and one fused task (names share the prefix: no rename); plus the sum
        assertEquals(1000 * 2 + 1, fused.size());
    }

    @Test
    void optionsComeFromConfig() {
        FuseOptions d = FuseOptions.fromConfig();
        assertEquals(1, d.aveWidth());
        assertEquals(1.5 + Math.log(2), d.maxWidth(), 1e-9);
        assertEquals(Double.POSITIVE_INFINITY, d.maxHeight());
        assertEquals(120, d.maxKeyLength());
        assertTrue(d.renameKeys());
        try (var s = Config.set("optimization.fuse.ave-width", 3, "optimization.fuse.rename-keys", false,
                "optimization.fuse.max-height", 5)) {
            FuseOptions o = FuseOptions.fromConfig();
            assertEquals(3, o.aveWidth());
            assertEquals(1.5 + 3 * Math.log(4), o.maxWidth(), 1e-9);
            assertEquals(5, o.maxHeight());
            assertEquals(4.5, o.maxDepthNewEdges(), 1e-9);
            assertEquals(FuseOptions.of(3).withRenameKeys(false).withMaxHeight(5), o);
            TaskGraph fused = Optimize.fuse(chain(), List.of(k("d")));
            assertNotEquals(chain(), fused);
            assertInstanceOf(Task.class, fused.get(k("d")), "no rename, so no alias");
        }
    }
}

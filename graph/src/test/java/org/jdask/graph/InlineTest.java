package org.jdask.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jdask.Config;
import org.jdask.Ops;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;
import org.junit.jupiter.api.Test;

class InlineTest {
    static final Fn1<Integer, Integer> INC = Ops::inc;
    static final Fn2<Integer, Integer, Integer> ADD = Ops::add;
    static final Fn2<Object, Object, String> CONCAT = (a, b) -> a + "/" + b;
    static final Fn1<Object, Integer> LEN = a -> a instanceof int[] arr ? arr.length : -1;

    static Key k(String name, int... index) {
        return Key.of(name, index);
    }

    static List<Object> run(TaskGraph g, List<Key> outputs) {
        return ReferenceScheduler.INSTANCE.get(g, outputs, RunOptions.of(Map.of()));
    }

    @Test
    void cheapConstantsAreWrittenIntoTheirReaders() {
        TaskGraph g = TaskGraph.builder()
                .data(k("n"), 1).data(k("s"), "hi").data(k("flag"), true).data(k("unit"), TimeUnit.SECONDS)
                .data(k("big"), new int[1000]).data(k("long"), "x".repeat(1000))
                .task(k("a"), INC, k("n"))
                .task(k("b"), CONCAT, k("s"), k("flag"))
                .task(k("c"), CONCAT, k("unit"), k("long"))
                .task(k("d"), LEN, k("big"))
                .build();
        List<Key> outs = List.of(k("a"), k("b"), k("c"), k("d"));
        TaskGraph in = Optimize.inline(g, outs);
        assertEquals(List.of(k("big"), k("long"), k("a"), k("b"), k("c"), k("d")), new ArrayList<>(in.keys()));
        assertEquals(Task.of(INC, 1), in.get(k("a")));
        assertEquals(Task.of(CONCAT, "hi", true), in.get(k("b")));
        assertEquals(Task.of(CONCAT, TimeUnit.SECONDS, k("long")), in.get(k("c")));
        assertEquals(run(g, outs), run(in, outs));
    }

    @Test
    void outputsAndAliasTargetsAreNotInlined() {
        TaskGraph g = TaskGraph.builder().data(k("n"), 1).data(k("m"), 2).put(k("am"), new Alias(k("m")))
                .task(k("a"), ADD, k("n"), k("m")).build();
        List<Key> outs = List.of(k("n"), k("a"), k("am"));
        assertSame(g, Optimize.inline(g, outs));
        assertEquals(List.of(1, 3, 2), run(g, outs));
    }

    @Test
    void fastFunctionsWithOneReaderBecomeNestedTasks() {
        // x -> a=inc(x) -> b=add(a, y) ; y=inc(x) has two readers (b and c) and stays
        TaskGraph g = TaskGraph.builder().data(k("x"), 1)
                .task(k("a"), INC, k("x")).task(k("y"), INC, k("x"))
                .task(k("b"), ADD, k("a"), k("y")).task(k("c"), INC, k("y")).build();
        List<Key> outs = List.of(k("b"), k("c"));
        TaskGraph in = Optimize.inlineFunctions(g, outs, Set.of(INC));
        assertEquals(List.of(k("x"), k("y"), k("b"), k("c")), new ArrayList<>(in.keys()));
        assertEquals(Task.of(ADD, Task.of(INC, k("x")), k("y")), in.get(k("b")));
        assertEquals(run(g, outs), run(in, outs));
        // outputs are not inlined; functions not in the set are not inlined
        TaskGraph keepA = Optimize.inlineFunctions(g, List.of(k("a"), k("b"), k("c")), Set.of(INC));
        assertEquals(g.get(k("a")), keepA.get(k("a")));
        assertEquals(g.get(k("b")), keepA.get(k("b")));
        assertSame(g, Optimize.inlineFunctions(g, outs, Set.of(ADD)));
    }

    @Test
    void aReaderOfManyFastTasksGetsThemAll() {
        int n = 20_000;
        TaskGraph.Builder b = TaskGraph.builder().data(k("x"), 1);
        List<Object> parts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            b.task(k("part", i), INC, k("x"));
            parts.add(k("part", i));
        }
        Fn1<List<Integer>, Integer> sum = Ops::sum;
        TaskGraph g = b.task(k("total"), sum, parts).build();
        TaskGraph in = Optimize.inlineFunctions(g, List.of(k("total")), Set.of(INC));
        assertEquals(2, in.size());
        assertEquals(List.of(k("x")), in.dependencies(k("total")));
        assertEquals(List.of(2 * n), run(in, List.of(k("total"))));
    }

    @Test
    void inliningALongFastChainIsDepthBounded() {
        int n = 1000;
        TaskGraph.Builder b = TaskGraph.builder().data(k("t", 0), 0);
        for (int i = 1; i < n; i++) b.task(k("t", i), INC, k("t", i - 1));
        TaskGraph g = b.build();
        List<Key> outs = List.of(k("t", n - 1));
        TaskGraph in = Optimize.inlineFunctions(g, outs, Set.of(INC));
        assertTrue(in.size() < n / 16, "size " + in.size());
        assertTrue(in.size() > n / 64, "size " + in.size());
        int deepest = 0;
        for (Node node : in.nodes().values()) {
            if (node instanceof Task t) deepest = Math.max(deepest, Inline.nestDepth(t));
        }
        assertTrue(deepest <= Inline.MAX_DEPTH, "depth " + deepest);
        assertEquals(Inline.MAX_DEPTH, deepest);
        assertEquals(List.of(n - 1), run(in, outs));
    }

    @Test
    void delayedChainsAreFusedWhenConfiguredAndStillCompute() {
        org.jdask.Delayed<Integer> x = org.jdask.Delayed.of(INC).apply(1);
        for (int i = 0; i < 50; i++) x = org.jdask.Delayed.of(INC).apply(x);
        assertEquals(52, x.compute());
        try (var scope = Config.set("optimization.fuse.active", true)) {
            TaskGraph optimized = org.jdask.Jdask.optimize(x);
            // every part is an inc-<token>: one prefix, so the fused task keeps the output's key
            assertEquals(1, optimized.size(), optimized.toString());
            assertEquals(51, ((FusedFn) ((Task) optimized.get(x.key())).function()).keys().size());
            assertEquals(52, x.compute());
        }
    }

    @Test
    void fuseThenInlineComputesTheSame() {
        TaskGraph g = OrderTest.randomDag(300, 5);
        List<Key> sinks = new ArrayList<>();
        for (Key key : g.keys()) if (!g.dependents().containsKey(key)) sinks.add(key);
        try (var scope = Config.set("optimization.fuse.active", true, "optimization.fuse.ave-width", 2)) {
            TaskGraph s = Optimize.standard(g, sinks);
            assertTrue(s.size() < g.size());
            assertEquals(run(g, sinks), run(s, sinks));
        }
    }

    @Test
    void standardCullsFusesWhenActiveAndInlines() {
        TaskGraph g = TaskGraph.builder().data(k("x"), 1).task(k("unused"), INC, k("x"))
                .task(k("a"), INC, k("x")).task(k("b"), INC, k("a")).task(k("c"), INC, k("b")).build();
        List<Key> outs = List.of(k("c"));
        TaskGraph s = Optimize.standard(g, outs);
        assertFalse(s.contains(k("unused")));
        assertFalse(s.contains(k("x")), "constant inlined");
        assertEquals(Task.of(INC, 1), s.get(k("a")));
        assertEquals(3, s.size());
        try (var scope = Config.set("optimization.fuse.active", true, "optimization.inline.active", false)) {
            TaskGraph f = Optimize.standard(g, outs);
            assertEquals(List.of(k("x"), k("a-b-c"), k("c")), new ArrayList<>(f.keys()));
            assertEquals(new Alias(k("a-b-c")), f.get(k("c")));
            assertInstanceOf(FusedFn.class, ((Task) f.get(k("a-b-c"))).function());
            assertEquals(List.of(4), run(f, outs));
        }
        assertSame(GraphOptimizer.STANDARD, new org.jdask.Lazy<Object>() {
            public TaskGraph graph() { return g; }
            public List<Key> keys() { return outs; }
            public Object finish(List<Object> values) { return values.get(0); }
            public org.jdask.Lazy<Object> rebuild(TaskGraph persisted) { return this; }
        }.optimizer());
    }
}

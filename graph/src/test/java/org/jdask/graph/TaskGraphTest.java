package org.jdask.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.jdask.Ops;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;
import org.junit.jupiter.api.Test;

class TaskGraphTest {
    static final Fn1<Integer, Integer> INC = Ops::inc;
    static final Fn2<Integer, Integer, Integer> ADD = Ops::add;

    static Key k(String name, int... index) {
        return Key.of(name, index);
    }

    static TaskGraph small() {
        return TaskGraph.builder().data(k("x", 0), 1).data(k("x", 1), 2)
                .task(k("y", 0), INC, k("x", 0)).task(k("z"), ADD, k("y", 0), k("x", 1)).build();
    }

    @Test
    void equalsIsByEntriesNotInsertionOrder() {
        TaskGraph reversed = TaskGraph.builder().task(k("z"), ADD, k("y", 0), k("x", 1)).task(k("y", 0), INC, k("x", 0))
                .data(k("x", 1), 2).data(k("x", 0), 1).build();
        assertEquals(small(), reversed);
        assertEquals(small().hashCode(), reversed.hashCode());
        assertNotEquals(small(), TaskGraph.builder().data(k("x", 0), 1).build());
    }

    @Test
    void printsOneSortedLinePerKey() {
        assertEquals("TaskGraph(4 keys)\n"
                + "  ('x', 0): Data(1)\n"
                + "  ('x', 1): Data(2)\n"
                + "  ('y', 0): inc(('x', 0))\n"
                + "  'z': add(('y', 0), ('x', 1))", small().toString());
    }

    @Test
    void dependentsAndLayers() {
        TaskGraph g = small();
        assertEquals(List.of(k("y", 0)), g.dependents().get(k("x", 0)));
        assertEquals(List.of(k("z")), g.dependents().get(k("x", 1)));
        assertEquals(null, g.dependents().get(k("z")));
        Map<String, Layer> layers = g.layers();
        assertEquals(List.of("x", "y", "z"), new ArrayList<>(layers.keySet()));
        assertEquals(Set.of("y", "x"), layers.get("z").dependsOn());
        assertEquals(List.of(k("x", 0), k("x", 1)), layers.get("x").keys());
    }

    @Test
    void validateNamesTheMissingKeyAndWhoNeedsIt() {
        TaskGraph g = TaskGraph.builder().task(k("y"), INC, k("x", 3)).build();
        NoSuchElementException e = assertThrows(NoSuchElementException.class, g::validate);
        assertEquals("key ('x', 3) (needed by 'y') is not in the graph", e.getMessage());
        NoSuchElementException o = assertThrows(NoSuchElementException.class, () -> small().validate(List.of(k("w"))));
        assertEquals("output key 'w' is not in the graph", o.getMessage());
        assertEquals(Set.of(k("x", 3)), g.missingKeys());
    }

    @Test
    void cullKeepsExactlyWhatOutputsNeed() {
        TaskGraph g = TaskGraph.builder().data(k("x"), 1).task(k("y"), INC, k("x")).task(k("out"), ADD, k("x"), 10)
                .task(k("other"), INC, k("y")).build();
        TaskGraph culled = Optimize.cull(g, List.of(k("out")));
        assertEquals(TaskGraph.builder().data(k("x"), 1).task(k("out"), ADD, k("x"), 10).build(), culled);
        assertEquals(Set.of(k("x"), k("y"), k("other")), Optimize.cull(g, List.of(k("other"))).keys());
        assertSame(g, Optimize.cull(g, List.of(k("out"), k("other"))));
        assertThrows(NoSuchElementException.class, () -> Optimize.cull(g, List.of(k("nope"))));
    }

    @Test
    void passesAcceptTheEmptyGraph() {
        TaskGraph e = TaskGraph.empty();
        assertEquals(0, Order.priorities(IndexedGraph.of(e)).length);
        assertSame(e, Optimize.fuse(e, List.of(), FuseOptions.defaults()));
        assertSame(e, Optimize.inline(e, List.of()));
        assertSame(e, Optimize.inlineFunctions(e, List.of(), Set.of(INC)));
        assertEquals(e, Optimize.standard(e, List.of()));
    }

    @Test
    void cullOfALongChainDoesNotRecurse() {
        TaskGraph.Builder b = TaskGraph.builder(100_001).data(k("c", 0), 0);
        for (int i = 1; i < 100_000; i++) b.task(k("c", i), INC, k("c", i - 1));
        b.data(k("stray"), 5);
        TaskGraph culled = Optimize.cull(b.build(), List.of(k("c", 99_999)));
        assertEquals(100_000, culled.size());
        assertTrue(!culled.contains(k("stray")));
    }
}

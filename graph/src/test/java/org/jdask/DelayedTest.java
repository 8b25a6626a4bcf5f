package org.jdask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdask.graph.Key;
import org.jdask.graph.Task;
import org.jdask.graph.TaskGraph;
import org.junit.jupiter.api.Test;

class DelayedTest {
    @Test
    void quickstartComputes() {
        Delayed<Integer> x = Delayed.of(Ops::inc).apply(1);
        Delayed<Integer> y = Delayed.of(Ops::inc).apply(2);
        Delayed<Integer> z = Delayed.of(Ops::add).apply(x, y);
        assertEquals(5, z.compute());
        assertEquals(3, z.graph().size());
        assertEquals(List.of(x.key(), y.key()), z.graph().dependencies(z.key()));
    }

    @Test
    void impureCallsGetFreshKeysPureCallsShareOne() {
        assertNotEquals(Delayed.of(Ops::inc).apply(1).key(), Delayed.of(Ops::inc).apply(1).key());
        Delayed<Integer> a = Delayed.of(Ops::inc).pure().apply(1);
        Delayed<Integer> b = Delayed.of(Ops::inc).pure().apply(1);
        assertEquals(a.key(), b.key());
        assertTrue(a.key().name().startsWith("inc-"), a.key().name());
        assertNotEquals(a.key(), Delayed.of(Ops::inc).pure().apply(2).key());
        try (var s = Config.set("delayed_pure", true)) {
            assertEquals(a.key(), Delayed.of(Ops::inc).apply(1).key());
        }
    }

    @Test
    void sharedWorkRunsOnceInOneCompute() {
        AtomicInteger calls = new AtomicInteger();
        Delayed<Integer> shared = Delayed.of((Integer v) -> { calls.incrementAndGet(); return v * 2; }).apply(21);
        Delayed<Integer> a = shared.map(v -> v + 1);
        Delayed<Integer> b = shared.map(v -> v - 1);
        Object[] r = Jdask.compute(a, b);
        assertEquals(43, r[0]);
        assertEquals(41, r[1]);
        assertEquals(1, calls.get());
    }

    @Test
    void allAndListArguments() {
        List<Delayed<Integer>> parts = new ArrayList<>();
        for (int i = 0; i < 10; i++) parts.add(Delayed.of(Ops::inc).apply(i));
        assertEquals(55, Delayed.of(Ops::sum).apply(Delayed.all(parts)).compute());
        // a plain list holding Delayed values is unpacked too, like Dask
        assertEquals(55, Delayed.of(Ops::sum).apply(new ArrayList<Object>(parts)).compute());
        assertEquals(List.of(1, 2, 3), Jdask.compute(parts.subList(0, 3)));
    }

    @Test
    void noutAndGet() {
        Delayed<List<Integer>> pair = Delayed.of((Integer v) -> List.of(v, v * 10)).nout(2).apply(4);
        List<Delayed<Object>> parts = pair.parts();
        assertEquals(40, parts.get(1).compute());
        assertEquals(parts.get(0).key(), pair.get(0).key());
        assertThrows(IndexOutOfBoundsException.class, () -> pair.get(2));
    }

    @Test
    void nameSetsTheKeyAndValueIsDeterministic() {
        Delayed<Integer> d = Delayed.of(Ops::inc).name("load-0").apply(1);
        assertEquals(Key.of("load-0"), d.key());
        double[] big = new double[1000];
        assertEquals(Delayed.value(big).key(), Delayed.value(big.clone()).key());
    }

    @Test
    void persistKeepsKeyAndHoldsData() {
        AtomicInteger calls = new AtomicInteger();
        Delayed<Integer> d = Delayed.of((Integer v) -> { calls.incrementAndGet(); return v + 1; }).apply(1);
        Delayed<Integer> p = d.persist();
        assertEquals(d.key(), p.key());
        assertEquals(1, p.graph().size());
        assertEquals(2, p.compute());
        assertEquals(2, p.map(v -> v * 1).compute());
        assertEquals(1, calls.get());
    }

    @Test
    void failingTaskNamesKeyAndKeepsCause() {
        Delayed<Integer> d = Delayed.of(Ops::boom).apply(Delayed.of(Ops::inc).apply(1));
        TaskFailedException e = assertThrows(TaskFailedException.class, d::compute);
        assertEquals(d.key(), e.key());
        assertInstanceOf(ArithmeticException.class, e.getCause());
        assertTrue(e.getMessage().contains("boom on 2"), e.getMessage());
    }

    @Test
    void wrongArityFailsAtApply() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Delayed.of(Ops::add).apply(1));
        assertTrue(e.getMessage().contains("add takes 2"), e.getMessage());
    }

    @Test
    void longChainBuildsAndRunsWithoutRecursion() {
        Delayed<Integer> x = Delayed.value(0);
        for (int i = 0; i < 100_000; i++) x = Delayed.of(Ops::inc).apply(x);
        TaskGraph g = x.graph();
        assertEquals(100_001, g.size());
        assertEquals(100_000, x.compute(Map.of("scheduler", "reference")));
    }

    @Test
    void literalKeysAreQuotedNotReferences() {
        Key literal = Key.of("not-a-task");
        Delayed<String> d = Delayed.of((Key k) -> k.name()).apply(literal);
        assertEquals("not-a-task", d.compute());
        assertTrue(((Task) d.graph().get(d.key())).dependencies().isEmpty());
    }

    @Test
    void delayedGraphIsKnownCulledSoCullSkipsTheWalk() {
        Delayed<Integer> x = Delayed.of(Ops::inc).apply(1);
        Delayed<Integer> z = Delayed.of(Ops::add).apply(x, 2);
        TaskGraph g = z.graph();
        assertTrue(g.knownCulledFor(List.of(z.key())));
        assertTrue(org.jdask.graph.Optimize.cull(g, List.of(z.key())) == g);
        // culling to an inner key still drops what that key does not need
        TaskGraph inner = org.jdask.graph.Optimize.cull(g, List.of(x.key()));
        assertEquals(1, inner.size());
        assertTrue(inner.knownCulledFor(List.of(x.key())));
        // a merge of two known-culled graphs is known culled for both outputs only
        Delayed<Integer> y = Delayed.of(Ops::inc).apply(5);
        TaskGraph both = TaskGraph.merge(List.of(g, y.graph()));
        assertTrue(both.knownCulledFor(List.of(z.key(), y.key())));
        assertEquals(1 + 1, org.jdask.graph.Optimize.cull(both, List.of(y.key(), x.key())).size());
    }
}

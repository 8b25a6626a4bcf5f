package org.jdask.schedulers;

import static org.jdask.schedulers.RunState.MEMORY;
import static org.jdask.schedulers.RunState.READY;
import static org.jdask.schedulers.RunState.RELEASED;
import static org.jdask.schedulers.RunState.RUNNING;
import static org.jdask.schedulers.RunState.WAITING;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.jdask.fn.Fn2;
import org.jdask.graph.IndexedGraph;
import org.jdask.graph.Key;
import org.jdask.graph.TaskGraph;
import org.junit.jupiter.api.Test;

/** The engine's state machine driven by hand, asserting whole states after each step. */
class RunStateTest {
    static final Fn2<Integer, Integer, Integer> ADD = Integer::sum;

    @Test
    void diamondReleasesEachIntermediateWhenItsLastReaderFinishes() {
        // a -> b, a -> c, (b, c) -> d; e is a leaf nobody asked for; outputs d and d again
        TaskGraph g = TaskGraph.builder().data(Key.of("a"), 1).task(Key.of("b"), ADD, Key.of("a"), 1)
                .task(Key.of("c"), ADD, Key.of("a"), 2).task(Key.of("d"), ADD, Key.of("b"), Key.of("c"))
                .task(Key.of("e"), ADD, Key.of("a"), 3).build();
        RunState s = LocalEngine.prepare(g, List.of(Key.of("d"), Key.of("d")));
        s.lock.lock(); // complete/fail signal the condition, as the engine does under the lock
        int a = 0, b = 1, c = 2, d = 3, e = 4;
        assertArrayEquals(new int[] {0, 1, 1, 2, 1}, s.waiting);
        assertArrayEquals(new int[] {3, 1, 1, 1, 0}, s.remaining, "d counted once as an output");
        assertArrayEquals(new int[] {d, d}, s.outputs);
        assertArrayEquals(new byte[] {READY, WAITING, WAITING, WAITING, WAITING}, s.state);

        assertEquals(a, s.take());
        assertArrayEquals(new byte[] {RUNNING, WAITING, WAITING, WAITING, WAITING}, s.state);
        s.complete(a, 1);
        assertArrayEquals(new byte[] {MEMORY, READY, READY, WAITING, READY}, s.state);
        assertEquals(3, s.ready.size());

        List<Integer> taken = new ArrayList<>();
        for (int i = 0; i < 3; i++) taken.add(s.take());
        assertEquals(3, s.running);
        assertEquals(-1, s.take());
        Collections.sort(taken);
        assertEquals(List.of(b, c, e), taken);
        s.complete(e, 4);
        assertArrayEquals(new byte[] {MEMORY, RUNNING, RUNNING, WAITING, RELEASED}, s.state, "e: no reader, not an output");
        s.complete(b, 2);
        assertArrayEquals(new byte[] {MEMORY, MEMORY, RUNNING, WAITING, RELEASED}, s.state);
        s.complete(c, 3);
        assertArrayEquals(new byte[] {RELEASED, MEMORY, MEMORY, READY, RELEASED}, s.state, "a released after its last reader");
        assertNull(s.cache[a]);
        assertFalse(s.stopped());
        assertEquals(d, s.take());
        s.complete(d, 5);
        assertArrayEquals(new byte[] {RELEASED, RELEASED, RELEASED, MEMORY, RELEASED}, s.state);
        assertArrayEquals(new Object[] {null, null, null, 5, null}, s.cache);
        assertTrue(s.stopped());
        assertEquals(0, s.running);
        assertArrayEquals(new int[] {0, 0, 0, 1, 4, 0}, s.counts(), "waiting, ready, running, memory, released, erred");
    }

    @Test
    void failureStopsTheHandOut() {
        TaskGraph g = TaskGraph.builder().data(Key.of("a"), 1).data(Key.of("b"), 2).build();
        RunState s = LocalEngine.prepare(g, List.of(Key.of("a"), Key.of("b")));
        s.lock.lock();
        int t = s.take();
        s.fail(t, new IllegalStateException("x"));
        assertTrue(s.stopped());
        assertEquals(t, s.errorTask);
        assertEquals(1, s.ready.size(), "the other task stays ready and is never taken");
        assertArrayEquals(new int[] {0, 1, 0, 0, 0, 1}, s.counts());
    }

    @Test
    void readyTasksComeOutByPriority() {
        int n = 1000;
        TaskGraph.Builder b = TaskGraph.builder(n);
        for (int i = 0; i < n; i++) b.data(Key.of("p", i), i);
        IndexedGraph g = IndexedGraph.of(b.build());
        int[] prio = new int[n];
        List<Integer> perm = new ArrayList<>();
        for (int i = 0; i < n; i++) perm.add(i);
        Collections.shuffle(perm, new Random(42));
        for (int i = 0; i < n; i++) prio[i] = perm.get(i);
        RunState s = new RunState(g, prio, new int[0]);
        s.lock.lock();
        int last = -1;
        for (int i = 0; i < n; i++) {
            int t = s.take();
            assertTrue(prio[t] > last, "priority " + prio[t] + " after " + last);
            last = prio[t];
            if (i % 3 == 0) s.complete(t, null); // interleave completions
        }
        assertEquals(-1, s.take());
    }
}

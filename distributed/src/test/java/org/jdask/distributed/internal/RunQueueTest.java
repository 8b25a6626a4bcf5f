package org.jdask.distributed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** {@link RunQueue} against a {@code TreeSet} oracle: in-order, out-of-order and mixed adds, removals anywhere. */
class RunQueueTest {
    /** Distinct boxed values compared by value: a total order, as the queue requires. */
    private static final Comparator<Integer> ORDER = Integer::compare;

    @Test
    void inOrderAddsComeOutInOrderWithoutTheTree() {
        RunQueue<Integer> q = new RunQueue<>(ORDER);
        for (int i = 0; i < 100; i++) q.add(i);
        assertEquals(100, q.size());
        for (int i = 0; i < 100; i++) assertEquals(i, q.pollFirst());
        assertTrue(q.isEmpty());
        assertNull(q.first());
        assertNull(q.pollFirst());
    }

    @Test
    void outOfOrderElementsMergeWithTheRun() {
        RunQueue<Integer> q = new RunQueue<>(ORDER);
        for (int i : new int[] {10, 20, 30, 5, 25, 40, 1, 35}) q.add(i);
        assertEquals(List.of(1, 5, 10, 20, 25, 30, 35, 40), q.toList());
        assertTrue(q.remove(30)); // in the run's middle
        assertTrue(q.remove(25)); // in the tree
        assertFalse(q.remove(25));
        assertFalse(q.contains(30));
        assertTrue(q.contains(35));
        assertEquals(List.of(1, 5, 10, 20, 35, 40), q.toList());
        List<Integer> polled = new ArrayList<>();
        for (Integer x; (x = q.pollFirst()) != null; ) polled.add(x);
        assertEquals(List.of(1, 5, 10, 20, 35, 40), polled);
    }

    @Test
    void randomOperationsMatchATreeSet() {
        Random r = new Random(17);
        for (int round = 0; round < 50; round++) {
            RunQueue<Integer> q = new RunQueue<>(ORDER);
            TreeSet<Integer> oracle = new TreeSet<>(ORDER);
            int next = 0;
            for (int step = 0; step < 2_000; step++) {
                int op = r.nextInt(10);
                if (op < 5) { // mostly ascending, sometimes a smaller one, as a map then a retried task
                    int v = r.nextInt(4) == 0 ? r.nextInt(next + 1) : next + 1 + r.nextInt(3);
                    next = Math.max(next, v);
                    if (oracle.add(v)) q.add(v);
                } else if (op < 7 && !oracle.isEmpty()) {
                    assertEquals(oracle.pollFirst(), q.pollFirst());
                } else if (op < 9) {
                    int v = r.nextInt(next + 2);
                    assertEquals(oracle.remove(v), q.remove(v), "remove " + v);
                } else if (r.nextInt(20) == 0) {
                    oracle.clear();
                    q.clear();
                }
                assertEquals(oracle.size(), q.size());
                assertEquals(oracle.isEmpty() ? null : oracle.first(), q.first());
            }
            assertEquals(new ArrayList<>(oracle), q.toList());
        }
    }
}

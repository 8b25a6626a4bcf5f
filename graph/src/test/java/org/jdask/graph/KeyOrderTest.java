package org.jdask.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeyOrderTest {
    /** A graph of n data nodes with shuffled names and index tuples, inserted in random order. */
    private static IndexedGraph shuffledKeys(int n, Random r) {
        List<Key> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = "k" + (char) ('a' + r.nextInt(3));
            keys.add(r.nextBoolean() ? Key.of(name + "-" + i) : Key.of(name, r.nextInt(5), i));
        }
        Collections.shuffle(keys, r);
        TaskGraph.Builder b = TaskGraph.builder();
        for (Key k : keys) b.data(k, 0);
        return IndexedGraph.of(b.build());
    }

    @Test
    void sortsSubrangesByKeyLikeASortedList() {
        Random r = new Random(7);
        for (int n : new int[] {0, 1, 2, 15, 16, 17, 33, 100, 257, 1000}) {
            IndexedGraph g = shuffledKeys(n + 6, r);
            int[] a = new int[n + 6];
            for (int i = 0; i < a.length; i++) a[i] = a.length - 1 - i;
            int[] before = a.clone();
            KeyOrder.sort(g, a, 3, 3 + n);
            List<Key> expected = new ArrayList<>();
            for (int i = 3; i < 3 + n; i++) expected.add(g.key(before[i]));
            Collections.sort(expected);
            List<Key> got = new ArrayList<>();
            for (int i = 3; i < 3 + n; i++) got.add(g.key(a[i]));
            assertEquals(expected, got, "n=" + n);
            for (int i : new int[] {0, 1, 2, n + 3, n + 4, n + 5}) assertEquals(before[i], a[i], "outside the range, n=" + n);
        }
    }

    /** Siblings are ordered by key even when the graph was built in reverse key order. */
    @Test
    void rootsAndFanInDependenciesFollowKeyOrder() {
        TaskGraph.Builder b = TaskGraph.builder();
        List<Key> leaves = new ArrayList<>();
        for (int i = 40; i >= 0; i--) {
            Key k = Key.of("leaf", i);
            b.data(k, i);
            leaves.add(k);
        }
        b.task(Key.of("total"), OrderTest.SUM, leaves);
        TaskGraph graph = b.build();
        IndexedGraph g = IndexedGraph.of(graph);
        int[] p = Order.priorities(g);
        for (int i = 0; i < 40; i++) {
            assertEquals(true, p[g.indexOf(Key.of("leaf", i))] < p[g.indexOf(Key.of("leaf", i + 1))], "leaf " + i);
        }
    }
}

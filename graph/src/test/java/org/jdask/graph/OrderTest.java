package org.jdask.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jdask.CycleException;
import org.jdask.Ops;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;
import org.junit.jupiter.api.Test;

class OrderTest {
    static final Fn1<Integer, Integer> INC = Ops::inc;
    static final Fn2<Integer, Integer, Integer> ADD = Ops::add;
    static final Fn1<List<Integer>, Integer> SUM = Ops::sum;

    /** Two independent chains: one finishes before the other's root starts. */
    @Test
    void oneChainCompletesBeforeTheNextRootStarts() {
        TaskGraph.Builder b = TaskGraph.builder();
        for (String c : List.of("b", "a")) {
            b.data(Key.of(c, 0), 1);
            for (int i = 1; i < 5; i++) b.task(Key.of(c, i), INC, Key.of(c, i - 1));
        }
        Map<Key, Integer> p = Order.priorities(b.build());
        int lastA = 0;
        int firstB = Integer.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            lastA = Math.max(lastA, p.get(Key.of("a", i)));
            firstB = Math.min(firstB, p.get(Key.of("b", i)));
        }
        // ties broken by key: 'a' chain first, wholly
        assertTrue(lastA < firstB, p.toString());
        assertEquals(0, p.get(Key.of("a", 0)));
    }

    /** Many roots reduced pairwise: executing in priority order holds O(log n) results. */
    @Test
    void pairwiseReductionKeepsFewResultsAlive() {
        int leaves = 1024;
        TaskGraph.Builder b = TaskGraph.builder();
        // insert the leaves in an adversarial order (all leaves first, reversed)
        for (int i = leaves - 1; i >= 0; i--) b.data(Key.of("x", i), i);
        String prev = "x";
        int width = leaves;
        int level = 0;
        while (width > 1) {
            String name = "r" + level++;
            for (int i = 0; i < width / 2; i++) b.task(Key.of(name, i), ADD, Key.of(prev, 2 * i), Key.of(prev, 2 * i + 1));
            prev = name;
            width /= 2;
        }
        TaskGraph g = b.build();
        int peak = peakLiveResults(g, Order.priorities(IndexedGraph.of(g)), IndexedGraph.of(g));
        assertTrue(peak <= 10 + 2, "peak live results " + peak);
        // the insertion order (a breadth-first order) would hold all leaves at once
        int naive = peakLiveResults(g, identity(g.size()), IndexedGraph.of(g));
        assertTrue(naive >= leaves, "naive " + naive);
    }

    /** Roots that feed the same task run next to each other, whatever their names. */
    @Test
    void rootsOfOneTaskRunTogether() {
        for (String[] names : new String[][] {{"a", "b"}, {"e", "d"}}) {
            String root = names[0];
            String red = names[1];
            for (int[][] pairs : new int[][][] {{{0, 1}, {2, 3}}, {{0, 2}, {1, 3}}, {{3, 0}, {2, 1}}}) {
                TaskGraph.Builder b = TaskGraph.builder();
                for (int i = 0; i < 4; i++) b.data(Key.of(root, i), i);
                for (int j = 0; j < 2; j++) {
                    b.task(Key.of(red, j), ADD, Key.of(root, pairs[j][0]), Key.of(root, pairs[j][1]));
                }
                Map<Key, Integer> p = Order.priorities(b.build());
                for (int[] pair : pairs) {
                    int gap = Math.abs(p.get(Key.of(root, pair[0])) - p.get(Key.of(root, pair[1])));
                    assertEquals(1, gap, Arrays.deepToString(pairs) + " " + p);
                }
            }
        }
    }

    /** Map then tree-reduce (an array sum): loads run just before they are reduced. */
    @Test
    void mapThenTreeReduceRunsLoadsLazily() {
        int leaves = 256;
        TaskGraph.Builder b = TaskGraph.builder();
        for (int i = 0; i < leaves; i++) b.data(Key.of("load", i), i);
        for (int i = 0; i < leaves; i++) b.task(Key.of("inc", i), INC, Key.of("load", i));
        String prev = "inc";
        for (int width = leaves, level = 0; width > 1; width /= 2, level++) {
            String name = "sum" + level;
            for (int i = 0; i < width / 2; i++) b.task(Key.of(name, i), ADD, Key.of(prev, 2 * i), Key.of(prev, 2 * i + 1));
            prev = name;
        }
        TaskGraph g = b.build();
        IndexedGraph ig = IndexedGraph.of(g);
        int[] p = Order.priorities(ig);
        int peak = peakLiveResults(g, p, ig);
        assertTrue(peak <= 8 + 3, "peak " + peak);
        // every load is immediately followed by its inc
        for (int i = 0; i < leaves; i++) {
            assertEquals(p[ig.indexOf(Key.of("load", i))] + 1, p[ig.indexOf(Key.of("inc", i))], "load " + i);
        }
    }

    /** A shared root feeding many chains: each chain is finished before the next is started. */
    @Test
    void fanOutChainsRunOneAtATime() {
        TaskGraph.Builder b = TaskGraph.builder();
        b.data(Key.of("root"), 0);
        for (int c = 0; c < 20; c++) {
            b.task(Key.of("c" + c, 0), INC, Key.of("root"));
            for (int i = 1; i < 10; i++) b.task(Key.of("c" + c, i), INC, Key.of("c" + c, i - 1));
        }
        TaskGraph g = b.build();
        IndexedGraph ig = IndexedGraph.of(g);
        int peak = peakLiveResults(g, Order.priorities(ig), ig);
        // root + the chain in progress + the 20 chain ends (outputs, never released)
        assertTrue(peak <= 20 + 3, "peak " + peak);
    }

    @Test
    void prioritiesAreAPermutationRespectingDependencies() {
        TaskGraph g = randomDag(2000, 7);
        IndexedGraph ig = IndexedGraph.of(g);
        int[] p = Order.priorities(ig);
        boolean[] seen = new boolean[p.length];
        for (int v : p) {
            assertTrue(v >= 0 && v < p.length && !seen[v]);
            seen[v] = true;
        }
        for (int i = 0; i < ig.size(); i++) {
            for (int j = 0; j < ig.dependencyCount(i); j++) assertTrue(p[ig.dependency(i, j)] < p[i]);
        }
    }

    @Test
    void deterministicAcrossCallsAndInsertionOrder() {
        TaskGraph g = randomDag(500, 3);
        assertTrue(Order.priorities(g).equals(Order.priorities(g)), "two calls differ");
        // same entries inserted in reverse: same priorities per key
        List<Map.Entry<Key, Node>> entries = new ArrayList<>(g.nodes().entrySet());
        TaskGraph.Builder b = TaskGraph.builder();
        for (int i = entries.size() - 1; i >= 0; i--) b.put(entries.get(i).getKey(), entries.get(i).getValue());
        assertTrue(Order.priorities(g).equals(Order.priorities(b.build())), "insertion order changed priorities");
    }

    @Test
    void finalSumOverManyChainsRunsChainByChain() {
        TaskGraph g = chainsWithSum(30, 40);
        IndexedGraph ig = IndexedGraph.of(g);
        int[] p = Order.priorities(ig);
        assertEquals(g.size() - 1, p[ig.indexOf(Key.of("total"))]);
        // each chain occupies a contiguous block of priorities
        for (int c = 0; c < 30; c++) {
            int lo = Integer.MAX_VALUE;
            int hi = 0;
            for (int i = 0; i < 40; i++) {
                int v = p[ig.indexOf(Key.of("c" + c, i))];
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            assertEquals(39, hi - lo, "chain " + c);
        }
        assertTrue(peakLiveResults(g, p, ig) <= 31 + 1);
    }

    @Test
    void cycleIsRejectedWithTheCycleListed() {
        TaskGraph g = TaskGraph.of(
                Key.of("a"), Task.of(INC, Key.of("c")),
                Key.of("b"), Task.of(INC, Key.of("a")),
                Key.of("c"), Task.of(INC, Key.of("b")),
                Key.of("d"), new DataNode(1));
        CycleException e = assertThrows(CycleException.class, () -> Order.priorities(g));
        assertEquals(4, e.cycle().size());
        assertEquals(e.cycle().get(0), e.cycle().get(3));
        assertTrue(e.cycle().containsAll(List.of(Key.of("a"), Key.of("b"), Key.of("c"))), e.getMessage());
        assertTrue(e.getMessage().contains("'a'"), e.getMessage());
    }

    @Test
    void millionTaskGraphIsOrdered() {
        TaskGraph g = chainsWithSum(1000, 1000);
        IndexedGraph ig = IndexedGraph.of(g);
        long t0 = System.nanoTime();
        int[] p = Order.priorities(ig);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("Order.priorities on " + ig.size() + " tasks: " + ms + " ms");
        assertEquals(ig.size() - 1, p[ig.size() - 1]);
    }

    static TaskGraph chainsWithSum(int chains, int length) {
        TaskGraph.Builder b = TaskGraph.builder(chains * length + 1);
        List<Key> ends = new ArrayList<>();
        for (int c = 0; c < chains; c++) {
            b.data(Key.of("c" + c, 0), c);
            for (int i = 1; i < length; i++) b.task(Key.of("c" + c, i), INC, Key.of("c" + c, i - 1));
            ends.add(Key.of("c" + c, length - 1));
        }
        b.task(Key.of("total"), SUM, new ArrayList<Object>(ends));
        return b.build();
    }

    static TaskGraph randomDag(int n, long seed) {
        java.util.Random r = new java.util.Random(seed);
        TaskGraph.Builder b = TaskGraph.builder();
        for (int i = 0; i < n; i++) {
            if (i < 5 || r.nextInt(10) == 0) {
                b.data(Key.of("k", i), i);
            } else {
                int a = r.nextInt(i);
                int c = Math.max(0, i - 1 - r.nextInt(10));
                b.task(Key.of("k", i), ADD, Key.of("k", a), Key.of("k", c));
            }
        }
        return b.build();
    }

    static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        return p;
    }

    /** Runs tasks in priority order, counting results that still have an unrun reader, or are sinks. */
    static int peakLiveResults(TaskGraph g, int[] prio, IndexedGraph ig) {
        int n = ig.size();
        int[] byPrio = new int[n];
        for (int i = 0; i < n; i++) byPrio[prio[i]] = i;
        int[] readers = new int[n];
        for (int i = 0; i < n; i++) readers[i] = ig.dependentCount(i);
        int live = 0;
        int peak = 0;
        for (int t : byPrio) {
            live++;
            peak = Math.max(peak, live);
            for (int j = 0; j < ig.dependencyCount(t); j++) {
                if (--readers[ig.dependency(t, j)] == 0) live--;
            }
        }
        return peak;
    }

    @Test
    void toposortHandlesALongChain() {
        TaskGraph.Builder b = TaskGraph.builder(100_000);
        for (int i = 99_999; i >= 1; i--) b.task(Key.of("x", i), INC, Key.of("x", i - 1));
        b.data(Key.of("x", 0), 0);
        List<Key> order = Graphs.toposort(b.build());
        assertEquals(100_000, order.size());
        assertEquals(Key.of("x", 0), order.get(0));
        assertEquals(Key.of("x", 99_999), order.get(99_999));
        assertArrayEquals(new int[] {5}, order.get(5).index());
        assertTrue(Arrays.equals(new int[] {99_998}, order.get(99_998).index()));
    }
}

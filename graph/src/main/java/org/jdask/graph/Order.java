package org.jdask.graph;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Static ordering of a graph: a priority per task (lower runs first among ready tasks), chosen so
 * that the schedulers finish one branch before starting the next and memory stays low.
 *
 * <h2>How it works</h2>
 *
 * Like Dask's {@code order}, the goal is "small goals, big steps": once a piece of work has
 * started, finish what it enables before opening new work, and prefer the tasks that let
 * results be released. The ordering is a single walk that appends tasks to the output
 * sequence; a task's priority is its position in that sequence. Three rules drive the walk:
 *
 * <ol>
 *   <li><b>Depth first towards a goal.</b> A goal is a task to complete. Its unscheduled
 *       dependencies are computed depth first with an explicit stack (never the call stack), the
 *       heaviest dependency first. "Heaviest" is a Sethi-Ullman style number: how many results
 *       must be held at once to compute the dependency's subgraph, so evaluating it first keeps
 *       the peak low (exact for trees, a good estimate for DAGs). Ties go to the smaller
 *       {@link Key}.
 *   <li><b>Free memory eagerly.</b> Each time a task is scheduled, any of its dependents that is
 *       now ready <em>and</em> would release at least one held result (it is the last reader of
 *       one of its inputs) is scheduled right away, and so on upwards. Running such a task never
 *       raises the number of live results, so it is always a good step: a linear chain runs
 *       from bottom to top without interruption.
 *   <li><b>Small goals next.</b> When the current goal is done, the next goal is the touched but
 *       unscheduled task with the fewest missing dependencies, most recently touched first (so
 *       the walk stays local, like a depth-first search). Only when no started work remains is
 *       a new root (a task without dependencies) opened, in key order.
 * </ol>
 *
 * Everything is arrays of ints over {@link IndexedGraph}; the "touched" set is a binary heap of
 * packed longs with lazy deletion. Cost is O((n + e) log n). Keys are compared only among
 * siblings ({@link KeyOrder}: a task's dependencies, a task's dependents, the roots), never
 * sorted as a whole: a graph of long chains pays almost no key comparisons (sorting all keys of
 * a million-task graph took 1-2 s of a cold run, most of the ordering's time).
 * The result is a topological order (a task is scheduled only after all its dependencies) and is
 * deterministic: it depends only on the graph's structure and keys, never on hash order.
 */
public final class Order {
    private Order() {}

    /** Priority per key (0 = first). */
    public static Map<Key, Integer> priorities(TaskGraph graph) {
        IndexedGraph g = IndexedGraph.of(graph);
        int[] p = priorities(g);
        Map<Key, Integer> out = new HashMap<>(g.size() * 4 / 3 + 1);
        for (int i = 0; i < g.size(); i++) out.put(g.key(i), p[i]);
        return out;
    }

    /**
     * Priority per task index of {@code g} (0 = first); a permutation of 0..n-1 in which every
     * task comes after its dependencies. Fails with {@link org.jdask.CycleException} naming a cycle.
     */
    public static int[] priorities(IndexedGraph g) {
        return new Walk(g).run();
    }

    /** The state of one ordering walk; see the class comment. */
    private static final class Walk {
        private final IndexedGraph g;
        private final int n;
        /** need[i]: estimated peak number of live results to compute i (Sethi-Ullman number). */
        private final int[] need;
        /** Dependencies of each task in descent order (heaviest first), rows from rowStart. */
        private final int[] sortedDeps;
        private int[] rowStart;
        /** Dependents of each task in key order, rows from dependentStart (CSR). */
        private int[] dependentStart;
        private int[] sortedDependents;
        /** waiting[i]: dependencies of i not yet scheduled. */
        private final int[] waiting;
        /** readers[i]: dependents of i not yet scheduled (i's result is freed at 0). */
        private final int[] readers;
        /** cursor[i]: next position in i's sorted dependency row to look at during descent. */
        private final int[] cursor;
        /** prio[i]: position of i in the output sequence, -1 while unscheduled. */
        private final int[] prio;
        private int next;
        /** Touched, unscheduled tasks: (waiting, newest first) packed in longs; seq indexes touchedNode. */
        private final LongHeap touched;
        private int[] touchedNode;
        private int seq;
        /** Explicit stacks for the descent towards a goal and for eager release. */
        private final int[] stack;
        private final int[] eager;

        Walk(IndexedGraph g) {
            this.g = g;
            this.n = g.size();
            this.waiting = new int[n];
            this.readers = new int[n];
            this.cursor = new int[n];
            this.prio = new int[n];
            Arrays.fill(prio, -1);
            this.need = new int[n];
            this.sortedDeps = new int[depEdges(g)];
            this.touched = new LongHeap(Math.max(16, n));
            this.touchedNode = new int[Math.max(16, n)];
            this.stack = new int[n];
            this.eager = new int[n];
            int[] topo = topologicalOrder();
            computeNeedAndSortDeps(topo);
            sortDependents();
        }

        int[] run() {
            int[] roots = rootsInKeyOrder();
            int r = 0;
            while (next < n) {
                int goal = nextTouched();
                if (goal < 0) {
                    while (prio[roots[r]] >= 0) r++;
                    goal = roots[r];
                }
                reach(goal);
            }
            return prio;
        }

        private static int depEdges(IndexedGraph g) {
            int e = 0;
            for (int i = 0; i < g.size(); i++) e += g.dependencyCount(i);
            return e;
        }

        /** The topological order (cycle check included); also fills waiting/readers. */
        private int[] topologicalOrder() {
            int[] topo = g.topologicalOrder();
            for (int i = 0; i < n; i++) {
                waiting[i] = g.dependencyCount(i);
                readers[i] = g.dependentCount(i);
            }
            return topo;
        }

        private void computeNeedAndSortDeps(int[] topo) {
            int p = 0;
            int[] start = new int[n];
            for (int i = 0; i < n; i++) {
                start[i] = p;
                p += g.dependencyCount(i);
            }
            int[] row = new int[16];
            long[] buf = new long[16];
            for (int t : topo) {
                int c = g.dependencyCount(t);
                int peak = 1;
                if (c == 1) {
                    int d = g.dependency(t, 0);
                    sortedDeps[start[t]] = d;
                    peak = Math.max(peak, need[d]);
                } else if (c > 1) {
                    if (row.length < c) {
                        row = new int[Math.max(c, row.length * 2)];
                        buf = new long[row.length];
                    }
                    // key order first (ties), then a stable sort by need: heaviest first, then smaller key
                    for (int j = 0; j < c; j++) row[j] = g.dependency(t, j);
                    KeyOrder.sort(g, row, 0, c);
                    for (int j = 0; j < c; j++) buf[j] = ((long) (Integer.MAX_VALUE - need[row[j]]) << 32) | j;
                    Arrays.sort(buf, 0, c);
                    for (int j = 0; j < c; j++) {
                        int d = row[(int) buf[j]];
                        sortedDeps[start[t] + j] = d;
                        peak = Math.max(peak, need[d] + j);
                    }
                }
                need[t] = peak;
                cursor[t] = start[t];
            }
            this.rowStart = start;
        }

        private void sortDependents() {
            dependentStart = new int[n + 1];
            for (int i = 0; i < n; i++) dependentStart[i + 1] = dependentStart[i] + g.dependentCount(i);
            sortedDependents = new int[dependentStart[n]];
            for (int i = 0; i < n; i++) {
                int from = dependentStart[i];
                int c = g.dependentCount(i);
                for (int j = 0; j < c; j++) sortedDependents[from + j] = g.dependent(i, j);
                if (c > 1) KeyOrder.sort(g, sortedDependents, from, from + c);
            }
        }

        private int[] rootsInKeyOrder() {
            int count = 0;
            for (int i = 0; i < n; i++) if (g.dependencyCount(i) == 0) count++;
            int[] roots = new int[count];
            int k = 0;
            for (int i = 0; i < n; i++) if (g.dependencyCount(i) == 0) roots[k++] = i;
            KeyOrder.sort(g, roots, 0, count);
            return roots;
        }

        /** Computes goal depth first: its missing dependencies, then itself. */
        private void reach(int goal) {
            if (prio[goal] >= 0) return;
            int sp = 0;
            stack[sp++] = goal;
            while (sp > 0) {
                int t = stack[sp - 1];
                if (prio[t] >= 0) {
                    sp--;
                    continue;
                }
                int end = rowStart[t] + g.dependencyCount(t);
                int c = cursor[t];
                while (c < end && prio[sortedDeps[c]] >= 0) c++;
                cursor[t] = c;
                if (c < end) {
                    stack[sp++] = sortedDeps[c];
                } else {
                    sp--;
                    schedule(t);
                    freeEagerly(t);
                }
            }
        }

        private void schedule(int t) {
            prio[t] = next++;
            for (int j = 0, c = g.dependencyCount(t); j < c; j++) readers[g.dependency(t, j)]--;
            // touch dependents, the smallest key last so it is the most recent
            int from = dependentStart[t];
            int to = dependentStart[t + 1];
            for (int j = from; j < to; j++) waiting[sortedDependents[j]]--;
            for (int j = to - 1; j >= from; j--) touch(sortedDependents[j]);
        }

        /** Schedules ready dependents that release an input, transitively upwards. */
        private void freeEagerly(int t) {
            int sp = 0;
            eager[sp++] = t;
            while (sp > 0) {
                int u = eager[--sp];
                for (int j = dependentStart[u], end = dependentStart[u + 1]; j < end; j++) {
                    int d = sortedDependents[j];
                    if (prio[d] < 0 && waiting[d] == 0 && releasesInput(d)) {
                        schedule(d);
                        eager[sp++] = d;
                    }
                }
            }
        }

        private boolean releasesInput(int d) {
            for (int j = 0, c = g.dependencyCount(d); j < c; j++) {
                if (readers[g.dependency(d, j)] == 1) return true;
            }
            return false;
        }

        private void touch(int d) {
            if (prio[d] >= 0) return;
            if (seq == touchedNode.length) touchedNode = Arrays.copyOf(touchedNode, seq * 2);
            touchedNode[seq] = d;
            // smallest first: fewest missing dependencies, then most recent (largest seq)
            touched.push(((long) waiting[d] << 32) | (0xFFFFFFFFL - seq));
            seq++;
        }

        private int nextTouched() {
            while (!touched.isEmpty()) {
                long top = touched.pop();
                int s = (int) (0xFFFFFFFFL - (top & 0xFFFFFFFFL));
                int d = touchedNode[s];
                if (prio[d] < 0 && waiting[d] == (int) (top >>> 32)) return d;
            }
            return -1;
        }
    }

    /** A binary min-heap of longs. */
    private static final class LongHeap {
        private long[] a;
        private int size;

        LongHeap(int capacity) {
            a = new long[capacity];
        }

        boolean isEmpty() {
            return size == 0;
        }

        void push(long v) {
            if (size == a.length) a = Arrays.copyOf(a, size * 2);
            int i = size++;
            while (i > 0) {
                int p = (i - 1) >>> 1;
                if (a[p] <= v) break;
                a[i] = a[p];
                i = p;
            }
            a[i] = v;
        }

        long pop() {
            long top = a[0];
            long v = a[--size];
            int i = 0;
            int half = size >>> 1;
            while (i < half) {
                int c = 2 * i + 1;
                if (c + 1 < size && a[c + 1] < a[c]) c++;
                if (v <= a[c]) break;
                a[i] = a[c];
                i = c;
            }
            a[i] = v;
            return top;
        }
    }
}

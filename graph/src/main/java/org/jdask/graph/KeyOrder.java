package org.jdask.graph;

/**
 * Sorts task numbers of an {@link IndexedGraph} by their keys ({@link Key#compareTo}), in place
 * and without boxing: the deterministic tie-break of {@link Order}. Ordering compares keys only
 * among siblings (a task's dependencies, a task's dependents, the roots), so a graph of chains
 * pays a handful of key comparisons instead of sorting every key of the graph.
 */
final class KeyOrder {
    private static final int INSERTION = 16;

    private KeyOrder() {}

    /** Sorts {@code a[from, to)} (distinct task numbers of {@code g}) by key, smallest first. */
    static void sort(IndexedGraph g, int[] a, int from, int to) {
        int len = to - from;
        if (len < 2) return;
        if (len <= INSERTION) {
            insertion(g, a, from, to);
            return;
        }
        int[] tmp = new int[len];
        mergeSort(g, a, tmp, from, to);
    }

    private static void insertion(IndexedGraph g, int[] a, int from, int to) {
        for (int i = from + 1; i < to; i++) {
            int v = a[i];
            Key k = g.key(v);
            int j = i - 1;
            while (j >= from && g.key(a[j]).compareTo(k) > 0) {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = v;
        }
    }

    /** Sorts a[from, to) using tmp[0, to - from) as scratch (bottom-up runs, then merges). */
    private static void mergeSort(IndexedGraph g, int[] a, int[] tmp, int from, int to) {
        for (int s = from; s < to; s += INSERTION) insertion(g, a, s, Math.min(s + INSERTION, to));
        int[] src = a;
        int[] dst = tmp;
        int srcOff = from;
        int dstOff = 0;
        for (int width = INSERTION; width < to - from; width *= 2) {
            for (int lo = 0; lo < to - from; lo += 2 * width) {
                int mid = Math.min(lo + width, to - from);
                int hi = Math.min(lo + 2 * width, to - from);
                merge(g, src, srcOff, lo, mid, hi, dst, dstOff);
            }
            int[] sw = src;
            src = dst;
            dst = sw;
            int o = srcOff;
            srcOff = dstOff;
            dstOff = o;
        }
        if (src != a) System.arraycopy(src, srcOff, a, from, to - from);
    }

    private static void merge(IndexedGraph g, int[] src, int off, int lo, int mid, int hi, int[] dst, int dstOff) {
        int i = lo;
        int j = mid;
        int k = lo;
        while (i < mid && j < hi) {
            if (g.key(src[off + j]).compareTo(g.key(src[off + i])) < 0) dst[dstOff + k++] = src[off + j++];
            else dst[dstOff + k++] = src[off + i++];
        }
        while (i < mid) dst[dstOff + k++] = src[off + i++];
        while (j < hi) dst[dstOff + k++] = src[off + j++];
    }
}

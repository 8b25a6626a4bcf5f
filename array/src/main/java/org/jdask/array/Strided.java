package org.jdask.array;

/**
 * The one n-d loop every kernel uses: walks an iteration shape over several strided arrays in C
 * order and hands each innermost run ("row") to a kernel as (start offsets, inner strides,
 * length). Axes of length 1 are dropped and adjacent axes that are contiguous in every array are
 * merged first, so a contiguous array, or one broadcast from a scalar (stride 0), is one row.
 */
final class Strided {
    private Strided() {}

    @FunctionalInterface
    interface RowFn {
        /** {@code off[k]}: the row's first element in array k; {@code step[k]}: its stride. */
        void row(int[] off, int[] step, int len);
    }

    static void rows(int[] shape, int[][] strides, int[] offsets, RowFn fn) {
        int k = strides.length;
        int nd = shape.length;
        int[] sh = new int[nd];
        int[][] st = new int[k][nd];
        int m = 0; // merged axes, filled from the end
        for (int ax = nd - 1; ax >= 0; ax--) {
            int n = shape[ax];
            if (n == 0) return;
            if (n == 1) continue;
            if (m > 0) {
                int last = nd - m;
                boolean merge = true;
                for (int a = 0; a < k && merge; a++) merge = strides[a][ax] == st[a][last] * sh[last];
                if (merge) {
                    sh[last] *= n;
                    continue;
                }
            }
            m++;
            sh[nd - m] = n;
            for (int a = 0; a < k; a++) st[a][nd - m] = strides[a][ax];
        }
        int[] off = offsets.clone();
        int[] step = new int[k];
        if (m == 0) {
            fn.row(off, step, 1);
            return;
        }
        int base = nd - m, inner = nd - 1;
        int len = sh[inner];
        for (int a = 0; a < k; a++) step[a] = st[a][inner];
        if (m == 1) {
            fn.row(off, step, len);
            return;
        }
        int[] cnt = new int[nd];
        int[] cur = offsets.clone();
        while (true) {
            System.arraycopy(cur, 0, off, 0, k);
            fn.row(off, step, len);
            int ax = inner - 1;
            while (ax >= base) {
                cnt[ax]++;
                for (int a = 0; a < k; a++) cur[a] += st[a][ax];
                if (cnt[ax] < sh[ax]) break;
                for (int a = 0; a < k; a++) cur[a] -= st[a][ax] * sh[ax];
                cnt[ax] = 0;
                ax--;
            }
            if (ax < base) return;
        }
    }
}

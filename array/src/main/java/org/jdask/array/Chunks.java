package org.jdask.array;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How a {@link DArray} is cut into blocks: for each axis, the lengths of its chunks in order
 * (Dask's {@code chunks} tuple of tuples), e.g. {@code ((4, 4, 2), (5, 5))} for a 10×10 array in
 * 4×5 blocks with a ragged last row of blocks. An axis of length 0 has one chunk of length 0.
 */
public final class Chunks implements Serializable {
    private static final long serialVersionUID = 1L;
    private final int[][] sizes;
    private final long[][] offsets;

    private Chunks(int[][] sizes) {
        this.sizes = sizes;
        this.offsets = new long[sizes.length][];
        for (int a = 0; a < sizes.length; a++) {
            offsets[a] = new long[sizes[a].length + 1];
            for (int i = 0; i < sizes[a].length; i++) offsets[a][i + 1] = offsets[a][i] + sizes[a][i];
        }
    }

    /**
     * Regular chunks of at most {@code blockShape[i]} along axis i (-1: the whole axis), the last
     * one ragged. A chunk length of 0 is refused (a chunk holds at least one element), except on
     * an axis of length 0, which has one chunk of length 0 whatever is asked.
     */
    public static Chunks regular(int[] shape, int[] blockShape) {
        if (blockShape.length != shape.length) {
            throw new IllegalArgumentException("chunks " + Shape.str(blockShape) + " have " + blockShape.length
                    + " dimensions but the shape " + Shape.str(shape) + " has " + shape.length);
        }
        int[][] s = new int[shape.length][];
        for (int a = 0; a < shape.length; a++) {
            if (shape[a] < 0) throw new IllegalArgumentException("negative dimension in shape " + Shape.str(shape));
            if (blockShape[a] < -1) throw new IllegalArgumentException("bad chunk length " + blockShape[a] + " in " + Shape.str(blockShape));
            if (blockShape[a] == 0 && shape[a] > 0) {
                throw new IllegalArgumentException("chunk length 0 on axis " + a + " (length " + shape[a] + ") in chunks "
                        + Shape.str(blockShape) + " for shape " + Shape.str(shape) + ": a chunk holds at least one element; "
                        + "use -1 for the whole axis");
            }
            int c = blockShape[a] <= 0 ? Math.max(shape[a], 1) : blockShape[a];
            s[a] = split(shape[a], c);
        }
        return new Chunks(s);
    }

    /** Explicit chunk lengths per axis; they must add up to {@code shape}. */
    public static Chunks of(int[] shape, int[][] sizes) {
        if (sizes.length != shape.length) {
            throw new IllegalArgumentException("chunks " + show(sizes) + " have " + sizes.length + " dimensions but the shape "
                    + Shape.str(shape) + " has " + shape.length);
        }
        int[][] s = new int[sizes.length][];
        for (int a = 0; a < sizes.length; a++) {
            long sum = 0;
            for (int c : sizes[a]) {
                if (c < 0) throw new IllegalArgumentException("negative chunk length in " + show(sizes));
                sum += c;
            }
            if (sum != shape[a] || sizes[a].length == 0) {
                throw new IllegalArgumentException("chunks " + show(sizes) + " do not add up to shape " + Shape.str(shape)
                        + ": axis " + a + " sums to " + sum + ", expected " + shape[a]);
            }
            s[a] = sizes[a].clone();
        }
        return new Chunks(s);
    }

    static int[] split(int n, int c) {
        if (n == 0) return new int[] {0};
        int k = (n + c - 1) / c;
        int[] out = new int[k];
        for (int i = 0; i < k; i++) out[i] = Math.min(c, n - i * c);
        return out;
    }

    public int ndim() {
        return sizes.length;
    }

    /** Chunk lengths along {@code axis} (a copy). */
    public int[] sizes(int axis) {
        return sizes[axis].clone();
    }

    int size(int axis, int block) {
        return sizes[axis][block];
    }

    /** Number of blocks along {@code axis}. */
    public int numBlocks(int axis) {
        return sizes[axis].length;
    }

    /** Number of blocks along each axis. */
    public int[] grid() {
        int[] g = new int[sizes.length];
        for (int a = 0; a < g.length; a++) g[a] = sizes[a].length;
        return g;
    }

    /** Total number of blocks. */
    public int count() {
        long n = 1;
        for (int[] s : sizes) n *= s.length;
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("too many blocks: " + n);
        return (int) n;
    }

    /** Where block {@code block} starts along {@code axis}. */
    public long offset(int axis, int block) {
        return offsets[axis][block];
    }

    /** The shape of block {@code idx}. */
    public int[] blockShape(int[] idx) {
        int[] s = new int[idx.length];
        for (int a = 0; a < idx.length; a++) s[a] = sizes[a][idx[a]];
        return s;
    }

    /** The array shape these chunks cover. */
    public int[] shape() {
        int[] s = new int[sizes.length];
        for (int a = 0; a < s.length; a++) s[a] = (int) offsets[a][sizes[a].length];
        return s;
    }

    /** Largest chunk per axis. */
    public int[] maxBlockShape() {
        int[] s = new int[sizes.length];
        for (int a = 0; a < s.length; a++) for (int c : sizes[a]) s[a] = Math.max(s[a], c);
        return s;
    }

    /** Block indices of the whole grid in C order. */
    public List<int[]> blocks() {
        return blocksOf(grid());
    }

    static List<int[]> blocksOf(int[] grid) {
        long n = Shape.size(grid);
        List<int[]> out = new ArrayList<>((int) n);
        if (n == 0) return out;
        int[] idx = new int[grid.length];
        while (true) {
            out.add(idx.clone());
            int a = grid.length - 1;
            while (a >= 0 && ++idx[a] == grid[a]) idx[a--] = 0;
            if (a < 0) return out;
        }
    }

    /** C-order position of block {@code idx} in the grid. */
    public long flatIndex(int[] idx) {
        long f = 0;
        for (int a = 0; a < idx.length; a++) f = f * sizes[a].length + idx[a];
        return f;
    }

    /** Same chunks with axes permuted, dropped or replaced: {@code sizes[i]} of the result. */
    static Chunks ofSizes(int[][] sizes) {
        return new Chunks(sizes);
    }

    int[][] all() {
        int[][] c = new int[sizes.length][];
        for (int a = 0; a < c.length; a++) c[a] = sizes[a].clone();
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Chunks c && Arrays.deepEquals(sizes, c.sizes);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(sizes);
    }

    @Override
    public String toString() {
        return show(sizes);
    }

    static String show(int[][] sizes) {
        StringBuilder b = new StringBuilder("(");
        for (int a = 0; a < sizes.length; a++) {
            if (a > 0) b.append(", ");
            b.append('(');
            int n = sizes[a].length;
            for (int i = 0; i < n; i++) {
                if (i > 0) b.append(", ");
                if (i == 6 && n > 8) {
                    b.append("... ").append(n - 7).append(" more, ").append(sizes[a][n - 1]);
                    break;
                }
                b.append(sizes[a][i]);
            }
            if (n == 1) b.append(',');
            b.append(')');
        }
        if (sizes.length == 1) b.append(',');
        return b.append(')').toString();
    }
}

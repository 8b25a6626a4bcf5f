package org.jdask.array;

import java.util.List;

import java.util.Arrays;

/**
 * Shapes are plain {@code int[]}s (one length per axis); this class holds the helpers for them.
 * {@code import static org.jdask.array.Shape.shape;} makes call sites read like NumPy:
 * {@code DArray.zeros(shape(1000, 1000), shape(100, 100))}. Axis lengths are ints; element counts
 * of a whole (chunked) array are longs, so a 100,000 × 100,000 array is fine (a single
 * {@link NDArray} block must fit one Java array).
 */
public final class Shape {
    private Shape() {}

    /** The shape (or block shape) with these lengths: {@code shape(40000, 40000)}. */
    public static int[] shape(int... lengths) {
        return lengths.clone();
    }

    /** Number of elements of {@code shape} (1 for a 0-d shape). */
    public static long size(int[] shape) {
        long n = 1;
        for (int s : shape) n *= s;
        return n;
    }

    /** Number of elements, failing when it does not fit one Java array. */
    static int intSize(int[] shape) {
        long n = size(shape);
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a block of shape " + str(shape) + " has " + n
                    + " elements, more than one Java array holds; use smaller chunks");
        }
        return (int) n;
    }

    /** C-order (row-major) strides in elements. */
    static int[] cStrides(int[] shape) {
        int[] st = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return st;
    }

    /** NumPy broadcasting of two shapes; the error shows both. */
    public static int[] broadcast(int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int x = i < n - a.length ? 1 : a[i - (n - a.length)];
            int y = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (x != y && x != 1 && y != 1) {
                throw new IllegalArgumentException("operands could not be broadcast together with shapes "
                        + str(a) + " " + str(b));
            }
            out[i] = x == 1 ? y : x;
        }
        return out;
    }

    /** Checks and normalizes an axis (negative counts from the end). */
    static int axis(int axis, int ndim) {
        int a = axis < 0 ? axis + ndim : axis;
        if (a < 0 || a >= ndim) {
            throw new IllegalArgumentException("axis " + axis + " is out of bounds for array of dimension " + ndim);
        }
        return a;
    }

    /** Normalized, sorted, distinct axes; {@code null} or empty means all axes. */
    static int[] axes(int[] axes, int ndim) {
        if (axes == null || axes.length == 0) {
            int[] all = new int[ndim];
            for (int i = 0; i < ndim; i++) all[i] = i;
            return all;
        }
        int[] out = new int[axes.length];
        for (int i = 0; i < axes.length; i++) out[i] = axis(axes[i], ndim);
        Arrays.sort(out);
        for (int i = 1; i < out.length; i++) {
            if (out[i] == out[i - 1]) throw new IllegalArgumentException("duplicate value in axes " + Arrays.toString(axes));
        }
        return out;
    }

    /** NumPy-style text: {@code (3, 4)}, {@code (5,)}, {@code ()}. */
    public static String str(int[] shape) {
        if (shape.length == 1) return "(" + shape[0] + ",)";
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) b.append(", ");
            b.append(shape[i]);
        }
        return b.append(')').toString();
    }

    /**
     * Checks that arrays of these shapes can be concatenated along {@code axis} (same number of
     * dimensions, equal lengths off that axis); the error names the offending array's position.
     */
    static void checkConcatenate(List<int[]> shapes, int axis) {
        int[] first = shapes.get(0);
        for (int k = 1; k < shapes.size(); k++) {
            int[] s = shapes.get(k);
            if (s.length != first.length) {
                throw new IllegalArgumentException("concatenate: all arrays must have the same number of dimensions, but array " + k
                        + " has shape " + str(s) + " and array 0 has " + str(first));
            }
            for (int i = 0; i < s.length; i++) {
                if (i != axis && s[i] != first[i]) {
                    throw new IllegalArgumentException("concatenate along axis " + axis + ": array " + k + " has shape " + str(s)
                            + " and array 0 has " + str(first) + "; they differ on axis " + i);
                }
            }
        }
    }

    /** Checks that arrays of these shapes can be stacked (all equal); the error names the offending array's position. */
    static void checkStack(List<int[]> shapes) {
        for (int k = 1; k < shapes.size(); k++) {
            if (!java.util.Arrays.equals(shapes.get(k), shapes.get(0))) {
                throw new IllegalArgumentException("stack: all input arrays must have the same shape, but array " + k + " has shape "
                        + str(shapes.get(k)) + " and array 0 has " + str(shapes.get(0)));
            }
        }
    }
}

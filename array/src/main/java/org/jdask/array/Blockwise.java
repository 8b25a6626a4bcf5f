package org.jdask.array;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;
import org.jdask.graph.Key;
import org.jdask.graph.Node;
import org.jdask.graph.Task;
import org.jdask.graph.Tokenize;

/**
 * Elementwise layers: one task per output block reading the aligned block of every operand.
 * Operands are broadcast like NumPy (an operand of length 1 on an axis is read as its single
 * block for every output block along it) and first rechunked to a common chunking ({@link #unify}):
 * per axis, the union of all operands' chunk boundaries.
 */
final class Blockwise {
    private Blockwise() {}

    /** An in-memory array as a one-block DArray. */
    static DArray wrap(NDArray a) {
        return DArray.fromArray(a, a.shape());
    }

    static DArray binary(Op op, DArray a, DArray b) {
        return elementwise(op.numpyName(), new Object[0], resultType(op, a.dtype, b.dtype),
                args -> Kernels.binary(op, (NDArray) args[0], (NDArray) args[1]), a, b);
    }

    static DArray binary(Op op, DArray a, double v) {
        NDArray s = a.dtype == DType.FLOAT64 || v != Math.rint(v) ? NDArray.scalar(v) : NDArray.scalar((long) v);
        DType t = resultType(op, a.dtype, s.dtype);
        return elementwise(op.numpyName(), new Object[] {v}, t, args -> Kernels.binary(op, (NDArray) args[0], s), a);
    }

    static DType resultType(Op op, DType a, DType b) {
        if (op.comparison() || op.logical()) return DType.BOOL;
        if (op == Op.DIV) return DType.FLOAT64;
        return DType.promote(a, b);
    }

    static DArray unary(Op op, DArray a) {
        DType t = switch (op) {
            case NOT, ISNAN -> DType.BOOL;
            case NEG, ABS -> a.dtype == DType.FLOAT64 ? DType.FLOAT64 : DType.INT64;
            default -> DType.FLOAT64;
        };
        return elementwise(op.numpyName(), new Object[0], t, args -> Kernels.unary(op, (NDArray) args[0]), a);
    }

    static DArray map(DArray a, DoubleFn fn) {
        return elementwise("map", new Object[] {fn}, DType.FLOAT64, args -> Kernels.map((NDArray) args[0], fn), a);
    }

    static DArray astype(DArray a, DType t) {
        return elementwise("astype", new Object[] {t.name()}, t, args -> ((NDArray) args[0]).astype(t), a);
    }

    static DArray where(DArray c, DArray x, DArray y) {
        DType t = x.dtype == y.dtype ? x.dtype : DType.promote(x.dtype, y.dtype);
        return elementwise("where", new Object[0], t,
                args -> Kernels.where((NDArray) args[0], (NDArray) args[1], (NDArray) args[2]), c, x, y);
    }

    static DArray mapBlocks(DArray a, Fn1<NDArray, NDArray> fn, DType t) {
        return elementwise("map-blocks", new Object[] {fn}, t, args -> check(fn.apply((NDArray) args[0]), (NDArray) args[0], t), a);
    }

    static DArray blockwise2(Fn2<NDArray, NDArray, NDArray> fn, DType t, DArray a, DArray b) {
        return elementwise("blockwise", new Object[] {fn}, t, args -> {
            NDArray x = (NDArray) args[0], y = (NDArray) args[1];
            NDArray r = fn.apply(x, y);
            int[] expect = Shape.broadcast(x.shape, y.shape);
            if (r == null || !Arrays.equals(r.shape, expect)) {
                throw new IllegalStateException("blockwise function returned shape " + (r == null ? "null" : Shape.str(r.shape))
                        + " for blocks " + Shape.str(x.shape) + " and " + Shape.str(y.shape) + ", expected " + Shape.str(expect));
            }
            return r.astype(t);
        }, a, b);
    }

    private static NDArray check(NDArray r, NDArray in, DType t) {
        if (r == null || !Arrays.equals(r.shape, in.shape)) {
            throw new IllegalStateException("mapBlocks function returned shape " + (r == null ? "null" : Shape.str(r.shape))
                    + " for a block of shape " + Shape.str(in.shape) + "; it must keep the block shape");
        }
        return r.astype(t);
    }

    /**
     * The layer {@code name-<token>} applying {@code body} to the aligned blocks of {@code inputs}
     * (in order); {@code params} go into the token (scalars, functions).
     */
    static DArray elementwise(String op, Object[] params, DType outType, BlockFn.Body body, DArray... inputs) {
        int[] shape = inputs[0].shape();
        for (int i = 1; i < inputs.length; i++) shape = Shape.broadcast(shape, inputs[i].shape());
        DArray[] in = unify(shape, inputs);
        int nd = shape.length;
        int[][] sizes = new int[nd][];
        for (int a = 0; a < nd; a++) {
            sizes[a] = new int[] {shape[a]};
            for (DArray x : in) {
                int j = a - (nd - x.ndim());
                if (j >= 0 && x.shape()[j] == shape[a]) {
                    sizes[a] = x.chunks.sizes(j);
                    break;
                }
            }
        }
        Chunks out = Chunks.ofSizes(sizes);
        Object[] tok = new Object[params.length + in.length + 1];
        tok[0] = op;
        System.arraycopy(params, 0, tok, 1, params.length);
        for (int i = 0; i < in.length; i++) tok[params.length + 1 + i] = in[i].name;
        String name = op + "-" + Tokenize.token(tok);
        BlockFn fn = new BlockFn(op, body);
        Map<Key, Node> l = new LinkedHashMap<>();
        int[][] inShapes = new int[in.length][];
        for (int i = 0; i < in.length; i++) inShapes[i] = in[i].shape();
        for (int[] idx : out.blocks()) {
            Object[] args = new Object[in.length];
            for (int i = 0; i < in.length; i++) {
                int k = in[i].ndim();
                int[] j = new int[k];
                for (int t = 0; t < k; t++) {
                    int a = t + (nd - k);
                    j[t] = inShapes[i][t] == 1 && shape[a] != 1 ? 0 : idx[a];
                }
                args[i] = Key.of(in[i].name, j);
            }
            l.put(Key.of(name, idx), Task.ofArray(fn, args));
        }
        return new DArray(name, out, outType, l, in);
    }

    /** Rechunks the operands so that, on every axis they do not broadcast, their chunks agree. */
    static DArray[] unify(int[] shape, DArray[] inputs) {
        int nd = shape.length;
        int[][] common = new int[nd][];
        for (int a = 0; a < nd; a++) {
            int[] first = null;
            boolean differ = false;
            TreeSet<Long> bounds = new TreeSet<>();
            for (DArray x : inputs) {
                int j = a - (nd - x.ndim());
                if (j < 0 || x.shape()[j] != shape[a]) continue;
                int[] s = x.chunks.sizes(j);
                if (first == null) first = s;
                else if (!Arrays.equals(first, s)) differ = true;
                long off = 0;
                for (int c : s) bounds.add(off += c);
            }
            if (!differ) continue;
            long prev = 0;
            int[] c = new int[bounds.size()];
            int i = 0;
            for (long bnd : bounds) {
                c[i++] = (int) (bnd - prev);
                prev = bnd;
            }
            common[a] = c;
        }
        DArray[] out = inputs.clone();
        for (int i = 0; i < out.length; i++) {
            DArray x = out[i];
            int[][] target = x.chunks.all();
            boolean change = false;
            for (int j = 0; j < x.ndim(); j++) {
                int a = j + (nd - x.ndim());
                if (common[a] != null && x.shape()[j] == shape[a]) {
                    target[j] = common[a];
                    change = true;
                }
            }
            if (change) out[i] = Indexing.rechunk(x, Chunks.of(x.shape(), target));
        }
        return out;
    }
}

package org.jdask.array;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdask.graph.Key;
import org.jdask.graph.Node;
import org.jdask.graph.Task;
import org.jdask.graph.Tokenize;

/**
 * Tree reductions (Dask's {@code reduction} / {@code _tree_reduce}). Every block is reduced to a
 * partial with the reduced axes kept at length 1 ({@code <op>-chunk}); partials are combined in
 * groups of at most {@code splitEvery} (split evenly over the reduced axes, at least 2 per axis)
 * level by level ({@code <op>-combine<L>}) until one partial is left per output block, which the
 * last level turns into the result ({@code <op>}). Partials of blocks that share their kept-axes
 * position have the same shape, so combining is an elementwise fold.
 *
 * <p>Partials: a block reduction for sum/prod/min/max/any/all; {@link Moments} (count, sum,
 * M2, merged with Chan et al.'s formula) for mean/var/std; {@link ArgPart} (best values and
 * their global indices) for argmin/argmax. cumsum is a per-block cumsum plus a running prefix
 * of block totals along the axis.
 */
final class Reductions {
    private Reductions() {}

    /** Count, per-position sum and (for var/std) sum of squared deviations. */
    record Moments(long n, NDArray sum, NDArray m2) implements Serializable {}

    /** Best values (float64) and their global indices (int64). */
    record ArgPart(NDArray value, NDArray index) implements Serializable {}

    interface Chunk extends Serializable {
        Object apply(NDArray block) throws Exception;
    }

    interface Combine extends Serializable {
        Object apply(Object a, Object b) throws Exception;
    }

    interface Aggregate extends Serializable {
        NDArray apply(Object partial) throws Exception;
    }

    static DArray reduce(DArray x, Reduction r, int[] axes, boolean keepdims, int splitEvery) {
        int[] ax = Shape.axes(axes, x.ndim());
        DType in = x.dtype;
        DType out = switch (r) {
            case SUM, PROD -> in == DType.FLOAT64 ? DType.FLOAT64 : DType.INT64;
            case MIN, MAX -> in;
            case ANY, ALL -> DType.BOOL;
            case MEAN, VAR, STD -> DType.FLOAT64;
        };
        String op = r.name().toLowerCase();
        Chunk chunk;
        Combine combine;
        Aggregate agg;
        switch (r) {
            case MEAN, VAR, STD -> {
                boolean second = r != Reduction.MEAN;
                chunk = b -> moments(b, ax, second);
                combine = (p, q) -> merge((Moments) p, (Moments) q);
                agg = p -> finishMoments((Moments) p, r);
            }
            default -> {
                Op fold = switch (r) {
                    case SUM -> Op.ADD; case PROD -> Op.MUL; case MIN -> Op.MIN; case MAX -> Op.MAX;
                    case ANY -> Op.OR; default -> Op.AND;
                };
                chunk = b -> Kernels.reduction(r, b, ax, true);
                combine = (p, q) -> Kernels.binary(fold, (NDArray) p, (NDArray) q);
                agg = p -> ((NDArray) p).astype(out);
            }
        }
        if (x.source != null && x.ndim() > 0) {
            BlockSource src = x.source;
            boolean foldRows = ax[0] == 0;
            return tree(x, ax, keepdims, splitEvery, op, Tokenize.token(op, ax, keepdims, splitEvery, x.name),
                    (idx, off) -> {
                        int[] bs = x.chunks.blockShape(idx);
                        return ignored -> streamed(src, idx, bs, chunk, combine, foldRows);
                    }, combine, agg, out, true);
        }
        return tree(x, ax, keepdims, splitEvery, op, Tokenize.token(op, ax, keepdims, splitEvery, x.name),
                (idx, off) -> chunk, combine, agg, out, false);
    }

    /** Elements per strip when a block is reduced straight from its {@link BlockSource}. */
    static final int STRIP_ELEMENTS = 1 << 17;

    /** A block's partial folded (axis 0 reduced) or stacked (axis 0 kept) over strips of its rows. */
    static Object streamed(BlockSource src, int[] idx, int[] bs, Chunk chunk, Combine combine, boolean foldRows) throws Exception {
        BlockSource.StripReader r = src.open(idx, bs);
        long rowLen = Shape.size(java.util.Arrays.copyOfRange(bs, 1, bs.length));
        int rows = (int) Math.max(1, Math.min(bs[0], STRIP_ELEMENTS / Math.max(1, rowLen)));
        if (bs[0] == 0) return chunk.apply(r.next(0));
        Object acc = null;
        List<Object> parts = new ArrayList<>();
        for (int at = 0; at < bs[0]; at += rows) {
            Object p = chunk.apply(r.next(Math.min(rows, bs[0] - at)));
            if (!foldRows) parts.add(p);
            else acc = acc == null ? p : combine.apply(acc, p);
        }
        if (foldRows) return acc;
        if (parts.get(0) instanceof Moments m) {
            List<NDArray> sums = new ArrayList<>(), m2 = new ArrayList<>();
            for (Object p : parts) {
                sums.add(((Moments) p).sum);
                if (m.m2 != null) m2.add(((Moments) p).m2);
            }
            return new Moments(m.n, NDArray.concatenate(sums, 0), m.m2 == null ? null : NDArray.concatenate(m2, 0));
        }
        List<NDArray> nds = new ArrayList<>();
        for (Object p : parts) nds.add((NDArray) p);
        return NDArray.concatenate(nds, 0);
    }

    static Moments moments(NDArray b, int[] ax, boolean second) {
        long n = Kernels.count(b.shape, ax);
        NDArray s = Kernels.reduce(Op.SUM, b.astype(DType.FLOAT64), ax, true);
        NDArray m2 = null;
        if (second) {
            if (n == 0) m2 = NDArray.zeros(DType.FLOAT64, s.shape);
            else {
                NDArray dev = b.astype(DType.FLOAT64).sub(s.div(NDArray.scalar((double) n)));
                m2 = Kernels.reduce(Op.SUM, dev.mul(dev), ax, true);
            }
        }
        return new Moments(n, s, m2);
    }

    static Moments merge(Moments a, Moments b) {
        if (a.n == 0) return b;
        if (b.n == 0) return a;
        long n = a.n + b.n;
        NDArray sum = a.sum.add(b.sum);
        NDArray m2 = null;
        if (a.m2 != null) {
            NDArray delta = b.sum.div((double) b.n).sub(a.sum.div((double) a.n));
            m2 = a.m2.add(b.m2).add(delta.mul(delta).mul((double) a.n * b.n / n));
        }
        return new Moments(n, sum, m2);
    }

    static NDArray finishMoments(Moments m, Reduction r) {
        NDArray mean = m.sum.div((double) m.n);
        return switch (r) {
            case MEAN -> mean;
            case VAR -> m.m2.div((double) m.n);
            default -> m.m2.div((double) m.n).sqrt();
        };
    }

    /** argmax/argmin along {@code axis}, or over the flattened array when null. */
    static DArray arg(DArray x, boolean max, Integer axis) {
        int nd = x.ndim();
        int[] ax = axis == null ? Shape.axes(null, nd) : new int[] {Shape.axis(axis, nd)};
        int[] shape = x.shape();
        int[] gstrides = Shape.cStrides(shape);
        String op = max ? "argmax" : "argmin";
        return tree(x, ax, false, 16, op, Tokenize.token(op, axis == null ? "flat" : ax[0], x.name), (idx, off) -> b -> {
            if (b.size == 0) {
                throw new IllegalArgumentException("attempt to get " + op + " of an empty sequence (shape " + Shape.str(shape) + ")");
            }
            NDArray value = Kernels.reduce(max ? Op.MAX : Op.MIN, b.astype(DType.FLOAT64), ax, true);
            NDArray index;
            if (axis != null) {
                NDArray local = Kernels.arg(max, b, ax[0]).expandDims(ax[0]).copy();
                for (int i = 0; i < local.size; i++) local.l[i] += off[ax[0]];
                index = local;
            } else {
                long flat = Kernels.arg(max, b.reshape(-1), 0).l[0];
                long g = 0;
                int[] bs = b.shape;
                for (int a = bs.length - 1; a >= 0; a--) {
                    long pos = flat % bs[a];
                    flat /= bs[a];
                    g += (pos + off[a]) * gstrides[a];
                }
                int[] ones = new int[nd];
                java.util.Arrays.fill(ones, 1);
                index = NDArray.of(new long[] {g}, ones);
            }
            return new ArgPart(value, index);
        }, (p, q) -> pick(max, (ArgPart) p, (ArgPart) q), p -> ((ArgPart) p).index, DType.INT64, false);
    }

    static ArgPart pick(boolean max, ArgPart a, ArgPart b) {
        NDArray av = a.value.contiguous(), bv = b.value.contiguous(), ai = a.index.contiguous(), bi = b.index.contiguous();
        double[] v = av.d.clone();
        long[] i = ai.l.clone();
        for (int k = 0; k < v.length; k++) {
            double x = v[k], y = bv.d[k];
            boolean better = Double.isNaN(x) ? false : Double.isNaN(y) || (max ? y > x : y < x);
            if (better) {
                v[k] = y;
                i[k] = bi.l[k];
            }
        }
        return new ArgPart(NDArray.of(v, av.shape), NDArray.of(i, ai.shape));
    }

    @FunctionalInterface
    interface ChunkMaker {
        Chunk make(int[] idx, long[] offsets);
    }

    /** The tree: chunk partials, combine levels, final aggregate (see the class comment). */
    static DArray tree(DArray x, int[] ax, boolean keepdims, int splitEvery, String op, String token,
                       ChunkMaker chunkMaker, Combine combine, Aggregate agg, DType outType, boolean fromSource) {
        if (splitEvery < 2) throw new IllegalArgumentException("splitEvery must be >= 2, got " + splitEvery);
        int nd = x.ndim();
        boolean[] red = new boolean[nd];
        for (int a : ax) red[a] = true;
        Chunks c = x.chunks;
        int[] grid = c.grid();
        Map<Key, Node> l = new LinkedHashMap<>();
        String chunkName = op + "-chunk-" + token;
        for (int[] idx : c.blocks()) {
            long[] off = new long[nd];
            for (int a = 0; a < nd; a++) off[a] = c.offset(a, idx[a]);
            Chunk ch = chunkMaker.make(idx, off);
            l.put(Key.of(chunkName, idx), fromSource
                    ? Task.ofArray(new BlockFn(op + "-chunk-from-" + x.name.substring(0, x.name.indexOf('-')), args -> ch.apply(null)), new Object[0])
                    : Task.ofArray(new BlockFn(op + "-chunk", args -> ch.apply((NDArray) args[0])), new Object[] {Key.of(x.name, idx)}));
        }
        String finalName = op + "-" + token;
        String prev = chunkName;
        int level = 0;
        while (true) {
            int open = 0;
            for (int a : ax) if (grid[a] > 1) open++;
            int[] step = new int[nd];
            int[] next = grid.clone();
            for (int a = 0; a < nd; a++) step[a] = 1;
            if (open > 0) {
                int per = Math.max(2, (int) Math.floor(Math.pow(splitEvery, 1.0 / open) + 1e-9));
                for (int a : ax) {
                    if (grid[a] > 1) {
                        step[a] = per;
                        next[a] = (grid[a] + per - 1) / per;
                    }
                }
            }
            boolean last = true;
            for (int a : ax) if (next[a] > 1) last = false;
            String name = last ? finalName : op + "-combine" + (++level) + "-" + token;
            BlockFn fn = last
                    ? new BlockFn(op + "-aggregate", args -> {
                        NDArray res = agg.apply(fold(combine, args));
                        return keepdims ? res : res.reshape(Kernels.dropAxes(res.shape, ax));
                    })
                    : new BlockFn(op + "-combine", args -> fold(combine, args));
            for (int[] idx : Chunks.blocksOf(next)) {
                List<Object> inputs = new ArrayList<>();
                int[] lo = new int[nd], hi = new int[nd];
                for (int a = 0; a < nd; a++) {
                    lo[a] = idx[a] * step[a];
                    hi[a] = Math.min(grid[a], lo[a] + step[a]);
                }
                int[] g = new int[nd];
                for (int a = 0; a < nd; a++) g[a] = hi[a] - lo[a];
                for (int[] sub : Chunks.blocksOf(g)) {
                    int[] src = new int[nd];
                    for (int a = 0; a < nd; a++) src[a] = lo[a] + sub[a];
                    inputs.add(Key.of(prev, src));
                }
                Key out = Key.of(name, last ? outIndex(idx, red, keepdims) : idx);
                l.put(out, Task.ofArray(fn, inputs.toArray()));
            }
            if (last) break;
            grid = next;
            prev = name;
        }
        int[][] sizes = new int[keepdims ? nd : nd - ax.length][];
        for (int a = 0, j = 0; a < nd; a++) {
            if (!red[a]) sizes[j++] = c.sizes(a);
            else if (keepdims) sizes[j++] = new int[] {1};
        }
        return fromSource ? new DArray(finalName, Chunks.ofSizes(sizes), outType, l) : new DArray(finalName, Chunks.ofSizes(sizes), outType, l, x);
    }

    private static int[] outIndex(int[] idx, boolean[] red, boolean keepdims) {
        if (keepdims) {
            int[] o = idx.clone();
            for (int a = 0; a < o.length; a++) if (red[a]) o[a] = 0;
            return o;
        }
        int n = 0;
        for (boolean r : red) if (!r) n++;
        int[] o = new int[n];
        for (int a = 0, j = 0; a < idx.length; a++) if (!red[a]) o[j++] = idx[a];
        return o;
    }

    private static Object fold(Combine combine, Object[] parts) throws Exception {
        Object acc = parts[0];
        for (int i = 1; i < parts.length; i++) acc = combine.apply(acc, parts[i]);
        return acc;
    }

    /** Per-block cumsum plus the running total of the blocks before it along {@code axis}. */
    static DArray cumsum(DArray x, int axis) {
        int ax = Shape.axis(axis, x.ndim());
        String tok = Tokenize.token("cumsum", ax, x.name);
        DArray local = Blockwise.elementwise("cumsum-local", new Object[] {ax}, x.dtype == DType.FLOAT64 ? DType.FLOAT64 : DType.INT64,
                args -> Kernels.cumsum((NDArray) args[0], ax), x);
        DType t = local.dtype;
        Map<Key, Node> l = new LinkedHashMap<>();
        String lastName = "cumsum-last-" + tok, prefixName = "cumsum-prefix-" + tok, outName = "cumsum-" + tok;
        BlockFn lastFn = new BlockFn("cumsum-last", args -> {
            NDArray b = (NDArray) args[0];
            int n = b.shape[ax];
            if (n == 0) {
                int[] s = b.shape();
                s[ax] = 1;
                return NDArray.zeros(b.dtype, s);
            }
            Object[] where = new Object[b.ndim()];
            java.util.Arrays.fill(where, Slice.all());
            where[ax] = Slice.of(n - 1, n);
            return b.get(where).copy();
        });
        BlockFn zero = new BlockFn("cumsum-zero", args -> {
            int[] s = ((NDArray) args[0]).shape();
            s[ax] = 1;
            return NDArray.zeros(t, s);
        });
        BlockFn add = new BlockFn("add", args -> ((NDArray) args[0]).add((NDArray) args[1]).astype(t));
        for (int[] idx : x.chunks.blocks()) {
            Key lk = Key.of(local.name, idx);
            l.put(Key.of(lastName, idx), Task.ofArray(lastFn, new Object[] {lk}));
            if (idx[ax] == 0) {
                l.put(Key.of(prefixName, idx), Task.ofArray(zero, new Object[] {lk}));
            } else {
                int[] p = idx.clone();
                p[ax]--;
                l.put(Key.of(prefixName, idx), Task.ofArray(add, new Object[] {Key.of(prefixName, p), Key.of(lastName, p)}));
            }
            l.put(Key.of(outName, idx), Task.ofArray(add, new Object[] {lk, Key.of(prefixName, idx)}));
        }
        return new DArray(outName, x.chunks, t, l, local);
    }
}

package org.jdask.array;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdask.graph.Alias;
import org.jdask.graph.Key;
import org.jdask.graph.Node;
import org.jdask.graph.Task;
import org.jdask.graph.Tokenize;

/**
 * Layers that move elements between blocks: basic slicing (only touched blocks get tasks),
 * take/mask, transpose, rechunk (each output block reads just the input blocks it overlaps),
 * reshape (via a rechunk to row blocks whose boundaries fall on whole output rows), concatenate
 * and stack.
 */
final class Indexing {
    private Indexing() {}

    /** One contiguous run of a slice inside one input block. */
    private record Piece(int block, Object local, int len) {}

    static DArray slice(DArray x, List<Object> index) {
        int[] shape = x.shape();
        List<Object> items = Slice.expand(index, shape);
        if (keepsEverything(items, shape)) return x;
        Chunks c = x.chunks;
        List<List<Piece>> perItem = new ArrayList<>();
        int axis = 0;
        for (Object o : items) {
            if (o == Slice.NEWAXIS) {
                perItem.add(List.of(new Piece(-1, Slice.NEWAXIS, 1)));
            } else if (o instanceof Integer i) {
                int b = blockOf(c, axis, i);
                perItem.add(List.of(new Piece(b, (int) (i - c.offset(axis, b)), 1)));
                axis++;
            } else {
                perItem.add(pieces(c, axis, ((Slice) o).resolve(shape[axis])));
                axis++;
            }
        }
        String name = "getitem-" + Tokenize.token(x.name, items);
        List<int[]> outSizes = new ArrayList<>();
        List<Integer> outItems = new ArrayList<>();
        for (int k = 0; k < items.size(); k++) {
            if (items.get(k) instanceof Integer) continue;
            outItems.add(k);
            outSizes.add(perItem.get(k).stream().mapToInt(Piece::len).toArray());
        }
        Chunks out = Chunks.ofSizes(outSizes.toArray(new int[0][]));
        Map<Key, Node> l = new LinkedHashMap<>();
        for (int[] idx : out.blocks()) {
            int[] in = new int[x.ndim()];
            Object[] local = new Object[items.size()];
            int ia = 0, oa = 0;
            for (int k = 0; k < items.size(); k++) {
                Piece p = items.get(k) instanceof Integer ? perItem.get(k).get(0) : perItem.get(k).get(idx[oa++]);
                local[k] = p.local;
                if (items.get(k) != Slice.NEWAXIS) in[ia++] = p.block;
            }
            l.put(Key.of(name, idx), Task.ofArray(new BlockFn("getitem", args -> ((NDArray) args[0]).get(local).copy()),
                    new Object[] {Key.of(x.name, in)}));
        }
        return new DArray(name, out, x.dtype, l, x);
    }

    /**
     * Whether the expanded index is all slices each keeping its whole axis in order ({@code :},
     * {@code 0:24} on a length-24 axis, {@code ::-1} on a length-1 axis, anything on a length-0
     * one): then slicing returns the same array, as in Dask.
     */
    static boolean keepsEverything(List<Object> items, int[] shape) {
        for (int a = 0; a < items.size(); a++) {
            if (!(items.get(a) instanceof Slice s)) return false;
            int[] r = s.resolve(shape[a]);
            if (r[2] != shape[a] || (shape[a] > 1 && (r[0] != 0 || r[1] != 1))) return false;
        }
        return true;
    }

    static int blockOf(Chunks c, int axis, long pos) {
        int lo = 0, hi = c.numBlocks(axis) - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (c.offset(axis, mid) <= pos) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    private static List<Piece> pieces(Chunks c, int axis, int[] r) {
        int start = r[0], step = r[1], len = r[2];
        List<Piece> out = new ArrayList<>();
        if (len == 0) {
            out.add(new Piece(0, Slice.of(0, 0), 0));
            return out;
        }
        int k = 0;
        while (k < len) {
            long p = start + (long) k * step;
            int b = blockOf(c, axis, p);
            long lo = c.offset(axis, b), hi = lo + c.size(axis, b);
            int m = step > 0 ? (int) Math.min(len - k, (hi - p + step - 1) / step) : (int) Math.min(len - k, (p - lo) / -step + 1);
            int ls = (int) (p - lo);
            Slice s;
            if (step > 0) s = Slice.of(ls, ls + step * (m - 1) + 1, step);
            else {
                int stop = ls + step * (m - 1) - 1;
                s = Slice.of(ls, stop < 0 ? null : stop, step);
            }
            out.add(new Piece(b, s, m));
            k += m;
        }
        return out;
    }

    /** Elements at {@code indices} along {@code axis}, in that order (runs in one block become one task). */
    static DArray take(DArray x, int[] indices, int axis) {
        int ax = Shape.axis(axis, x.ndim());
        int n = x.shape()[ax];
        int[] idx = new int[indices.length];
        for (int i = 0; i < idx.length; i++) {
            int j = indices[i] < 0 ? indices[i] + n : indices[i];
            if (j < 0 || j >= n) {
                throw new IndexOutOfBoundsException("index " + indices[i] + " is out of bounds for axis " + ax + " with size " + n
                        + " (array shape " + Shape.str(x.shape()) + ")");
            }
            idx[i] = j;
        }
        Chunks c = x.chunks;
        List<int[]> runs = new ArrayList<>(); // {block, from, to} into idx
        for (int i = 0; i < idx.length; ) {
            int b = blockOf(c, ax, idx[i]);
            int j = i;
            while (j < idx.length && blockOf(c, ax, idx[j]) == b && j - i < Math.max(1, c.size(ax, b))) j++;
            runs.add(new int[] {b, i, j});
            i = j;
        }
        if (runs.isEmpty()) runs.add(new int[] {0, 0, 0});
        String name = "take-" + Tokenize.token(x.name, idx, ax);
        int[][] sizes = c.all();
        sizes[ax] = runs.stream().mapToInt(r -> r[2] - r[1]).toArray();
        Chunks out = Chunks.ofSizes(sizes);
        Map<Key, Node> l = new LinkedHashMap<>();
        for (int[] o : out.blocks()) {
            int[] run = runs.get(o[ax]);
            int[] in = o.clone();
            in[ax] = run[0];
            long off = c.offset(ax, run[0]);
            int[] local = new int[run[2] - run[1]];
            for (int i = 0; i < local.length; i++) local[i] = (int) (idx[run[1] + i] - off);
            l.put(Key.of(name, o), Task.ofArray(new BlockFn("take", args -> takeBlock((NDArray) args[0], local, ax)),
                    new Object[] {Key.of(x.name, in)}));
        }
        return new DArray(name, out, x.dtype, l, x);
    }

    static NDArray takeBlock(NDArray b, int[] local, int ax) {
        int[] s = b.shape();
        s[ax] = local.length;
        NDArray out = NDArray.zeros(b.dtype, s);
        Object[] from = new Object[b.ndim()], to = new Object[b.ndim()];
        Arrays.fill(from, Slice.all());
        Arrays.fill(to, Slice.all());
        for (int i = 0; i < local.length; i++) {
            from[ax] = Slice.of(local[i], local[i] + 1);
            to[ax] = Slice.of(i, i + 1);
            Kernels.assign(out.get(to), b.get(from));
        }
        return out;
    }

    static DArray mask(DArray x, NDArray mask) {
        if (mask.ndim() != 1 || x.ndim() == 0 || mask.shape[0] != x.shape()[0]) {
            throw new IllegalArgumentException("boolean index of shape " + Shape.str(mask.shape) + " does not match array of shape "
                    + Shape.str(x.shape()) + " along axis 0");
        }
        boolean[] m = mask.toBooleanArray();
        int n = 0;
        for (boolean v : m) if (v) n++;
        int[] idx = new int[n];
        for (int i = 0, j = 0; i < m.length; i++) if (m[i]) idx[j++] = i;
        return take(x, idx, 0);
    }

    static DArray transpose(DArray x, int[] axes) {
        int nd = x.ndim();
        if (axes.length == 0) {
            axes = new int[nd];
            for (int i = 0; i < nd; i++) axes[i] = nd - 1 - i;
        }
        int[] p = NDArray.permutation(axes, nd);
        boolean identity = true;
        for (int i = 0; i < nd; i++) identity &= p[i] == i;
        if (identity) return x;
        int[][] sizes = new int[nd][];
        for (int a = 0; a < nd; a++) sizes[a] = x.chunks.sizes(p[a]);
        String name = "transpose-" + Tokenize.token(x.name, p);
        Chunks out = Chunks.ofSizes(sizes);
        BlockFn fn = new BlockFn("transpose", args -> ((NDArray) args[0]).transpose(p));
        Map<Key, Node> l = new LinkedHashMap<>();
        for (int[] idx : out.blocks()) {
            int[] in = new int[nd];
            for (int a = 0; a < nd; a++) in[p[a]] = idx[a];
            l.put(Key.of(name, idx), Task.ofArray(fn, new Object[] {Key.of(x.name, in)}));
        }
        return new DArray(name, out, x.dtype, l, x);
    }

    /** For each target chunk along an axis: {inBlock, localStart, localEnd, outStart} pieces. */
    private static List<List<int[]>> overlaps(Chunks from, Chunks to, int axis) {
        List<List<int[]>> out = new ArrayList<>();
        for (int j = 0; j < to.numBlocks(axis); j++) {
            long s = to.offset(axis, j), e = s + to.size(axis, j);
            List<int[]> ps = new ArrayList<>();
            if (e == s) {
                ps.add(new int[] {blockOf(from, axis, Math.max(0, Math.min(s, from.shape()[axis] - 1))), 0, 0, 0});
            } else {
                for (int b = blockOf(from, axis, s); b < from.numBlocks(axis) && from.offset(axis, b) < e; b++) {
                    long bs = from.offset(axis, b), be = bs + from.size(axis, b);
                    long lo = Math.max(s, bs), hi = Math.min(e, be);
                    if (hi > lo) ps.add(new int[] {b, (int) (lo - bs), (int) (hi - bs), (int) (lo - s)});
                }
            }
            out.add(ps);
        }
        return out;
    }

    static DArray rechunk(DArray x, Chunks target) {
        if (!Arrays.equals(target.shape(), x.shape())) {
            throw new IllegalArgumentException("chunks " + target + " do not match array shape " + Shape.str(x.shape()));
        }
        if (target.equals(x.chunks)) return x;
        int nd = x.ndim();
        List<List<List<int[]>>> ov = new ArrayList<>();
        for (int a = 0; a < nd; a++) ov.add(overlaps(x.chunks, target, a));
        String name = "rechunk-" + Tokenize.token(x.name, target.all());
        DType t = x.dtype;
        Map<Key, Node> l = new LinkedHashMap<>();
        for (int[] idx : target.blocks()) {
            int[] counts = new int[nd];
            for (int a = 0; a < nd; a++) counts[a] = ov.get(a).get(idx[a]).size();
            List<int[]> combos = Chunks.blocksOf(counts);
            int[] bshape = target.blockShape(idx);
            if (combos.size() == 1) {
                int[] in = new int[nd];
                boolean whole = true;
                for (int a = 0; a < nd; a++) {
                    int[] p = ov.get(a).get(idx[a]).get(0);
                    in[a] = p[0];
                    whole &= p[1] == 0 && p[2] - p[1] == bshape[a] && x.chunks.size(a, p[0]) == bshape[a];
                }
                if (whole) {
                    l.put(Key.of(name, idx), new Alias(Key.of(x.name, in)));
                    continue;
                }
            }
            Object[] args = new Object[combos.size()];
            Object[][] src = new Object[combos.size()][], dst = new Object[combos.size()][];
            for (int k = 0; k < combos.size(); k++) {
                int[] combo = combos.get(k);
                int[] in = new int[nd];
                src[k] = new Object[nd];
                dst[k] = new Object[nd];
                for (int a = 0; a < nd; a++) {
                    int[] p = ov.get(a).get(idx[a]).get(combo[a]);
                    in[a] = p[0];
                    src[k][a] = Slice.of(p[1], p[2]);
                    dst[k][a] = Slice.of(p[3], p[3] + p[2] - p[1]);
                }
                args[k] = Key.of(x.name, in);
            }
            l.put(Key.of(name, idx), Task.ofArray(new BlockFn("rechunk", a -> {
                NDArray out = NDArray.zeros(t, bshape);
                for (int k = 0; k < a.length; k++) Kernels.assign(out.get(dst[k]), ((NDArray) a[k]).get(src[k]));
                return out;
            }), args));
        }
        return new DArray(name, target, x.dtype, l, x);
    }

    static DArray reshape(DArray x, int[] newShape) {
        int[] shape = x.shape();
        int[] ns = NDArray.resolveReshape(shape, newShape);
        if (Arrays.equals(ns, shape)) return x;
        String name = "reshape-" + Tokenize.token(x.name, ns);
        if (x.size() == 0 || shape.length == 0 || ns.length == 0 || x.numBlocks() == 1) {
            int[] whole = new int[shape.length];
            Arrays.fill(whole, -1);
            DArray y = rechunk(x, Chunks.regular(shape, whole));
            int[] nwhole = new int[ns.length];
            Arrays.fill(nwhole, -1);
            Map<Key, Node> l = new LinkedHashMap<>();
            l.put(Key.of(name, new int[ns.length]), Task.ofArray(new BlockFn("reshape", a -> ((NDArray) a[0]).reshape(ns)),
                    new Object[] {Key.of(y.name, new int[shape.length])}));
            return new DArray(name, Chunks.regular(ns, nwhole), x.dtype, l, y);
        }
        long inRow = Shape.size(Arrays.copyOfRange(shape, 1, shape.length));
        long outRow = Shape.size(Arrays.copyOfRange(ns, 1, ns.length));
        long lcm = inRow / gcd(inRow, outRow) * outRow;
        long unit = lcm / inRow;
        long k = Math.max(1, Math.round((double) x.chunks.size(0, 0) / unit));
        long rows = Math.min(shape[0], k * unit);
        int[] block = new int[shape.length];
        Arrays.fill(block, -1);
        block[0] = (int) rows;
        DArray y = rechunk(x, Chunks.regular(shape, block));
        int nb = y.chunks.numBlocks(0);
        int[] outRows = new int[nb];
        int[][] sizes = new int[ns.length][];
        for (int i = 0; i < nb; i++) outRows[i] = (int) (y.chunks.size(0, i) * inRow / outRow);
        sizes[0] = outRows;
        for (int a = 1; a < ns.length; a++) sizes[a] = new int[] {ns[a]};
        Map<Key, Node> l = new LinkedHashMap<>();
        for (int i = 0; i < nb; i++) {
            int[] bs = ns.clone();
            bs[0] = outRows[i];
            int[] in = new int[shape.length];
            in[0] = i;
            int[] out = new int[ns.length];
            out[0] = i;
            l.put(Key.of(name, out), Task.ofArray(new BlockFn("reshape", a -> ((NDArray) a[0]).reshape(bs)),
                    new Object[] {Key.of(y.name, in)}));
        }
        return new DArray(name, Chunks.ofSizes(sizes), x.dtype, l, y);
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return Math.max(a, 1);
    }

    static DArray concatenate(List<DArray> arrays, int axis) {
        if (arrays.isEmpty()) throw new IllegalArgumentException("need at least one array to concatenate");
        DArray first = arrays.get(0);
        int nd = first.ndim();
        int ax = Shape.axis(axis, nd);
        DType t = first.dtype;
        Shape.checkConcatenate(arrays.stream().map(DArray::shape).toList(), ax);
        for (DArray a : arrays) {
            if (a.dtype != t) t = DType.promote(t, a.dtype);
        }
        List<DArray> parts = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        for (DArray a : arrays) {
            int[][] target = first.chunks.all();
            target[ax] = a.chunks.sizes(ax);
            DArray b = rechunk(a.astype(t), Chunks.of(a.shape(), target));
            parts.add(b);
            for (int s : b.chunks.sizes(ax)) sizes.add(s);
        }
        int[][] out = first.chunks.all();
        out[ax] = sizes.stream().mapToInt(Integer::intValue).toArray();
        Object[] names = parts.stream().map(p -> p.name).toArray();
        String name = "concatenate-" + Tokenize.token(names, ax);
        Chunks oc = Chunks.ofSizes(out);
        Map<Key, Node> l = new LinkedHashMap<>();
        for (int[] idx : oc.blocks()) {
            int j = 0, b = idx[ax];
            while (b >= parts.get(j).chunks.numBlocks(ax)) b -= parts.get(j++).chunks.numBlocks(ax);
            int[] in = idx.clone();
            in[ax] = b;
            l.put(Key.of(name, idx), new Alias(Key.of(parts.get(j).name, in)));
        }
        return new DArray(name, oc, t, l, parts.toArray(new DArray[0]));
    }

    static DArray stack(List<DArray> arrays, int axis) {
        if (arrays.isEmpty()) throw new IllegalArgumentException("need at least one array to stack");
        int nd = arrays.get(0).ndim();
        int ax = Shape.axis(axis, nd + 1);
        List<DArray> expanded = new ArrayList<>();
        Shape.checkStack(arrays.stream().map(DArray::shape).toList());
        for (DArray a : arrays) {
            Object[] idx = new Object[ax + 1];
            Arrays.fill(idx, Slice.all());
            idx[ax] = Slice.NEWAXIS;
            expanded.add(a.get(idx));
        }
        return concatenate(expanded, ax);
    }
}

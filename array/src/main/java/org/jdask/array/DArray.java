package org.jdask.array;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdask.Config;
import org.jdask.Lazy;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;
import org.jdask.graph.DataNode;
import org.jdask.graph.FuseOptions;
import org.jdask.graph.GraphOptimizer;
import org.jdask.graph.Key;
import org.jdask.graph.Node;
import org.jdask.graph.Optimize;
import org.jdask.graph.Task;
import org.jdask.graph.TaskGraph;
import org.jdask.graph.Tokenizable;
import org.jdask.graph.Tokenize;

/**
 * A lazy n-dimensional array cut into blocks (Dask's {@code dask.array.Array}): every operation
 * adds one layer of tasks, one per output block, keyed {@code (name, i, j, ...)} by block
 * coordinates, with a deterministic name ({@code normal-<token>}, {@code add-<token>}) derived
 * from the operation and its inputs. Nothing runs until {@link #compute()}, which returns the
 * whole result as one {@link NDArray}; reductions, slices and {@link #toNpy} keep memory to a few
 * blocks, so an array far bigger than memory can be reduced.
 *
 * <pre>{@code
 * DArray x = DArray.random(42).normal(0, 1, shape(40000, 40000), shape(10000, 10000));
 * NDArray rowMeans = x.mean(1).compute();
 * NDArray corner = x.slice(":10, :10").compute();
 * }</pre>
 *
 * <p>Elementwise operations broadcast like NumPy and first rechunk operands with different
 * chunking to a common one; reductions are tree reductions (fan-in {@code array.split-every}, 16
 * by default); chains of elementwise operations and a reduction's per-block step are fused into
 * one task per block by {@link #OPTIMIZER}.
 */
public final class DArray implements Lazy<NDArray>, Tokenizable {
    /**
     * The array graph optimizer: cull, then fuse linear chains (on unless config
     * {@code array.fuse} is false, independent of {@code optimization.fuse.active}, which governs
     * {@code Delayed}), then inline constants; so {@code ((x + 1) * 2).sum()} runs one task per
     * block plus the reduction tree.
     */
    public static final GraphOptimizer OPTIMIZER = DArray::optimize;

    final String name;
    final Chunks chunks;
    final DType dtype;
    private final Map<Key, Node> layer;
    private final DArray[] deps;
    /** When the blocks are generated from their position alone: the generator (see {@link BlockSource}). */
    final BlockSource source;

    DArray(String name, Chunks chunks, DType dtype, Map<Key, Node> layer, DArray... deps) {
        this(name, chunks, dtype, layer, null, deps);
    }

    DArray(String name, Chunks chunks, DType dtype, Map<Key, Node> layer, BlockSource source, DArray... deps) {
        this.name = name;
        this.chunks = chunks;
        this.dtype = dtype;
        this.layer = layer;
        this.source = source;
        this.deps = deps;
    }

    private static TaskGraph optimize(TaskGraph g, List<Key> outputs) {
        TaskGraph c = Optimize.cull(g, outputs);
        if (Config.getBoolean("array.fuse", true)) c = Optimize.fuse(c, outputs, FuseOptions.fromConfig());
        if (Config.getBoolean("optimization.inline.active", true)) c = Optimize.inline(c, outputs);
        return c;
    }

    // ------------------------------------------------------------------------------ Lazy

    @Override
    public TaskGraph graph() {
        IdentityHashMap<DArray, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<DArray> stack = new ArrayDeque<>();
        List<DArray> all = new ArrayList<>();
        stack.push(this);
        seen.put(this, Boolean.TRUE);
        int n = 0;
        while (!stack.isEmpty()) {
            DArray a = stack.pop();
            all.add(a);
            n += a.layer.size();
            for (DArray d : a.deps) if (seen.put(d, Boolean.TRUE) == null) stack.push(d);
        }
        TaskGraph.Builder b = TaskGraph.builder(n);
        for (int i = all.size() - 1; i >= 0; i--) b.putAll(all.get(i).layer);
        return b.build();
    }

    @Override
    public List<Key> keys() {
        List<Key> out = new ArrayList<>(chunks.count());
        for (int[] idx : chunks.blocks()) out.add(Key.of(name, idx));
        return out;
    }

    /** Assembles the blocks (in {@link #keys()} order) into one array. */
    @Override
    public NDArray finish(List<Object> values) {
        return assemble(chunks, dtype, values);
    }

    @Override
    public org.jdask.fn.Fn1<List<Object>, NDArray> finisher() {
        Chunks c = chunks;
        DType d = dtype;
        return values -> assemble(c, d, values);
    }

    private static NDArray assemble(Chunks chunks, DType dtype, List<Object> values) {
        if (values.size() == 1) return (NDArray) values.get(0);
        NDArray out = NDArray.zeros(dtype, chunks.shape());
        List<int[]> blocks = chunks.blocks();
        for (int i = 0; i < blocks.size(); i++) {
            int[] idx = blocks.get(i);
            Object[] where = new Object[idx.length];
            for (int a = 0; a < idx.length; a++) {
                int off = (int) chunks.offset(a, idx[a]);
                where[a] = Slice.of(off, off + chunks.size(a, idx[a]));
            }
            Kernels.assign(out.get(where), ((NDArray) values.get(i)).astype(dtype));
        }
        return out;
    }

    @Override
    public DArray rebuild(TaskGraph persisted) {
        Map<Key, Node> l = new LinkedHashMap<>();
        for (Key k : keys()) l.put(k, persisted.get(k));
        return new DArray(name, chunks, dtype, l);
    }

    @Override
    public DArray persist() {
        return (DArray) org.jdask.Jdask.persist(this);
    }

    @Override
    public GraphOptimizer optimizer() {
        return OPTIMIZER;
    }

    @Override
    public Object tokenIdentity() {
        return name;
    }

    // ------------------------------------------------------------------------------ metadata

    /** The layer name (also the key name of every block): {@code normal-<token>}. */
    public String name() {
        return name;
    }

    public int[] shape() {
        return chunks.shape();
    }

    public int ndim() {
        return chunks.ndim();
    }

    public long size() {
        return Shape.size(shape());
    }

    public DType dtype() {
        return dtype;
    }

    public Chunks chunks() {
        return chunks;
    }

    /** Number of blocks. */
    public int numBlocks() {
        return chunks.count();
    }

    /** The key of block {@code idx}: {@code ('normal-…', i, j)}. */
    public Key blockKey(int... idx) {
        return Key.of(name, idx);
    }

    @Override
    public String toString() {
        return "DArray<" + name + ", shape=" + Shape.str(shape()) + ", dtype=" + dtype.numpyName() + ", chunksize="
                + Shape.str(chunks.maxBlockShape()) + ", blocks=" + numBlocks() + ">";
    }

    // ------------------------------------------------------------------------------ creation

    /** A chunked array from an in-memory one; each block is copied into the graph once. */
    public static DArray fromArray(NDArray a, int[] blockShape) {
        Chunks c = Chunks.regular(a.shape, blockShape);
        String name = "array-" + Tokenize.token(a.dtype.name(), a.shape, a.contiguous().raw(), c.all());
        Map<Key, Node> l = new LinkedHashMap<>();
        for (int[] idx : c.blocks()) l.put(Key.of(name, idx), new DataNode(block(a, c, idx).copy()));
        return new DArray(name, c, a.dtype, l);
    }

    public static DArray fromArray(double[] a, int chunk) {
        return fromArray(NDArray.of(a), new int[] {chunk});
    }

    public static DArray fromArray(double[][] a, int[] blockShape) {
        return fromArray(NDArray.of(a), blockShape);
    }

    /** The view of block {@code idx} of {@code a} under chunks {@code c}. */
    static NDArray block(NDArray a, Chunks c, int[] idx) {
        Object[] where = new Object[idx.length];
        for (int ax = 0; ax < idx.length; ax++) {
            int off = (int) c.offset(ax, idx[ax]);
            where[ax] = Slice.of(off, off + c.size(ax, idx[ax]));
        }
        return a.get(where);
    }

    /** float64 zeros. */
    public static DArray zeros(int[] shape, int[] blockShape) {
        return full(0.0, shape, blockShape);
    }

    public static DArray ones(int[] shape, int[] blockShape) {
        return full(1.0, shape, blockShape);
    }

    /** Like NumPy, {@code empty} is only a promise of a shape; here it is zeros. */
    public static DArray empty(int[] shape, int[] blockShape) {
        return zeros(shape, blockShape);
    }

    public static DArray full(double value, int[] shape, int[] blockShape) {
        Chunks c = Chunks.regular(shape, blockShape);
        String name = (value == 0 ? "zeros" : value == 1 ? "ones" : "full") + "-" + Tokenize.token("full", value, shape, c.all());
        return generate(name, c, DType.FLOAT64, (idx, bs, off) -> new BlockFn("full", a -> NDArray.full(value, bs)),
                (idx, bs) -> rows -> {
                    int[] s = bs.clone();
                    s[0] = rows;
                    return NDArray.full(value, s);
                });
    }

    /** {@code start, start + step, ...} below {@code stop}, float64, in chunks of {@code chunk}. */
    public static DArray arange(double start, double stop, double step, int chunk) {
        if (step == 0) throw new IllegalArgumentException("arange step cannot be zero");
        int n = (int) Math.max(0, Math.ceil((stop - start) / step));
        Chunks c = Chunks.regular(new int[] {n}, new int[] {chunk});
        String name = "arange-" + Tokenize.token(start, stop, step, c.all());
        return generate(name, c, DType.FLOAT64, (idx, bs, off) -> new BlockFn("arange", a -> {
            double[] v = new double[bs[0]];
            for (int i = 0; i < v.length; i++) v[i] = start + (off[0] + i) * step;
            return NDArray.of(v, bs[0]);
        }));
    }

    public static DArray arange(int n, int chunk) {
        return arange(0, n, 1, chunk);
    }

    /** {@code num} evenly spaced values from {@code start} to {@code stop} inclusive. */
    public static DArray linspace(double start, double stop, int num, int chunk) {
        if (num < 0) throw new IllegalArgumentException("number of samples, " + num + ", must be non-negative");
        Chunks c = Chunks.regular(new int[] {num}, new int[] {chunk});
        double delta = num > 1 ? (stop - start) / (num - 1) : 0;
        String name = "linspace-" + Tokenize.token(start, stop, num, c.all());
        return generate(name, c, DType.FLOAT64, (idx, bs, off) -> new BlockFn("linspace", a -> {
            double[] v = new double[bs[0]];
            for (int i = 0; i < v.length; i++) {
                long g = off[0] + i;
                v[i] = g == num - 1 && num > 1 ? stop : start + g * delta;
            }
            return NDArray.of(v, bs[0]);
        }));
    }

    /** The n×n identity in chunks of {@code chunk}×{@code chunk}. */
    public static DArray eye(int n, int chunk) {
        return eye(n, n, 0, new int[] {chunk, chunk});
    }

    /** n×m with ones on diagonal {@code k}. */
    public static DArray eye(int n, int m, int k, int[] blockShape) {
        Chunks c = Chunks.regular(new int[] {n, m}, blockShape);
        String name = "eye-" + Tokenize.token(n, m, k, c.all());
        return generate(name, c, DType.FLOAT64, (idx, bs, off) -> new BlockFn("eye", a -> {
            double[] v = new double[bs[0] * bs[1]];
            for (int i = 0; i < bs[0]; i++) {
                long col = off[0] + i + k - off[1];
                if (col >= 0 && col < bs[1]) v[i * bs[1] + (int) col] = 1;
            }
            return NDArray.of(v, bs);
        }));
    }

    /** Random arrays from {@code seed}; see {@link RandomState}. */
    public static RandomState random(long seed) {
        return new RandomState(seed);
    }

    /** Reads a {@code .npy} file in blocks (each task reads only its block's bytes). */
    public static DArray fromNpy(Path path, int[] blockShape) {
        return Npy.fromNpy(path, blockShape);
    }

    /**
     * A one-block array whose block is the value of {@code value} (Dask's {@code from_delayed});
     * the shape and dtype are promised here and checked when the block is computed.
     */
    public static DArray fromDelayed(org.jdask.Delayed<NDArray> value, int[] shape, DType dtype) {
        int[] whole = new int[shape.length];
        Arrays.fill(whole, -1);
        Chunks c = Chunks.regular(shape, whole);
        String name = "from-delayed-" + Tokenize.token(value.key(), shape, dtype.name());
        Map<Key, Node> l = new LinkedHashMap<>(value.graph().nodes());
        int[] expect = shape.clone();
        l.put(Key.of(name, new int[shape.length]), Task.ofArray(new BlockFn("from-delayed", a -> {
            NDArray v = (NDArray) a[0];
            if (v == null || !Arrays.equals(v.shape, expect) || v.dtype != dtype) {
                throw new IllegalStateException("delayed value " + value.key() + " is " + (v == null ? "null" : v.dtype.numpyName()
                        + " of shape " + Shape.str(v.shape)) + ", promised " + dtype.numpyName() + " of shape " + Shape.str(expect));
            }
            return v;
        }), new Object[] {value.key()}));
        return new DArray(name, c, dtype, l);
    }

    /** Joins arrays along an existing axis; other axes are rechunked like the first array. */
    public static DArray concatenate(List<DArray> arrays, int axis) {
        return Indexing.concatenate(arrays, axis);
    }

    /** Joins equal-shaped arrays along a new axis. */
    public static DArray stack(List<DArray> arrays, int axis) {
        return Indexing.stack(arrays, axis);
    }

    @FunctionalInterface
    interface BlockMaker {
        BlockFn make(int[] idx, int[] blockShape, long[] offsets);
    }

    /** A layer of source tasks, one per block, each a function of no arguments. */
    static DArray generate(String name, Chunks c, DType dtype, BlockMaker maker) {
        return generate(name, c, dtype, maker, null);
    }

    static DArray generate(String name, Chunks c, DType dtype, BlockMaker maker, BlockSource source) {
        Map<Key, Node> l = new LinkedHashMap<>();
        for (int[] idx : c.blocks()) {
            long[] off = new long[idx.length];
            for (int a = 0; a < idx.length; a++) off[a] = c.offset(a, idx[a]);
            l.put(Key.of(name, idx), Task.ofArray(maker.make(idx, c.blockShape(idx), off), new Object[0]));
        }
        return new DArray(name, c, dtype, l, source);
    }

    // ------------------------------------------------------------------------------ elementwise

    public DArray add(DArray o) { return Blockwise.binary(Op.ADD, this, o); }
    public DArray sub(DArray o) { return Blockwise.binary(Op.SUB, this, o); }
    public DArray mul(DArray o) { return Blockwise.binary(Op.MUL, this, o); }
    public DArray div(DArray o) { return Blockwise.binary(Op.DIV, this, o); }
    public DArray pow(DArray o) { return Blockwise.binary(Op.POW, this, o); }
    public DArray maximum(DArray o) { return Blockwise.binary(Op.MAX, this, o); }
    public DArray minimum(DArray o) { return Blockwise.binary(Op.MIN, this, o); }
    public DArray add(double v) { return Blockwise.binary(Op.ADD, this, v); }
    public DArray sub(double v) { return Blockwise.binary(Op.SUB, this, v); }
    public DArray mul(double v) { return Blockwise.binary(Op.MUL, this, v); }
    public DArray div(double v) { return Blockwise.binary(Op.DIV, this, v); }
    public DArray pow(double v) { return Blockwise.binary(Op.POW, this, v); }
    /** Arithmetic with an in-memory array (broadcast; it becomes a one-block array first). */
    public DArray add(NDArray o) { return add(Blockwise.wrap(o)); }
    public DArray sub(NDArray o) { return sub(Blockwise.wrap(o)); }
    public DArray mul(NDArray o) { return mul(Blockwise.wrap(o)); }
    public DArray div(NDArray o) { return div(Blockwise.wrap(o)); }

    public DArray eq(DArray o) { return Blockwise.binary(Op.EQ, this, o); }
    public DArray ne(DArray o) { return Blockwise.binary(Op.NE, this, o); }
    public DArray lt(DArray o) { return Blockwise.binary(Op.LT, this, o); }
    public DArray le(DArray o) { return Blockwise.binary(Op.LE, this, o); }
    public DArray gt(DArray o) { return Blockwise.binary(Op.GT, this, o); }
    public DArray ge(DArray o) { return Blockwise.binary(Op.GE, this, o); }
    public DArray eq(double v) { return Blockwise.binary(Op.EQ, this, v); }
    public DArray ne(double v) { return Blockwise.binary(Op.NE, this, v); }
    public DArray lt(double v) { return Blockwise.binary(Op.LT, this, v); }
    public DArray le(double v) { return Blockwise.binary(Op.LE, this, v); }
    public DArray gt(double v) { return Blockwise.binary(Op.GT, this, v); }
    public DArray ge(double v) { return Blockwise.binary(Op.GE, this, v); }
    public DArray and(DArray o) { return Blockwise.binary(Op.AND, this, o); }
    public DArray or(DArray o) { return Blockwise.binary(Op.OR, this, o); }

    public DArray neg() { return Blockwise.unary(Op.NEG, this); }
    public DArray abs() { return Blockwise.unary(Op.ABS, this); }
    public DArray sqrt() { return Blockwise.unary(Op.SQRT, this); }
    public DArray exp() { return Blockwise.unary(Op.EXP, this); }
    public DArray log() { return Blockwise.unary(Op.LOG, this); }
    public DArray sin() { return Blockwise.unary(Op.SIN, this); }
    public DArray cos() { return Blockwise.unary(Op.COS, this); }
    public DArray not() { return Blockwise.unary(Op.NOT, this); }
    public DArray isnan() { return Blockwise.unary(Op.ISNAN, this); }

    /** {@code fn} on every element (float64 result); the key token includes the function. */
    public DArray map(DoubleFn fn) {
        return Blockwise.map(this, fn);
    }

    public DArray astype(DType type) {
        return type == dtype ? this : Blockwise.astype(this, type);
    }

    /** {@code cond ? x : y} with broadcasting of all three. */
    public static DArray where(DArray cond, DArray x, DArray y) {
        return Blockwise.where(cond, x, y);
    }

    /**
     * {@code fn} on every block; the result has this array's chunks and {@code dtype} (Dask's
     * {@code map_blocks}). {@code fn} must keep each block's shape.
     */
    public DArray mapBlocks(Fn1<NDArray, NDArray> fn, DType outType) {
        return Blockwise.mapBlocks(this, fn, outType);
    }

    public DArray mapBlocks(Fn1<NDArray, NDArray> fn) {
        return mapBlocks(fn, dtype);
    }

    /** {@code fn} on aligned blocks of two arrays (broadcast and unified chunks; Dask's {@code blockwise} for elementwise index patterns). */
    public static DArray blockwise(Fn2<NDArray, NDArray, NDArray> fn, DType outType, DArray a, DArray b) {
        return Blockwise.blockwise2(fn, outType, a, b);
    }

    // ------------------------------------------------------------------------------ reductions

    /** Sum over {@code axes} (none: all axes) — a tree reduction. */
    public DArray sum(int... axes) { return reduce(Reduction.SUM, axes, false); }
    public DArray prod(int... axes) { return reduce(Reduction.PROD, axes, false); }
    public DArray mean(int... axes) { return reduce(Reduction.MEAN, axes, false); }
    public DArray var(int... axes) { return reduce(Reduction.VAR, axes, false); }
    public DArray std(int... axes) { return reduce(Reduction.STD, axes, false); }
    public DArray min(int... axes) { return reduce(Reduction.MIN, axes, false); }
    public DArray max(int... axes) { return reduce(Reduction.MAX, axes, false); }
    public DArray any(int... axes) { return reduce(Reduction.ANY, axes, false); }
    public DArray all(int... axes) { return reduce(Reduction.ALL, axes, false); }

    /** A reduction with {@code keepdims} and the tree fan-in from config {@code array.split-every} (16). */
    public DArray reduce(Reduction r, int[] axes, boolean keepdims) {
        return Reductions.reduce(this, r, axes, keepdims, Config.getInt("array.split-every", 16));
    }

    /** A reduction with an explicit tree fan-in ({@code splitEvery >= 2}). */
    public DArray reduce(Reduction r, int[] axes, boolean keepdims, int splitEvery) {
        return Reductions.reduce(this, r, axes, keepdims, splitEvery);
    }

    /** Index of the largest element along {@code axis} (int64; first on ties, NaN wins). */
    public DArray argmax(int axis) { return Reductions.arg(this, true, axis); }
    public DArray argmin(int axis) { return Reductions.arg(this, false, axis); }
    /** Flat C-order index of the largest element, as a 0-d array. */
    public DArray argmax() { return Reductions.arg(this, true, null); }
    public DArray argmin() { return Reductions.arg(this, false, null); }

    /** Cumulative sum along {@code axis}. */
    public DArray cumsum(int axis) {
        return Reductions.cumsum(this, axis);
    }

    // ------------------------------------------------------------------------------ shape

    /** NumPy basic indexing from a string ({@code ":10, ::-2, 3, None, ..."}); only touched blocks get tasks. */
    public DArray slice(String index) {
        return Indexing.slice(this, Slice.parse(index));
    }

    /** NumPy basic indexing with {@link Slice}, {@code Integer}, {@link Slice#NEWAXIS}, {@link Slice#ELLIPSIS}. */
    public DArray get(Object... index) {
        return Indexing.slice(this, Arrays.asList(index));
    }

    /** Rows (axis 0) where the 1-d boolean {@code mask} is true (a NumPy boolean index on axis 0). */
    public DArray mask(NDArray mask) {
        return Indexing.mask(this, mask);
    }

    /** Picks {@code indices} (negatives count from the end) along {@code axis}. */
    public DArray take(int[] indices, int axis) {
        return Indexing.take(this, indices, axis);
    }

    public DArray transpose(int... axes) {
        return Indexing.transpose(this, axes);
    }

    /** The same elements in a new shape (C order; one entry may be -1). */
    public DArray reshape(int... newShape) {
        return Indexing.reshape(this, newShape);
    }

    /** New chunking with blocks of at most {@code blockShape} (-1: whole axis). */
    public DArray rechunk(int... blockShape) {
        return Indexing.rechunk(this, Chunks.regular(shape(), blockShape));
    }

    public DArray rechunk(Chunks target) {
        return Indexing.rechunk(this, target);
    }

    // ------------------------------------------------------------------------------ linear algebra, I/O

    /** Matrix product (2-d @ 2-d, or with 1-d vectors like NumPy's {@code @}), block by block with EJML. */
    public DArray matmul(DArray o) {
        return Linalg.matmul(this, o);
    }

    /** Sums products over {@code axes} of this array and {@code otherAxes} of {@code o} (NumPy's {@code tensordot}). */
    public DArray tensordot(DArray o, int[] axes, int[] otherAxes) {
        return Linalg.tensordot(this, o, axes, otherAxes);
    }

    /** Same as {@link #matmul} for 1-d and 2-d arrays. */
    public DArray dot(DArray o) {
        return Linalg.matmul(this, o);
    }

    /**
     * Computes this array into one {@code .npy} file (NumPy's format, readable by
     * {@code numpy.load}); each block task writes its own bytes, so memory stays at a few blocks.
     */
    public void toNpy(Path path) {
        Npy.toNpy(this, path);
    }

    /** Computes this array into a directory of {@code .npy} files, one per block ({@code 0.1.npy}, ...). */
    public void store(Path dir) {
        Npy.store(this, dir);
    }
}

package org.jdask.array;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * An in-memory n-dimensional array (NumPy's {@code ndarray}): a flat {@code double[]},
 * {@code long[]} or {@code boolean[]} plus shape, strides (in elements) and offset. It is the
 * block type of {@link DArray} and the result of computing one.
 *
 * <p>Slicing ({@link #slice(String)}), {@link #transpose}, {@link #broadcastTo} and
 * {@link #expandDims} return views that share the data; {@link #copy()} and the arithmetic and
 * reductions return new C-contiguous arrays. Treat arrays as immutable: kernels never write into
 * their inputs, and the same block may be read by many tasks at once.
 *
 * <p>Arithmetic follows NumPy: broadcasting between shapes (the error shows both), int64 with
 * int64 stays int64, anything with float64 is float64, {@code div} is true division (float64),
 * comparisons give bool. Kernels run one tight loop over contiguous data (see {@link Strided}),
 * which is the measured hot path.
 */
public final class NDArray implements Serializable {
    private static final long serialVersionUID = 1L;

    final DType dtype;
    final int[] shape;
    final int[] strides;
    final int offset;
    final int size;
    final double[] d;
    final long[] l;
    final boolean[] b;

    NDArray(DType dtype, int[] shape, int[] strides, int offset, double[] d, long[] l, boolean[] b) {
        this.dtype = dtype;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        this.size = Shape.intSize(shape);
        this.d = d;
        this.l = l;
        this.b = b;
    }

    // ------------------------------------------------------------------------------ creation

    /** Wraps {@code data} (not copied) as a C-ordered array of {@code shape}. */
    public static NDArray of(double[] data, int... shape) {
        check(data.length, shape);
        return new NDArray(DType.FLOAT64, shape.clone(), Shape.cStrides(shape), 0, data, null, null);
    }

    public static NDArray of(long[] data, int... shape) {
        check(data.length, shape);
        return new NDArray(DType.INT64, shape.clone(), Shape.cStrides(shape), 0, null, data, null);
    }

    public static NDArray of(boolean[] data, int... shape) {
        check(data.length, shape);
        return new NDArray(DType.BOOL, shape.clone(), Shape.cStrides(shape), 0, null, null, data);
    }

    /** A 1-d float64 array holding a copy of {@code values}. */
    public static NDArray of(double... values) {
        return of(values.clone(), values.length);
    }

    /** A 2-d float64 array from rows (copied; rows must have equal length). */
    public static NDArray of(double[][] rows) {
        int n = rows.length, m = n == 0 ? 0 : rows[0].length;
        double[] data = new double[n * m];
        for (int i = 0; i < n; i++) {
            if (rows[i].length != m) {
                throw new IllegalArgumentException("row " + i + " has length " + rows[i].length + ", row 0 has " + m);
            }
            System.arraycopy(rows[i], 0, data, i * m, m);
        }
        return of(data, n, m);
    }

    private static void check(int length, int[] shape) {
        for (int s : shape) if (s < 0) throw new IllegalArgumentException("negative dimension in shape " + Shape.str(shape));
        if (Shape.size(shape) != length) {
            throw new IllegalArgumentException("cannot view " + length + " elements as shape " + Shape.str(shape)
                    + " (" + Shape.size(shape) + " elements)");
        }
    }

    /** A 0-d array (shape {@code ()}), which broadcasts against any shape. */
    public static NDArray scalar(double v) {
        return of(new double[] {v}, new int[0]);
    }

    public static NDArray scalar(long v) {
        return of(new long[] {v}, new int[0]);
    }

    public static NDArray scalar(boolean v) {
        return of(new boolean[] {v}, new int[0]);
    }

    /** A new zero-filled (false-filled) C-contiguous array. */
    public static NDArray zeros(DType dtype, int... shape) {
        int n = Shape.intSize(shape);
        for (int s : shape) if (s < 0) throw new IllegalArgumentException("negative dimension in shape " + Shape.str(shape));
        return switch (dtype) {
            case FLOAT64 -> of(new double[n], shape);
            case INT64 -> of(new long[n], shape);
            case BOOL -> of(new boolean[n], shape);
        };
    }

    /** A float64 array filled with {@code value}. */
    public static NDArray full(double value, int... shape) {
        double[] a = new double[Shape.intSize(shape)];
        Arrays.fill(a, value);
        return of(a, shape);
    }

    /** {@code start, start + step, ...} below {@code stop} (float64), like {@code numpy.arange}. */
    public static NDArray arange(double start, double stop, double step) {
        if (step == 0) throw new IllegalArgumentException("arange step cannot be zero");
        int n = (int) Math.max(0, Math.ceil((stop - start) / step));
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = start + i * step;
        return of(a, n);
    }

    /** The n×m identity-like matrix with ones on diagonal {@code k}. */
    public static NDArray eye(int n, int m, int k) {
        double[] a = new double[Shape.intSize(new int[] {n, m})];
        for (int i = 0; i < n; i++) if (i + k >= 0 && i + k < m) a[i * m + i + k] = 1;
        return of(a, n, m);
    }

    // ------------------------------------------------------------------------------ accessors

    public DType dtype() {
        return dtype;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int shape(int axis) {
        return shape[Shape.axis(axis, shape.length)];
    }

    public int ndim() {
        return shape.length;
    }

    public int size() {
        return size;
    }

    /** Strides in elements (not bytes). */
    public int[] strides() {
        return strides.clone();
    }

    public int offset() {
        return offset;
    }

    /** True when the elements are laid out in C order with no gaps (any offset). */
    public boolean isContiguous() {
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != s) return false;
            s *= shape[i];
        }
        return true;
    }

    /** Position in the backing array of element {@code idx} (negative indices count from the end). */
    int pos(int... idx) {
        if (idx.length != shape.length) {
            throw new IllegalArgumentException("expected " + shape.length + " indices for shape " + Shape.str(shape)
                    + ", got " + idx.length);
        }
        int p = offset;
        for (int i = 0; i < idx.length; i++) {
            int j = idx[i] < 0 ? idx[i] + shape[i] : idx[i];
            if (j < 0 || j >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + idx[i] + " is out of bounds for axis " + i + " with size "
                        + shape[i] + " (array shape " + Shape.str(shape) + ")");
            }
            p += j * strides[i];
        }
        return p;
    }

    /** Element as double (int64 and bool converted). */
    public double getDouble(int... idx) {
        int p = pos(idx);
        return switch (dtype) {
            case FLOAT64 -> d[p];
            case INT64 -> l[p];
            case BOOL -> b[p] ? 1 : 0;
        };
    }

    public long getLong(int... idx) {
        int p = pos(idx);
        return switch (dtype) {
            case FLOAT64 -> (long) d[p];
            case INT64 -> l[p];
            case BOOL -> b[p] ? 1 : 0;
        };
    }

    public boolean getBoolean(int... idx) {
        int p = pos(idx);
        return switch (dtype) {
            case FLOAT64 -> d[p] != 0;
            case INT64 -> l[p] != 0;
            case BOOL -> b[p];
        };
    }

    /** The value of a one-element array as double. */
    public double item() {
        if (size != 1) throw new IllegalArgumentException("item() needs a one-element array, shape is " + Shape.str(shape));
        return astype(DType.FLOAT64).contiguous().d[0];
    }

    /** The elements in C order as a new double[] (int64 and bool converted). */
    public double[] toDoubleArray() {
        NDArray c = astype(DType.FLOAT64).copy();
        return c.d;
    }

    public long[] toLongArray() {
        return astype(DType.INT64).copy().l;
    }

    public boolean[] toBooleanArray() {
        return astype(DType.BOOL).copy().b;
    }

    /** A 2-d array as rows. */
    public double[][] toDoubleMatrix() {
        if (ndim() != 2) throw new IllegalArgumentException("toDoubleMatrix needs a 2-d array, shape is " + Shape.str(shape));
        double[] flat = toDoubleArray();
        double[][] out = new double[shape[0]][];
        for (int i = 0; i < shape[0]; i++) out[i] = Arrays.copyOfRange(flat, i * shape[1], (i + 1) * shape[1]);
        return out;
    }

    /** The backing array (double[], long[] or boolean[]). */
    Object raw() {
        return dtype == DType.FLOAT64 ? d : dtype == DType.INT64 ? l : b;
    }

    // ------------------------------------------------------------------------------ copies, views

    /** This array when it is C-contiguous from offset 0 over its whole backing array, else a copy. */
    public NDArray contiguous() {
        int len = dtype == DType.FLOAT64 ? d.length : dtype == DType.INT64 ? l.length : b.length;
        return offset == 0 && len == size && isContiguous() ? this : copy();
    }

    /** A new C-contiguous array with the same values. */
    public NDArray copy() {
        NDArray out = zeros(dtype, shape);
        Strided.rows(shape, new int[][] {strides, out.strides}, new int[] {offset, 0}, (off, st, len) -> {
            int s = off[0], ss = st[0], o = off[1];
            switch (dtype) {
                case FLOAT64 -> {
                    if (ss == 1) System.arraycopy(d, s, out.d, o, len);
                    else for (int i = 0; i < len; i++) out.d[o + i] = d[s + i * ss];
                }
                case INT64 -> {
                    if (ss == 1) System.arraycopy(l, s, out.l, o, len);
                    else for (int i = 0; i < len; i++) out.l[o + i] = l[s + i * ss];
                }
                case BOOL -> {
                    if (ss == 1) System.arraycopy(b, s, out.b, o, len);
                    else for (int i = 0; i < len; i++) out.b[o + i] = b[s + i * ss];
                }
            }
        });
        return out;
    }

    /** The values converted to {@code type} (this array when it already has that type). */
    public NDArray astype(DType type) {
        if (type == dtype) return this;
        return Kernels.convert(this, type);
    }

    /** A view with the axes permuted; no arguments reverses them (NumPy's {@code .T}). */
    public NDArray transpose(int... axes) {
        int n = shape.length;
        if (axes.length == 0) {
            axes = new int[n];
            for (int i = 0; i < n; i++) axes[i] = n - 1 - i;
        }
        int[] p = permutation(axes, n);
        int[] sh = new int[n], st = new int[n];
        for (int i = 0; i < n; i++) {
            sh[i] = shape[p[i]];
            st[i] = strides[p[i]];
        }
        return new NDArray(dtype, sh, st, offset, d, l, b);
    }

    static int[] permutation(int[] axes, int n) {
        if (axes.length != n) throw new IllegalArgumentException("axes " + Arrays.toString(axes) + " don't match an array of dimension " + n);
        int[] p = new int[n];
        boolean[] seen = new boolean[n];
        for (int i = 0; i < n; i++) {
            p[i] = Shape.axis(axes[i], n);
            if (seen[p[i]]) throw new IllegalArgumentException("repeated axis in transpose " + Arrays.toString(axes));
            seen[p[i]] = true;
        }
        return p;
    }

    /** The same elements in a new shape (one entry may be -1); a view when contiguous, else a copy. */
    public NDArray reshape(int... newShape) {
        int[] sh = resolveReshape(shape, newShape);
        NDArray c = isContiguous() ? this : copy();
        return new NDArray(dtype, sh, Shape.cStrides(sh), c.offset, c.d, c.l, c.b);
    }

    static int[] resolveReshape(int[] shape, int[] newShape) {
        int[] sh = newShape.clone();
        long total = Shape.size(shape), known = 1;
        int unknown = -1;
        for (int i = 0; i < sh.length; i++) {
            if (sh[i] == -1) {
                if (unknown >= 0) throw new IllegalArgumentException("can only specify one unknown dimension in " + Shape.str(newShape));
                unknown = i;
            } else if (sh[i] < 0) {
                throw new IllegalArgumentException("negative dimension in reshape " + Shape.str(newShape));
            } else {
                known *= sh[i];
            }
        }
        if (unknown >= 0 && known > 0 && total % known == 0) sh[unknown] = (int) (total / known);
        if (Shape.size(sh) != total || (unknown >= 0 && known == 0)) {
            throw new IllegalArgumentException("cannot reshape array of size " + total + " and shape " + Shape.str(shape)
                    + " into shape " + Shape.str(newShape));
        }
        return sh;
    }

    /** A read-only view repeated along broadcast axes (stride 0), like {@code numpy.broadcast_to}. */
    public NDArray broadcastTo(int... target) {
        int n = target.length, k = shape.length;
        if (k > n) throw new IllegalArgumentException("cannot broadcast shape " + Shape.str(shape) + " to " + Shape.str(target));
        int[] st = new int[n];
        for (int i = 0; i < n; i++) {
            int j = i - (n - k);
            if (j < 0) continue;
            if (shape[j] == target[i]) st[i] = strides[j];
            else if (shape[j] == 1) st[i] = 0;
            else throw new IllegalArgumentException("cannot broadcast shape " + Shape.str(shape) + " to " + Shape.str(target));
        }
        return new NDArray(dtype, target.clone(), st, offset, d, l, b);
    }

    /** A view with a new axis of length 1 at {@code axis}. */
    public NDArray expandDims(int axis) {
        int n = shape.length + 1;
        int a = Shape.axis(axis, n);
        int[] sh = new int[n], st = new int[n];
        for (int i = 0, j = 0; i < n; i++) {
            if (i == a) {
                sh[i] = 1;
                st[i] = 0;
            } else {
                sh[i] = shape[j];
                st[i] = strides[j++];
            }
        }
        return new NDArray(dtype, sh, st, offset, d, l, b);
    }

    /** NumPy basic indexing from a string: {@code a.slice(":10, ::-1")}; a view. */
    public NDArray slice(String index) {
        return get(Slice.parse(index).toArray());
    }

    /**
     * NumPy basic indexing: each item a {@link Slice}, an {@code Integer} (drops the axis),
     * {@link Slice#NEWAXIS} or {@link Slice#ELLIPSIS}; a view sharing the data.
     */
    public NDArray get(Object... index) {
        List<Object> items = Slice.expand(Arrays.asList(index), shape);
        int nOut = 0;
        for (Object o : items) if (!(o instanceof Integer)) nOut++;
        int[] sh = new int[nOut], st = new int[nOut];
        int off = offset, axis = 0, j = 0;
        for (Object o : items) {
            if (o == Slice.NEWAXIS) {
                sh[j] = 1;
                st[j++] = 0;
            } else if (o instanceof Integer i) {
                off += i * strides[axis++];
            } else {
                int[] r = ((Slice) o).resolve(shape[axis]);
                if (r[2] > 0) off += r[0] * strides[axis];
                sh[j] = r[2];
                st[j++] = r[1] * strides[axis++];
            }
        }
        return new NDArray(dtype, sh, st, off, d, l, b);
    }

    /** Joins arrays along an existing axis (copies). */
    public static NDArray concatenate(List<NDArray> parts, int axis) {
        if (parts.isEmpty()) throw new IllegalArgumentException("need at least one array to concatenate");
        NDArray first = parts.get(0);
        int ax = Shape.axis(axis, first.ndim());
        int[] sh = first.shape();
        DType t = first.dtype;
        sh[ax] = 0;
        Shape.checkConcatenate(parts.stream().map(p -> p.shape).toList(), ax);
        for (NDArray p : parts) {
            sh[ax] += p.shape[ax];
            if (p.dtype != t) t = DType.promote(t, p.dtype);
        }
        if (parts.size() == 1) return first.astype(t);
        NDArray out = zeros(t, sh);
        int at = 0;
        for (NDArray p : parts) {
            Object[] idx = new Object[sh.length];
            Arrays.fill(idx, Slice.all());
            idx[ax] = Slice.of(at, at + p.shape[ax]);
            Kernels.assign(out.get(idx), p.astype(t));
            at += p.shape[ax];
        }
        return out;
    }

    /** Joins arrays of equal shape along a new axis. */
    public static NDArray stack(List<NDArray> parts, int axis) {
        if (parts.isEmpty()) throw new IllegalArgumentException("need at least one array to stack");
        int ax = Shape.axis(axis, parts.get(0).ndim() + 1);
        Shape.checkStack(parts.stream().map(p -> p.shape).toList());
        return concatenate(parts.stream().map(p -> p.expandDims(ax)).toList(), ax);
    }

    // ------------------------------------------------------------------------------ elementwise

    public NDArray add(NDArray o) { return Kernels.binary(Op.ADD, this, o); }
    public NDArray sub(NDArray o) { return Kernels.binary(Op.SUB, this, o); }
    public NDArray mul(NDArray o) { return Kernels.binary(Op.MUL, this, o); }
    public NDArray div(NDArray o) { return Kernels.binary(Op.DIV, this, o); }
    public NDArray pow(NDArray o) { return Kernels.binary(Op.POW, this, o); }
    public NDArray maximum(NDArray o) { return Kernels.binary(Op.MAX, this, o); }
    public NDArray minimum(NDArray o) { return Kernels.binary(Op.MIN, this, o); }
    public NDArray add(double v) { return add(scalar(v)); }
    public NDArray sub(double v) { return sub(scalar(v)); }
    public NDArray mul(double v) { return mul(scalar(v)); }
    public NDArray div(double v) { return div(scalar(v)); }
    public NDArray pow(double v) { return pow(scalar(v)); }

    public NDArray eq(NDArray o) { return Kernels.binary(Op.EQ, this, o); }
    public NDArray ne(NDArray o) { return Kernels.binary(Op.NE, this, o); }
    public NDArray lt(NDArray o) { return Kernels.binary(Op.LT, this, o); }
    public NDArray le(NDArray o) { return Kernels.binary(Op.LE, this, o); }
    public NDArray gt(NDArray o) { return Kernels.binary(Op.GT, this, o); }
    public NDArray ge(NDArray o) { return Kernels.binary(Op.GE, this, o); }
    public NDArray gt(double v) { return gt(scalar(v)); }
    public NDArray lt(double v) { return lt(scalar(v)); }
    public NDArray and(NDArray o) { return Kernels.binary(Op.AND, this, o); }
    public NDArray or(NDArray o) { return Kernels.binary(Op.OR, this, o); }

    public NDArray neg() { return Kernels.unary(Op.NEG, this); }
    public NDArray abs() { return Kernels.unary(Op.ABS, this); }
    public NDArray sqrt() { return Kernels.unary(Op.SQRT, this); }
    public NDArray exp() { return Kernels.unary(Op.EXP, this); }
    public NDArray log() { return Kernels.unary(Op.LOG, this); }
    public NDArray not() { return Kernels.unary(Op.NOT, this); }
    public NDArray isnan() { return Kernels.unary(Op.ISNAN, this); }

    /** {@code fn} applied to every element (as double), float64 result. */
    public NDArray map(DoubleFn fn) {
        return Kernels.map(this, fn);
    }

    /** {@code cond ? x : y} elementwise with broadcasting of all three. */
    public static NDArray where(NDArray cond, NDArray x, NDArray y) {
        return Kernels.where(cond, x, y);
    }

    // ------------------------------------------------------------------------------ reductions

    /** Sum over {@code axes} (none: all axes). */
    public NDArray sum(int... axes) { return Kernels.reduce(Op.SUM, this, axes, false); }
    public NDArray prod(int... axes) { return Kernels.reduce(Op.PROD, this, axes, false); }
    public NDArray min(int... axes) { return Kernels.reduce(Op.MIN, this, axes, false); }
    public NDArray max(int... axes) { return Kernels.reduce(Op.MAX, this, axes, false); }
    public NDArray any(int... axes) { return Kernels.reduce(Op.OR, this, axes, false); }
    public NDArray all(int... axes) { return Kernels.reduce(Op.AND, this, axes, false); }
    public NDArray mean(int... axes) { return Kernels.mean(this, axes, false); }
    public NDArray var(int... axes) { return Kernels.var(this, axes, false, 0); }
    public NDArray std(int... axes) { return Kernels.var(this, axes, false, 0).sqrt(); }

    /** Any reduction with NumPy's {@code keepdims}. */
    public NDArray reduce(Reduction r, int[] axes, boolean keepdims) {
        return Kernels.reduction(r, this, axes, keepdims);
    }

    /** Index of the smallest element along {@code axis}, int64 (first on ties; a NaN wins, as in NumPy). */
    public NDArray argmin(int axis) { return Kernels.arg(false, this, axis); }
    public NDArray argmax(int axis) { return Kernels.arg(true, this, axis); }
    /** Flat (C-order) index of the smallest element. */
    public long argmin() { return Kernels.arg(false, reshape(-1), 0).l[0]; }
    public long argmax() { return Kernels.arg(true, reshape(-1), 0).l[0]; }

    /** Cumulative sum along {@code axis} (int64 stays int64). */
    public NDArray cumsum(int axis) { return Kernels.cumsum(this, axis); }

    /** Matrix product of 2-d arrays (EJML); 1-d operands are treated as vectors like NumPy's {@code @}. */
    public NDArray matmul(NDArray o) { return Linalg.matmulBlocks(this, o); }

    // ------------------------------------------------------------------------------ comparison, printing

    /** Same shape, dtype and elements (NaN equals NaN). */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof NDArray a) || a.dtype != dtype || !Arrays.equals(a.shape, shape)) return false;
        NDArray x = contiguous(), y = a.contiguous();
        return switch (dtype) {
            case FLOAT64 -> Arrays.equals(Arrays.copyOfRange(x.d, x.offset, x.offset + size), Arrays.copyOfRange(y.d, y.offset, y.offset + size));
            case INT64 -> Arrays.equals(x.l, x.offset, x.offset + size, y.l, y.offset, y.offset + size);
            case BOOL -> Arrays.equals(x.b, x.offset, x.offset + size, y.b, y.offset, y.offset + size);
        };
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(shape) * 31 + dtype.hashCode();
    }

    /** Same shape and {@code |a - b| <= atol + rtol·|b|} elementwise (NaN matches NaN). */
    public boolean allClose(NDArray o, double rtol, double atol) {
        if (!Arrays.equals(shape, o.shape)) return false;
        double[] x = toDoubleArray(), y = o.toDoubleArray();
        for (int i = 0; i < x.length; i++) {
            if (Double.isNaN(x[i]) && Double.isNaN(y[i])) continue;
            if (x[i] == y[i]) continue;
            if (!(Math.abs(x[i] - y[i]) <= atol + rtol * Math.abs(y[i]))) return false;
        }
        return true;
    }

    /** {@code NDArray(float64, shape=(2, 3), [1.0, 2.0, ...])} with at most 20 values. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("NDArray(").append(dtype.numpyName()).append(", shape=").append(Shape.str(shape)).append(", [");
        NDArray flat = reshape(-1);
        int n = Math.min(size, 20);
        for (int i = 0; i < n; i++) {
            if (i > 0) s.append(", ");
            switch (dtype) {
                case FLOAT64 -> s.append(flat.getDouble(i));
                case INT64 -> s.append(flat.getLong(i));
                case BOOL -> s.append(flat.getBoolean(i));
            }
        }
        if (size > n) s.append(", ...");
        return s.append("])").toString();
    }
}

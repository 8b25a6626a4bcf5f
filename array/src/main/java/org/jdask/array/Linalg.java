package org.jdask.array;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.CommonOps_MT_DDRM;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;
import org.ejml.interfaces.decomposition.QRDecomposition;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;
import org.jdask.graph.Key;
import org.jdask.graph.Node;
import org.jdask.graph.Task;
import org.jdask.graph.Tokenize;

/**
 * Linear algebra on chunked arrays with EJML on the blocks (Dask's {@code dask.array.linalg}).
 *
 * <ul>
 *   <li>{@link DArray#matmul}: output block (i, j) = Σ<sub>p</sub> A(i, p)·B(p, j), one task per
 *       output block; EJML's multi-threaded kernel is used when there are fewer output blocks than
 *       cores (the scheduler would leave cores idle).
 *   <li>{@link #qr}: TSQR (Benson, Gleich, Demmel) for tall-and-skinny arrays chunked along rows
 *       only: QR of every row block, one QR of the stacked R factors, then Q = Q<sub>i</sub>·Q2<sub>i</sub>.
 *   <li>{@link #svd}: TSQR, then the SVD of the small R: U = Q·U<sub>R</sub>.
 *   <li>{@link #lstsq}: TSQR, x = R<sup>-1</sup>·Σ Q<sub>i</sub><sup>T</sup>b<sub>i</sub>.
 *   <li>{@link #solve}, {@link #cholesky}: gather the (square, so modest) matrix into one block.
 * </ul>
 */
public final class Linalg {
    private Linalg() {}

    /** Q (n×k, chunked like A's rows) and R (k×m), k = min(n, m). */
    public record QR(DArray q, DArray r) {}

    /** A = U·diag(S)·Vᵀ with singular values descending (NumPy's {@code u, s, vh}). */
    public record SVD(DArray u, DArray s, DArray vt) {}

    static DMatrixRMaj mat(NDArray a) {
        if (a.ndim() != 2) throw new IllegalArgumentException("expected a 2-d block, got shape " + Shape.str(a.shape));
        NDArray c = a.astype(DType.FLOAT64).contiguous();
        return DMatrixRMaj.wrap(a.shape[0], a.shape[1], c.d);
    }

    static NDArray nd(DMatrixRMaj m) {
        double[] d = m.data.length == m.numRows * m.numCols ? m.data : Arrays.copyOf(m.data, m.numRows * m.numCols);
        return NDArray.of(d, m.numRows, m.numCols);
    }

    /** In-memory matrix product with NumPy's rules for 1-d operands. */
    static NDArray matmulBlocks(NDArray a, NDArray b) {
        boolean av = a.ndim() == 1, bv = b.ndim() == 1;
        NDArray x = av ? a.reshape(1, -1) : a, y = bv ? b.reshape(-1, 1) : b;
        checkCore(x.shape, y.shape, a.shape, b.shape);
        DMatrixRMaj out = new DMatrixRMaj(x.shape[0], y.shape[1]);
        CommonOps_DDRM.mult(mat(x), mat(y), out);
        NDArray r = nd(out);
        if (av && bv) return r.reshape();
        if (av) return r.reshape(y.shape[1]);
        if (bv) return r.reshape(x.shape[0]);
        return r;
    }

    private static void checkCore(int[] x, int[] y, int[] a, int[] b) {
        if (x.length != 2 || y.length != 2) {
            throw new IllegalArgumentException("matmul supports 1-d and 2-d operands, got shapes " + Shape.str(a) + " and " + Shape.str(b));
        }
        if (x[1] != y[0]) {
            throw new IllegalArgumentException("matmul: shapes " + Shape.str(a) + " and " + Shape.str(b)
                    + " not aligned: " + x[1] + " (dim 1) != " + y[0] + " (dim 0)");
        }
    }

    static DArray matmul(DArray a, DArray b) {
        boolean av = a.ndim() == 1, bv = b.ndim() == 1;
        DArray x = av ? a.get(Slice.NEWAXIS, Slice.all()) : a;
        DArray y = bv ? b.get(Slice.all(), Slice.NEWAXIS) : b;
        checkCore(x.shape(), y.shape(), a.shape(), b.shape());
        int[][] yc = y.chunks.all();
        yc[0] = x.chunks.sizes(1);
        y = y.rechunk(Chunks.of(y.shape(), yc));
        Chunks out = Chunks.ofSizes(new int[][] {x.chunks.sizes(0), y.chunks.sizes(1)});
        String name = "matmul-" + Tokenize.token(x.name, y.name);
        int kb = x.chunks.numBlocks(1);
        boolean mt = out.count() < Runtime.getRuntime().availableProcessors();
        BlockFn fn = new BlockFn("matmul", args -> {
            @SuppressWarnings("unchecked") List<NDArray> as = (List<NDArray>) args[0];
            @SuppressWarnings("unchecked") List<NDArray> bs = (List<NDArray>) args[1];
            DMatrixRMaj acc = new DMatrixRMaj(as.get(0).shape[0], bs.get(0).shape[1]);
            for (int p = 0; p < as.size(); p++) {
                if (mt) CommonOps_MT_DDRM.multAdd(mat(as.get(p)), mat(bs.get(p)), acc);
                else CommonOps_DDRM.multAdd(mat(as.get(p)), mat(bs.get(p)), acc);
            }
            return nd(acc);
        });
        Map<Key, Node> l = new LinkedHashMap<>();
        for (int[] idx : out.blocks()) {
            List<Object> ak = new ArrayList<>(kb), bk = new ArrayList<>(kb);
            for (int p = 0; p < kb; p++) {
                ak.add(Key.of(x.name, idx[0], p));
                bk.add(Key.of(y.name, p, idx[1]));
            }
            l.put(Key.of(name, idx), Task.ofArray(fn, new Object[] {ak, bk}));
        }
        DArray r = new DArray(name, out, DType.FLOAT64, l, x, y);
        if (av && bv) return r.get(0, 0);
        if (av) return r.get(0, Slice.all());
        if (bv) return r.get(Slice.all(), 0);
        return r;
    }

    /**
     * Sums products over {@code axesA} of {@code a} and {@code axesB} of {@code b} (NumPy's
     * {@code tensordot}): both are transposed and reshaped to matrices, multiplied block-wise,
     * and the product reshaped to a's free axes followed by b's.
     */
    public static DArray tensordot(DArray a, DArray b, int[] axesA, int[] axesB) {
        if (axesA.length != axesB.length) {
            throw new IllegalArgumentException("tensordot: " + axesA.length + " axes of a but " + axesB.length + " of b");
        }
        int[] as = a.shape(), bs = b.shape();
        int[] ca = new int[axesA.length], cb = new int[axesB.length];
        for (int i = 0; i < ca.length; i++) {
            ca[i] = Shape.axis(axesA[i], as.length);
            cb[i] = Shape.axis(axesB[i], bs.length);
            if (as[ca[i]] != bs[cb[i]]) {
                throw new IllegalArgumentException("tensordot: shape mismatch for sum: a " + Shape.str(as) + " axis " + ca[i] + " has "
                        + as[ca[i]] + ", b " + Shape.str(bs) + " axis " + cb[i] + " has " + bs[cb[i]]);
            }
        }
        int[] fa = free(as.length, ca), fb = free(bs.length, cb);
        int[] permA = concat(fa, ca), permB = concat(cb, fb);
        long k = 1;
        for (int c : ca) k *= as[c];
        int[] outShape = new int[fa.length + fb.length];
        long m = 1, n = 1;
        for (int i = 0; i < fa.length; i++) m *= outShape[i] = as[fa[i]];
        for (int i = 0; i < fb.length; i++) n *= outShape[fa.length + i] = bs[fb[i]];
        DArray x = a.transpose(permA).reshape((int) m, (int) k);
        DArray y = b.transpose(permB).reshape((int) k, (int) n);
        return x.matmul(y).reshape(outShape);
    }

    private static int[] free(int n, int[] contracted) {
        int[] out = new int[n - contracted.length];
        for (int i = 0, j = 0; i < n; i++) {
            boolean c = false;
            for (int x : contracted) c |= x == i;
            if (!c) out[j++] = i;
        }
        return out;
    }

    private static int[] concat(int[] p, int[] q) {
        int[] out = Arrays.copyOf(p, p.length + q.length);
        System.arraycopy(q, 0, out, p.length, q.length);
        return out;
    }

    /**
     * A itself when it is 2-d with one column of blocks (TSQR's input), else refused as Dask
     * refuses, saying what to do: rechunking the columns whole is not done silently, because it
     * makes every row block hold all the columns (rows × columns × 8 bytes each), which for a wide
     * array is memory the user should choose to spend.
     */
    static DArray rowBlocks(DArray a, String what) {
        if (a.ndim() != 2) throw new IllegalArgumentException(what + " needs a 2-d array, got shape " + Shape.str(a.shape()));
        if (a.chunks.numBlocks(1) == 1) return a;
        int rows = a.chunks.size(0, 0), cols = a.shape()[1];
        throw new IllegalArgumentException(what + " (TSQR) needs a tall-and-skinny array with one column of blocks (chunked along rows "
                + "only); got shape " + Shape.str(a.shape()) + " in " + a.chunks.numBlocks(0) + " x " + a.chunks.numBlocks(1)
                + " blocks (column chunks " + Shape.str(a.chunks.sizes(1)) + "). Rechunk first, e.g. x.rechunk(" + rows
                + ", -1): each row block then holds all " + cols + " columns (" + rows + " x " + cols + " x 8 bytes = "
                + ((long) rows * cols * 8) + " bytes per block)");
    }

    /** Tall-and-skinny QR (TSQR) of a 2-d array with one column of blocks (others are refused: see README). */
    public static QR qr(DArray a) {
        DArray x = rowBlocks(a, "qr").astype(DType.FLOAT64);
        int m = x.shape()[1];
        int[] rows = x.chunks.sizes(0);
        int nb = rows.length;
        int[] k = new int[nb];
        int total = 0;
        for (int i = 0; i < nb; i++) total += k[i] = Math.min(rows[i], m);
        int k2 = Math.min(total, m);
        String tok = Tokenize.token(x.name);
        String blockQr = "qr-block-" + tok, stackQr = "qr-stack-" + tok, qName = "qr-q-" + tok, rName = "qr-r-" + tok;
        Map<Key, Node> l = new LinkedHashMap<>();
        BlockFn qrFn = new BlockFn("qr", args -> qrOf((NDArray) args[0]));
        List<Object> rKeys = new ArrayList<>();
        for (int i = 0; i < nb; i++) {
            l.put(Key.of(blockQr, i), Task.ofArray(qrFn, new Object[] {Key.of(x.name, i, 0)}));
            rKeys.add(Key.of(blockQr, i));
        }
        l.put(Key.of(stackQr), Task.ofArray(new BlockFn("qr-stack", args -> {
            List<NDArray> rs = new ArrayList<>();
            for (Object o : (List<?>) args[0]) {
                NDArray r = ((NDArray[]) o)[1];
                if (r.shape[0] > 0) rs.add(r);
            }
            if (rs.isEmpty()) return new NDArray[] {NDArray.zeros(DType.FLOAT64, 0, 0), NDArray.zeros(DType.FLOAT64, 0, m)};
            return qrOf(NDArray.concatenate(rs, 0));
        }), new Object[] {rKeys}));
        int at = 0;
        for (int i = 0; i < nb; i++) {
            int from = at, to = at + k[i];
            at = to;
            l.put(Key.of(qName, i, 0), Task.ofArray(new BlockFn("qr-q", args -> {
                NDArray qi = ((NDArray[]) args[0])[0];
                NDArray q2 = ((NDArray[]) args[1])[0].get(Slice.of(from, to), Slice.all());
                if (qi.shape[1] == 0) return NDArray.zeros(DType.FLOAT64, qi.shape[0], k2);
                return matmulBlocks(qi, q2);
            }), new Object[] {Key.of(blockQr, i), Key.of(stackQr)}));
        }
        l.put(Key.of(rName, 0, 0), Task.ofArray(new BlockFn("qr-r", args -> ((NDArray[]) args[0])[1]), new Object[] {Key.of(stackQr)}));
        DArray q = new DArray(qName, Chunks.ofSizes(new int[][] {rows, {k2}}), DType.FLOAT64, filter(l, qName, blockQr, stackQr), x);
        DArray r = new DArray(rName, Chunks.ofSizes(new int[][] {{k2}, {m}}), DType.FLOAT64, filter(l, rName, blockQr, stackQr), x);
        return new QR(q, r);
    }

    private static Map<Key, Node> filter(Map<Key, Node> l, String... names) {
        Map<Key, Node> out = new LinkedHashMap<>();
        List<String> keep = Arrays.asList(names);
        l.forEach((k, v) -> {
            if (keep.contains(k.name())) out.put(k, v);
        });
        return out;
    }

    /** Economy QR of one block: {Q (r×k), R (k×c)}, k = min(r, c). */
    static NDArray[] qrOf(NDArray a) {
        int r = a.shape[0], c = a.shape[1];
        if (r == 0) return new NDArray[] {NDArray.zeros(DType.FLOAT64, 0, 0), NDArray.zeros(DType.FLOAT64, 0, c)};
        QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(r, c);
        if (!qr.decompose(mat(a).copy())) throw new ArithmeticException("QR decomposition failed for a block of shape " + Shape.str(a.shape));
        return new NDArray[] {nd(qr.getQ(null, true)), nd(qr.getR(null, true))};
    }

    /** SVD of a tall-and-skinny array with one column of blocks via TSQR: U chunked like A's rows, S (k), Vᵀ (k×m). */
    public static SVD svd(DArray a) {
        QR f = qr(rowBlocks(a, "svd"));
        DArray r = f.r();
        int k = r.shape()[0], m = r.shape()[1];
        int s = Math.min(k, m);
        String tok = Tokenize.token("svd", r.name);
        Map<Key, Node> small = new LinkedHashMap<>();
        String svdName = "svd-small-" + tok;
        small.put(Key.of(svdName), Task.ofArray(new BlockFn("svd", args -> svdOf((NDArray) args[0])), new Object[] {Key.of(r.name, 0, 0)}));
        DArray holder = new DArray(svdName, Chunks.ofSizes(new int[0][]), DType.FLOAT64, small, r);
        DArray ur = part(holder, "svd-ur-" + tok, 0, new int[][] {{k}, {s}});
        DArray sv = part(holder, "svd-s-" + tok, 1, new int[][] {{s}});
        DArray vt = part(holder, "svd-vt-" + tok, 2, new int[][] {{s}, {m}});
        return new SVD(f.q().matmul(ur), sv, vt);
    }

    private static DArray part(DArray holder, String name, int i, int[][] sizes) {
        Map<Key, Node> l = new LinkedHashMap<>();
        l.put(Key.of(name, new int[sizes.length]), Task.ofArray(new BlockFn("getitem", args -> ((NDArray[]) args[0])[i]),
                new Object[] {Key.of(holder.name)}));
        return new DArray(name, Chunks.ofSizes(sizes), DType.FLOAT64, l, holder);
    }

    static NDArray[] svdOf(NDArray a) {
        int r = a.shape[0], c = a.shape[1];
        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(r, c, true, true, true);
        if (!svd.decompose(mat(a).copy())) throw new ArithmeticException("SVD did not converge for shape " + Shape.str(a.shape));
        DMatrixRMaj u = svd.getU(null, false), w = svd.getW(null), v = svd.getV(null, false);
        SingularOps_DDRM.descendingOrder(u, false, w, v, false);
        int s = Math.min(r, c);
        double[] sv = new double[s];
        for (int i = 0; i < s; i++) sv[i] = w.get(i, i);
        DMatrixRMaj vt = new DMatrixRMaj(v.numCols, v.numRows);
        CommonOps_DDRM.transpose(v, vt);
        return new NDArray[] {nd(u).get(Slice.all(), Slice.of(0, s)).copy(), NDArray.of(sv, s), nd(vt).get(Slice.of(0, s), Slice.all()).copy()};
    }

    /** x with A·x = b for square A (gathered into one block); singular A fails naming the shape. */
    public static DArray solve(DArray a, DArray b) {
        int[] as = a.shape(), bs = b.shape();
        if (as.length != 2 || as[0] != as[1]) throw new IllegalArgumentException("solve needs a square 2-d matrix, got shape " + Shape.str(as));
        if (bs.length < 1 || bs.length > 2 || bs[0] != as[0]) {
            throw new IllegalArgumentException("solve: b of shape " + Shape.str(bs) + " does not match A of shape " + Shape.str(as));
        }
        DArray x = whole(a), y = whole(b);
        String name = "solve-" + Tokenize.token(x.name, y.name);
        Map<Key, Node> l = new LinkedHashMap<>();
        l.put(Key.of(name, new int[bs.length]), Task.ofArray(new BlockFn("solve", args -> {
            NDArray rhs = (NDArray) args[1];
            DMatrixRMaj out = new DMatrixRMaj(as[0], bs.length == 1 ? 1 : bs[1]);
            var lu = org.ejml.dense.row.factory.LinearSolverFactory_DDRM.lu(as[0]);
            if (!lu.setA(mat((NDArray) args[0]).copy()) || !(lu.quality() > 1e-13)) {
                throw new ArithmeticException("Singular matrix: cannot solve with A of shape " + Shape.str(as)
                        + " (LU quality " + lu.quality() + ")");
            }
            lu.solve(mat(bs.length == 1 ? rhs.reshape(-1, 1) : rhs).copy(), out);
            NDArray r = nd(out);
            return bs.length == 1 ? r.reshape(-1) : r;
        }), new Object[] {Key.of(x.name, 0, 0), Key.of(y.name, new int[bs.length])}));
        int[] whole = new int[bs.length];
        Arrays.fill(whole, -1);
        return new DArray(name, Chunks.regular(bs, whole), DType.FLOAT64, l, x, y).rechunk(b.chunks);
    }

    private static DArray whole(DArray a) {
        int[] w = new int[a.ndim()];
        Arrays.fill(w, -1);
        return a.astype(DType.FLOAT64).rechunk(w);
    }

    /** Least squares x minimizing ‖A·x − b‖ for tall A (TSQR; A must have full column rank). */
    public static DArray lstsq(DArray a, DArray b) {
        int[] as = a.shape(), bs = b.shape();
        if (as.length != 2 || bs.length < 1 || bs.length > 2 || bs[0] != as[0]) {
            throw new IllegalArgumentException("lstsq: A of shape " + Shape.str(as) + " and b of shape " + Shape.str(bs) + " do not match");
        }
        QR f = qr(rowBlocks(a, "lstsq"));
        DArray y = bs.length == 1 ? b.get(Slice.all(), Slice.NEWAXIS) : b;
        y = y.astype(DType.FLOAT64).rechunk(Chunks.of(y.shape(), new int[][] {f.q().chunks.sizes(0), {y.shape()[1]}}));
        DArray qty = f.q().transpose().matmul(y); // k × p, one block row
        qty = whole(qty);
        String name = "lstsq-" + Tokenize.token(f.r().name, qty.name);
        Map<Key, Node> l = new LinkedHashMap<>();
        int m = as[1];
        l.put(Key.of(name, 0, 0), Task.ofArray(new BlockFn("lstsq", args -> {
            NDArray r = (NDArray) args[0];
            if (r.shape[0] < m) throw new ArithmeticException("lstsq needs at least as many rows as columns, A has shape " + Shape.str(as));
            DMatrixRMaj out = new DMatrixRMaj(m, ((NDArray) args[1]).shape[1]);
            if (!CommonOps_DDRM.solve(mat(r).copy(), mat((NDArray) args[1]).copy(), out)) {
                throw new ArithmeticException("lstsq: A of shape " + Shape.str(as) + " does not have full column rank");
            }
            return nd(out);
        }), new Object[] {Key.of(f.r().name, 0, 0), Key.of(qty.name, 0, 0)}));
        DArray x = new DArray(name, Chunks.ofSizes(new int[][] {{m}, {qty.shape()[1]}}), DType.FLOAT64, l, f.r(), qty);
        return bs.length == 1 ? x.get(Slice.all(), 0) : x;
    }

    /** Lower-triangular L with A = L·Lᵀ (NumPy's convention) for a symmetric positive-definite A. */
    public static DArray cholesky(DArray a) {
        int[] as = a.shape();
        if (as.length != 2 || as[0] != as[1]) throw new IllegalArgumentException("cholesky needs a square 2-d matrix, got shape " + Shape.str(as));
        DArray x = whole(a);
        String name = "cholesky-" + Tokenize.token(x.name);
        Map<Key, Node> l = new LinkedHashMap<>();
        l.put(Key.of(name, 0, 0), Task.ofArray(new BlockFn("cholesky", args -> {
            CholeskyDecomposition_F64<DMatrixRMaj> c = DecompositionFactory_DDRM.chol(as[0], true);
            if (!c.decompose(mat((NDArray) args[0]).copy())) {
                throw new ArithmeticException("Matrix is not positive definite (shape " + Shape.str(as) + ")");
            }
            DMatrixRMaj low = c.getT(null);
            for (int i = 0; i < as[0]; i++) for (int j = i + 1; j < as[0]; j++) low.set(i, j, 0);
            return nd(low);
        }), new Object[] {Key.of(x.name, 0, 0)}));
        return new DArray(name, Chunks.regular(as, new int[] {-1, -1}), DType.FLOAT64, l, x).rechunk(a.chunks);
    }
}

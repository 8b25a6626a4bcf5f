package org.jdask.array;

import java.util.Arrays;

/**
 * The block kernels behind {@link NDArray}: elementwise ops with broadcasting, reductions,
 * arg-reductions, cumsum, conversion. Each walks its operands with {@link Strided#rows} and runs
 * a tight loop per row; the common cases (all unit stride, or one operand a broadcast scalar)
 * have their own loops, which is what JMH measures against a plain loop.
 */
final class Kernels {
    private Kernels() {}

    // ------------------------------------------------------------------------------ conversion

    static NDArray convert(NDArray a, DType t) {
        NDArray out = NDArray.zeros(t, a.shape);
        Strided.rows(a.shape, new int[][] {a.strides, out.strides}, new int[] {a.offset, 0}, (off, st, n) -> {
            int s = off[0], ss = st[0], o = off[1], os = st[1];
            for (int i = 0; i < n; i++) {
                int p = s + i * ss, q = o + i * os;
                switch (t) {
                    case FLOAT64 -> out.d[q] = a.dtype == DType.INT64 ? a.l[p] : a.b[p] ? 1 : 0;
                    case INT64 -> out.l[q] = a.dtype == DType.FLOAT64 ? (long) a.d[p] : a.b[p] ? 1 : 0;
                    case BOOL -> out.b[q] = a.dtype == DType.FLOAT64 ? a.d[p] != 0 : a.l[p] != 0;
                }
            }
        });
        return out;
    }

    /** Copies {@code src} (same dtype, broadcastable) into the view {@code dst}. */
    static void assign(NDArray dst, NDArray src) {
        NDArray s = src.broadcastTo(dst.shape);
        Strided.rows(dst.shape, new int[][] {s.strides, dst.strides}, new int[] {s.offset, dst.offset}, (off, st, n) -> {
            for (int i = 0; i < n; i++) {
                int p = off[0] + i * st[0], q = off[1] + i * st[1];
                switch (dst.dtype) {
                    case FLOAT64 -> dst.d[q] = s.d[p];
                    case INT64 -> dst.l[q] = s.l[p];
                    case BOOL -> dst.b[q] = s.b[p];
                }
            }
        });
    }

    // ------------------------------------------------------------------------------ binary

    static NDArray binary(Op op, NDArray a, NDArray b) {
        int[] sh = Shape.broadcast(a.shape, b.shape);
        DType ct = op.logical() ? DType.BOOL : DType.promote(a.dtype, b.dtype);
        if (op == Op.DIV) ct = DType.FLOAT64;
        if (op == Op.POW && ct == DType.INT64 && hasNegative(b)) {
            throw new IllegalArgumentException("Integers to negative integer powers are not allowed (exponent array of shape "
                    + Shape.str(b.shape) + "); use float64");
        }
        DType rt = op.comparison() ? DType.BOOL : ct;
        NDArray x = a.astype(ct).broadcastTo(sh), y = b.astype(ct).broadcastTo(sh);
        NDArray out = NDArray.zeros(rt, sh);
        final DType c = ct;
        Strided.rows(sh, new int[][] {x.strides, y.strides, out.strides}, new int[] {x.offset, y.offset, 0}, (off, st, n) -> {
            if (c == DType.FLOAT64) {
                if (rt == DType.BOOL) cmpD(op, x.d, off[0], st[0], y.d, off[1], st[1], out.b, off[2], st[2], n);
                else rowD(op, x.d, off[0], st[0], y.d, off[1], st[1], out.d, off[2], st[2], n);
            } else if (c == DType.INT64) {
                if (rt == DType.BOOL) cmpL(op, x.l, off[0], st[0], y.l, off[1], st[1], out.b, off[2], st[2], n);
                else rowL(op, x.l, off[0], st[0], y.l, off[1], st[1], out.l, off[2], st[2], n);
            } else {
                for (int i = 0; i < n; i++) {
                    boolean p = x.b[off[0] + i * st[0]], q = y.b[off[1] + i * st[1]];
                    out.b[off[2] + i * st[2]] = op == Op.AND ? p && q : p || q;
                }
            }
        });
        return out;
    }

    private static boolean hasNegative(NDArray b) {
        if (b.dtype != DType.INT64) return false;
        for (long v : b.toLongArray()) if (v < 0) return true;
        return false;
    }

    static void rowD(Op op, double[] x, int xo, int xs, double[] y, int yo, int ys, double[] o, int oo, int os, int n) {
        // the common shapes get their own small loop methods: C2 unrolls and vectorizes each alone
        if (xs == 1 && ys == 1 && os == 1) {
            switch (op) {
                case ADD -> { vvAdd(x, xo, y, yo, o, oo, n); return; }
                case SUB -> { vvSub(x, xo, y, yo, o, oo, n); return; }
                case MUL -> { vvMul(x, xo, y, yo, o, oo, n); return; }
                case DIV -> { vvDiv(x, xo, y, yo, o, oo, n); return; }
                default -> { }
            }
        } else if (xs == 1 && ys == 0 && os == 1) {
            switch (op) {
                case ADD -> { vsAdd(x, xo, y[yo], o, oo, n); return; }
                case SUB -> { vsAdd(x, xo, -y[yo], o, oo, n); return; }
                case MUL -> { vsMul(x, xo, y[yo], o, oo, n); return; }
                case DIV -> { vsDiv(x, xo, y[yo], o, oo, n); return; }
                default -> { }
            }
        } else if (xs == 0 && ys == 1 && os == 1) {
            switch (op) {
                case ADD -> { vsAdd(y, yo, x[xo], o, oo, n); return; }
                case MUL -> { vsMul(y, yo, x[xo], o, oo, n); return; }
                default -> { }
            }
        }
        for (int i = 0; i < n; i++) o[oo + i * os] = applyD(op, x[xo + i * xs], y[yo + i * ys]);
    }

    private static void vvAdd(double[] x, int xo, double[] y, int yo, double[] o, int oo, int n) {
        for (int i = 0; i < n; i++) o[oo + i] = x[xo + i] + y[yo + i];
    }

    private static void vvSub(double[] x, int xo, double[] y, int yo, double[] o, int oo, int n) {
        for (int i = 0; i < n; i++) o[oo + i] = x[xo + i] - y[yo + i];
    }

    private static void vvMul(double[] x, int xo, double[] y, int yo, double[] o, int oo, int n) {
        for (int i = 0; i < n; i++) o[oo + i] = x[xo + i] * y[yo + i];
    }

    private static void vvDiv(double[] x, int xo, double[] y, int yo, double[] o, int oo, int n) {
        for (int i = 0; i < n; i++) o[oo + i] = x[xo + i] / y[yo + i];
    }

    private static void vsAdd(double[] x, int xo, double v, double[] o, int oo, int n) {
        for (int i = 0; i < n; i++) o[oo + i] = x[xo + i] + v;
    }

    private static void vsMul(double[] x, int xo, double v, double[] o, int oo, int n) {
        for (int i = 0; i < n; i++) o[oo + i] = x[xo + i] * v;
    }

    private static void vsDiv(double[] x, int xo, double v, double[] o, int oo, int n) {
        for (int i = 0; i < n; i++) o[oo + i] = x[xo + i] / v;
    }

    static double applyD(Op op, double p, double q) {
        return switch (op) {
            case ADD -> p + q;
            case SUB -> p - q;
            case MUL -> p * q;
            case DIV -> p / q;
            case POW -> Math.pow(p, q);
            case MAX -> Math.max(p, q);
            case MIN -> Math.min(p, q);
            case MOD -> { double r = p % q; yield r != 0 && (r < 0) != (q < 0) ? r + q : r; }
            default -> throw new IllegalArgumentException("not an arithmetic op: " + op);
        };
    }

    static void rowL(Op op, long[] x, int xo, int xs, long[] y, int yo, int ys, long[] o, int oo, int os, int n) {
        if (xs == 1 && ys == 1 && os == 1 && op == Op.ADD) {
            for (int i = 0; i < n; i++) o[oo + i] = x[xo + i] + y[yo + i];
            return;
        }
        for (int i = 0; i < n; i++) {
            long p = x[xo + i * xs], q = y[yo + i * ys];
            o[oo + i * os] = switch (op) {
                case ADD -> p + q;
                case SUB -> p - q;
                case MUL -> p * q;
                case POW -> { long r = 1; for (long k = 0; k < q; k++) r *= p; yield r; }
                case MAX -> Math.max(p, q);
                case MIN -> Math.min(p, q);
                case MOD -> { if (q == 0) yield 0; yield Math.floorMod(p, q); }
                default -> throw new IllegalArgumentException("not an integer op: " + op);
            };
        }
    }

    static void cmpD(Op op, double[] x, int xo, int xs, double[] y, int yo, int ys, boolean[] o, int oo, int os, int n) {
        for (int i = 0; i < n; i++) {
            double p = x[xo + i * xs], q = y[yo + i * ys];
            o[oo + i * os] = switch (op) {
                case EQ -> p == q; case NE -> p != q; case LT -> p < q;
                case LE -> p <= q; case GT -> p > q; case GE -> p >= q;
                default -> throw new IllegalArgumentException(op.toString());
            };
        }
    }

    static void cmpL(Op op, long[] x, int xo, int xs, long[] y, int yo, int ys, boolean[] o, int oo, int os, int n) {
        for (int i = 0; i < n; i++) {
            long p = x[xo + i * xs], q = y[yo + i * ys];
            o[oo + i * os] = switch (op) {
                case EQ -> p == q; case NE -> p != q; case LT -> p < q;
                case LE -> p <= q; case GT -> p > q; case GE -> p >= q;
                default -> throw new IllegalArgumentException(op.toString());
            };
        }
    }

    // ------------------------------------------------------------------------------ unary

    static NDArray unary(Op op, NDArray a) {
        if (op == Op.NOT) {
            NDArray x = a.astype(DType.BOOL);
            NDArray out = NDArray.zeros(DType.BOOL, a.shape);
            Strided.rows(a.shape, new int[][] {x.strides, out.strides}, new int[] {x.offset, 0}, (off, st, n) -> {
                for (int i = 0; i < n; i++) out.b[off[1] + i * st[1]] = !x.b[off[0] + i * st[0]];
            });
            return out;
        }
        if (op == Op.ISNAN) {
            NDArray out = NDArray.zeros(DType.BOOL, a.shape);
            if (a.dtype != DType.FLOAT64) return out;
            Strided.rows(a.shape, new int[][] {a.strides, out.strides}, new int[] {a.offset, 0}, (off, st, n) -> {
                for (int i = 0; i < n; i++) out.b[off[1] + i * st[1]] = Double.isNaN(a.d[off[0] + i * st[0]]);
            });
            return out;
        }
        if (a.dtype != DType.FLOAT64 && (op == Op.NEG || op == Op.ABS)) {
            NDArray x = a.astype(DType.INT64);
            NDArray out = NDArray.zeros(DType.INT64, a.shape);
            Strided.rows(a.shape, new int[][] {x.strides, out.strides}, new int[] {x.offset, 0}, (off, st, n) -> {
                for (int i = 0; i < n; i++) {
                    long v = x.l[off[0] + i * st[0]];
                    out.l[off[1] + i * st[1]] = op == Op.NEG ? -v : Math.abs(v);
                }
            });
            return out;
        }
        return map(a, switch (op) {
            case NEG -> v -> -v;
            case ABS -> Math::abs;
            case SQRT -> Math::sqrt;
            case EXP -> Math::exp;
            case LOG -> Math::log;
            case SIN -> Math::sin;
            case COS -> Math::cos;
            case TANH -> Math::tanh;
            case FLOOR -> Math::floor;
            case CEIL -> Math::ceil;
            default -> throw new IllegalArgumentException("not a unary op: " + op);
        });
    }

    static NDArray map(NDArray a, DoubleFn fn) {
        NDArray x = a.astype(DType.FLOAT64);
        NDArray out = NDArray.zeros(DType.FLOAT64, a.shape);
        Strided.rows(a.shape, new int[][] {x.strides, out.strides}, new int[] {x.offset, 0}, (off, st, n) -> {
            int s = off[0], ss = st[0], o = off[1], os = st[1];
            for (int i = 0; i < n; i++) out.d[o + i * os] = fn.apply(x.d[s + i * ss]);
        });
        return out;
    }

    static NDArray where(NDArray cond, NDArray x, NDArray y) {
        int[] sh = Shape.broadcast(Shape.broadcast(cond.shape, x.shape), y.shape);
        DType t = x.dtype == y.dtype ? x.dtype : DType.promote(x.dtype, y.dtype);
        NDArray c = cond.astype(DType.BOOL).broadcastTo(sh), p = x.astype(t).broadcastTo(sh), q = y.astype(t).broadcastTo(sh);
        NDArray out = NDArray.zeros(t, sh);
        Strided.rows(sh, new int[][] {c.strides, p.strides, q.strides, out.strides},
                new int[] {c.offset, p.offset, q.offset, 0}, (off, st, n) -> {
                    for (int i = 0; i < n; i++) {
                        boolean k = c.b[off[0] + i * st[0]];
                        int src = k ? off[1] + i * st[1] : off[2] + i * st[2];
                        NDArray from = k ? p : q;
                        int o = off[3] + i * st[3];
                        switch (t) {
                            case FLOAT64 -> out.d[o] = from.d[src];
                            case INT64 -> out.l[o] = from.l[src];
                            case BOOL -> out.b[o] = from.b[src];
                        }
                    }
                });
        return out;
    }

    // ------------------------------------------------------------------------------ reductions

    static NDArray reduction(Reduction r, NDArray a, int[] axes, boolean keepdims) {
        return switch (r) {
            case SUM -> reduce(Op.SUM, a, axes, keepdims);
            case PROD -> reduce(Op.PROD, a, axes, keepdims);
            case MIN -> reduce(Op.MIN, a, axes, keepdims);
            case MAX -> reduce(Op.MAX, a, axes, keepdims);
            case ANY -> reduce(Op.OR, a, axes, keepdims);
            case ALL -> reduce(Op.AND, a, axes, keepdims);
            case MEAN -> mean(a, axes, keepdims);
            case VAR -> var(a, axes, keepdims, 0);
            case STD -> var(a, axes, keepdims, 0).sqrt();
        };
    }

    /** Shape with the reduced axes set to 1. */
    static int[] keptShape(int[] shape, int[] ax) {
        int[] k = shape.clone();
        for (int a : ax) k[a] = 1;
        return k;
    }

    static int[] dropAxes(int[] shape, int[] ax) {
        int[] out = new int[shape.length - ax.length];
        for (int i = 0, j = 0; i < shape.length; i++) if (Arrays.binarySearch(ax, i) < 0) out[j++] = shape[i];
        return out;
    }

    /** SUM, PROD, MIN, MAX, AND (all), OR (any) over {@code axes} (empty: all). */
    static NDArray reduce(Op op, NDArray a, int[] axes, boolean keepdims) {
        int[] ax = Shape.axes(axes, a.ndim());
        int[] ksh = keptShape(a.shape, ax);
        DType t = switch (op) {
            case AND, OR -> DType.BOOL;
            case SUM, PROD -> a.dtype == DType.FLOAT64 ? DType.FLOAT64 : DType.INT64;
            default -> a.dtype == DType.BOOL ? DType.INT64 : a.dtype;
        };
        if ((op == Op.MIN || op == Op.MAX) && count(a.shape, ax) == 0 && Shape.size(ksh) > 0) {
            throw new IllegalArgumentException("zero-size array to reduction operation " + (op == Op.MIN ? "minimum" : "maximum")
                    + " which has no identity (shape " + Shape.str(a.shape) + ")");
        }
        NDArray x = a.astype(t);
        NDArray out = NDArray.zeros(t, ksh);
        switch (t) {
            case FLOAT64 -> Arrays.fill(out.d, op == Op.PROD ? 1 : op == Op.MIN ? Double.POSITIVE_INFINITY : op == Op.MAX ? Double.NEGATIVE_INFINITY : 0);
            case INT64 -> Arrays.fill(out.l, op == Op.PROD ? 1 : op == Op.MIN ? Long.MAX_VALUE : op == Op.MAX ? Long.MIN_VALUE : 0);
            case BOOL -> Arrays.fill(out.b, op == Op.AND);
        }
        int[] ost = out.strides.clone();
        for (int i : ax) ost[i] = 0;
        Strided.rows(a.shape, new int[][] {x.strides, ost}, new int[] {x.offset, 0}, (off, st, n) -> {
            switch (t) {
                case FLOAT64 -> reduceRowD(op, x.d, off[0], st[0], out.d, off[1], st[1], n);
                case INT64 -> reduceRowL(op, x.l, off[0], st[0], out.l, off[1], st[1], n);
                case BOOL -> {
                    for (int i = 0; i < n; i++) {
                        int o = off[1] + i * st[1];
                        boolean v = x.b[off[0] + i * st[0]];
                        out.b[o] = op == Op.AND ? out.b[o] && v : out.b[o] || v;
                    }
                }
            }
        });
        NDArray res = keepdims ? out : out.reshape(dropAxes(a.shape, ax));
        return a.dtype == DType.BOOL && (op == Op.MIN || op == Op.MAX) ? res.astype(DType.BOOL) : res;
    }

    static void reduceRowD(Op op, double[] x, int xo, int xs, double[] o, int oo, int os, int n) {
        if (os == 0) {
            double acc;
            if (op == Op.SUM && xs == 1) {
                double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                int i = 0;
                for (; i + 3 < n; i += 4) {
                    s0 += x[xo + i];
                    s1 += x[xo + i + 1];
                    s2 += x[xo + i + 2];
                    s3 += x[xo + i + 3];
                }
                for (; i < n; i++) s0 += x[xo + i];
                acc = (s0 + s1) + (s2 + s3);
            } else {
                acc = o[oo];
                for (int i = 0; i < n; i++) acc = combineD(op, acc, x[xo + i * xs]);
                o[oo] = acc;
                return;
            }
            o[oo] += acc;
            return;
        }
        if (op == Op.SUM && xs == 1 && os == 1) {
            for (int i = 0; i < n; i++) o[oo + i] += x[xo + i];
            return;
        }
        for (int i = 0; i < n; i++) {
            int q = oo + i * os;
            o[q] = combineD(op, o[q], x[xo + i * xs]);
        }
    }

    static double combineD(Op op, double acc, double v) {
        return switch (op) {
            case SUM -> acc + v;
            case PROD -> acc * v;
            case MIN -> Math.min(acc, v);
            case MAX -> Math.max(acc, v);
            default -> throw new IllegalArgumentException(op.toString());
        };
    }

    static void reduceRowL(Op op, long[] x, int xo, int xs, long[] o, int oo, int os, int n) {
        for (int i = 0; i < n; i++) {
            int q = oo + i * os;
            long v = x[xo + i * xs];
            o[q] = switch (op) {
                case SUM -> o[q] + v;
                case PROD -> o[q] * v;
                case MIN -> Math.min(o[q], v);
                case MAX -> Math.max(o[q], v);
                default -> throw new IllegalArgumentException(op.toString());
            };
        }
    }

    /** Number of elements folded into each output of a reduction over {@code axes}. */
    static long count(int[] shape, int[] ax) {
        long n = 1;
        for (int a : ax) n *= shape[a];
        return n;
    }

    static NDArray mean(NDArray a, int[] axes, boolean keepdims) {
        int[] ax = Shape.axes(axes, a.ndim());
        NDArray s = reduce(Op.SUM, a.astype(DType.FLOAT64), ax, keepdims);
        return s.div(NDArray.scalar((double) count(a.shape, ax)));
    }

    static NDArray var(NDArray a, int[] axes, boolean keepdims, int ddof) {
        int[] ax = Shape.axes(axes, a.ndim());
        NDArray x = a.astype(DType.FLOAT64);
        NDArray m = mean(x, ax, true);
        NDArray dev = x.sub(m);
        NDArray ss = reduce(Op.SUM, dev.mul(dev), ax, keepdims);
        return ss.div(NDArray.scalar((double) (count(a.shape, ax) - ddof)));
    }

    /** argmax ({@code max}) or argmin along one axis: int64 indices, first on ties, NaN wins. */
    static NDArray arg(boolean max, NDArray a, int axis) {
        int ax = Shape.axis(axis, a.ndim());
        int n = a.shape[ax];
        if (n == 0) {
            throw new IllegalArgumentException("attempt to get " + (max ? "argmax" : "argmin") + " of an empty sequence (shape "
                    + Shape.str(a.shape) + ", axis " + ax + ")");
        }
        int[] perm = new int[a.ndim()];
        for (int i = 0, j = 0; i < a.ndim(); i++) if (i != ax) perm[j++] = i;
        perm[a.ndim() - 1] = ax;
        NDArray t = a.astype(DType.FLOAT64).transpose(perm).copy();
        int[] outShape = dropAxes(a.shape, new int[] {ax});
        int rows = t.size / n;
        long[] idx = new long[rows];
        double[] v = t.d;
        for (int r = 0; r < rows; r++) {
            int base = r * n, best = 0;
            double bv = v[base];
            if (!Double.isNaN(bv)) {
                for (int i = 1; i < n; i++) {
                    double c = v[base + i];
                    if (Double.isNaN(c)) {
                        best = i;
                        break;
                    }
                    if (max ? c > bv : c < bv) {
                        bv = c;
                        best = i;
                    }
                }
            }
            idx[r] = best;
        }
        return NDArray.of(idx, outShape);
    }

    static NDArray cumsum(NDArray a, int axis) {
        int ax = Shape.axis(axis, a.ndim());
        NDArray out = (a.dtype == DType.BOOL ? a.astype(DType.INT64) : a).copy();
        int n = out.shape[ax];
        int inner = 1;
        for (int i = ax + 1; i < out.ndim(); i++) inner *= out.shape[i];
        int outer = n == 0 || inner == 0 ? 0 : out.size / (n * inner);
        for (int o = 0; o < outer; o++) {
            for (int i = 1; i < n; i++) {
                int cur = (o * n + i) * inner, prev = cur - inner;
                if (out.dtype == DType.FLOAT64) for (int j = 0; j < inner; j++) out.d[cur + j] += out.d[prev + j];
                else for (int j = 0; j < inner; j++) out.l[cur + j] += out.l[prev + j];
            }
        }
        return out;
    }
}

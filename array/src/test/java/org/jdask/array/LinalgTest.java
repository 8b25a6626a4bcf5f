package org.jdask.array;

import static org.jdask.array.Shape.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.jdask.TaskFailedException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Blocked linear algebra against in-memory EJML results and the defining identities. */
class LinalgTest {
    static void close(NDArray want, NDArray got, String what) {
        assertArrayEquals(want.shape(), got.shape(), what + " shape");
        assertTrue(want.allClose(got, 1e-8, 1e-8), what + "\n want " + want + "\n got  " + got);
    }

    @ParameterizedTest
    @MethodSource("org.jdask.array.DArrayTest#schedulers")
    void matmulAndDecompositions(String scheduler) {
        Map<String, Object> on = Map.of("scheduler", scheduler);
        NDArray a = NDArrayTest.rand(1, 23, 4), b = NDArrayTest.rand(2, 4, 6), v = NDArrayTest.rand(3, 4);
        DArray x = DArray.fromArray(a, shape(5, 3));
        close(a.matmul(b), x.matmul(DArray.fromArray(b, shape(2, 4))).compute(on), "matmul");
        close(a.matmul(v), x.dot(DArray.fromArray(v, shape(3))).compute(on), "matrix @ vector");
        close(a.transpose().matmul(a), x.transpose().matmul(x).compute(on), "AᵀA");

        // tensordot of a (3, 4, 5) with a (5, 3) over axes (2, 0) and (0, 1): result (4,)
        NDArray t3 = NDArrayTest.rand(5, 3, 4, 5), t2 = NDArrayTest.rand(6, 5, 3);
        NDArray td = DArray.fromArray(t3, shape(2, 3, 2)).tensordot(DArray.fromArray(t2, shape(3, 2)), new int[] {2, 0}, new int[] {0, 1})
                .compute(on);
        double[] want = new double[4];
        for (int j = 0; j < 4; j++) for (int i = 0; i < 3; i++) for (int k = 0; k < 5; k++) want[j] += t3.getDouble(i, j, k) * t2.getDouble(k, i);
        close(NDArray.of(want), td, "tensordot");

        // TSQR needs one column of blocks: x (column chunks (3, 1)) is refused, its row-blocked copy works
        DArray tall = x.rechunk(5, -1);
        Linalg.QR qr = Linalg.qr(tall);
        NDArray q = qr.q().compute(on), r = qr.r().compute(on);
        close(a, q.matmul(r), "Q·R");
        close(NDArray.eye(4, 4, 0), q.transpose().matmul(q), "QᵀQ");
        for (int i = 1; i < 4; i++) for (int j = 0; j < i; j++) assertTrue(Math.abs(r.getDouble(i, j)) < 1e-12, "R upper");

        Linalg.SVD svd = Linalg.svd(tall);
        NDArray u = svd.u().compute(on), s = svd.s().compute(on), vt = svd.vt().compute(on);
        close(a, u.mul(s).matmul(vt), "U·S·Vᵀ");
        for (int i = 1; i < 4; i++) assertTrue(s.getDouble(i - 1) >= s.getDouble(i), "descending singular values");

        // least squares equals the normal-equations solution
        NDArray y = NDArrayTest.rand(4, 23);
        NDArray coef = Linalg.lstsq(tall, DArray.fromArray(y, shape(5))).compute(on);
        NDArray ata = a.transpose().matmul(a), aty = a.transpose().matmul(y);
        close(aty, ata.matmul(coef), "AᵀA·x = Aᵀy");

        // solve and cholesky on a symmetric positive-definite matrix
        NDArray spd = ata.add(NDArray.eye(4, 4, 0));
        DArray m = DArray.fromArray(spd, shape(3, 3));
        NDArray sol = Linalg.solve(m, DArray.fromArray(v, shape(2))).compute(on);
        close(v, spd.matmul(sol), "A·solve(A, b)");
        NDArray low = Linalg.cholesky(m).compute(on);
        close(spd, low.matmul(low.transpose()), "L·Lᵀ");
    }

    @org.junit.jupiter.api.Test
    void tsqrRefusesColumnChunkedInputSayingWhatChunkingItNeeds() {
        DArray x = DArray.fromArray(NDArrayTest.rand(1, 23, 4), shape(5, 3));
        for (String op : java.util.List.of("qr", "svd", "lstsq")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
                Object unused = switch (op) {
                    case "qr" -> Linalg.qr(x);
                    case "svd" -> Linalg.svd(x);
                    default -> Linalg.lstsq(x, DArray.ones(shape(23), shape(5)));
                };
            });
            assertTrue(e.getMessage().startsWith(op + " (TSQR) needs a tall-and-skinny array with one column of blocks"), e.getMessage());
            assertTrue(e.getMessage().contains("shape (23, 4) in 5 x 2 blocks (column chunks (3, 1))")
                    && e.getMessage().contains("x.rechunk(5, -1)") && e.getMessage().contains("160 bytes per block"), e.getMessage());
        }
    }

    @ParameterizedTest
    @MethodSource("org.jdask.array.DArrayTest#schedulers")
    void badLinearAlgebraInputFailsClearly(String scheduler) {
        DArray sing = DArray.fromArray(NDArray.of(new double[][] {{1, 2}, {2, 4}}), shape(1, 1));
        TaskFailedException e = assertThrows(TaskFailedException.class,
                () -> Linalg.solve(sing, DArray.ones(shape(2), shape(1))).compute(Map.of("scheduler", scheduler)));
        assertTrue(e.getCause().getMessage().contains("Singular matrix"), e.getCause().getMessage());
        e = assertThrows(TaskFailedException.class, () -> Linalg.cholesky(sing.neg()).compute(Map.of("scheduler", scheduler)));
        assertTrue(e.getCause().getMessage().contains("not positive definite"), e.getCause().getMessage());
        IllegalArgumentException i = assertThrows(IllegalArgumentException.class, () -> Linalg.solve(DArray.ones(shape(2, 3), shape(1, 1)), sing));
        assertTrue(i.getMessage().contains("square"), i.getMessage());
    }
}

package org.jdask.array;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** NDArray kernels against plain loops over double[]. */
class NDArrayTest {
    static NDArray rand(long seed, int... shape) {
        Random r = new Random(seed);
        double[] d = new double[(int) Shape.size(shape)];
        for (int i = 0; i < d.length; i++) d[i] = Math.round(r.nextGaussian() * 100) / 10.0;
        return NDArray.of(d, shape);
    }

    @Test
    void viewsFollowNumpyIndexing() {
        NDArray a = NDArray.arange(0, 24, 1).reshape(4, 6);
        assertArrayEquals(new double[] {1, 3, 5}, a.slice("0, 1::2").toDoubleArray());
        assertArrayEquals(new double[] {23, 21, 19}, a.slice("-1, ::-2").toDoubleArray());
        assertArrayEquals(new double[] {18, 12, 6, 0}, a.slice("::-1, 0").toDoubleArray());
        assertArrayEquals(new int[] {4, 1, 6}, a.slice(":, None").shape());
        assertArrayEquals(new int[] {2, 6}, a.slice("..., 1:3, :").shape());
        assertArrayEquals(new int[] {0, 6}, a.slice("10:").shape());
        assertArrayEquals(new int[] {6, 4}, a.transpose().shape());
        assertEquals(7.0, a.transpose().getDouble(1, 1));
        assertEquals(5.0, a.transpose().copy().getDouble(5, 0));
        assertArrayEquals(new double[] {0, 6, 12, 18, 1, 7}, a.transpose().reshape(-1).slice(":6").toDoubleArray());
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> a.slice("4, 0"));
        assertTrue(e.getMessage().contains("index 4 is out of bounds for axis 0 with size 4"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> a.slice("0, 0, 0"));
        assertThrows(IllegalArgumentException.class, () -> a.slice("::0"));
        assertThrows(IllegalArgumentException.class, () -> a.reshape(5, -1));
    }

    @Test
    void arithmeticBroadcastsLikeNumpy() {
        NDArray m = rand(1, 3, 4), row = rand(2, 4), col = rand(3, 3, 1);
        NDArray sum = m.add(row).mul(col).sub(2.5).div(m.abs().add(1));
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
                double want = ((m.getDouble(i, j) + row.getDouble(j)) * col.getDouble(i, 0) - 2.5) / (Math.abs(m.getDouble(i, j)) + 1);
                assertEquals(want, sum.getDouble(i, j), 1e-12);
            }
        }
        // strided and transposed operands take the generic path
        NDArray t = m.transpose().add(m.transpose().slice("::-1"));
        for (int i = 0; i < 4; i++) for (int j = 0; j < 3; j++) assertEquals(m.getDouble(j, i) + m.getDouble(j, 3 - i), t.getDouble(i, j), 1e-12);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.add(rand(4, 3)));
        assertEquals("operands could not be broadcast together with shapes (3, 4) (3,)", e.getMessage());
    }

    @Test
    void dtypesPromoteLikeNumpy() {
        NDArray i = NDArray.of(new long[] {1, 2, 3}, 3);
        assertEquals(DType.INT64, i.add(i).dtype());
        assertEquals(DType.FLOAT64, i.div(i).dtype());
        assertEquals(DType.FLOAT64, i.add(NDArray.scalar(0.5)).dtype());
        assertEquals(DType.BOOL, i.gt(NDArray.scalar(1L)).dtype());
        assertArrayEquals(new long[] {1, 4, 9}, i.pow(NDArray.scalar(2L)).toLongArray());
        assertThrows(IllegalArgumentException.class, () -> i.pow(NDArray.scalar(-1L)));
        assertArrayEquals(new boolean[] {false, true, true}, i.gt(NDArray.scalar(1L)).toBooleanArray());
        assertEquals(DType.INT64, i.sum().dtype());
        assertEquals(6, i.sum().getLong());
        assertArrayEquals(new long[] {1, 3, 6}, i.cumsum(0).toLongArray());
        NDArray b = NDArray.of(new boolean[] {true, false, true}, 3);
        assertEquals(2, b.sum().getLong());
        assertTrue(b.any().getBoolean());
        assertFalse(b.all().getBoolean());
        assertArrayEquals(new boolean[] {false, true, false}, b.not().toBooleanArray());
        assertArrayEquals(new double[] {1, -2, 3}, NDArray.where(b, i, i.neg()).toDoubleArray());
    }

    @Test
    void reductionsMatchLoops() {
        NDArray a = rand(5, 3, 4, 5);
        double[] d = a.toDoubleArray();
        // axis 1, keepdims
        NDArray s = a.reduce(Reduction.SUM, new int[] {1}, true);
        assertArrayEquals(new int[] {3, 1, 5}, s.shape());
        NDArray mx = a.max(0, 2);
        NDArray mean = a.mean(-1);
        NDArray var = a.var(1);
        for (int i = 0; i < 3; i++) {
            for (int k = 0; k < 5; k++) {
                double acc = 0;
                for (int j = 0; j < 4; j++) acc += d[(i * 4 + j) * 5 + k];
                assertEquals(acc, s.getDouble(i, 0, k), 1e-9);
                double m = acc / 4, v = 0;
                for (int j = 0; j < 4; j++) v += Math.pow(d[(i * 4 + j) * 5 + k] - m, 2);
                assertEquals(v / 4, var.getDouble(i, k), 1e-9);
            }
        }
        for (int j = 0; j < 4; j++) {
            double best = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < 3; i++) for (int k = 0; k < 5; k++) best = Math.max(best, d[(i * 4 + j) * 5 + k]);
            assertEquals(best, mx.getDouble(j));
        }
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
                double acc = 0;
                for (int k = 0; k < 5; k++) acc += d[(i * 4 + j) * 5 + k];
                assertEquals(acc / 5, mean.getDouble(i, j), 1e-12);
            }
        }
        double total = 0;
        for (double v : d) total += v;
        assertEquals(total, a.sum().item(), 1e-9);
        assertEquals(0, a.sum().ndim());
        // transposed input reduces the same
        assertTrue(a.transpose(2, 0, 1).sum(1).allClose(a.sum(0).transpose(), 1e-12, 1e-12));
    }

    @Test
    void argReductionsAndNaN() {
        NDArray a = NDArray.of(new double[] {3, 1, 4, 1, 5, 9, 2, 6}, 2, 4);
        assertArrayEquals(new long[] {2, 1}, a.argmax(1).toLongArray());
        assertArrayEquals(new long[] {1, 2}, a.argmin(1).toLongArray());
        assertArrayEquals(new long[] {1, 1, 0, 1}, a.argmax(0).toLongArray());
        assertEquals(5, a.argmax());
        NDArray n = NDArray.of(new double[] {1, Double.NaN, 3}, 3);
        assertEquals(1, n.argmax());
        assertEquals(1, n.argmin());
        assertTrue(Double.isNaN(n.max().item()));
        assertTrue(Double.isNaN(n.sum().item()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NDArray.zeros(DType.FLOAT64, 0, 3).max(0));
        assertTrue(e.getMessage().contains("zero-size array"), e.getMessage());
        assertEquals(0.0, NDArray.zeros(DType.FLOAT64, 0, 3).sum().item());
    }

    @Test
    void concatenateStackAndCumsum() {
        NDArray a = rand(7, 2, 3), b = rand(8, 1, 3);
        NDArray c = NDArray.concatenate(List.of(a, b), 0);
        assertArrayEquals(new int[] {3, 3}, c.shape());
        assertEquals(b.getDouble(0, 2), c.getDouble(2, 2));
        assertArrayEquals(new int[] {2, 2, 3}, NDArray.stack(List.of(a, a), 0).shape());
        assertThrows(IllegalArgumentException.class, () -> NDArray.concatenate(List.of(a, rand(1, 2, 2)), 0));
        NDArray cs = a.cumsum(1);
        assertEquals(a.getDouble(1, 0) + a.getDouble(1, 1) + a.getDouble(1, 2), cs.getDouble(1, 2), 1e-12);
        NDArray cs0 = a.cumsum(0);
        assertEquals(a.getDouble(0, 1) + a.getDouble(1, 1), cs0.getDouble(1, 1), 1e-12);
    }

    @Test
    void matmulMatchesLoops() {
        NDArray a = rand(9, 5, 7), b = rand(10, 7, 3);
        NDArray c = a.matmul(b);
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 3; j++) {
                double acc = 0;
                for (int k = 0; k < 7; k++) acc += a.getDouble(i, k) * b.getDouble(k, j);
                assertEquals(acc, c.getDouble(i, j), 1e-9);
            }
        }
        assertArrayEquals(new int[] {5}, a.matmul(rand(1, 7)).shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.matmul(a));
        assertTrue(e.getMessage().contains("(5, 7) and (5, 7) not aligned"), e.getMessage());
    }

    @Test
    void codecRoundTripsEveryDtype() {
        NDArrayCodec codec = new NDArrayCodec();
        for (NDArray a : List.of(rand(3, 4, 5).transpose(), NDArray.of(new long[] {1, -2, 3}, 3),
                NDArray.of(new boolean[] {true, false}, 2, 1), NDArray.zeros(DType.FLOAT64, 0, 4), NDArray.scalar(2.5))) {
            byte[] bytes = codec.encode(a);
            assertEquals(a, codec.decode(java.nio.ByteBuffer.wrap(bytes)));
        }
        NDArray a = rand(3, 4, 5);
        assertEquals(a, org.jdask.serialize.Codecs.decode(org.jdask.serialize.Codecs.encode(a)));
        // the partials of reductions and QR travel between processes too
        Reductions.Moments m = (Reductions.Moments) org.jdask.serialize.Codecs.decode(
                org.jdask.serialize.Codecs.encode(new Reductions.Moments(3, a, a.mul(2))));
        assertEquals(3, m.n());
        assertEquals(a.mul(2), m.m2());
        Reductions.ArgPart p = (Reductions.ArgPart) org.jdask.serialize.Codecs.decode(
                org.jdask.serialize.Codecs.encode(new Reductions.ArgPart(a, NDArray.of(new long[] {4}, 1))));
        assertEquals(a, p.value());
        NDArray[] pair = (NDArray[]) org.jdask.serialize.Codecs.decode(org.jdask.serialize.Codecs.encode(new NDArray[] {a, a.neg()}));
        assertEquals(a.neg(), pair[1]);
        assertEquals(List.of(a), org.jdask.serialize.Codecs.decode(org.jdask.serialize.Codecs.encode(List.of(a))));
    }

    /** The split form (head + the block's own elements) is encode's bytes, and joins back to the same block. */
    @Test
    void codecSplitIsEncodeUnwrittenAndJoinsBack() {
        NDArrayCodec codec = new NDArrayCodec();
        NDArray big = rand(3, 4, 5);
        for (NDArray a : List.of(big, big.transpose(), NDArray.of(new long[] {1, -2, 3}, 3), NDArray.of(new boolean[] {true, false}, 2, 1),
                NDArray.zeros(DType.FLOAT64, 0, 4), NDArray.scalar(2.5))) {
            org.jdask.codec.ValueCodec.Parts p = codec.split(a);
            int width = p.elements() instanceof boolean[] ? 1 : 8;
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(p.head().length + p.count() * width).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            b.put(p.head());
            org.jdask.serialize.RawFrame.put(b, p.elements(), p.from(), p.count());
            assertArrayEquals(codec.encode(a), b.array(), "split bytes of " + a);
            Object copy = org.jdask.serialize.RawFrame.newArray(org.jdask.serialize.RawFrame.tag(p.elements()), p.count());
            System.arraycopy(p.elements(), p.from(), copy, 0, p.count());
            assertEquals(a, codec.join(java.nio.ByteBuffer.wrap(p.head()), copy));
        }
        // the split travels through RawFrame with the codec's tag
        org.jdask.serialize.RawFrame.Split s = org.jdask.serialize.RawFrame.split(big);
        assertEquals(32, s.tag());
        assertEquals(null, org.jdask.serialize.RawFrame.split(new double[3]), "a plain array is a raw frame, not split");
        // elements that do not fit the head: a clear error naming both
        byte[] head = codec.split(big).head();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> codec.join(java.nio.ByteBuffer.wrap(head), new double[big.size() - 1]));
        assertTrue(e.getMessage().contains(Shape.str(big.shape())) && e.getMessage().contains("double[] of " + (big.size() - 1)), e.getMessage());
        RuntimeException corrupt = assertThrows(RuntimeException.class,
                () -> org.jdask.serialize.RawFrame.join((byte) 32, java.nio.ByteBuffer.wrap(head), new long[big.size()]));
        assertTrue(corrupt.getMessage().contains("NDArrayCodec"), corrupt.getMessage());
    }
}

package org.jdask.array;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.jdask.codec.ValueCodec;

/**
 * Ships {@link NDArray} blocks between processes as raw little-endian buffers (tag 32): one byte
 * dtype, an int ndim, the shape, then the elements in C order — no class names, no reflection.
 * Registered through {@code META-INF/services/org.jdask.codec.ValueCodec}.
 */
public final class NDArrayCodec implements ValueCodec {
    @Override
    public byte tag() {
        return 32;
    }

    @Override
    public Class<?> type() {
        return NDArray.class;
    }

    @Override
    public byte[] encode(Object value) {
        NDArray a = ((NDArray) value).contiguous();
        int n = a.size;
        ByteBuffer b = ByteBuffer.allocate(5 + 4 * a.ndim() + n * a.dtype.itemSize()).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) a.dtype.ordinal()).putInt(a.ndim());
        for (int s : a.shape) b.putInt(s);
        switch (a.dtype) {
            case FLOAT64 -> b.asDoubleBuffer().put(a.d, a.offset, n);
            case INT64 -> b.asLongBuffer().put(a.l, a.offset, n);
            case BOOL -> { int p = b.position(); for (int i = 0; i < n; i++) b.put(p + i, (byte) (a.b[a.offset + i] ? 1 : 0)); }
        }
        return b.array();
    }

    @Override
    public Object decode(ByteBuffer payload) {
        ByteBuffer b = payload.slice().order(ByteOrder.LITTLE_ENDIAN);
        int t = b.get();
        if (t < 0 || t >= DType.values().length) throw new IllegalArgumentException("bad NDArray dtype byte " + t);
        DType dtype = DType.values()[t];
        int nd = b.getInt();
        if (nd < 0 || nd > 64) throw new IllegalArgumentException("bad NDArray ndim " + nd);
        int[] shape = new int[nd];
        for (int i = 0; i < nd; i++) shape[i] = b.getInt();
        int n = Shape.intSize(shape);
        if ((long) n * dtype.itemSize() > b.remaining()) {
            throw new IllegalArgumentException("NDArray payload of shape " + Shape.str(shape) + " needs " + (long) n * dtype.itemSize()
                    + " bytes, has " + b.remaining());
        }
        ByteBuffer data = b.slice().order(ByteOrder.LITTLE_ENDIAN);
        return switch (dtype) {
            case FLOAT64 -> { double[] d = new double[n]; data.asDoubleBuffer().get(d); yield NDArray.of(d, shape); }
            case INT64 -> { long[] l = new long[n]; data.asLongBuffer().get(l); yield NDArray.of(l, shape); }
            case BOOL -> { boolean[] v = new boolean[n]; for (int i = 0; i < n; i++) v[i] = data.get(i) != 0; yield NDArray.of(v, shape); }
        };
    }
}

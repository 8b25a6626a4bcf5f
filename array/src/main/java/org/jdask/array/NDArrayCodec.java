package org.jdask.array;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.jdask.codec.ValueCodec;

/**
 * Ships {@link NDArray} blocks between processes as raw little-endian buffers (tag 32): one byte
 * dtype, an int ndim, the shape, then the elements in C order — no class names, no reflection.
 * Registered through {@code META-INF/services/org.jdask.codec.ValueCodec}. The same bytes come as
 * a head and the block's own array ({@link #split}), so the distributed bulk channel streams a
 * block from its elements and reads it into its final array.
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
        byte[] head = head(a);
        ByteBuffer b = ByteBuffer.allocate(head.length + n * a.dtype.itemSize()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(head);
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
        DType dtype = dtype(b);
        int[] shape = shape(b);
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

    /** The head (dtype, ndim, shape) and the block's own elements: {@link #encode}'s bytes, unwritten. */
    @Override
    public Parts split(Object value) {
        NDArray a = ((NDArray) value).contiguous();
        Object elements = switch (a.dtype) {
            case FLOAT64 -> a.d;
            case INT64 -> a.l;
            case BOOL -> a.b;
        };
        return new Parts(head(a), elements, a.offset, a.size);
    }

    @Override
    public Object join(ByteBuffer head, Object elements) {
        ByteBuffer b = head.slice().order(ByteOrder.LITTLE_ENDIAN);
        DType dtype = dtype(b);
        int[] shape = shape(b);
        if (b.hasRemaining()) throw new IllegalArgumentException("NDArray head has " + b.remaining() + " bytes after the shape " + Shape.str(shape));
        int n = Shape.intSize(shape);
        NDArray out = switch (dtype) {
            case FLOAT64 -> elements instanceof double[] d && d.length == n ? NDArray.of(d, shape) : null;
            case INT64 -> elements instanceof long[] l && l.length == n ? NDArray.of(l, shape) : null;
            case BOOL -> elements instanceof boolean[] v && v.length == n ? NDArray.of(v, shape) : null;
        };
        if (out == null) {
            throw new IllegalArgumentException("NDArray head says " + dtype + " of shape " + Shape.str(shape) + " (" + n
                    + " elements) but the elements are " + elements.getClass().getSimpleName() + " of " + java.lang.reflect.Array.getLength(elements));
        }
        return out;
    }

    private static byte[] head(NDArray a) {
        ByteBuffer b = ByteBuffer.allocate(5 + 4 * a.ndim()).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) a.dtype.ordinal()).putInt(a.ndim());
        for (int s : a.shape) b.putInt(s);
        return b.array();
    }

    private static DType dtype(ByteBuffer b) {
        int t = b.get();
        if (t < 0 || t >= DType.values().length) throw new IllegalArgumentException("bad NDArray dtype byte " + t);
        return DType.values()[t];
    }

    private static int[] shape(ByteBuffer b) {
        int nd = b.getInt();
        if (nd < 0 || nd > 64) throw new IllegalArgumentException("bad NDArray ndim " + nd);
        int[] shape = new int[nd];
        for (int i = 0; i < nd; i++) shape[i] = b.getInt();
        return shape;
    }
}

package org.jdask.array;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One Python slice {@code start:stop:step} (each part optional, negatives count from the end),
 * plus the parser for NumPy index strings such as {@code ":10, ::-2, 3, None, ..."} used by
 * {@link NDArray#slice(String)} and {@link DArray#slice(String)}.
 *
 * <p>An index is a list of items: a {@code Slice}, an {@code Integer} (picks one position and
 * drops the axis), {@link #NEWAXIS} ({@code None}: a new axis of length 1) or {@link #ELLIPSIS}
 * ({@code ...}: as many full slices as needed).
 */
public record Slice(Integer start, Integer stop, Integer step) implements Serializable {
    /** {@code None} in an index: inserts an axis of length 1. */
    public static final Object NEWAXIS = Marker.NEWAXIS;
    /** {@code ...} in an index. */
    public static final Object ELLIPSIS = Marker.ELLIPSIS;

    private enum Marker { NEWAXIS, ELLIPSIS }

    public Slice {
        if (step != null && step == 0) throw new IllegalArgumentException("slice step cannot be zero");
    }

    public static Slice of(Integer start, Integer stop) {
        return new Slice(start, stop, null);
    }

    public static Slice of(Integer start, Integer stop, Integer step) {
        return new Slice(start, stop, step);
    }

    /** {@code :} — the whole axis. */
    public static Slice all() {
        return new Slice(null, null, null);
    }

    /** Start, step and length on an axis of length {@code n} (Python's {@code slice.indices}). */
    int[] resolve(int n) {
        int st = step == null ? 1 : step;
        int a, b;
        if (st > 0) {
            a = start == null ? 0 : clamp(start < 0 ? start + n : start, 0, n);
            b = stop == null ? n : clamp(stop < 0 ? stop + n : stop, 0, n);
            return new int[] {a, st, Math.max(0, ceilDiv(b - a, st))};
        }
        a = start == null ? n - 1 : clamp(start < 0 ? start + n : start, -1, n - 1);
        b = stop == null ? -1 : clamp(stop < 0 ? stop + n : stop, -1, n - 1);
        return new int[] {a, st, Math.max(0, ceilDiv(a - b, -st))};
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static int ceilDiv(int x, int y) {
        return x <= 0 ? 0 : (x + y - 1) / y;
    }

    @Override
    public String toString() {
        String s = (start == null ? "" : start) + ":" + (stop == null ? "" : stop);
        return step == null ? s : s + ":" + step;
    }

    /** Parses {@code ":10, ::2, -1, None, ..."} into index items. */
    public static List<Object> parse(String text) {
        List<Object> out = new ArrayList<>();
        if (text.isBlank()) return out;
        for (String raw : text.split(",", -1)) {
            String p = raw.trim();
            if (p.isEmpty()) throw new IllegalArgumentException("empty index item in \"" + text + "\"");
            if (p.equals("None") || p.equals("newaxis")) out.add(NEWAXIS);
            else if (p.equals("...")) out.add(ELLIPSIS);
            else if (p.contains(":")) {
                String[] parts = p.split(":", -1);
                if (parts.length > 3) throw new IllegalArgumentException("bad slice '" + p + "' in \"" + text + "\"");
                out.add(new Slice(num(parts[0], text), num(parts[1], text), parts.length == 3 ? num(parts[2], text) : null));
            } else {
                out.add(num(p, text));
            }
        }
        return out;
    }

    private static Integer num(String s, String text) {
        s = s.trim();
        if (s.isEmpty()) return null;
        try {
            return Integer.valueOf(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad index '" + s + "' in \"" + text + "\"");
        }
    }

    /**
     * Expands an index against a shape: the result has one entry per input axis (a {@code
     * Slice} or an in-range {@code Integer}) plus {@link #NEWAXIS} entries where new axes go.
     */
    static List<Object> expand(List<Object> index, int[] shape) {
        int consumed = 0, ellipses = 0;
        for (Object o : index) {
            if (o == ELLIPSIS) ellipses++;
            else if (o != NEWAXIS) {
                if (!(o instanceof Slice) && !(o instanceof Integer)) {
                    throw new IllegalArgumentException("unsupported index item " + o + " (" + o.getClass().getSimpleName() + ")");
                }
                consumed++;
            }
        }
        if (ellipses > 1) throw new IllegalArgumentException("an index can only have a single ellipsis ('...')");
        if (consumed > shape.length) {
            throw new IndexOutOfBoundsException("too many indices for array of shape " + Shape.str(shape) + ": "
                    + consumed + " were indexed");
        }
        List<Object> out = new ArrayList<>();
        int axis = 0;
        for (Object o : index) {
            if (o == ELLIPSIS) {
                for (int k = 0; k < shape.length - consumed; k++) out.add(all());
                axis += shape.length - consumed;
            } else if (o == NEWAXIS) {
                out.add(NEWAXIS);
            } else {
                if (o instanceof Integer i) {
                    int n = shape[axis];
                    int j = i < 0 ? i + n : i;
                    if (j < 0 || j >= n) {
                        throw new IndexOutOfBoundsException("index " + i + " is out of bounds for axis " + axis
                                + " with size " + n + " (array shape " + Shape.str(shape) + ")");
                    }
                    out.add(j);
                } else {
                    out.add(o);
                }
                axis++;
            }
        }
        while (axis < shape.length) {
            out.add(all());
            axis++;
        }
        return out;
    }
}

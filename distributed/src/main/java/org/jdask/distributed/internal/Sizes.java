package org.jdask.distributed.internal;

import java.util.Collection;
import java.util.Map;
import org.jdask.ConfigValues;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.io.OutputStream;
import org.jdask.serialize.Codecs;
import org.jdask.serialize.FrameStreams;
import org.jdask.serialize.RawFrame;

/**
 * Sizes of values in bytes, for placement (where the input bytes are), reports and the worker's
 * memory manager: exact for primitive arrays and strings; sampled (8 elements) for collections,
 * maps and object arrays; the {@link Codecs} frame size otherwise, which is exact for types with a
 * registered {@code ValueCodec} ({@code NDArray} blocks as raw buffers, Tablesaw tables as Arrow
 * IPC), so this module never depends on the collection modules.
 */
public final class Sizes {
    private Sizes() {}

    /**
     * A size in bytes from text: {@code "4GB"}, {@code "512MiB"}, {@code "1.5 GB"}, {@code "1e9"} or
     * {@code "4000000000"} (decimal units kB/MB/GB/TB = 1000^n, binary KiB/MiB/GiB/TiB = 1024^n, as in
     * Dask); a clear error naming {@code what} and the text otherwise. The one size parser,
     * {@link ConfigValues#parseBytes}, shared with the size settings of the config.
     */
    public static long parse(String text, String what) {
        return ConfigValues.parseBytes(text, what);
    }

    /**
     * Whether {@code v} is a plain JDK value that {@link #of} sizes itself, before any codec is asked:
     * null, a {@link Payload}, an array, a string, a boxed primitive, a collection or a map. No
     * registered codec counts these, so callers skip the codec lookup for them (a worker re-measuring
     * a task's inputs, issue 15).
     */
    public static boolean plain(Object v) {
        return v == null || v instanceof Payload || v.getClass().isArray() || v instanceof CharSequence
                || v instanceof Number || v instanceof Boolean || v instanceof Character
                || v instanceof Collection<?> || v instanceof Map<?, ?>;
    }

    public static long of(Object v) {
        if (v == null) return 8;
        if (v instanceof Payload p) {
            long n = p.encodedSize();
            return n >= 0 ? n : of(p.value());
        }
        if (v instanceof double[] a) return 16 + 8L * a.length;
        if (v instanceof long[] a) return 16 + 8L * a.length;
        if (v instanceof int[] a) return 16 + 4L * a.length;
        if (v instanceof float[] a) return 16 + 4L * a.length;
        if (v instanceof byte[] a) return 16 + a.length;
        if (v instanceof boolean[] a) return 16 + a.length;
        if (v instanceof char[] a) return 16 + 2L * a.length;
        if (v instanceof short[] a) return 16 + 2L * a.length;
        if (v instanceof CharSequence s) return 40 + 2L * s.length();
        if (v instanceof Number || v instanceof Boolean || v instanceof Character) return 16;
        if (v instanceof Collection<?> c) return 40 + sample(c, c.size());
        if (v instanceof Map<?, ?> m) return 48 + 2 * sample(m.values(), m.size());
        if (v instanceof Object[] a) return 16 + sample(java.util.Arrays.asList(a), a.length);
        long counted = FrameStreams.sizeOf(v); // a table, a split partition: counted from its columns, not encoded
        if (counted >= 0) return counted;
        RawFrame.Split split = RawFrame.split(v); // an NDArray block: its head and elements, without encoding it
        if (split != null) return 16 + split.parts().head().length + (long) split.parts().count() * RawFrame.width(RawFrame.tag(split.parts().elements()));
        return encoded(v);
    }

    /** Classes the codecs cannot write: sized as a small object, without trying again. */
    private static final Set<Class<?>> UNENCODABLE = ConcurrentHashMap.newKeySet();

    /**
     * The codec frame's size (the value as it would be spilled or sent); 64 if it cannot be encoded.
     * Counted as the frame streams to nowhere: a table's codec writes it piece by piece, so sizing
     * a 10 MB table no longer builds its 10 MB frame (and two copies) on the heap right after the
     * task that made it (issue 15).
     */
    private static long encoded(Object v) {
        if (UNENCODABLE.contains(v.getClass())) return 64;
        try {
            return FrameStreams.encode(v, OutputStream.nullOutputStream());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // a null stream does not fail
        } catch (RuntimeException | StackOverflowError e) {
            UNENCODABLE.add(v.getClass());
            return 64;
        }
    }

    /** Estimates a collection from its first few elements. */
    private static long sample(Collection<?> c, int size) {
        if (size == 0) return 0;
        int n = 0;
        long total = 0;
        for (Object o : c) {
            total += 8 + of(o);
            if (++n == 8) break;
        }
        return total * size / n;
    }
}

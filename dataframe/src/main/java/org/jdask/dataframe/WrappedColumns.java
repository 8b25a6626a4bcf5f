package org.jdask.dataframe;

import it.unimi.dsi.fastutil.doubles.DoubleArrayList;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;

/**
 * Tablesaw columns over arrays a task just filled, without copying them. Tablesaw's
 * {@code create(name, array)} copies the array it is given (fastutil's list constructor), and its
 * {@code DoubleColumn.create(name, n)} grows from empty: either way a shuffle's split, sort and
 * every piece read back from disk or a peer made as much garbage again as the rows they hold —
 * garbage that a 128 MiB worker's old generation filled with (issue 15). The columns' own
 * constructors from a list are protected; they are called once resolved here, and if that is ever
 * refused the copying factories are used instead.
 */
final class WrappedColumns {
    private WrappedColumns() {}

    private static final MethodHandle DOUBLES = constructor(DoubleColumn.class, DoubleArrayList.class);
    private static final MethodHandle LONGS = constructor(LongColumn.class, LongArrayList.class);
    private static final MethodHandle INTS = constructor(IntColumn.class, IntArrayList.class);

    private static MethodHandle constructor(Class<?> column, Class<?> list) {
        try {
            Constructor<?> c = column.getDeclaredConstructor(String.class, list);
            c.setAccessible(true);
            return MethodHandles.lookup().unreflectConstructor(c).asType(MethodType.methodType(Object.class, String.class, Object.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    static DoubleColumn doubles(String name, double[] a) {
        return DOUBLES == null ? DoubleColumn.create(name, a) : (DoubleColumn) make(DOUBLES, name, DoubleArrayList.wrap(a));
    }

    static LongColumn longs(String name, long[] a) {
        return LONGS == null ? LongColumn.create(name, a) : (LongColumn) make(LONGS, name, LongArrayList.wrap(a));
    }

    static IntColumn ints(String name, int[] a) {
        return INTS == null ? IntColumn.create(name, a) : (IntColumn) make(INTS, name, IntArrayList.wrap(a));
    }

    private static Object make(MethodHandle constructor, String name, Object list) {
        try {
            return constructor.invoke(name, list);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}

package org.jdask.notebooks.examples;

import java.util.List;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;

/**
 * The small functions of Dask's futures tutorial ({@code inc}, {@code add}, {@code sum}, a sum of an
 * array chunk) as serializable {@code Fn*} constants for {@code notebooks/05-distributed.ipynb}.
 * The {@code SLOW_*} variants sleep first, to stand for real work.
 */
public final class Ops {
    /** {@code x + 1}. */
    public static final Fn1<Integer, Integer> INC = x -> x + 1;
    /** {@code x + 1} after 200 ms. */
    public static final Fn1<Integer, Integer> SLOW_INC = x -> {
        sleep(200);
        return x + 1;
    };
    /** {@code x + y}. */
    public static final Fn2<Integer, Integer, Integer> ADD = Integer::sum;
    /** {@code x + y} after 200 ms. */
    public static final Fn2<Integer, Integer, Integer> SLOW_ADD = (x, y) -> {
        sleep(200);
        return x + y;
    };
    /** The sum of a list of integers. */
    public static final Fn1<List<Integer>, Integer> SUM = xs -> xs.stream().mapToInt(Integer::intValue).sum();
    /** The sum of an array chunk. */
    public static final Fn1<double[], Double> ARRAY_SUM = Ops::arraySum;
    /** The sum of a list of doubles. */
    public static final Fn1<List<Double>, Double> TOTAL = xs -> xs.stream().mapToDouble(Double::doubleValue).sum();
    /** The id of the JVM running the call (which worker ran a task). */
    public static final org.jdask.fn.Fn0<Long> PID = () -> ProcessHandle.current().pid();

    private Ops() {}

    static double arraySum(double[] a) {
        double s = 0;
        for (double v : a) s += v;
        return s;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}

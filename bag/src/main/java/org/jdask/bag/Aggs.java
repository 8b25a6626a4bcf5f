package org.jdask.bag;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;

/**
 * Per-partition and combining functions of the built-in reductions (static methods, so the
 * method references are serializable and tokenize the same in every run).
 */
final class Aggs {
    private Aggs() {}

    /** The per-partition count; {@link StreamFusion} recognizes it by identity and only counts. */
    static final Fn1<List<?>, Long> COUNT = Aggs::count;

    static long count(List<?> p) {
        return p.size();
    }

    static long sumLongs(List<Long> xs) {
        long s = 0;
        for (long x : xs) s += x;
        return s;
    }

    /** Sum of numbers: a Long while every value is integral (exact, overflow fails), else a Double. */
    static Number sum(List<?> xs) {
        long l = 0;
        double d = 0;
        boolean integral = true;
        for (Object o : xs) {
            Number n = number(o, "sum");
            if (integral && (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte)) {
                l = Math.addExact(l, n.longValue());
            } else {
                if (integral) {
                    d = l;
                    integral = false;
                }
                d += n.doubleValue();
            }
        }
        return integral ? (Number) l : (Number) d;
    }

    private static Number number(Object o, String op) {
        if (o instanceof Number n) return n;
        throw new IllegalArgumentException(op + " needs numbers, got " + (o == null ? "null" : o.getClass().getName() + " " + o));
    }

    /** Smallest (or largest) comparable element; null for an empty list. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Object extreme(List<?> xs, boolean max) {
        Comparable best = null;
        for (Object o : xs) {
            if (o == null) continue;
            if (!(o instanceof Comparable c)) throw new IllegalArgumentException((max ? "max" : "min") + " needs Comparable elements, got "
                    + o.getClass().getName());
            if (best == null || (max ? c.compareTo(best) > 0 : c.compareTo(best) < 0)) best = c;
        }
        return best;
    }

    static Object min(List<?> xs) {
        return extreme(xs, false);
    }

    static Object max(List<?> xs) {
        return extreme(xs, true);
    }

    /** The final min: fails on an empty bag (every partition gave null). */
    static Object minOrFail(Object v) {
        if (v == null) throw new EmptyBagException("min");
        return v;
    }

    /** The final max: fails on an empty bag (every partition gave null). */
    static Object maxOrFail(Object v) {
        if (v == null) throw new EmptyBagException("max");
        return v;
    }

    /** Count, mean and sum of squared deviations (Chan et al.'s parallel update). */
    static double[] moments(List<?> xs) {
        double n = 0, mean = 0, m2 = 0;
        for (Object o : xs) {
            double x = number(o, "mean/var/std").doubleValue();
            n++;
            double d = x - mean;
            mean += d / n;
            m2 += d * (x - mean);
        }
        return new double[] {n, mean, m2};
    }

    static double[] mergeMoments(List<double[]> parts) {
        double n = 0, mean = 0, m2 = 0;
        for (double[] p : parts) {
            if (p[0] == 0) continue;
            double nn = n + p[0];
            double d = p[1] - mean;
            mean += d * p[0] / nn;
            m2 += p[2] + d * d * n * p[0] / nn;
            n = nn;
        }
        return new double[] {n, mean, m2};
    }

    static double mean(double[] m) {
        if (m[0] == 0) throw new EmptyBagException("mean");
        return m[1];
    }

    /** The variance from merged moments; NaN when there are records but no more than ddof (as NumPy). */
    static double variance(String op, double[] m, int ddof) {
        if (m[0] == 0) throw new EmptyBagException(op);
        return m[0] - ddof <= 0 ? Double.NaN : m[2] / (m[0] - ddof);
    }

    static Fn1<double[], Double> variance(int ddof) {
        return m -> variance("var", m, ddof);
    }

    static Fn1<double[], Double> std(int ddof) {
        return m -> Math.sqrt(variance("std", m, ddof));
    }

    static boolean any(List<?> xs) {
        for (Object o : xs) if (truth(o)) return true;
        return false;
    }

    static boolean all(List<?> xs) {
        for (Object o : xs) if (!truth(o)) return false;
        return true;
    }

    private static boolean truth(Object o) {
        if (o instanceof Boolean b) return b;
        throw new IllegalArgumentException("any/all need Boolean elements, got " + (o == null ? "null" : o.getClass().getName()));
    }

    static boolean anyOf(List<Boolean> xs) {
        for (boolean b : xs) if (b) return true;
        return false;
    }

    static boolean allOf(List<Boolean> xs) {
        for (boolean b : xs) if (!b) return false;
        return true;
    }

    static List<Object> distinct(List<?> xs) {
        return new ArrayList<>(new LinkedHashSet<>(xs));
    }

    static List<Object> distinctMerge(List<List<Object>> parts) {
        LinkedHashSet<Object> s = new LinkedHashSet<>();
        for (List<Object> p : parts) s.addAll(p);
        return new ArrayList<>(s);
    }

    static Map<Object, Long> frequencies(List<?> xs) {
        Map<Object, Long> m = new LinkedHashMap<>();
        for (Object o : xs) m.merge(o, 1L, Long::sum);
        return m;
    }

    static Map<Object, Long> mergeFrequencies(List<Map<Object, Long>> parts) {
        Map<Object, Long> m = new LinkedHashMap<>();
        for (Map<Object, Long> p : parts) p.forEach((k, v) -> m.merge(k, v, Long::sum));
        return m;
    }

    static List<Object> entries(Map<?, ?> m) {
        List<Object> out = new ArrayList<>(m.size());
        m.forEach((k, v) -> out.add(new AbstractMap.SimpleImmutableEntry<>(k, v)));
        return out;
    }

    @SuppressWarnings("unchecked")
    static List<Object> entriesByCount(Map<?, Long> m) {
        List<Object> out = entries(m);
        out.sort(Comparator.comparing(e -> -((Map.Entry<?, Long>) e).getValue()));
        return out;
    }

    /** The k largest by key, largest first; ties keep their order of appearance. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static List<Object> topk(List<?> xs, int k, Fn1<Object, Object> key) throws Exception {
        List<Object[]> keyed = new ArrayList<>(xs.size());
        for (Object o : xs) keyed.add(new Object[] {key == null ? o : key.apply(o), o});
        keyed.sort((a, b) -> ((Comparable) b[0]).compareTo(a[0]));
        List<Object> out = new ArrayList<>(Math.min(k, keyed.size()));
        for (int i = 0; i < Math.min(k, keyed.size()); i++) out.add(keyed.get(i)[1]);
        return out;
    }

    static List<Object> concat(List<List<Object>> parts) {
        List<Object> out = new ArrayList<>();
        for (List<Object> p : parts) out.addAll(p);
        return out;
    }

    /** foldby, per partition: key -> binop(acc, x), starting from initial (or the first x when NO_INITIAL). */
    static Map<Object, Object> fold(List<?> xs, Fn1<Object, Object> key, Fn2<Object, Object, Object> binop, Object initial)
            throws Exception {
        Map<Object, Object> m = new LinkedHashMap<>();
        for (Object x : xs) {
            Object k = key.apply(x);
            if (m.containsKey(k)) m.put(k, binop.apply(m.get(k), x));
            else m.put(k, initial == NoInitial.INSTANCE ? x : binop.apply(initial, x));
        }
        return m;
    }

    static Map<Object, Object> combineFolds(List<Map<Object, Object>> parts, Fn2<Object, Object, Object> combine, Object initial)
            throws Exception {
        Map<Object, Object> m = new LinkedHashMap<>();
        for (Map<Object, Object> p : parts) {
            for (Map.Entry<Object, Object> e : p.entrySet()) {
                Object k = e.getKey();
                if (m.containsKey(k)) m.put(k, combine.apply(m.get(k), e.getValue()));
                else m.put(k, initial == NoInitial.INSTANCE ? e.getValue() : combine.apply(initial, e.getValue()));
            }
        }
        return m;
    }

    /** Marks "no initial value" in foldby. */
    enum NoInitial { INSTANCE }
}

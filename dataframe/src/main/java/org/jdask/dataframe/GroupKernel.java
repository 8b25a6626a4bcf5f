package org.jdask.dataframe;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * The hash groupby kernel behind {@link GroupBy#agg}: chunk (a partition → per-group partial
 * states), combine (merge partials) and finish (states → a {@code Table} sorted by key).
 *
 * <p>How it works: a row's key (one value, or a list of values for several key columns) maps to a
 * dense group id; a single STRING key goes through Tablesaw's dictionary codes (an int array
 * lookup per row, no hashing of strings). Numeric state is one flat {@code double[]} with five
 * slots per aggregation and group: n, sum, min, max, M2 (squared deviations, merged with Chan's
 * formula, so std/var stay accurate). {@code first} and {@code nunique} keep objects. Rows whose
 * key is missing are dropped (pandas' {@code dropna=True}).
 */
final class GroupKernel {
    private GroupKernel() {}

    static final int W = 5;

    /** Per-group partial states; plain data, serializable. */
    static final class Partial implements Serializable {
        private static final long serialVersionUID = 1L;
        final ArrayList<Object> keys = new ArrayList<>();
        double[] num;
        final ArrayList<Object[]> obj = new ArrayList<>();
        final int nagg;
        transient HashMap<Object, Integer> index;

        Partial(int nagg) {
            this.nagg = nagg;
            this.num = new double[16 * W * Math.max(1, nagg)];
        }

        int groups() { return keys.size(); }

        HashMap<Object, Integer> index() {
            if (index == null) {
                index = new HashMap<>();
                for (int i = 0; i < keys.size(); i++) index.put(keys.get(i), i);
            }
            return index;
        }

        int group(Object key) {
            Integer g = index().get(key);
            if (g != null) return g;
            int id = keys.size();
            keys.add(key);
            index.put(key, id);
            obj.add(new Object[nagg]);
            int need = (id + 1) * W * nagg;
            if (need > num.length) num = Arrays.copyOf(num, Math.max(need, num.length * 2));
            for (int a = 0; a < nagg; a++) {
                int o = (id * nagg + a) * W;
                num[o + 2] = Double.POSITIVE_INFINITY;
                num[o + 3] = Double.NEGATIVE_INFINITY;
            }
            return id;
        }
    }

    static Partial chunk(Table t, List<String> by, List<Agg> aggs) {
        int nagg = aggs.size();
        Partial p = new Partial(nagg);
        int n = t.rowCount();
        int[] gid = new int[n];
        int offset = by.size() == 1 && t.column(by.get(0)) instanceof StringColumn sc ? codeOffset(sc) : -1;
        if (offset >= 0) {
            StringColumn s = (StringColumn) t.column(by.get(0));
            var dict = s.getDictionary();
            int[] codeToGroup = new int[64];
            Arrays.fill(codeToGroup, -1);
            for (int i = 0; i < n; i++) {
                int code = dict.getKeyForIndex(i) + offset;
                if (code >= codeToGroup.length) {
                    int old = codeToGroup.length;
                    codeToGroup = Arrays.copyOf(codeToGroup, Math.max(code + 1, old * 2));
                    Arrays.fill(codeToGroup, old, codeToGroup.length, -1);
                }
                int g = codeToGroup[code];
                if (g < 0) {
                    String v = s.get(i);
                    g = v.isEmpty() ? -2 : p.group(v);
                    codeToGroup[code] = g;
                }
                gid[i] = g < 0 ? -1 : g;
            }
        } else {
            List<Column<?>> keyCols = new ArrayList<>();
            for (String b : by) keyCols.add(t.column(b));
            for (int i = 0; i < n; i++) {
                Object key;
                boolean missing = false;
                if (keyCols.size() == 1) {
                    Column<?> c = keyCols.get(0);
                    missing = c.isMissing(i);
                    key = missing ? null : c.get(i);
                } else {
                    List<Object> k = new ArrayList<>(keyCols.size());
                    for (Column<?> c : keyCols) {
                        if (c.isMissing(i)) { missing = true; break; }
                        k.add(c.get(i));
                    }
                    key = k;
                }
                gid[i] = missing ? -1 : p.group(key);
            }
        }
        for (int a = 0; a < nagg; a++) {
            Agg agg = aggs.get(a);
            if (agg.column() == null) { // size
                for (int i = 0; i < n; i++) {
                    int g = gid[i];
                    if (g >= 0) p.num[(g * nagg + a) * W]++;
                }
                continue;
            }
            Column<?> c = t.column(agg.column());
            if (agg.numericState() && c instanceof NumericColumn<?> nc) {
                double[] num = p.num;
                if (nc instanceof DoubleColumn dc) {
                    for (int i = 0; i < n; i++) {
                        int g = gid[i];
                        if (g < 0) continue;
                        double x = dc.getDouble(i);
                        if (x != x) continue;
                        accumulate(num, (g * nagg + a) * W, x);
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        int g = gid[i];
                        if (g < 0 || nc.isMissing(i)) continue;
                        accumulate(num, (g * nagg + a) * W, nc.getDouble(i));
                    }
                }
            } else if (agg.fn().equals("count")) {
                for (int i = 0; i < n; i++) {
                    int g = gid[i];
                    if (g >= 0 && !c.isMissing(i)) p.num[(g * nagg + a) * W]++;
                }
            } else if (agg.fn().equals("first")) {
                for (int i = 0; i < n; i++) {
                    int g = gid[i];
                    if (g >= 0 && !c.isMissing(i) && p.obj.get(g)[a] == null) p.obj.get(g)[a] = c.get(i);
                }
            } else if (agg.fn().equals("nunique")) {
                for (int i = 0; i < n; i++) {
                    int g = gid[i];
                    if (g < 0 || c.isMissing(i)) continue;
                    Object[] o = p.obj.get(g);
                    @SuppressWarnings("unchecked")
                    HashSet<Object> set = (HashSet<Object>) (o[a] == null ? (o[a] = new HashSet<>()) : o[a]);
                    set.add(c.get(i));
                }
            } else {
                throw new IllegalArgumentException(agg.fn() + " of non-numeric column " + agg.column());
            }
        }
        return p;
    }

    /** How far dictionary codes sit below 0 (Byte/Short maps start at MIN_VALUE); -1: no dense path. */
    static int codeOffset(StringColumn s) {
        String cls = s.getDictionary().getClass().getSimpleName();
        if (cls.equals("ByteDictionaryMap")) return 128;
        if (cls.equals("ShortDictionaryMap")) return 32768;
        return -1;
    }

    private static void accumulate(double[] s, int o, double x) {
        double n0 = s[o];
        double n1 = n0 + 1;
        double mean0 = n0 == 0 ? 0 : s[o + 1] / n0;
        s[o] = n1;
        s[o + 1] += x;
        double mean1 = s[o + 1] / n1;
        s[o + 4] += (x - mean0) * (x - mean1);
        if (x < s[o + 2]) s[o + 2] = x;
        if (x > s[o + 3]) s[o + 3] = x;
    }

    static Partial combine(List<Partial> parts, List<Agg> aggs) {
        int nagg = aggs.size();
        Partial out = new Partial(nagg);
        for (Partial p : parts) {
            for (int g = 0; g < p.groups(); g++) {
                int t = out.group(p.keys.get(g));
                for (int a = 0; a < nagg; a++) {
                    int o = (t * nagg + a) * W, q = (g * nagg + a) * W;
                    mergeNum(out.num, o, p.num, q);
                    Object po = p.obj.get(g)[a];
                    if (po == null) continue;
                    Object[] to = out.obj.get(t);
                    if (aggs.get(a).fn().equals("nunique")) {
                        @SuppressWarnings("unchecked")
                        HashSet<Object> set = (HashSet<Object>) (to[a] == null ? (to[a] = new HashSet<>()) : to[a]);
                        set.addAll((HashSet<?>) po);
                    } else if (to[a] == null) {
                        to[a] = po;
                    }
                }
            }
        }
        return out;
    }

    private static void mergeNum(double[] s, int o, double[] p, int q) {
        double na = s[o], nb = p[q];
        if (nb == 0) return;
        if (na == 0) {
            System.arraycopy(p, q, s, o, W);
            return;
        }
        double n = na + nb;
        double delta = p[q + 1] / nb - s[o + 1] / na;
        s[o + 4] = s[o + 4] + p[q + 4] + delta * delta * na * nb / n;
        s[o] = n;
        s[o + 1] += p[q + 1];
        s[o + 2] = Math.min(s[o + 2], p[q + 2]);
        s[o + 3] = Math.max(s[o + 3], p[q + 3]);
    }

    /** The result table: key columns then one column per aggregation, sorted by key. */
    static Table finish(Partial p, List<String> by, List<Agg> aggs, Map<String, ColumnType> inSchema) {
        int nagg = aggs.size();
        Integer[] order = new Integer[p.groups()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Comparator<Object> cmp = GroupKernel::compareKeys;
        Arrays.sort(order, (x, y) -> cmp.compare(p.keys.get(x), p.keys.get(y)));
        List<Column<?>> cols = new ArrayList<>();
        for (int k = 0; k < by.size(); k++) {
            Column<?> c = inSchema.get(by.get(k)).create(by.get(k));
            for (int g : order) {
                Object key = p.keys.get(g);
                appendValue(c, by.size() == 1 ? key : ((List<?>) key).get(k));
            }
            cols.add(c);
        }
        for (int a = 0; a < nagg; a++) {
            Agg agg = aggs.get(a);
            String fn = agg.fn();
            if (fn.equals("first")) {
                Column<?> c = inSchema.get(agg.column()).create(agg.outName());
                for (int g : order) appendValue(c, p.obj.get(g)[a]);
                cols.add(c);
            } else if (fn.equals("nunique") || fn.equals("count") || fn.equals("size")) {
                long[] v = new long[order.length];
                for (int i = 0; i < order.length; i++) {
                    int g = order[i];
                    Object o = p.obj.get(g)[a];
                    v[i] = fn.equals("nunique") ? (o == null ? 0 : ((HashSet<?>) o).size()) : (long) p.num[(g * nagg + a) * W];
                }
                cols.add(LongColumn.create(agg.outName(), v));
            } else {
                double[] v = new double[order.length];
                for (int i = 0; i < order.length; i++) {
                    int o = (order[i] * nagg + a) * W;
                    double n = p.num[o];
                    v[i] = switch (fn) {
                        case "sum" -> p.num[o + 1];
                        case "mean" -> n == 0 ? Double.NaN : p.num[o + 1] / n;
                        case "min" -> n == 0 ? Double.NaN : p.num[o + 2];
                        case "max" -> n == 0 ? Double.NaN : p.num[o + 3];
                        case "var" -> n < 2 ? Double.NaN : p.num[o + 4] / (n - 1);
                        case "std" -> n < 2 ? Double.NaN : Math.sqrt(p.num[o + 4] / (n - 1));
                        default -> throw new IllegalArgumentException("unknown aggregation " + fn);
                    };
                }
                cols.add(DoubleColumn.create(agg.outName(), v));
            }
        }
        return Table.create(cols);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static int compareKeys(Object a, Object b) {
        if (a instanceof List<?> la && b instanceof List<?> lb) {
            for (int i = 0; i < la.size(); i++) {
                int c = compareKeys(la.get(i), lb.get(i));
                if (c != 0) return c;
            }
            return 0;
        }
        if (a instanceof Number x && b instanceof Number y) return Double.compare(x.doubleValue(), y.doubleValue());
        return ((Comparable) a).compareTo(b);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static void appendValueAt(Column c, int row, Object v) {
        if (v == null) {
            c.setMissing(row);
            return;
        }
        if (c instanceof tech.tablesaw.api.IntColumn ic) ic.set(row, ((Number) v).intValue());
        else if (c instanceof tech.tablesaw.api.LongColumn lc) lc.set(row, ((Number) v).longValue());
        else if (c instanceof DoubleColumn dc) dc.set(row, ((Number) v).doubleValue());
        else c.set(row, v);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static void appendValue(Column c, Object v) {
        if (v == null) {
            c.appendMissing();
            return;
        }
        if (c instanceof tech.tablesaw.api.IntColumn ic) ic.append(((Number) v).intValue());
        else if (c instanceof tech.tablesaw.api.LongColumn lc) lc.append(((Number) v).longValue());
        else if (c instanceof DoubleColumn dc) dc.append(((Number) v).doubleValue());
        else c.appendObj(v);
    }
}

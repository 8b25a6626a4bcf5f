package org.jdask.dataframe;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.jdask.graph.Tokenizable;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;
import tech.tablesaw.selection.BitmapBackedSelection;
import tech.tablesaw.selection.Selection;

/**
 * A column expression, evaluated per partition: {@code col("a").add(col("b"))},
 * {@code col("Origin").eq("SFO").and(col("DepDelay").gt(60))}, {@code col("Dest").str().lower()}.
 *
 * <p>Expressions are plain serializable values (they travel inside tasks) with a canonical
 * printed form ({@link #toString()}) that is also their token, so equal expressions give equal
 * task keys. Missing values: arithmetic with a missing operand is missing; a comparison with a
 * missing operand is false (as in pandas), so {@code filter} drops those rows.
 */
public abstract class Expr implements Serializable, Tokenizable {
    private static final long serialVersionUID = 1L;

    Expr() {}

    /** The column {@code name}. */
    public static Expr col(String name) {
        return new Col(name);
    }

    /** A literal (number, string, boolean, {@code LocalDate}, {@code LocalDateTime}, {@code Instant} or {@code LocalTime}). */
    public static Expr lit(Object value) {
        if (value instanceof Expr e) return e;
        if (!(value instanceof Number || value instanceof String || value instanceof Boolean || Temporal.literalType(value) != null)) {
            throw new IllegalArgumentException("a literal must be a number, string, boolean, LocalDate, LocalDateTime, Instant or LocalTime, got "
                    + (value == null ? "null" : value.getClass().getName()));
        }
        return new Lit(value);
    }

    // ------------------------------------------------------------------ builders
    public Expr add(Object o) { return new Arith("+", this, lit(o)); }
    public Expr sub(Object o) { return new Arith("-", this, lit(o)); }
    public Expr mul(Object o) { return new Arith("*", this, lit(o)); }
    public Expr div(Object o) { return new Arith("/", this, lit(o)); }
    public Expr gt(Object o) { return new Cmp(">", this, lit(o)); }
    public Expr ge(Object o) { return new Cmp(">=", this, lit(o)); }
    public Expr lt(Object o) { return new Cmp("<", this, lit(o)); }
    public Expr le(Object o) { return new Cmp("<=", this, lit(o)); }
    public Expr eq(Object o) { return new Cmp("==", this, lit(o)); }
    public Expr ne(Object o) { return new Cmp("!=", this, lit(o)); }
    public Expr and(Expr o) { return new Bool("&", this, o); }
    public Expr or(Expr o) { return new Bool("|", this, o); }
    public Expr not() { return new Not(this); }
    /** True where the value is one of {@code values}. */
    public Expr isin(Object... values) { return new IsIn(this, List.of(values)); }
    public Expr isNull() { return new IsNull(this, false); }
    public Expr notNull() { return new IsNull(this, true); }
    /** String functions. */
    public Str str() { return new Str(this); }
    /** {@code lo <= this <= hi} (both ends included, as pandas' {@code between}). */
    public Expr between(Object lo, Object hi) { return ge(lo).and(le(hi)); }
    /** Date and time functions (of a LOCAL_DATE, LOCAL_DATE_TIME, INSTANT or LOCAL_TIME expression). */
    public Dt dt() { return new Dt(this); }

    /** Date and time functions of an expression; instants are read in UTC. */
    public static final class Dt {
        private final Expr e;
        Dt(Expr e) { this.e = e; }
        public Expr year() { return new DtFn("year", e, null); }
        public Expr month() { return new DtFn("month", e, null); }
        public Expr day() { return new DtFn("day", e, null); }
        public Expr hour() { return new DtFn("hour", e, null); }
        public Expr minute() { return new DtFn("minute", e, null); }
        /** Monday = 0 ... Sunday = 6, as pandas. */
        public Expr dayOfWeek() { return new DtFn("dayOfWeek", e, null); }
        /** The calendar date (LOCAL_DATE). */
        public Expr date() { return new DtFn("date", e, null); }
        /** Rounds down to a multiple of {@code freq} ({@code "1h"}, {@code "15min"}, {@code "1d"}) since the epoch; same type. */
        public Expr floor(String freq) { Temporal.frequencyMs(freq); return new DtFn("floor", e, freq); }
    }

    /** String functions of an expression. */
    public static final class Str {
        private final Expr e;
        Str(Expr e) { this.e = e; }
        public Expr contains(String s) { return new StrFn("contains", e, s); }
        public Expr startsWith(String s) { return new StrFn("startsWith", e, s); }
        public Expr endsWith(String s) { return new StrFn("endsWith", e, s); }
        public Expr lower() { return new StrFn("lower", e, null); }
        public Expr upper() { return new StrFn("upper", e, null); }
        public Expr len() { return new StrFn("len", e, null); }
    }

    // ------------------------------------------------------------------ evaluation contract

    /** The columns this expression reads. */
    final Set<String> columns() {
        LinkedHashSet<String> s = new LinkedHashSet<>();
        collect(s);
        return s;
    }

    abstract void collect(Set<String> out);

    /** The result type given the input schema; unknown columns fail listing the real ones. */
    abstract ColumnType type(Map<String, ColumnType> schema);

    /** Evaluates to a column of {@code t.rowCount()} values. */
    abstract Column<?> eval(Table t);

    /** Evaluates a boolean expression to the selected rows (missing counts as false). */
    Selection mask(Table t) {
        Column<?> c = eval(t);
        if (c instanceof BooleanColumn b) return b.isTrue();
        throw new IllegalArgumentException("expression " + this + " is not boolean (it gives " + c.type().name() + ")");
    }

    @Override
    public Object tokenIdentity() {
        return toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Expr e && e.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    static NumericColumn<?> numeric(Column<?> c, Expr e) {
        if (c instanceof NumericColumn<?> n) return n;
        throw new IllegalArgumentException("expression " + e + " is " + c.type().name() + ", not numeric");
    }

    static BooleanColumn fromSelection(String name, Selection s, int rows) {
        BooleanColumn b = BooleanColumn.create(name, rows);
        for (int i = 0; i < rows; i++) b.set(i, false);
        for (int i : s) b.set(i, true);
        return b;
    }

    // ------------------------------------------------------------------ nodes

    static final class Col extends Expr {
        final String name;
        Col(String name) { this.name = name; }
        @Override void collect(Set<String> out) { out.add(name); }
        @Override ColumnType type(Map<String, ColumnType> schema) {
            ColumnType t = schema.get(name);
            if (t == null) throw new NoSuchElementException("unknown column '" + name + "'; the columns are " + schema.keySet());
            return t;
        }
        @Override Column<?> eval(Table t) { return t.column(name); }
        @Override public String toString() { return "col(\"" + name + "\")"; }
    }

    static final class Lit extends Expr {
        final Object value;
        Lit(Object value) { this.value = value; }
        @Override void collect(Set<String> out) {}
        @Override ColumnType type(Map<String, ColumnType> schema) {
            if (value instanceof String) return ColumnType.STRING;
            if (value instanceof Boolean) return ColumnType.BOOLEAN;
            if (value instanceof Integer || value instanceof Short || value instanceof Byte) return ColumnType.INTEGER;
            if (value instanceof Long) return ColumnType.LONG;
            ColumnType tt = Temporal.literalType(value);
            return tt != null ? tt : ColumnType.DOUBLE;
        }
        @Override Column<?> eval(Table t) {
            int n = t.rowCount();
            ColumnType tt = Temporal.literalType(value);
            if (tt != null) {
                long[] ms = new long[n];
                Arrays.fill(ms, Temporal.literalMs(value));
                return Temporal.fromEpochMs("lit", tt, ms);
            }
            if (value instanceof String s) { StringColumn c = StringColumn.create("lit"); for (int i = 0; i < n; i++) c.append(s); return c; }
            if (value instanceof Boolean b) { BooleanColumn c = BooleanColumn.create("lit", n); for (int i = 0; i < n; i++) c.set(i, b); return c; }
            double[] v = new double[n];
            Arrays.fill(v, ((Number) value).doubleValue());
            return DoubleColumn.create("lit", v);
        }
        double number() { return ((Number) value).doubleValue(); }
        @Override public String toString() {
            return value instanceof String s ? "\"" + s.replace("\"", "\\\"") + "\"" : value + ":" + value.getClass().getSimpleName();
        }
    }

    static final class Arith extends Expr {
        final String op;
        final Expr l, r;
        Arith(String op, Expr l, Expr r) { this.op = op; this.l = l; this.r = r; }
        @Override void collect(Set<String> out) { l.collect(out); r.collect(out); }
        @Override ColumnType type(Map<String, ColumnType> schema) {
            ColumnType a = l.type(schema), b = r.type(schema);
            if (op.equals("-") && DtFn.comparable(a, b)) return ColumnType.LONG; // a duration, in milliseconds
            if (!Dtypes.isNumeric(a) || !Dtypes.isNumeric(b)) throw new IllegalArgumentException("cannot apply " + op + " to " + a.name() + " and " + b.name() + " in " + this);
            if (!op.equals("/") && Dtypes.isIntegral(a) && Dtypes.isIntegral(b)) return ColumnType.LONG;
            return ColumnType.DOUBLE;
        }
        @Override Column<?> eval(Table t) {
            int n = t.rowCount();
            if (op.equals("-") && !(l instanceof Lit) && Temporal.isTemporal(l.eval(t).type())) return DtFn.minus(l, r, t, toString());
            boolean integral = !op.equals("/") && isIntegral(l, t) && isIntegral(r, t);
            if (integral) {
                long[] a = longs(l, t, n), b = longs(r, t, n);
                long[] o = new long[n];
                for (int i = 0; i < n; i++) {
                    long x = a[i], y = b[i];
                    o[i] = x == Long.MIN_VALUE || y == Long.MIN_VALUE ? Long.MIN_VALUE
                            : switch (op) { case "+" -> x + y; case "-" -> x - y; default -> x * y; };
                }
                return LongColumn.create(toString(), o);
            }
            double[] a = doubles(l, t, n), b = doubles(r, t, n);
            double[] o = new double[n];
            switch (op) {
                case "+" -> { for (int i = 0; i < n; i++) o[i] = a[i] + b[i]; }
                case "-" -> { for (int i = 0; i < n; i++) o[i] = a[i] - b[i]; }
                case "*" -> { for (int i = 0; i < n; i++) o[i] = a[i] * b[i]; }
                default -> { for (int i = 0; i < n; i++) o[i] = a[i] / b[i]; }
            }
            return DoubleColumn.create(toString(), o);
        }
        private static boolean isIntegral(Expr e, Table t) {
            if (e instanceof Lit lit) return lit.value instanceof Integer || lit.value instanceof Long || lit.value instanceof Short;
            Column<?> c = e.eval(t);
            return c instanceof IntColumn || c instanceof LongColumn || c instanceof tech.tablesaw.api.ShortColumn;
        }
        @Override public String toString() { return "(" + l + " " + op + " " + r + ")"; }
    }

    static double[] doubles(Expr e, Table t, int n) {
        if (e instanceof Lit lit) {
            double[] v = new double[n];
            Arrays.fill(v, lit.number());
            return v;
        }
        NumericColumn<?> c = numeric(e.eval(t), e);
        if (c instanceof DoubleColumn d) return d.asDoubleArray();
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = c.isMissing(i) ? Double.NaN : c.getDouble(i);
        return v;
    }

    static long[] longs(Expr e, Table t, int n) {
        long[] v = new long[n];
        if (e instanceof Lit lit) {
            Arrays.fill(v, ((Number) lit.value).longValue());
            return v;
        }
        NumericColumn<?> c = numeric(e.eval(t), e);
        if (c instanceof IntColumn ic) {
            for (int i = 0; i < n; i++) { int x = ic.getInt(i); v[i] = x == Integer.MIN_VALUE ? Long.MIN_VALUE : x; }
            return v;
        }
        for (int i = 0; i < n; i++) v[i] = c.isMissing(i) ? Long.MIN_VALUE : (long) c.getDouble(i);
        return v;
    }

    static final class Cmp extends Expr {
        final String op;
        final Expr l, r;
        Cmp(String op, Expr l, Expr r) { this.op = op; this.l = l; this.r = r; }
        @Override void collect(Set<String> out) { l.collect(out); r.collect(out); }
        @Override ColumnType type(Map<String, ColumnType> schema) {
            ColumnType a = l.type(schema), b = r.type(schema);
            boolean ok = (Dtypes.isNumeric(a) && Dtypes.isNumeric(b)) || a == b || DtFn.comparable(a, b);
            if (!ok) throw new IllegalArgumentException("cannot compare " + a.name() + " with " + b.name() + " in " + this
                    + (Temporal.isTemporal(a) ? " (compare with a LocalDate, LocalDateTime, Instant or LocalTime literal)" : ""));
            return ColumnType.BOOLEAN;
        }
        @Override Column<?> eval(Table t) { return fromSelection(toString(), mask(t), t.rowCount()); }
        @Override Selection mask(Table t) {
            int n = t.rowCount();
            Column<?> a = l.eval(t);
            if (a instanceof StringColumn s && r instanceof Lit lit && lit.value instanceof String v) {
                if (op.equals("==")) return s.isEqualTo(v);
                if (op.equals("!=")) return s.isEqualTo(v).flip(0, n).andNot(s.isMissing());
            }
            Selection out = new BitmapBackedSelection();
            if (Temporal.isTemporal(a.type())) {
                DtFn.compare(a, r, t, out, this::test);
                return out;
            }
            if (a instanceof StringColumn s) {
                Column<?> bc = r.eval(t);
                for (int i = 0; i < n; i++) {
                    if (s.isMissing(i) || bc.isMissing(i)) continue;
                    int c = s.get(i).compareTo((String) bc.get(i));
                    if (test(c)) out.add(i);
                }
                return out;
            }
            if (a instanceof BooleanColumn ba) {
                Column<?> bc = r.eval(t);
                for (int i = 0; i < n; i++) {
                    if (ba.isMissing(i) || bc.isMissing(i)) continue;
                    int c = Boolean.compare(ba.get(i), (Boolean) bc.get(i));
                    if (test(c)) out.add(i);
                }
                return out;
            }
            double[] x = doubles(l, t, n);
            if (r instanceof Lit lit) {
                double y = lit.number();
                for (int i = 0; i < n; i++) if (x[i] == x[i] && test(Double.compare(x[i], y))) out.add(i);
            } else {
                double[] y = doubles(r, t, n);
                for (int i = 0; i < n; i++) if (x[i] == x[i] && y[i] == y[i] && test(Double.compare(x[i], y[i]))) out.add(i);
            }
            return out;
        }
        boolean test(int c) {
            return switch (op) {
                case ">" -> c > 0; case ">=" -> c >= 0; case "<" -> c < 0; case "<=" -> c <= 0; case "==" -> c == 0; default -> c != 0;
            };
        }
        @Override public String toString() { return "(" + l + " " + op + " " + r + ")"; }
    }

    static final class Bool extends Expr {
        final String op;
        final Expr l, r;
        Bool(String op, Expr l, Expr r) { this.op = op; this.l = l; this.r = r; }
        @Override void collect(Set<String> out) { l.collect(out); r.collect(out); }
        @Override ColumnType type(Map<String, ColumnType> schema) {
            for (Expr e : List.of(l, r)) {
                if (e.type(schema) != ColumnType.BOOLEAN) throw new IllegalArgumentException(op + " needs boolean operands; " + e + " is " + e.type(schema).name());
            }
            return ColumnType.BOOLEAN;
        }
        @Override Column<?> eval(Table t) { return fromSelection(toString(), mask(t), t.rowCount()); }
        @Override Selection mask(Table t) {
            Selection a = l.mask(t);
            if (op.equals("&") && a.isEmpty()) return a;
            Selection b = r.mask(t);
            return op.equals("&") ? a.and(b) : a.or(b);
        }
        @Override public String toString() { return "(" + l + " " + op + " " + r + ")"; }
    }

    static final class Not extends Expr {
        final Expr e;
        Not(Expr e) { this.e = e; }
        @Override void collect(Set<String> out) { e.collect(out); }
        @Override ColumnType type(Map<String, ColumnType> schema) {
            if (e.type(schema) != ColumnType.BOOLEAN) throw new IllegalArgumentException("not() needs a boolean; " + e + " is " + e.type(schema).name());
            return ColumnType.BOOLEAN;
        }
        @Override Column<?> eval(Table t) { return fromSelection(toString(), mask(t), t.rowCount()); }
        @Override Selection mask(Table t) { return e.mask(t).flip(0, t.rowCount()); }
        @Override public String toString() { return "~" + e; }
    }

    static final class IsIn extends Expr {
        final Expr e;
        final List<Object> values;
        IsIn(Expr e, List<Object> values) { this.e = e; this.values = new ArrayList<>(values); }
        @Override void collect(Set<String> out) { e.collect(out); }
        @Override ColumnType type(Map<String, ColumnType> schema) { e.type(schema); return ColumnType.BOOLEAN; }
        @Override Column<?> eval(Table t) { return fromSelection(toString(), mask(t), t.rowCount()); }
        @Override Selection mask(Table t) {
            Column<?> c = e.eval(t);
            int n = t.rowCount();
            if (c instanceof StringColumn s) {
                List<String> strs = new ArrayList<>();
                for (Object v : values) strs.add(String.valueOf(v));
                return s.isIn(strs);
            }
            Selection out = new BitmapBackedSelection();
            if (c instanceof NumericColumn<?> num) {
                Set<Double> set = new HashSet<>();
                for (Object v : values) if (v instanceof Number x) set.add(x.doubleValue());
                for (int i = 0; i < n; i++) if (!num.isMissing(i) && set.contains(num.getDouble(i))) out.add(i);
                return out;
            }
            Set<Object> set = new HashSet<>(values);
            for (int i = 0; i < n; i++) if (!c.isMissing(i) && set.contains(c.get(i))) out.add(i);
            return out;
        }
        @Override public String toString() {
            List<String> vs = new ArrayList<>();
            for (Object v : values) vs.add(v instanceof String s ? "\"" + s + "\"" : v + ":" + (v == null ? "null" : v.getClass().getSimpleName()));
            return e + ".isin(" + String.join(", ", vs) + ")";
        }
    }

    static final class IsNull extends Expr {
        final Expr e;
        final boolean negate;
        IsNull(Expr e, boolean negate) { this.e = e; this.negate = negate; }
        @Override void collect(Set<String> out) { e.collect(out); }
        @Override ColumnType type(Map<String, ColumnType> schema) { e.type(schema); return ColumnType.BOOLEAN; }
        @Override Column<?> eval(Table t) { return fromSelection(toString(), mask(t), t.rowCount()); }
        @Override Selection mask(Table t) {
            Column<?> c = e.eval(t);
            Selection s = c.isMissing();
            return negate ? s.flip(0, t.rowCount()) : s;
        }
        @Override public String toString() { return e + (negate ? ".notNull()" : ".isNull()"); }
    }

    static final class StrFn extends Expr {
        final String fn;
        final Expr e;
        final String arg;
        StrFn(String fn, Expr e, String arg) { this.fn = fn; this.e = e; this.arg = arg; }
        @Override void collect(Set<String> out) { e.collect(out); }
        @Override ColumnType type(Map<String, ColumnType> schema) {
            ColumnType t = e.type(schema);
            if (t != ColumnType.STRING) throw new IllegalArgumentException("str()." + fn + " needs a STRING; " + e + " is " + t.name());
            return switch (fn) { case "lower", "upper" -> ColumnType.STRING; case "len" -> ColumnType.INTEGER; default -> ColumnType.BOOLEAN; };
        }
        @Override Column<?> eval(Table t) {
            StringColumn s = (StringColumn) e.eval(t);
            return switch (fn) {
                case "lower" -> s.lowerCase().setName(toString());
                case "upper" -> s.upperCase().setName(toString());
                case "len" -> {
                    int n = s.size();
                    int[] v = new int[n];
                    for (int i = 0; i < n; i++) v[i] = s.isMissing(i) ? Integer.MIN_VALUE : s.get(i).length();
                    yield IntColumn.create(toString(), v);
                }
                default -> fromSelection(toString(), mask(t), t.rowCount());
            };
        }
        @Override Selection mask(Table t) {
            StringColumn s = (StringColumn) e.eval(t);
            return switch (fn) {
                case "contains" -> s.containsString(arg);
                case "startsWith" -> s.startsWith(arg);
                case "endsWith" -> s.endsWith(arg);
                default -> super.mask(t);
            };
        }
        @Override public String toString() { return e + ".str()." + fn + "(" + (arg == null ? "" : "\"" + arg + "\"") + ")"; }
    }
}

package org.jdask.fn;

import java.io.Serializable;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;
import java.util.List;

/** Adapters from the typed {@code Fn0..Fn6} interfaces to {@link FnN}, and function naming. */
public final class Fns {
    private Fns() {}

    /**
     * The adapter made last: code building many tasks calls {@code Delayed.of(Ops::inc)} once per
     * task with the same (non-capturing) function object, and a task graph then holds one adapter
     * instead of one per task. Adapters are immutable, so sharing one across threads is safe.
     */
    private static volatile Adapter last;

    public static FnN of(Object f) {
        Adapter l = last;
        if (l != null && l.target == f) return l;
        FnN n = adapt(f);
        if (n instanceof Adapter a) last = a;
        return n;
    }

    @SuppressWarnings("unchecked")
    private static FnN adapt(Object f) {
        if (f instanceof FnN n) return n;
        if (f instanceof Fn0<?> g) return new Call0(g);
        if (f instanceof Fn1<?, ?> g) return new Call1((Fn1<Object, ?>) g);
        if (f instanceof Fn2<?, ?, ?> g) return new Call2((Fn2<Object, Object, ?>) g);
        if (f instanceof Fn3<?, ?, ?, ?> g) return new Call3((Fn3<Object, Object, Object, ?>) g);
        if (f instanceof Fn4<?, ?, ?, ?, ?> g) return new Call4((Fn4<Object, Object, Object, Object, ?>) g);
        if (f instanceof Fn5<?, ?, ?, ?, ?, ?> g) return new Call5((Fn5<Object, Object, Object, Object, Object, ?>) g);
        if (f instanceof Fn6<?, ?, ?, ?, ?, ?, ?> g) return new Call6((Fn6<Object, Object, Object, Object, Object, Object, ?>) g);
        throw new IllegalArgumentException("not a jdask function (Fn0..Fn6 or FnN): " + (f == null ? "null" : f.getClass().getName()));
    }

    /**
     * Whether {@code f} is only the {@link #of} adapter around a typed {@code Fn0..Fn6}, so that
     * {@code Fns.of(f.target())} rebuilds it (what a process boundary can send instead of {@code f}).
     * False for every other {@code FnN}, whose behaviour is more than its target's.
     */
    public static boolean isAdapter(FnN f) {
        return f instanceof Adapter;
    }

    /**
     * A short human name for a function, used as the prefix of delayed keys: the implementation
     * method of a lambda or method reference ({@code inc} for {@code Ops::inc}, {@code lambda} for
     * a lambda body), or the simple class name otherwise.
     */
    public static String name(Object f) {
        Object t = f instanceof FnN n ? n.target() : f;
        if (t.getClass().isSynthetic()) {
            // one lambda class per call site, so one name per class: cache it (writeReplace costs ~1 µs)
            java.util.concurrent.atomic.AtomicReference<String> cached = LAMBDA_NAMES.get(t.getClass());
            String n = cached.get();
            if (n == null) cached.set(n = computeName(t));
            return n;
        }
        return computeName(t);
    }

    private static final ClassValue<java.util.concurrent.atomic.AtomicReference<String>> LAMBDA_NAMES = new ClassValue<>() {
        @Override
        protected java.util.concurrent.atomic.AtomicReference<String> computeValue(Class<?> type) {
            return new java.util.concurrent.atomic.AtomicReference<>();
        }
    };

    private static String computeName(Object t) {
        SerializedLambda sl = serializedLambda(t);
        if (sl != null) {
            String m = sl.getImplMethodName();
            if (m.startsWith("lambda$")) {
                return "lambda";
            }
            return m.equals("<init>") ? simpleName(sl.getImplClass()) : m;
        }
        String s = t.getClass().getSimpleName();
        return s.isEmpty() ? "fn" : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    private static String simpleName(String internalName) {
        int i = Math.max(internalName.lastIndexOf('/'), internalName.lastIndexOf('$'));
        return internalName.substring(i + 1);
    }

    /** The {@link SerializedLambda} of a serializable lambda or method reference, else null. */
    public static SerializedLambda serializedLambda(Object f) {
        if (!(f instanceof Serializable)) return null;
        Class<?> c = f.getClass();
        if (!c.isSynthetic()) return null;
        try {
            Method m = c.getDeclaredMethod("writeReplace");
            m.setAccessible(true);
            Object r = m.invoke(f);
            return r instanceof SerializedLambda sl ? sl : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The classes {@link #of} wraps functions in: they travel in every task frame, and the codec
     * gives them a serializer that needs no code generation (a fresh JVM's first task otherwise
     * waits for Fory to generate one).
     */
    public static List<Class<?>> adapterTypes() {
        return List.of(Call0.class, Call1.class, Call2.class, Call3.class, Call4.class, Call5.class, Call6.class);
    }

    private abstract static class Adapter implements FnN {
        private final Object target;
        private final int arity;

        Adapter(Object target, int arity) {
            this.target = target;
            this.arity = arity;
        }

        @Override public final Object target() { return target; }
        @Override public final int arity() { return arity; }
        @Override public String toString() { return name(target); }
        @Override public boolean equals(Object o) { return o != null && o.getClass() == getClass() && ((Adapter) o).target.equals(target); }
        @Override public int hashCode() { return target.hashCode(); }
    }

    static final class Call0 extends Adapter {
        private final Fn0<?> f;
        Call0(Fn0<?> f) { super(f, 0); this.f = f; }
        @Override public Object invoke(Object[] a) throws Exception { return f.apply(); }
    }

    static final class Call1 extends Adapter {
        private final Fn1<Object, ?> f;
        Call1(Fn1<Object, ?> f) { super(f, 1); this.f = f; }
        @Override public Object invoke(Object[] a) throws Exception { return f.apply(a[0]); }
    }

    static final class Call2 extends Adapter {
        private final Fn2<Object, Object, ?> f;
        Call2(Fn2<Object, Object, ?> f) { super(f, 2); this.f = f; }
        @Override public Object invoke(Object[] a) throws Exception { return f.apply(a[0], a[1]); }
    }

    static final class Call3 extends Adapter {
        private final Fn3<Object, Object, Object, ?> f;
        Call3(Fn3<Object, Object, Object, ?> f) { super(f, 3); this.f = f; }
        @Override public Object invoke(Object[] a) throws Exception { return f.apply(a[0], a[1], a[2]); }
    }

    static final class Call4 extends Adapter {
        private final Fn4<Object, Object, Object, Object, ?> f;
        Call4(Fn4<Object, Object, Object, Object, ?> f) { super(f, 4); this.f = f; }
        @Override public Object invoke(Object[] a) throws Exception { return f.apply(a[0], a[1], a[2], a[3]); }
    }

    static final class Call5 extends Adapter {
        private final Fn5<Object, Object, Object, Object, Object, ?> f;
        Call5(Fn5<Object, Object, Object, Object, Object, ?> f) { super(f, 5); this.f = f; }
        @Override public Object invoke(Object[] a) throws Exception { return f.apply(a[0], a[1], a[2], a[3], a[4]); }
    }

    static final class Call6 extends Adapter {
        private final Fn6<Object, Object, Object, Object, Object, Object, ?> f;
        Call6(Fn6<Object, Object, Object, Object, Object, Object, ?> f) { super(f, 6); this.f = f; }
        @Override public Object invoke(Object[] a) throws Exception { return f.apply(a[0], a[1], a[2], a[3], a[4], a[5]); }
    }
}

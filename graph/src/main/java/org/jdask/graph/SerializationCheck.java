package org.jdask.graph;

import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdask.SerializationException;
import org.jdask.fn.FnN;
import org.jdask.fn.Fns;

/**
 * Checks up front that a graph can cross a process boundary, so the {@code processes} and
 * {@code distributed} schedulers fail at {@code compute()} with a precise message instead of a
 * worker dying on a half-sent task.
 *
 * <p>How it works: every task's function and argument literals, and every {@link DataNode} value,
 * are written with Java serialization to a null stream (nothing is kept; shared values are checked
 * once per call). On a {@link NotSerializableException} the JDK only says which <em>class</em>
 * failed, not where it sits. So the value is then walked breadth-first &mdash; captured arguments of
 * serializable lambdas (via their {@link SerializedLambda}), elements of arrays, collections and
 * maps, and non-static, non-transient fields read reflectively &mdash; until an instance of that
 * class is found. The walk is iterative, bounded ({@value #MAX_VISITED} objects, depth
 * {@value #MAX_DEPTH}) and cycle-safe (an identity set), and its path becomes the error, e.g.
 * {@code captured arg 0 of lambda in DelayedTest -> field 'conn' (java.net.Socket)}.
 *
 * <p>Values of types that are always serializable (strings, boxes, primitive arrays, keys) are
 * skipped without serializing, so a 300 MB {@code double[]} costs nothing here.
 */
public final class SerializationCheck {
    private static final int MAX_VISITED = 100_000;
    private static final int MAX_DEPTH = 64;

    private final IdentityHashMap<Object, Boolean> checked = new IdentityHashMap<>();

    private SerializationCheck() {}

    /**
     * Throws {@link SerializationException} (task key, failing class, path to it) for the first
     * node of {@code graph} that Java serialization cannot write.
     */
    public static void check(TaskGraph graph) {
        SerializationCheck c = new SerializationCheck();
        for (Map.Entry<Key, Node> e : graph.nodes().entrySet()) {
            Node n = e.getValue();
            if (n instanceof Task t) c.task(e.getKey(), t, null);
            else if (n instanceof DataNode d) c.value(e.getKey(), d.value(), "value");
        }
    }

    /**
     * Throws {@link SerializationException} when {@code value} cannot be serialized; {@code role}
     * says what the value is in messages ({@code "argument 1 of inc"}, {@code "result"}).
     */
    public static void checkValue(Key key, Object value, String role) {
        new SerializationCheck().value(key, value, role);
    }

    private void task(Key key, Task t, String outer) {
        FnN fn = t.function();
        String name = Fns.name(fn);
        String where = outer == null ? "" : outer + " -> ";
        functionOf(key, fn, where, name);
        for (int i = 0; i < t.argCount(); i++) {
            Object a = t.arg(i);
            if (a instanceof Key) continue;
            if (a instanceof DataNode d) a = d.value();
            else if (a instanceof Task nested) {
                task(key, nested, where + "argument " + i + " of " + name + " (nested task " + Fns.name(nested.function()) + ")");
                continue;
            }
            // the role only for a value that needs a trial: W1's 10,000 int arguments built 10,000 strings
            if (needsTrial(a)) trial(key, a, where + "argument " + i + " of " + name);
        }
    }

    private void functionOf(Key key, FnN fn, String where, String name) {
        Object target = fn.target();
        // thousands of tasks usually share a few functions (one adapter per task, one target)
        if (checked.containsKey(fn)) return;
        if (target != fn && isAdapter(fn) && checked.containsKey(target)) return;
        Failure f = trySerialize(fn);
        if (f == null) {
            checked.put(fn, Boolean.TRUE);
            checked.put(target, Boolean.TRUE);
            return;
        }
        // Search from the user's function (not the adapter) so the path starts at its captured args.
        String path = f.className == null ? null : locate(target, f.className);
        if (path == null && target != fn && f.className != null) path = locate(fn, f.className);
        String role = where + "function " + name;
        String field = path == null ? role : path.isEmpty() ? role : where + path;
        throw failure(key, f, field, "function " + name + " of task " + key + " cannot be sent to another process", fn);
    }

    private void value(Key key, Object v, String role) {
        if (needsTrial(v)) trial(key, v, role);
    }

    /** Whether {@code v} must be serialized on trial: not null, not of a kind that always serializes, not seen yet. */
    private boolean needsTrial(Object v) {
        return v != null && !alwaysSerializable(v) && !checked.containsKey(v) && !plainCollection(v, 0);
    }

    private void trial(Key key, Object v, String role) {
        Failure f = trySerialize(v);
        if (f == null) {
            checked.put(v, Boolean.TRUE);
            return;
        }
        String path = f.className == null ? null : locate(v, f.className);
        String field = path == null || path.isEmpty() ? role : role + " -> " + path;
        throw failure(key, f, field, role + " of task " + key + " cannot be sent to another process", v);
    }

    private static SerializationException failure(Key key, Failure f, String field, String what, Object root) {
        String cls = f.className != null ? f.className : root.getClass().getName();
        String advice;
        if (f.className == null) {
            advice = ": " + f.cause;
        } else if (cls.contains("$$Lambda")) {
            advice = "; it is a lambda typed as a non-serializable interface: declare it as one of org.jdask.fn.Fn0..Fn6 "
                    + "(or a Serializable interface)";
        } else {
            advice = "; make " + simple(cls) + " Serializable, mark the field holding it transient, or create it inside the task";
        }
        return new SerializationException(key, cls, field + " (" + cls + ")", what + advice, f.cause);
    }

    private static boolean alwaysSerializable(Object v) {
        Class<?> c = v.getClass();
        return v instanceof String || v instanceof Number && c.getName().startsWith("java.") || v instanceof Boolean
                || v instanceof Character || v instanceof Key || v instanceof Enum<?>
                || c.isArray() && c.getComponentType().isPrimitive() || hasCodec(v);
    }

    /** JDK collections that serialize whenever their elements do (no views, no wrappers of other collections, no comparators). */
    private static final Set<String> PLAIN_COLLECTIONS = Set.of("java.util.ArrayList", "java.util.LinkedList",
            "java.util.ArrayDeque", "java.util.HashSet", "java.util.LinkedHashSet", "java.util.Arrays$ArrayList",
            "java.util.ImmutableCollections$ListN", "java.util.ImmutableCollections$List12",
            "java.util.ImmutableCollections$SetN", "java.util.ImmutableCollections$Set12");

    /**
     * Whether {@code v} is a plain JDK list or set of values that always serialize (or of such
     * collections): passed without a trial serialization, which for a list of 10,000 futures'
     * keys (W6's {@code submit(sum, futures)}) wrote 10,000 objects through {@code java.io} on
     * every submit (issue 14). Anything else still goes through the trial.
     */
    private static boolean plainCollection(Object v, int depth) {
        if (depth > MAX_DEPTH || !PLAIN_COLLECTIONS.contains(v.getClass().getName())) return false;
        for (Object e : (Collection<?>) v) {
            if (e != null && !alwaysSerializable(e) && !plainCollection(e, depth + 1)) return false;
        }
        return true;
    }

    private record Failure(String className, Exception cause) {}

    /** Types a module's {@link org.jdask.codec.ValueCodec} writes (Tablesaw tables, NDArrays): serializable here. */
    private static final List<Class<?>> CODEC_TYPES = codecTypes();

    private static List<Class<?>> codecTypes() {
        List<Class<?>> types = new ArrayList<>();
        try {
            for (org.jdask.codec.ValueCodec c : java.util.ServiceLoader.load(org.jdask.codec.ValueCodec.class,
                    SerializationCheck.class.getClassLoader())) {
                types.add(c.type());
            }
        } catch (java.util.ServiceConfigurationError e) {
            // the codec layer reports a broken registration itself; checking goes on without it
        }
        return List.copyOf(types);
    }

    private static boolean hasCodec(Object v) {
        for (Class<?> t : CODEC_TYPES) if (t.isInstance(v)) return true;
        return false;
    }

    /** java.io stand-in for the wire codec: values with a ValueCodec are replaced, not walked. */
    private static final class CheckStream extends ObjectOutputStream {
        CheckStream(OutputStream out) throws IOException {
            super(out);
            if (!CODEC_TYPES.isEmpty()) enableReplaceObject(true);
        }

        @Override
        protected Object replaceObject(Object obj) {
            return obj != null && hasCodec(obj) ? "<" + obj.getClass().getName() + " via its ValueCodec>" : obj;
        }
    }

    private static Failure trySerialize(Object v) {
        try (ObjectOutputStream out = new CheckStream(OutputStream.nullOutputStream())) {
            out.writeObject(v);
            return null;
        } catch (NotSerializableException e) {
            return new Failure(e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            return new Failure(null, e);
        }
    }

    // ------------------------------------------------------------------------------ locating

    private record Step(Object value, Step parent, String edge, int depth) {
        String path() {
            List<String> parts = new ArrayList<>();
            for (Step s = this; s != null && s.edge != null; s = s.parent) {
                if (!s.edge.isEmpty()) parts.add(s.edge);
            }
            StringBuilder b = new StringBuilder();
            for (int i = parts.size() - 1; i >= 0; i--) {
                if (b.length() > 0) b.append(" -> ");
                b.append(parts.get(i));
            }
            return b.toString();
        }
    }

    /**
     * The path from {@code root} to an instance of class {@code className} ("" when root itself
     * is one), or null when the bounded walk does not find one.
     */
    static String locate(Object root, String className) {
        IdentityHashMap<Object, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Step> queue = new ArrayDeque<>();
        queue.add(new Step(root, null, null, 0));
        seen.put(root, Boolean.TRUE);
        while (!queue.isEmpty() && seen.size() <= MAX_VISITED) {
            Step s = queue.poll();
            Object o = s.value;
            if (o.getClass().getName().equals(className)) return s.path();
            if (s.depth >= MAX_DEPTH) continue;
            for (Step child : children(s)) {
                if (child.value != null && seen.put(child.value, Boolean.TRUE) == null) queue.add(child);
            }
        }
        return null;
    }

    private static List<Step> children(Step s) {
        Object o = s.value;
        int d = s.depth + 1;
        List<Step> out = new ArrayList<>();
        if (alwaysSerializable(o)) return out;
        SerializedLambda sl = Fns.serializedLambda(o);
        if (sl != null) {
            String fn = Fns.name(o) + " in " + simple(sl.getImplClass());
            for (int i = 0; i < sl.getCapturedArgCount(); i++) {
                out.add(new Step(sl.getCapturedArg(i), s, "captured arg " + i + " of " + fn, d));
            }
            return out;
        }
        if (o instanceof FnN f && f.target() != f && isAdapter(f)) {
            out.add(new Step(f.target(), s, "", d)); // an adapter: look through it
            return out;
        }
        if (o instanceof Object[] arr) {
            for (int i = 0; i < arr.length; i++) out.add(new Step(arr[i], s, "element " + i, d));
            return out;
        }
        if (o instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.add(new Step(e.getKey(), s, "key " + label(e.getKey()), d));
                out.add(new Step(e.getValue(), s, "value for key " + label(e.getKey()), d));
            }
            return out;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object x : c) out.add(new Step(x, s, "element " + i++, d));
            return out;
        }
        for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                int mod = f.getModifiers();
                if (Modifier.isStatic(mod) || Modifier.isTransient(mod) || f.getType().isPrimitive()) continue;
                if (!f.trySetAccessible()) continue;
                try {
                    out.add(new Step(f.get(o), s, "field '" + f.getName() + "'", d));
                } catch (IllegalAccessException | RuntimeException e) {
                    // unreadable (a JDK internal): skip it, the walk reports "not located" at worst
                }
            }
        }
        return out;
    }

    /** One of the {@link Fns#of} adapters, which hold nothing but the user's function. */
    private static boolean isAdapter(FnN f) {
        return f.getClass().getEnclosingClass() == Fns.class;
    }

    private static String label(Object k) {
        String s = Task.describe(k);
        return s.length() > 30 ? s.substring(0, 27) + "..." : s;
    }

    private static String simple(String name) {
        int i = Math.max(Math.max(name.lastIndexOf('/'), name.lastIndexOf('.')), name.lastIndexOf('$'));
        return i < 0 ? name : name.substring(i + 1);
    }
}

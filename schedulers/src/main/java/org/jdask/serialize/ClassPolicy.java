package org.jdask.serialize;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import org.jdask.codec.ValueCodec;
import org.jdask.Config;
import org.jdask.SerializationException;

/** The deserialization allow-list described in {@link Codecs}; one instance per process. */
final class ClassPolicy {
    static final String CONFIG_KEY = "serialization.allowed-packages";

    /** Always allowed: JDK value types and collections, and jdask itself. */
    private static final List<String> BUILT_IN = List.of(
            "java.lang.", "java.util.", "java.time.", "java.math.", "org.jdask.");

    /** Never allowed even though under an allowed prefix: reflection, class loading, processes. */
    private static final List<String> DENIED = List.of(
            "java.lang.reflect.", "java.lang.ProcessBuilder", "java.lang.Runtime", "java.lang.Thread",
            "java.lang.ClassLoader", "java.lang.System", "java.lang.invoke.MethodHandle",
            "java.util.concurrent.Executor", "java.util.ServiceLoader");

    private final Set<String> added = new CopyOnWriteArraySet<>();
    /** Exact class names a {@link ValueCodec} writes and reads itself. */
    private final Set<String> exact = new CopyOnWriteArraySet<>();

    void allowExact(Class<?> type) {
        exact.add(type.getName());
    }

    /** The prefixes added with {@link #allow}, in no particular order. */
    List<String> added() {
        return List.copyOf(added);
    }

    void allow(String packagePrefix) {
        added.add(normalise(packagePrefix));
    }

    private static String normalise(String p) {
        if (p == null || p.isBlank()) throw new IllegalArgumentException("allowed package prefix must not be empty");
        p = p.trim();
        return p.endsWith(".") || Character.isUpperCase(p.charAt(p.lastIndexOf('.') + 1)) ? p : p + ".";
    }

    boolean allowed(String className) {
        String n = elementName(className);
        if (n.length() <= 1 && !n.isEmpty() && "ZBCSIJFD".contains(n)) return true; // primitive array
        if (n.equals("java.lang.invoke.SerializedLambda") || exact.contains(n)) return true;
        for (String d : DENIED) if (n.startsWith(d)) return false;
        for (String p : BUILT_IN) if (n.startsWith(p)) return true;
        for (String p : added) if (n.startsWith(p)) return true;
        for (String p : configured()) if (n.startsWith(p)) return true;
        return false;
    }

    /** Throws the policy error for {@code className} when it is not allowed. */
    void check(String className) {
        if (!allowed(className)) throw refused(className);
    }

    static SerializationException refused(String className) {
        return new SerializationException(null, className, null,
                "class " + className + " is not allowed by the jdask deserialization policy; allow its package with "
                        + "Codecs.allow(\"" + packageOf(className) + "\") or config key '" + CONFIG_KEY + "'",
                null);
    }

    private static String elementName(String n) {
        int i = 0;
        while (i < n.length() && n.charAt(i) == '[') i++;
        if (i > 0 && n.length() > i && n.charAt(i) == 'L' && n.endsWith(";")) return n.substring(i + 1, n.length() - 1);
        return i > 0 ? n.substring(i) : n;
    }

    private static String packageOf(String n) {
        n = elementName(n);
        int i = n.lastIndexOf('.');
        return i < 0 ? n : n.substring(0, i);
    }

    private static List<String> configured() {
        Object v = Config.get(CONFIG_KEY);
        if (v == null) return List.of();
        if (v instanceof Collection<?> c) return c.stream().map(o -> normalise(String.valueOf(o))).toList();
        String s = v.toString().trim();
        if (s.startsWith("[") && s.endsWith("]")) s = s.substring(1, s.length() - 1);
        return s.isBlank() ? List.of() : java.util.Arrays.stream(s.split(",")).map(ClassPolicy::normalise).toList();
    }
}

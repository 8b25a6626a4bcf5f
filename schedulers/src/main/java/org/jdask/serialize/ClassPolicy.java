package org.jdask.serialize;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import org.jdask.codec.ValueCodec;
import org.jdask.Config;
import org.jdask.SerializationException;

/**
 * The deserialization policy described in {@link Codecs}; one instance per process. A class passes
 * when it is on the allow-list (built in, {@link #allow}, config), when it is a JDK exception, or
 * when it comes from the application's own class path (see {@link #fromClassPath}).
 */
final class ClassPolicy {
    static final String CONFIG_KEY = "serialization.allowed-packages";
    /** Config key: trust classes of the application class path (and shipped client code); default true. */
    static final String TRUST_KEY = "serialization.trust-classpath";
    /** Prefixes of JDK modules: never trusted for coming from a class path. */
    private static final List<String> JDK = List.of("java.", "javax.", "jdk.", "sun.", "com.sun.", "org.w3c.", "org.xml.", "org.ietf.");

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
        return allowed(className, Codecs.currentLoader());
    }

    /** Whether {@code className}, as resolved through {@code loader}, may be deserialized. */
    boolean allowed(String className, ClassLoader loader) {
        String n = realName(elementName(className));
        if (n.length() <= 1 && !n.isEmpty() && "ZBCSIJFD".contains(n)) return true; // primitive array
        if (n.equals("java.lang.invoke.SerializedLambda") || exact.contains(n)) return true;
        if (n.startsWith("java.")) { // JDK exceptions (java.io.IOException, java.lang.RuntimeException, ...) are plain values
            Class<?> c = load(n, loader);
            if (c != null && Throwable.class.isAssignableFrom(c) && isJdk(c)) return true;
        }
        for (String d : DENIED) if (n.startsWith(d)) return false;
        for (String p : BUILT_IN) if (n.startsWith(p)) return true;
        for (String p : added) if (n.startsWith(p)) return true;
        for (String p : configured()) if (n.startsWith(p)) return true;
        Class<?> c = load(n, loader);
        // encoding an object of a class no loader of this thread finds by name (a worker sending a value of a
        // client's shipped class, a program's own class loader): it is this JVM's code, not bytes from outside
        if (c == null) return ForyCodec.ENCODING.get() != null && Config.getBoolean(TRUST_KEY, true);
        return fromClassPath(c);
    }

    /**
     * Whether {@code c} comes from the application's own class path or from code a client shipped
     * (any class loader but the JDK's boot and platform loaders), outside the JDK's packages, with
     * {@code serialization.trust-classpath} on (the default). Those classes are the user's own
     * code: the bytes naming them come from this JVM, its parent ({@code processes}) or an
     * authenticated client, so the allow-list is not asked to list them.
     */
    private static boolean fromClassPath(Class<?> c) {
        if (isJdk(c) || !Config.getBoolean(TRUST_KEY, true)) return false;
        for (String p : JDK) if (c.getName().startsWith(p)) return false;
        return true;
    }

    private static boolean isJdk(Class<?> c) {
        ClassLoader l = c.getClassLoader();
        return l == null || l == ClassLoader.getPlatformClassLoader();
    }

    /** The class named {@code n} as {@code loader} finds it, not initialized; null if it is not there. */
    private static Class<?> load(String n, ClassLoader loader) {
        try {
            return Class.forName(n, false, loader);
        } catch (ClassNotFoundException | LinkageError | SecurityException e) {
            return null;
        }
    }

    /** Throws the policy error for {@code className} when it is not allowed. */
    void check(String className) {
        if (!allowed(className)) throw refused(className);
    }

    /** Throws the policy error for {@code className}, resolved through {@code loader}, when it is not allowed. */
    void check(String className, ClassLoader loader) {
        if (!allowed(className, loader)) throw refused(className);
    }

    static SerializationException refused(String className) {
        String n = realName(elementName(className));
        String pkg = packageOf(n);
        String advice = pkg.equals(n)
                ? "class " + n + " is in the default package; allow it by name with Codecs.allow(\"" + n + "\") or config key '"
                        + CONFIG_KEY + "', or move it into a package"
                : "allow its package with Codecs.allow(\"" + pkg + "\") or config key '" + CONFIG_KEY + "'";
        return new SerializationException(null, n, null,
                "class " + n + " is not allowed by the jdask deserialization policy (it is not on this JVM's class path, "
                        + "or it is a JDK class outside the allowed set, or config '" + TRUST_KEY + "' is false); " + advice,
                null);
    }

    /**
     * The class a user wrote for a generated one: {@code Dash$$Lambda$92/0x00007f...} (a hidden
     * lambda class, which no class loader finds by name) is a lambda written in {@code Dash}.
     */
    static String realName(String n) {
        int i = n.indexOf("$$Lambda");
        if (i > 0) return n.substring(0, i);
        int slash = n.indexOf('/'); // other hidden classes: Name/0x...
        return slash > 0 ? n.substring(0, slash) : n;
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

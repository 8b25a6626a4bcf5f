package org.jdask.distributed;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jdask.Config;

/**
 * Jars a site installs on its workers beforehand ({@code jdask worker --classpath A.jar:libs/*},
 * config {@code distributed.worker.classpath}, environment {@code JDASK_CLASSPATH}): worker JVMs a
 * nanny starts get them on their {@code -cp}; workers running in the launcher's own JVM
 * ({@code --no-nanny}) load them through {@link #loader()}. A {@code dir/*} entry means every jar
 * in {@code dir}, as with {@code java -cp}.
 */
public final class SiteClasspath {
    static final String CONFIG_KEY = "distributed.worker.classpath";
    static final String ENV = "JDASK_CLASSPATH";
    private static volatile ClassLoader loader;

    private SiteClasspath() {}

    /** The configured entries, config first, then the environment; wildcards expanded; missing files refused. */
    static List<String> entries() {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        add(Config.getString(CONFIG_KEY, null), "config " + CONFIG_KEY + " (jdask worker --classpath)", out);
        add(System.getenv(ENV), "environment variable " + ENV, out);
        return List.copyOf(out);
    }

    /** The entries of {@code spec} ({@code origin} names it in errors): wildcards expanded, missing files refused. */
    public static List<String> parse(String spec, String origin) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        add(spec, origin, out);
        return List.copyOf(out);
    }

    private static void add(String spec, String origin, Set<String> out) {
        if (spec == null || spec.isBlank()) return;
        for (String e : spec.split(File.pathSeparator)) {
            if (e.isBlank()) continue;
            if (e.endsWith("/*") || e.equals("*")) {
                File dir = new File(e.length() == 1 ? "." : e.substring(0, e.length() - 2));
                File[] jars = dir.listFiles((d, n) -> n.endsWith(".jar") || n.endsWith(".JAR"));
                if (jars == null) throw new IllegalArgumentException(origin + ": " + dir + " is not a directory (entry '" + e + "')");
                java.util.Arrays.sort(jars);
                for (File j : jars) out.add(j.getAbsolutePath());
                continue;
            }
            File f = new File(e);
            if (!f.exists()) throw new IllegalArgumentException(origin + ": " + e + " does not exist");
            out.add(f.getAbsolutePath());
        }
    }

    /** {@code classpath} with the site entries appended, for a worker JVM's {@code -cp}. */
    static String append(String classpath) {
        List<String> extra = entries();
        if (extra.isEmpty()) return classpath;
        List<String> all = new ArrayList<>(List.of(classpath.split(File.pathSeparator)));
        for (String e : extra) if (!all.contains(e)) all.add(e);
        return String.join(File.pathSeparator, all);
    }

    /**
     * The loader of this JVM's classes plus the site entries not already on its class path (the
     * application loader itself when there are none).
     */
    static ClassLoader loader() {
        ClassLoader l = loader;
        if (l != null) return l;
        synchronized (SiteClasspath.class) {
            if (loader != null) return loader;
            List<String> onPath = List.of(System.getProperty("java.class.path", "").split(File.pathSeparator));
            List<URL> urls = new ArrayList<>();
            for (String e : entries()) {
                if (onPath.contains(e)) continue;
                try {
                    urls.add(new File(e).toURI().toURL());
                } catch (MalformedURLException bad) {
                    throw new IllegalArgumentException("class path entry " + e + ": " + bad.getMessage(), bad);
                }
            }
            ClassLoader app = SiteClasspath.class.getClassLoader();
            loader = urls.isEmpty() ? app : new URLClassLoader("jdask-site", urls.toArray(new URL[0]), app);
            return loader;
        }
    }
}

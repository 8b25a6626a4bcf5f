package org.jdask.serialize;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application class path of this JVM, as a child JVM (a {@code processes} worker) or a
 * worker fetching a client's code needs it: {@code java.class.path} with every manifest {@code
 * Class-Path} expanded (under Maven Surefire {@code java.class.path} may be a manifest-only
 * booter jar), plus the {@code file:} entries of the context {@code URLClassLoader} chain (Surefire's
 * {@code useSystemClassLoader=false}, or a program that loads user jars in a class loader of its
 * own); absolute, de-duplicated, in order.
 */
public final class ClassPath {
    private static final Logger LOG = LoggerFactory.getLogger(ClassPath.class);

    private ClassPath() {}

    /** The entries, in order. */
    public static List<File> entries() {
        return entries(Thread.currentThread().getContextClassLoader());
    }

    /** The entries, with those of {@code context}'s URLClassLoader chain. */
    public static List<File> entries(ClassLoader context) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (e.isEmpty()) continue;
            out.add(new File(e).getAbsolutePath());
            if (e.endsWith(".jar")) expandManifest(new File(e), out);
        }
        List<String> fromLoaders = new ArrayList<>();
        for (ClassLoader l = context; l != null; l = l.getParent()) {
            if (!(l instanceof URLClassLoader u)) continue;
            List<String> mine = new ArrayList<>();
            for (URL url : u.getURLs()) {
                if (!"file".equals(url.getProtocol())) continue;
                try {
                    mine.add(new File(url.toURI()).getAbsolutePath());
                } catch (URISyntaxException | IllegalArgumentException bad) {
                    LOG.debug("ignoring class loader entry {}", url, bad);
                }
            }
            fromLoaders.addAll(0, mine); // parents first, as class loading looks there first
        }
        out.addAll(fromLoaders);
        List<File> files = new ArrayList<>();
        for (String s : out) files.add(new File(s));
        return files;
    }

    /** {@link #entries()} joined with the path separator, for a {@code -cp} argument. */
    public static String asString() {
        List<String> s = new ArrayList<>();
        for (File f : entries()) s.add(f.getPath());
        return String.join(File.pathSeparator, s);
    }

    private static void expandManifest(File jar, LinkedHashSet<String> out) {
        if (!jar.isFile()) return;
        try (JarFile j = new JarFile(jar)) {
            Manifest m = j.getManifest();
            String cp = m == null ? null : m.getMainAttributes().getValue("Class-Path");
            if (cp == null || cp.isBlank()) return;
            URI base = jar.getAbsoluteFile().getParentFile().toURI();
            for (String part : cp.trim().split("\\s+")) {
                try {
                    URI u = base.resolve(part);
                    if ("file".equals(u.getScheme())) out.add(new File(u).getAbsolutePath());
                } catch (IllegalArgumentException bad) {
                    LOG.debug("ignoring Class-Path entry {} of {}", part, jar, bad);
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot read the manifest of {}", jar, e);
        }
    }
}

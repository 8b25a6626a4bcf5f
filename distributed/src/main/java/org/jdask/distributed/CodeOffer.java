package org.jdask.distributed;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.jdask.serialize.ClassPath;

/**
 * What a client offers worker JVMs of its code (issue 16): its application class path (each jar
 * by the SHA-256 of its content; each class directory packed into a jar with fixed timestamps, so
 * the same classes give the same hash), the jars added with {@link Client#uploadJar}, and classes
 * defined in memory (JShell cells), looked up by name through the client's class loaders.
 *
 * <p>The manifest is cheap (entry names and the packages they hold, read from zip directories);
 * hashes and packed jars are made on first request. jdask's own module jars and directories, and
 * JDK or jdask classes, are never offered: a worker has them.
 */
final class CodeOffer {
    /** One class path entry: a jar or a directory, and the packages with classes in it ("" = default package). */
    private static final class Entry {
        final File file;
        final List<String> packages;
        String hash; // SHA-256 hex, made on first request
        byte[] packed; // a directory's jar (kept: the hash names these bytes)

        Entry(File file, List<String> packages) {
            this.file = file;
            this.packages = packages;
        }
    }

    private final List<ClassLoader> loaders;
    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, Entry> byHash = new HashMap<>();
    private volatile int version;
    private boolean scanned;

    /** An offer of this JVM's class path, and classes defined in {@code loaders} (e.g. JShell's). */
    CodeOffer(List<ClassLoader> loaders) {
        this.loaders = List.copyOf(loaders);
    }

    /** Bumped by {@link #add}: a worker with an older manifest asks again before giving up on a class. */
    int version() {
        return version;
    }

    /** Adds a jar ({@link Client#uploadJar}): offered from now on, after the class path. */
    synchronized void add(Path jar) {
        if (!Files.isRegularFile(jar)) throw new IllegalArgumentException("uploadJar: " + jar + " is not a file");
        List<String> pk = packages(jar.toFile());
        scan();
        entries.add(new Entry(jar.toAbsolutePath().toFile(), pk));
        version++;
    }

    /**
     * The manifest: one line per entry, {@code INDEX TAB NAME TAB PACKAGE,PACKAGE,...} (the default
     * package as {@code -}); the first line is the version.
     */
    synchronized String manifest() {
        scan();
        StringBuilder b = new StringBuilder().append(version).append('\n');
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            b.append(i).append('\t').append(e.file.getName()).append('\t');
            List<String> p = new ArrayList<>();
            for (String s : e.packages) p.add(s.isEmpty() ? "-" : s);
            b.append(String.join(",", p)).append('\n');
        }
        return b.toString();
    }

    /** The SHA-256 of entry {@code index} (packing a directory first). */
    synchronized String hash(int index) throws IOException {
        scan();
        if (index < 0 || index >= entries.size()) throw new IOException("no class path entry " + index + " (offer has " + entries.size() + ")");
        Entry e = entries.get(index);
        if (e.hash == null) {
            byte[] b = e.file.isDirectory() ? pack(e.file.toPath()) : null;
            e.hash = b != null ? sha256(b) : sha256(e.file.toPath());
            e.packed = b;
            byHash.put(e.hash, e);
        }
        return e.hash;
    }

    /**
     * The bytes of the entry whose hash is {@code hash} (asked for by {@link #hash} first); a jar is
     * read outside the offer's lock, so a large one delays no other request.
     */
    byte[] bytes(String hash) throws IOException {
        Entry e;
        byte[] packed;
        synchronized (this) {
            e = byHash.get(hash);
            if (e == null) throw new IOException("no offered jar has hash " + hash);
            packed = e.packed;
        }
        return packed != null ? packed : Files.readAllBytes(e.file.toPath());
    }

    /** Class file bytes of {@code name} from the client's class loaders (in-memory classes), or null. */
    byte[] classBytes(String name) throws IOException {
        if (!shippable(name)) return null;
        String res = name.replace('.', '/') + ".class";
        for (ClassLoader l : loaders) {
            try (InputStream in = l.getResourceAsStream(res)) {
                if (in != null) return in.readAllBytes();
            }
        }
        return null;
    }

    /** Whether a class of this name may ever be shipped: not the JDK's, not jdask's own. */
    static boolean shippable(String className) {
        for (String p : List.of("java.", "javax.", "jdk.", "sun.", "com.sun.", "org.jdask.")) if (className.startsWith(p)) return false;
        return true;
    }

    private void scan() {
        if (scanned) return;
        scanned = true;
        for (File f : ClassPath.entries(loaders.isEmpty() ? null : loaders.get(0))) {
            if (!f.exists()) continue;
            List<String> pk = packages(f);
            if (pk.isEmpty() || pk.stream().allMatch(p -> p.startsWith("org.jdask"))) continue; // jdask's own modules
            entries.add(new Entry(f, pk));
        }
    }

    /** Packages with at least one class in {@code f} (a jar or a directory), sorted. */
    static List<String> packages(File f) {
        TreeSet<String> out = new TreeSet<>();
        try {
            if (f.isDirectory()) {
                Path root = f.toPath();
                try (Stream<Path> s = Files.walk(root)) {
                    s.map(p -> root.relativize(p).toString().replace(File.separatorChar, '/')).filter(CodeOffer::isClass)
                            .forEach(n -> out.add(packageOf(n)));
                }
            } else if (f.getName().endsWith(".jar")) {
                try (JarFile j = new JarFile(f)) {
                    for (Enumeration<JarEntry> en = j.entries(); en.hasMoreElements(); ) {
                        String n = en.nextElement().getName();
                        if (isClass(n)) out.add(packageOf(n));
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            return List.of(); // unreadable: not offered
        }
        return List.copyOf(out);
    }

    /** A class file that holds a class (not a module or package descriptor, not a versioned copy under META-INF). */
    private static boolean isClass(String path) {
        return path.endsWith(".class") && !path.startsWith("META-INF/") && !path.endsWith("module-info.class")
                && !path.endsWith("package-info.class");
    }

    private static String packageOf(String classFile) {
        int i = classFile.lastIndexOf('/');
        return i < 0 ? "" : classFile.substring(0, i).replace('/', '.');
    }

    /** A directory as a jar: entries sorted, fixed timestamps, so equal content gives equal bytes. */
    static byte[] pack(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(bytes)) {
            for (Path p : files) {
                JarEntry e = new JarEntry(dir.relativize(p).toString().replace(File.separatorChar, '/'));
                e.setTime(0);
                out.putNextEntry(e);
                Files.copy(p, out);
                out.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    static String sha256(byte[] b) {
        return HexFormat.of().formatHex(digest().digest(b));
    }

    static String sha256(Path file) throws IOException {
        MessageDigest d = digest();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) d.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(d.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}

package org.jdask.graph.cds;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.jdask.graph.JavaCommand;
import org.jdask.graph.JvmFlags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The class-data-sharing (AppCDS) archive worker JVMs and the {@code jdask} launcher start from:
 * one archive per class path and JDK, in a per-user cache directory, built once in the background
 * and reused by every later JVM with that class path.
 *
 * <h2>Where it lives</h2>
 * {@code <dir>/<key>.jsa}, where {@code dir} is system property {@code jdask.cds.dir}, else
 * environment variable {@code JDASK_CDS_DIR}, else {@code $XDG_CACHE_HOME/jdask/cds}, else {@code
 * ~/.cache/jdask/cds}; {@code key} is the first 20 hex digits of SHA-256 over the class path string,
 * a newline and {@code java.home} (the {@code jdask} script computes the same key in bash). Beside
 * it: {@code <key>.properties} (archive size and CRC32C, the JDK's {@code java.vm.version}, and size
 * and modification time of every class path entry), {@code <key>.log} (the build's output), {@code
 * <key>.lock} while a build runs and {@code <key>.failed} when one failed (not retried until a class
 * path entry changes).
 *
 * <h2>How it is built</h2>
 * JDK 17 has no {@code -XX:+AutoCreateSharedArchive} (JDK 19+), so the first JVM that wants an
 * archive that does not exist starts {@link CdsBuild} in the background (detached: it finishes even
 * if the program exits at once) and starts its workers without one; the builder records a training
 * JVM ({@link CdsTraining}: every {@link CdsWarmup} on the class path runs the real worker start-up
 * in process) with {@code -XX:ArchiveClassesAtExit}, checks the result with {@code -Xshare:on}, and
 * moves it into place atomically. Later JVMs use it.
 *
 * <h2>Falling back</h2>
 * No archive is used (and the JVM starts as before) when {@code jdask.cds} / {@code JDASK_CDS} is
 * {@code off}; when the class path holds a directory (the JVM can archive classes only from jars:
 * {@code target/classes} in an IDE or under Maven tests); while the archive is missing or being
 * built; when a class path entry or the JDK changed since it was built (stale: deleted and rebuilt);
 * and when its size or CRC32C differ from the record (corrupt: deleted and rebuilt; a truncated
 * archive would crash the JVM with SIGBUS, so it is never passed on unchecked). {@code -Xlog:cds*=off}
 * keeps the JVM silent if it still refuses the archive (e.g. a JDK without a base archive).
 */
public final class CdsArchive {
    private static final Logger LOG = LoggerFactory.getLogger(CdsArchive.class);
    /** System property ({@code off} disables); environment variable {@link #ENV}. */
    public static final String PROPERTY = "jdask.cds";
    public static final String ENV = "JDASK_CDS";
    public static final String DIR_PROPERTY = "jdask.cds.dir";
    public static final String DIR_ENV = "JDASK_CDS_DIR";
    /** A lock older than this is left over from a builder that died (a build may take two child timeouts, 2 x 10 min). */
    static final long LOCK_STALE_MS = TimeUnit.MINUTES.toMillis(30);

    /** Where an archive stands for a class path. */
    public enum State {
        /** {@code jdask.cds=off}. */
        DISABLED,
        /** The class path holds a directory (or is empty): the JVM archives classes from jars only. */
        UNSUPPORTED,
        /** Present, checked: used. */
        READY,
        /** Not built yet. */
        MISSING,
        /** A builder holds the lock. */
        BUILDING,
        /** A class path entry or the JDK changed since it was built. */
        STALE,
        /** Its size or CRC32C does not match the record. */
        CORRUPT,
        /** The last build failed (see {@code <key>.log}); retried once a class path entry changes. */
        FAILED
    }

    private static volatile CdsArchive shared;

    private final Path dir;
    private final Set<String> buildsStarted = ConcurrentHashMap.newKeySet();
    /** Archives whose CRC was checked in this JVM: path -> size and mtime at the check. */
    private final Map<Path, String> checked = new ConcurrentHashMap<>();

    public CdsArchive(Path dir) {
        this.dir = dir;
    }

    /** The archives in the default directory (see the class comment). */
    public static CdsArchive shared() {
        CdsArchive a = shared;
        if (a == null) {
            a = new CdsArchive(defaultDirectory());
            shared = a;
        }
        return a;
    }

    /** False when system property {@code jdask.cds} or environment variable {@code JDASK_CDS} says off/false/0/no. */
    public static boolean enabled() {
        String v = System.getProperty(PROPERTY, System.getenv(ENV));
        if (v == null) return true;
        String s = v.strip().toLowerCase(Locale.ROOT);
        return !(s.equals("off") || s.equals("false") || s.equals("0") || s.equals("no"));
    }

    static Path defaultDirectory() {
        String d = System.getProperty(DIR_PROPERTY, System.getenv(DIR_ENV));
        if (d != null && !d.isBlank()) return Path.of(d);
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("jdask").resolve("cds");
    }

    public Path directory() {
        return dir;
    }

    /**
     * The CDS flags for a child JVM started with {@code classpath} (put them after {@link
     * JvmFlags#get()}): the archive and {@code -Xlog:cds*=off} when a checked archive exists, else
     * none, and then a background build is started (once per class path in this JVM) unless one
     * runs or failed.
     */
    public List<String> flags(String classpath) {
        State s;
        try {
            s = state(classpath);
        } catch (RuntimeException e) {
            LOG.debug("CDS archive for this class path not usable: {}", e.toString());
            return List.of();
        }
        switch (s) {
            case READY:
                return List.of("-XX:SharedArchiveFile=" + archive(classpath), "-Xshare:auto", "-Xlog:cds*=off");
            case STALE, CORRUPT:
                LOG.info("CDS archive {} is {}: deleting it and building a new one in the background", archive(classpath),
                        s.name().toLowerCase(Locale.ROOT));
                delete(classpath);
                buildsStarted.remove(key(classpath)); // this one may be rebuilt even if this JVM built it before
                build(classpath);
                return List.of();
            case MISSING:
                build(classpath);
                return List.of();
            default:
                return List.of();
        }
    }

    /** The archive file for {@code classpath} (it may not exist). */
    public Path archive(String classpath) {
        return dir.resolve(key(classpath) + ".jsa");
    }

    Path file(String classpath, String suffix) {
        return dir.resolve(key(classpath) + suffix);
    }

    /** The archive's key: SHA-256 of class path, newline, {@code java.home}; 20 hex digits. */
    public static String key(String classpath) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256")
                    .digest((classpath + "\n" + System.getProperty("java.home")).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JDK", e);
        }
    }

    /** Where the archive for {@code classpath} stands (reads the record; checks the CRC once per JVM). */
    public State state(String classpath) {
        if (!enabled()) return State.DISABLED;
        List<Path> entries = entries(classpath);
        if (entries.isEmpty()) return State.UNSUPPORTED;
        for (Path e : entries) if (Files.isDirectory(e)) return State.UNSUPPORTED;
        Path jsa = archive(classpath);
        Path props = file(classpath, ".properties");
        Path failed = file(classpath, ".failed");
        if (Files.exists(failed) && mtime(failed) >= newest(entries)) return State.FAILED;
        if (!Files.isRegularFile(jsa) || !Files.isRegularFile(props)) {
            Path lock = file(classpath, ".lock");
            return lockHeld(lock) ? State.BUILDING : State.MISSING;
        }
        Properties p = load(props);
        if (!System.getProperty("java.vm.version").equals(p.getProperty("jdk"))) return State.STALE;
        if (!entriesRecord(entries).equals(p.getProperty("entries"))) return State.STALE;
        long size = size(jsa);
        if (!String.valueOf(size).equals(p.getProperty("size"))) return State.CORRUPT;
        String stamp = size + ":" + mtime(jsa);
        // one check at a time: a cluster's start-up asks from two threads at once (ClusterPrestart and the spawn), and
        // the second then waits for the first's CRC instead of reading the ~17 MB a second time beside it
        synchronized (checked) {
            if (!stamp.equals(checked.get(jsa))) {
                if (!crc32c(jsa).equals(p.getProperty("crc32c"))) return State.CORRUPT;
                checked.put(jsa, stamp);
            }
        }
        return State.READY;
    }

    /**
     * Starts {@link CdsBuild} for {@code classpath} in a detached background JVM (once per class
     * path in this JVM; the builder itself skips the work when another holds the lock).
     */
    public void build(String classpath) {
        String key = key(classpath);
        if (!buildsStarted.add(key)) return;
        try {
            Files.createDirectories(dir);
            Path args = dir.resolve(key + ".args");
            writeAtomically(args, classpathArgfile(classpath).getBytes(StandardCharsets.UTF_8));
            List<String> cmd = JavaCommand.of(JvmFlags.get());
            cmd.add("-D" + DIR_PROPERTY + "=" + dir);
            cmd.add("@" + args);
            cmd.add(CdsBuild.class.getName());
            Path log = dir.resolve(key + ".log");
            new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File(nullDevice()))).start();
            LOG.info("building the CDS archive for worker JVMs in the background: {} (log {})", dir.resolve(key + ".jsa"), log);
        } catch (IOException | RuntimeException e) {
            LOG.info("cannot start building a CDS archive in {} ({}); worker JVMs start without one", dir, e.toString());
        }
    }

    /** Deletes the archive and its record (a stale or corrupt one). */
    void delete(String classpath) {
        for (String suffix : List.of(".jsa", ".properties")) {
            try {
                Files.deleteIfExists(file(classpath, suffix));
            } catch (IOException ignored) {
                // the builder's atomic move replaces it anyway
            }
        }
        checked.remove(archive(classpath));
    }

    /** Writes the record of a freshly built archive (by {@link CdsBuild}, after the archive moved into place). */
    void record(String classpath, Path jsa) throws IOException {
        Properties p = new Properties();
        p.setProperty("size", String.valueOf(size(jsa)));
        p.setProperty("crc32c", crc32c(jsa));
        p.setProperty("jdk", System.getProperty("java.vm.version"));
        p.setProperty("entries", entriesRecord(entries(classpath)));
        p.setProperty("classpath", classpath);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        p.store(b, "jdask CDS archive record (see org.jdask.graph.cds.CdsArchive)");
        writeAtomically(file(classpath, ".properties"), b.toByteArray());
    }

    static String classpathArgfile(String classpath) {
        return "-cp\n\"" + classpath.replace("\\", "\\\\") + "\"\n";
    }

    static String nullDevice() {
        return File.separatorChar == '\\' ? "NUL" : "/dev/null";
    }

    static List<Path> entries(String classpath) {
        List<Path> out = new ArrayList<>();
        for (String s : classpath.split(File.pathSeparator)) if (!s.isBlank()) out.add(Path.of(s));
        return out;
    }

    /** Size and modification time of every entry, one line each (what the JVM itself compares for jars). */
    static String entriesRecord(List<Path> entries) {
        StringBuilder b = new StringBuilder();
        for (Path e : entries) b.append(e).append('|').append(Files.exists(e) ? size(e) + "|" + mtime(e) : "absent").append(';');
        return b.toString();
    }

    private static long newest(List<Path> entries) {
        long m = 0;
        for (Path e : entries) if (Files.exists(e)) m = Math.max(m, mtime(e));
        return m;
    }

    /** What a builder writes into its lock file: its pid and host, so a lock of a dead builder on this host is seen at once. */
    static String lockOwner() {
        return ProcessHandle.current().pid() + " " + host() + "\n";
    }

    /**
     * Whether a live builder holds {@code lock}: the file exists, is younger than {@link #LOCK_STALE_MS}, and
     * does not name a process of this host that is gone (a builder killed mid-build left it; the cache
     * directory may be shared between hosts, so another host's pid is trusted until the lock is stale).
     */
    static boolean lockHeld(Path lock) {
        if (!Files.exists(lock) || System.currentTimeMillis() - mtime(lock) >= LOCK_STALE_MS) return false;
        try {
            String[] owner = Files.readString(lock, StandardCharsets.UTF_8).trim().split(" ");
            if (owner.length == 2 && owner[1].equals(host())) return ProcessHandle.of(Long.parseLong(owner[0])).isPresent();
        } catch (IOException | NumberFormatException e) {
            // being written or not ours to read: trust its age
        }
        return true;
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    static long mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }

    static String crc32c(Path p) {
        CRC32C crc = new CRC32C();
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            long size = ch.size();
            for (long pos = 0; pos < size; pos += Integer.MAX_VALUE) {
                MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, pos, Math.min(Integer.MAX_VALUE, size - pos));
                crc.update(m);
            }
        } catch (IOException e) {
            return "unreadable: " + e;
        }
        return Long.toHexString(crc.getValue());
    }

    private static Properties load(Path props) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(props)) {
            p.load(in);
        } catch (IOException e) {
            // an unreadable record reads as empty: the archive counts as stale and is rebuilt
        }
        return p;
    }

    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try (OutputStream out = Files.newOutputStream(tmp)) {
            out.write(bytes);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}

package org.jdask.graph.cds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.jdask.graph.JavaCommand;
import org.jdask.graph.JvmFlags;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The real thing: a jar class path (graph's classes and slf4j-api; the JVM archives classes only
 * from jars), a real background build, real child JVMs started from the archive, a truncated and a
 * stale archive that must not reach a JVM (a truncated one crashes it with SIGBUS).
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CdsArchiveTest {
    @TempDir
    static Path tmp;
    static Path jar;
    static String classpath;
    static CdsArchive cds;

    @BeforeAll
    static void jarClassPath() throws Exception {
        jar = tmp.resolve("graph.jar");
        writeJar(jar, location(CdsArchive.class), null);
        classpath = jar + File.pathSeparator + location(LoggerFactory.class);
        cds = new CdsArchive(tmp.resolve("cds"));
    }

    @Test
    @Order(0)
    void aLockOfADeadBuilderOnThisHostIsNotHeld(@TempDir Path dir) throws Exception {
        Path lock = dir.resolve("k.lock");
        assertFalse(CdsArchive.lockHeld(lock), "no lock file");
        Files.writeString(lock, CdsArchive.lockOwner());
        assertTrue(CdsArchive.lockHeld(lock), "this JVM's own lock");
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String host = CdsArchive.lockOwner().trim().split(" ")[1];
        Files.writeString(lock, gone.pid() + " " + host + "\n");
        assertFalse(CdsArchive.lockHeld(lock), "a builder killed mid-build (its pid is gone) must not block the next build for 30 min");
        Files.writeString(lock, gone.pid() + " another-host\n");
        assertTrue(CdsArchive.lockHeld(lock), "another host's builder (a shared cache directory) is trusted until the lock is stale");
        Files.setLastModifiedTime(lock, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - CdsArchive.LOCK_STALE_MS - 1000));
        assertFalse(CdsArchive.lockHeld(lock), "a stale lock");
    }

    @Test
    @Order(1)
    void archiveIsBuiltInTheBackgroundThenUsedAndReused() throws Exception {
        assertEquals(CdsArchive.State.MISSING, cds.state(classpath));
        assertEquals(List.of(), cds.flags(classpath), "no archive yet: no flags, a build starts");
        awaitReady();
        List<String> flags = cds.flags(classpath);
        assertTrue(flags.contains("-XX:SharedArchiveFile=" + cds.archive(classpath)), flags.toString());
        long built = Files.getLastModifiedTime(cds.archive(classpath)).toMillis();
        String out = child(flags, "-Xlog:class+load");
        assertTrue(out.contains("org.jdask.graph.cds.CdsTraining source: shared objects file (top)"),
                "the child JVM did not load CdsTraining from the archive:\n" + out);
        assertEquals(flags, cds.flags(classpath), "the same archive is reused");
        assertEquals(built, Files.getLastModifiedTime(cds.archive(classpath)).toMillis(), "not rebuilt");
        String log = Files.readString(cds.file(classpath, ".log"));
        assertEquals(1, log.split("cds build: .*\\.jsa \\(", -1).length - 1, "one build:\n" + log);
    }

    @Test
    @Order(2)
    void truncatedArchiveIsNeverPassedOnAndTheJvmStillStarts() throws Exception {
        awaitReady();
        Path jsa = cds.archive(classpath);
        jsa.toFile().setWritable(true);
        byte[] all = Files.readAllBytes(jsa);
        Files.write(jsa, java.util.Arrays.copyOf(all, all.length / 2));
        assertEquals(CdsArchive.State.CORRUPT, cds.state(classpath));
        List<String> flags = cds.flags(classpath);
        assertFalse(flags.stream().anyMatch(f -> f.startsWith("-XX:SharedArchiveFile")), flags.toString());
        assertTrue(child(flags).contains("cds check"), "the JVM starts without the archive");
        awaitReady(); // and it was rebuilt
        assertTrue(child(cds.flags(classpath)).contains("cds check"));
    }

    @Test
    @Order(3)
    void sameSizeCorruptionIsCaughtByTheCrc() throws Exception {
        awaitReady();
        Path jsa = cds.archive(classpath);
        jsa.toFile().setWritable(true);
        byte[] all = Files.readAllBytes(jsa);
        for (int i = all.length / 3; i < all.length / 3 + 4096; i++) all[i] ^= 0x5a;
        Files.write(jsa, all);
        CdsArchive fresh = new CdsArchive(cds.directory()); // another JVM: has not checked this archive's CRC yet
        assertEquals(CdsArchive.State.CORRUPT, fresh.state(classpath));
        List<String> flags = fresh.flags(classpath);
        assertFalse(flags.stream().anyMatch(f -> f.startsWith("-XX:SharedArchiveFile")), flags.toString());
        assertTrue(child(flags).contains("cds check"));
        awaitReady();
    }

    @Test
    @Order(4)
    void staleArchiveIsNotUsedWhenAJarChanged() throws Exception {
        awaitReady();
        writeJar(jar, location(CdsArchive.class), "extra.txt"); // same path, other size: the JVM would refuse it too
        assertEquals(CdsArchive.State.STALE, cds.state(classpath));
        List<String> flags = cds.flags(classpath);
        assertFalse(flags.stream().anyMatch(f -> f.startsWith("-XX:SharedArchiveFile")), flags.toString());
        assertTrue(child(flags).contains("cds check"));
        awaitReady(); // rebuilt for the new jar
        assertTrue(child(cds.flags(classpath), "-Xlog:class+load").contains("CdsTraining source: shared objects file (top)"));
    }

    @Test
    void directoriesOnTheClassPathMeanNoArchiveAndNoBuild() throws Exception {
        CdsArchive other = new CdsArchive(tmp.resolve("cds-dirs"));
        String cp = location(CdsArchive.class) + File.pathSeparator + location(LoggerFactory.class);
        assertEquals(CdsArchive.State.UNSUPPORTED, other.state(cp));
        assertEquals(List.of(), other.flags(cp));
        assertFalse(Files.exists(other.directory()), "nothing built for a class path with directories");
    }

    @Test
    void offMeansOff() {
        String old = System.getProperty(CdsArchive.PROPERTY);
        System.setProperty(CdsArchive.PROPERTY, "off");
        try {
            assertEquals(CdsArchive.State.DISABLED, cds.state(classpath));
            assertEquals(List.of(), cds.flags(classpath));
        } finally {
            if (old == null) System.clearProperty(CdsArchive.PROPERTY);
            else System.setProperty(CdsArchive.PROPERTY, old);
        }
    }

    private static void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        CdsArchive.State s;
        while ((s = cds.state(classpath)) != CdsArchive.State.READY) {
            if (s == CdsArchive.State.FAILED || System.nanoTime() > deadline) {
                Path log = cds.file(classpath, ".log");
                throw new AssertionError("archive " + s + " after waiting; build log:\n"
                        + (Files.exists(log) ? Files.readString(log) : "(none)"));
            }
            Thread.sleep(100);
        }
    }

    /** Runs CdsTraining --check in a child JVM with {@code flags}; returns its output (fails unless it exits 0). */
    private static String child(List<String> flags, String... more) throws Exception {
        List<String> cmd = JavaCommand.of(JvmFlags.get());
        cmd.addAll(flags);
        cmd.addAll(List.of(more));
        cmd.addAll(List.of("-cp", classpath, CdsTraining.class.getName(), "--check"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not exit");
        assertEquals(0, p.exitValue(), "child JVM " + cmd + " failed:\n" + out);
        return out;
    }

    private static Path location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static void writeJar(Path jar, Path classes, String extra) throws IOException {
        Path t = jar.resolveSibling(jar.getFileName() + ".tmp");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(t)); Stream<Path> files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
                out.write(Files.readAllBytes(f));
                out.closeEntry();
            }
            if (extra != null) {
                out.putNextEntry(new JarEntry(extra));
                out.write(extra.getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        Files.move(t, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}

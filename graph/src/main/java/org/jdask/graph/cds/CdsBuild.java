package org.jdask.graph.cds;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jdask.graph.JavaCommand;
import org.jdask.graph.JvmFlags;

/**
 * Main class of the background JVM that builds the {@link CdsArchive} for its own class path
 * ({@code java.class.path}) in directory {@code jdask.cds.dir}: takes {@code <key>.lock}, records a
 * {@link CdsTraining} JVM with {@code -XX:ArchiveClassesAtExit=<tmp>}, checks that a JVM starts
 * from the result with {@code -Xshare:on}, moves it to {@code <key>.jsa} and writes the record. On
 * failure it writes {@code <key>.failed} with the reason; its output goes to {@code <key>.log}.
 * The child JVMs run under {@code nice} where there is one (a build must not slow the program that
 * asked for it).
 */
public final class CdsBuild {
    /** Generous: the children run niced, and a loaded machine slows them a lot (70 s seen at load 29). */
    static final long CHILD_TIMEOUT_S = 600;
    /** Status {@link #run} returns for a child it killed after {@link #CHILD_TIMEOUT_S}: not a failure to remember. */
    static final int TIMED_OUT = -1;

    private CdsBuild() {}

    public static void main(String[] args) throws IOException {
        String classpath = System.getProperty("java.class.path");
        CdsArchive cds = new CdsArchive(CdsArchive.defaultDirectory());
        Files.createDirectories(cds.directory());
        Path lock = cds.file(classpath, ".lock");
        if (!lock(lock)) {
            System.out.println("cds build: another builder holds " + lock);
            return;
        }
        Path tmp = cds.file(classpath, ".jsa.tmp-" + ProcessHandle.current().pid());
        String leftover = CdsArchive.key(classpath) + ".jsa.tmp-";
        try (var old = Files.list(cds.directory())) { // a killed builder's half-written archive (we hold the lock now)
            for (Path f : (Iterable<Path>) old.filter(f -> f.getFileName().toString().startsWith(leftover))::iterator) Files.deleteIfExists(f);
        }
        try {
            String failure = build(cds, classpath, tmp);
            if (failure == TIMEOUT) {
                System.out.println("cds build: gave up for now (machine too busy?); the next JVM that wants the archive tries again");
            } else if (failure != null) {
                System.out.println("cds build failed: " + failure);
                CdsArchive.writeAtomically(cds.file(classpath, ".failed"), (failure + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } finally {
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(lock);
        }
    }

    /** What {@link #build} returns when a child timed out (compared by identity). */
    static final String TIMEOUT = new String("timed out");

    /** Builds, checks and installs the archive; returns why it failed, {@link #TIMEOUT}, or null. */
    static String build(CdsArchive cds, String classpath, Path tmp) throws IOException {
        Path args = cds.file(classpath, ".args");
        CdsArchive.writeAtomically(args, CdsArchive.classpathArgfile(classpath).getBytes(StandardCharsets.UTF_8));
        long t0 = System.nanoTime();
        int train = run(java(args, "-XX:ArchiveClassesAtExit=" + tmp), "training");
        if (train == TIMED_OUT) return TIMEOUT;
        if (train != 0 || !Files.isRegularFile(tmp) || Files.size(tmp) == 0) {
            return "the training JVM (-XX:ArchiveClassesAtExit) exited with status " + train + " and wrote "
                    + (Files.isRegularFile(tmp) ? Files.size(tmp) + " bytes" : "no archive") + "; its output is above in this log";
        }
        List<String> check = java(args, "-XX:SharedArchiveFile=" + tmp, "-Xshare:on");
        check.add("--check");
        int ok = run(check, "check");
        if (ok == TIMED_OUT) return TIMEOUT;
        if (ok != 0) return "a JVM could not start from the new archive with -Xshare:on (status " + ok + ")";
        Path jsa = cds.archive(classpath);
        Files.move(tmp, jsa, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        cds.record(classpath, jsa);
        Files.deleteIfExists(cds.file(classpath, ".failed"));
        System.out.println("cds build: " + jsa + " (" + Files.size(jsa) / 1024 + " KiB) in "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms");
        return null;
    }

    private static List<String> java(Path args, String... cdsFlags) {
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/nice"))) cmd.addAll(List.of("/usr/bin/nice", "-n", "10"));
        cmd.addAll(JavaCommand.of(JvmFlags.get()));
        cmd.addAll(List.of(cdsFlags));
        cmd.add("-D" + CdsArchive.PROPERTY + "=off"); // a warm-up that starts worker JVMs must not start builds
        cmd.add("@" + args);
        cmd.add(CdsTraining.class.getName());
        return cmd;
    }

    private static int run(List<String> cmd, String what) throws IOException {
        System.out.println("cds build: " + what + ": " + String.join(" ", cmd));
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        try {
            if (!p.waitFor(CHILD_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                System.out.println("cds build: " + what + " JVM did not finish within " + CHILD_TIMEOUT_S + " s; killed");
                return TIMED_OUT;
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return TIMED_OUT;
        }
    }

    /** Takes the lock file; a lock a dead builder left ({@link CdsArchive#lockHeld}) is taken over. */
    private static boolean lock(Path lock) throws IOException {
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                Files.writeString(lock, CdsArchive.lockOwner(), StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
                return true;
            } catch (FileAlreadyExistsException e) {
                if (CdsArchive.lockHeld(lock)) return false;
                Files.deleteIfExists(lock);
            }
        }
        return false;
    }
}

package org.jdask.distributed.internal.memory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A worker's own scratch directory (its spill store lives here): a fresh {@code jdask-worker-*}
 * directory created inside the given {@code --local-directory}, or inside the temp directory when
 * none is given, so two workers on one machine never share a store. {@link #close} deletes it with
 * everything in it. A worker JVM prints its path ({@link #LINE}) so that its nanny can delete it
 * when the JVM dies without cleaning up ({@code kill -9}, a crash).
 */
public final class LocalDirectory implements AutoCloseable {
    /** What a worker JVM prints at start; the nanny reads the path after it. */
    public static final String LINE = "Worker local directory: ";
    private final Path path;

    private LocalDirectory(Path path) {
        this.path = path;
    }

    /**
     * Creates the worker's directory inside {@code base} (null: {@code java.io.tmpdir}); a base that
     * is missing, not a directory or not writable fails naming it and the option that sets it.
     */
    public static LocalDirectory create(Path base) {
        Path b = base != null ? base : Path.of(System.getProperty("java.io.tmpdir"));
        String option = base != null ? "--local-directory / LocalCluster.builder().localDirectory(...)" : "java.io.tmpdir";
        if (!Files.exists(b)) throw new IllegalArgumentException("local directory " + b.toAbsolutePath() + " does not exist (" + option + ")");
        if (!Files.isDirectory(b)) throw new IllegalArgumentException("local directory " + b.toAbsolutePath() + " is not a directory (" + option + ")");
        if (!Files.isWritable(b)) throw new IllegalArgumentException("local directory " + b.toAbsolutePath() + " is not writable (" + option + ")");
        try {
            return new LocalDirectory(Files.createTempDirectory(b, "jdask-worker-"));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot create a worker directory in " + b.toAbsolutePath() + " (" + option + "): " + e, e);
        }
    }

    public Path path() {
        return path;
    }

    /** Deletes the directory and its contents (idempotent). */
    @Override
    public void close() {
        delete(path);
    }

    /** Deletes {@code dir} recursively if it exists (what a nanny does after its worker JVM died). */
    public static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                    Files.deleteIfExists(f);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException gone) {
            // deleted concurrently: fine
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete worker directory " + dir, e);
        }
    }

    @Override
    public String toString() {
        return path.toString();
    }
}

package org.jdask.distributed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Pattern;
import org.jdask.Config;

/**
 * Jars fetched from clients, cached by the SHA-256 of their content under the worker's local
 * directory ({@code distributed.worker.local-directory}, default {@code <tmp>/jdask-worker-space})
 * in {@code code/<hash>.jar}, reused across runs and workers of the machine. Every file is checked
 * against its name before use: bytes that do not match the hash a client offered are refused.
 */
final class CodeCache {
    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

    /** Fetches the bytes of a jar from its client. */
    interface Source {
        byte[] fetch() throws IOException;
    }

    private final Path dir;

    CodeCache(Path dir) {
        this.dir = dir;
    }

    /** The cache of this JVM's configuration. */
    static CodeCache configured() {
        String local = Config.getString("distributed.worker.local-directory", null);
        Path base = local == null || local.isBlank() ? Path.of(System.getProperty("java.io.tmpdir"), "jdask-worker-space") : Path.of(local);
        return new CodeCache(base.resolve("code"));
    }

    Path directory() {
        return dir;
    }

    /**
     * The cached jar with content hash {@code hash} ({@code what} names it in errors), fetched from
     * {@code source} when absent or damaged; fails when the fetched bytes do not hash to {@code hash}.
     */
    synchronized Path jar(String hash, String what, Source source) throws IOException {
        if (!HASH.matcher(hash).matches()) throw new IOException(what + ": '" + hash + "' is not a SHA-256 hex digest");
        Files.createDirectories(dir);
        Path file = dir.resolve(hash + ".jar");
        if (Files.isRegularFile(file)) {
            if (CodeOffer.sha256(file).equals(hash)) return file;
            Files.deleteIfExists(file); // damaged or tampered with: fetch again
        }
        byte[] b = source.fetch();
        if (b == null) throw new IOException(what + ": the client no longer offers it");
        String actual = CodeOffer.sha256(b);
        if (!actual.equals(hash)) {
            throw new IOException(what + ": the bytes received have SHA-256 " + actual + ", not the offered " + hash + "; refused");
        }
        Path tmp = Files.createTempFile(dir, hash, ".part");
        try {
            Files.write(tmp, b);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | UncheckedIOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        return file;
    }
}

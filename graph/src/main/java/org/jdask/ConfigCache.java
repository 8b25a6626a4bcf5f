package org.jdask;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.slf4j.LoggerFactory;

/**
 * The parse of the YAML config files kept on disk by their content, so a fresh JVM reads a map
 * instead of parsing YAML (issue 16's first start-up in a fresh JVM, issue 17's cold start): the
 * parse loads snakeyaml's ~130 classes and runs them interpreted, ~90 ms of a fresh program's
 * {@code LocalCluster.builder()} on a loaded 2-core machine (the whole first {@code Config} read
 * was 150–250 ms there; hints under load). The file is the one {@link ConfigFiles} hands to
 * worker JVMs (JDK object serialization of a {@code TreeMap}, read through its filter of plain
 * JDK value classes), so a parent that found its parse here hands this file on instead of writing
 * a temporary one.
 *
 * <p>Keyed by the texts of every YAML source in order (the {@code jdask/defaults.yaml} resources,
 * then the config files), with a CRC-32C, their lengths and {@code String.hashCode}: any edit of any
 * file is a different key, and a file that cannot be read or names another class falls back to
 * the parse. Only a parse that succeeded is stored (malformed YAML still fails with its file and
 * line). Where: {@code -Djdask.config.cache-dir=DIR}, else {@code $XDG_CACHE_HOME/jdask/config} or
 * {@code ~/.cache/jdask/config}; {@code -Djdask.config.cache-dir=off} turns it off.
 */
final class ConfigCache {
    /** The system property that moves or ({@code off}) disables the cache. */
    static final String DIR_PROPERTY = "jdask.config.cache-dir";
    /** Bumped when the parse's output changes for the same texts (a change of how YAML maps to values). */
    private static final String FORMAT = "1";

    private ConfigCache() {}

    /** The cache file for these source texts, or null when the cache is off. */
    static Path file(List<String> texts, Map<String, String> env, java.util.Properties props) {
        Path dir = directory(env, props);
        return dir == null ? null : dir.resolve(key(texts) + ".bin");
    }

    /** {@code FORMAT}, the texts' count, total length, CRC-32C and a polynomial hash: 96+ bits that change with any edit. */
    static String key(List<String> texts) {
        CRC32C crc = new CRC32C();
        long length = 0;
        int hash = 1;
        for (String t : texts) {
            byte[] b = t.getBytes(StandardCharsets.UTF_8);
            crc.update(b);
            crc.update(0); // a boundary: "ab","c" is not "a","bc"
            length += b.length;
            hash = 31 * hash + t.hashCode();
        }
        return "v" + FORMAT + "-" + texts.size() + "-" + Long.toHexString(length) + "-" + Long.toHexString(crc.getValue()) + "-"
                + Integer.toHexString(hash);
    }

    private static Path directory(Map<String, String> env, java.util.Properties props) {
        String d = props.getProperty(DIR_PROPERTY);
        if (d != null && d.strip().equalsIgnoreCase("off")) return null;
        if (d != null && !d.isBlank()) return Path.of(d);
        String xdg = env.get("XDG_CACHE_HOME");
        String home = props.getProperty("user.home");
        if ((xdg == null || xdg.isBlank()) && home == null) return null;
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(home, ".cache");
        return base.resolve("jdask").resolve("config");
    }

    /** The cached parse in {@code file}, or null (no file, unreadable, not a config map). */
    static Map<String, Object> read(Path file) {
        if (file == null || !Files.isRegularFile(file)) return null;
        return ConfigFiles.read(file);
    }

    /** Stores {@code parsed} in {@code file} (written aside and moved in: a reader never sees half a file); failures are only logged. */
    static void write(Path file, Map<String, Object> parsed) {
        if (file == null) return;
        Path tmp = null;
        try {
            Files.createDirectories(file.getParent());
            tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            ConfigFiles.write(parsed, tmp);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException | RuntimeException e) {
            LoggerFactory.getLogger(ConfigCache.class).debug("config parse not cached in {}: {}", file, e.toString());
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a stray temporary file in the cache directory
                }
            }
        }
    }
}

package org.jdask;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The part of {@link Config}'s base that comes from YAML (every {@code jdask/defaults.yaml} on the
 * class path and the config files), handed from a JVM that already parsed it to the worker JVMs it
 * starts with the same class path, so they skip the parse: a worker JVM's YAML parse (snakeyaml's
 * ~130 classes and the files) ran on its main thread before it could register (issue 17, ~80 ms on
 * a quiet machine). The child still applies its own environment and {@code -Djdask.*} properties
 * on top, as {@link Config} always does.
 *
 * <p>{@link #handOff} writes the flattened map once per parse to a temporary file (owner-only) with
 * the JDK's object serialization, whose classes the JDK's own class-data archive holds; a worker
 * started with {@code -Djdask.config.files=PATH} reads it instead of the YAML, through a filter
 * that admits only {@code java.lang}, {@code java.util} and {@code java.math} classes (what YAML
 * gives: strings, numbers, booleans, dates, lists and maps). A value of any other kind means
 * nothing is handed off and children parse the YAML as before; a file that is missing, unreadable
 * or names another class falls back to the parse too (and says so at debug level).
 */
public final class ConfigFiles {
    /** The worker JVM property naming the file. */
    public static final String PROPERTY = "jdask.config.files";
    /** What a handed file may contain: the JDK's plain value and collection classes, nothing else. */
    private static final ObjectInputFilter VALUES = ObjectInputFilter.Config.createFilter("java.lang.*;java.util.*;java.math.*;!*");
    private static Path written;
    /** The files part {@link #written} holds: after {@link Config#refresh} re-read the files, a new one is written. */
    private static Map<String, Object> writtenFor;

    private ConfigFiles() {}

    /**
     * The {@code -Djdask.config.files=...} option for a child JVM whose class path is {@code
     * classpath}, or none: only when it is this JVM's own class path (the same {@code
     * jdask/defaults.yaml} resources) and this JVM's files part could be written.
     */
    public static List<String> childOptions(String classpath) {
        if (!classpath.equals(System.getProperty("java.class.path"))) return List.of();
        Path p = handOff();
        return p == null ? List.of() : List.of("-D" + PROPERTY + "=" + p);
    }

    /** This JVM's files part in a temporary file (written once per parse, deleted at exit); null if it cannot be written as is. */
    static synchronized Path handOff() {
        Map<String, Object> part;
        try {
            part = Config.filesPart();
        } catch (IllegalArgumentException e) { // this JVM read a handed file itself
            return null;
        }
        if (part == writtenFor) return written;
        Path cached = Config.filesPartFile(); // the on-disk parse it came from (ConfigCache): hand that on, write nothing
        if (cached != null && Files.isRegularFile(cached)) return cached;
        writtenFor = part;
        written = null;
        try {
            Path p = Files.createTempFile("jdask-config-", ".bin");
            p.toFile().deleteOnExit();
            write(part, p);
            written = p;
        } catch (IOException | IllegalArgumentException e) {
            org.slf4j.LoggerFactory.getLogger(ConfigFiles.class).debug("config not handed to child JVMs (they parse the YAML): {}", e.toString());
        }
        return written;
    }

    /** Writes {@code m} to {@code p}; an {@link IllegalArgumentException} for a value that cannot be handed (not serializable). */
    static void write(Map<String, Object> m, Path p) throws IOException {
        try (ObjectOutputStream out = new ObjectOutputStream(new BufferedOutputStream(Files.newOutputStream(p)))) {
            out.writeObject(new TreeMap<>(m));
        } catch (NotSerializableException e) {
            throw new IllegalArgumentException("a config value of type " + e.getMessage() + " cannot be handed to a child JVM", e);
        }
    }

    /** The files part from {@code -Djdask.config.files}, or null (no such property, or unreadable: parse the YAML). */
    static Map<String, Object> fromProperty(java.util.Properties props) {
        String path = props.getProperty(PROPERTY);
        if (path == null || path.isBlank()) return null;
        return read(Path.of(path));
    }

    /** The map {@link #write} wrote to {@code p}, or null (unreadable, or not a config map: parse the YAML). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> read(Path p) {
        try (ObjectInputStream in = new ObjectInputStream(new BufferedInputStream(Files.newInputStream(p)))) {
            in.setObjectInputFilter(VALUES);
            if (!(in.readObject() instanceof TreeMap<?, ?> m)) throw new InvalidClassException("not a jdask config file");
            return (Map<String, Object>) m;
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(ConfigFiles.class).debug("cannot read {} ({}): parsing the YAML config instead", p, e.toString());
            return null;
        }
    }
}

package org.jdask;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * <p>{@link #handOff} writes the flattened map once per parse to a temporary file in a small typed
 * binary form (no class loading beyond {@code DataInputStream}); a worker started with {@code
 * -Djdask.config.files=PATH} reads it instead of the YAML. Values YAML gives (strings, integers,
 * big integers, doubles, booleans, null, lists and maps of them) are written as they are; if one
 * is anything else, nothing is handed off and children parse the YAML as before. A file that is
 * missing or unreadable in the child falls back to the parse too (and says so at debug level).
 */
public final class ConfigFiles {
    /** The worker JVM property naming the file. */
    public static final String PROPERTY = "jdask.config.files";
    private static final int MAGIC = 0x6a644346; // "jdCF"
    private static final byte NULL = 0, STRING = 1, INT = 2, LONG = 3, DOUBLE = 4, TRUE = 5, FALSE = 6, LIST = 7, MAP = 8, BIG = 9;
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

    /** Writes {@code m} to {@code p}; an {@link IllegalArgumentException} for a value of a type YAML does not give. */
    static void write(Map<String, Object> m, Path p) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(p)))) {
            out.writeInt(MAGIC);
            writeMap(out, m);
        }
    }

    /** The files part from {@code -Djdask.config.files}, or null (no such property, or unreadable: parse the YAML). */
    static Map<String, Object> fromProperty(java.util.Properties props) {
        String path = props.getProperty(PROPERTY);
        if (path == null || path.isBlank()) return null;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(Path.of(path))))) {
            if (in.readInt() != MAGIC) throw new IOException("not a jdask config file");
            return readMap(in, new TreeMap<>());
        } catch (IOException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(ConfigFiles.class).debug("cannot read {} ({}): parsing the YAML config instead", path, e.toString());
            return null;
        }
    }

    private static void writeMap(DataOutputStream out, Map<?, ?> m) throws IOException {
        out.writeInt(m.size());
        for (Map.Entry<?, ?> e : m.entrySet()) {
            out.writeUTF(String.valueOf(e.getKey()));
            write(out, e.getValue());
        }
    }

    private static void write(DataOutputStream out, Object v) throws IOException {
        if (v == null) out.writeByte(NULL);
        else if (v instanceof String s) {
            out.writeByte(STRING);
            out.writeUTF(s);
        } else if (v instanceof Integer i) {
            out.writeByte(INT);
            out.writeInt(i);
        } else if (v instanceof Long l) {
            out.writeByte(LONG);
            out.writeLong(l);
        } else if (v instanceof BigInteger b) {
            out.writeByte(BIG);
            out.writeUTF(b.toString());
        } else if (v instanceof Double d) {
            out.writeByte(DOUBLE);
            out.writeDouble(d);
        } else if (v instanceof Boolean b) {
            out.writeByte(b ? TRUE : FALSE);
        } else if (v instanceof List<?> list) {
            out.writeByte(LIST);
            out.writeInt(list.size());
            for (Object o : list) write(out, o);
        } else if (v instanceof Map<?, ?> map) {
            out.writeByte(MAP);
            writeMap(out, map);
        } else {
            throw new IllegalArgumentException("a config value of type " + v.getClass().getName());
        }
    }

    private static Map<String, Object> readMap(DataInputStream in, Map<String, Object> into) throws IOException {
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            String k = in.readUTF();
            into.put(k, read(in));
        }
        return into;
    }

    private static Object read(DataInputStream in) throws IOException {
        byte t = in.readByte();
        return switch (t) {
            case NULL -> null;
            case STRING -> in.readUTF();
            case INT -> in.readInt();
            case LONG -> in.readLong();
            case BIG -> new BigInteger(in.readUTF());
            case DOUBLE -> in.readDouble();
            case TRUE -> Boolean.TRUE;
            case FALSE -> Boolean.FALSE;
            case LIST -> {
                int n = in.readInt();
                List<Object> l = new ArrayList<>(n);
                for (int i = 0; i < n; i++) l.add(read(in));
                yield l;
            }
            case MAP -> readMap(in, new LinkedHashMap<>());
            default -> throw new IOException("unknown value tag " + t);
        };
    }
}

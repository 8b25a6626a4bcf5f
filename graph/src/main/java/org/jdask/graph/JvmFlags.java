package org.jdask.graph;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jdask.graph.cds.CdsArchive;

/**
 * The JVM flags the jdask stack needs (Arrow and Chronicle Map open JDK internals), as a list ready
 * for a child JVM's command line: {@code JavaCommand.of(JvmFlags.get(), classpath) + Main}.
 *
 * <p>Why a resource and not a constant: the flags are written once, as property {@code
 * jdask.jvm.flags} in the root {@code pom.xml}. Maven filters that property into surefire's
 * {@code argLine}, and into the resource {@code org/jdask/jvm-flags.txt} of this module, which is
 * both a {@code java @argfile} (the {@code jdask} launcher passes {@code
 * @graph/target/classes/org/jdask/jvm-flags.txt}) and what this class reads for worker JVMs. One
 * list, three users, no copy to drift.
 */
public final class JvmFlags {
    /** The classpath resource holding the flags. */
    public static final String RESOURCE = "org/jdask/jvm-flags.txt";

    private static volatile List<String> flags;

    private JvmFlags() {}

    /** The flags, in order; empty if the build was told to use none ({@code -Djdask.jvm.flags=" "}). */
    public static List<String> get() {
        List<String> f = flags;
        if (f == null) {
            f = load();
            flags = f;
        }
        return f;
    }

    /**
     * The flags for a child JVM (a worker) started with {@code classpath}: {@link #get()} followed by
     * the class-data-sharing flags of {@link CdsArchive} (none while no usable archive exists; the
     * first call for a class path starts building one in the background).
     */
    public static List<String> forChild(String classpath) {
        List<String> cds = CdsArchive.shared().flags(classpath);
        if (cds.isEmpty()) return get();
        List<String> out = new ArrayList<>(get());
        out.addAll(cds);
        return List.copyOf(out);
    }

    /**
     * Fails fast, before a library hits an {@code InaccessibleObjectException} deep inside, when
     * this JVM does not open {@code module/pkg} to the unnamed module (flag {@code
     * --add-opens=module/pkg=ALL-UNNAMED}); the message names the flag and the line to add for
     * {@code JDK_JAVA_OPTIONS}, Maven surefire and Gradle.
     *
     * @param who the library that needs it, for the message
     */
    public static void requireOpen(String module, String pkg, String who) {
        Module m = ModuleLayer.boot().findModule(module).orElse(null);
        if (m == null || m.isOpen(pkg, JvmFlags.class.getModule())) return;
        throw new IllegalStateException(missing("--add-opens=" + module + "/" + pkg + "=ALL-UNNAMED", who));
    }

    /** Like {@link #requireOpen} for {@code --add-exports=module/pkg=ALL-UNNAMED}. */
    public static void requireExport(String module, String pkg, String who) {
        Module m = ModuleLayer.boot().findModule(module).orElse(null);
        if (m == null || m.isExported(pkg, JvmFlags.class.getModule())) return;
        throw new IllegalStateException(missing("--add-exports=" + module + "/" + pkg + "=ALL-UNNAMED", who));
    }

    /** The message for a missing flag: what needs it and where to add it. */
    static String missing(String flag, String who) {
        return who + " needs the JVM flag " + flag + ", which this JVM was started without. Add it:\n"
                + "  shell / IDE:      export JDK_JAVA_OPTIONS=\"" + flag + "\"\n"
                + "  Maven (surefire): <argLine>" + flag + "</argLine>\n"
                + "  Gradle:           jvmArgs '" + flag + "'   (in tasks.withType(Test) and application { applicationDefaultJvmArgs })\n"
                + "All flags jdask uses are in " + RESOURCE + " (README \"JVM flags\"); the jdask launcher and worker JVMs pass them already.";
    }

    private static List<String> load() {
        try (InputStream in = JvmFlags.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " is missing from the classpath (is jdask-graph built?)");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + RESOURCE, e);
        }
    }

    /**
     * Splits argfile text into flags: whitespace separates, lines starting with {@code #} are
     * comments. Text that still holds a {@code ${...}} placeholder was not filtered by Maven (an
     * IDE copied the raw resource) and is rejected rather than passed on to a JVM that would fail
     * with a confusing "Unrecognized option".
     */
    static List<String> parse(String text) {
        if (text.contains("${")) {
            throw new IllegalStateException(RESOURCE + " was not filtered by Maven (it still reads '" + text.trim()
                    + "'); build with mvn, which fills in property jdask.jvm.flags from the root pom.xml");
        }
        List<String> out = new ArrayList<>();
        for (String line : text.split("\\R")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) continue;
            for (String part : l.split("\\s+")) if (!part.isEmpty()) out.add(part);
        }
        return List.copyOf(out);
    }
}

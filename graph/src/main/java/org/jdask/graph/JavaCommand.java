package org.jdask.graph;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The start of a command line for a fresh JVM of this JDK: {@code java}, then JVM flags, then
 * (optionally) {@code -cp CLASSPATH}; the caller appends more options, the main class and its
 * arguments. The one place that says "the same JDK as this JVM" ({@code java.home}), so workers,
 * benchmark children and test probes cannot drift apart.
 *
 * <p>The flags are the caller's: usually {@link JvmFlags#get()}, or {@link JvmFlags#forChild} for a
 * worker (adds the class-data-sharing archive), or none. Callers that pass the class path in an
 * {@code @argfile} (long class paths) use {@link #of(List)} and add the argfile themselves.
 */
public final class JavaCommand {
    private JavaCommand() {}

    /** The {@code java} launcher of this JVM's JDK. */
    public static String java() {
        return tool("java");
    }

    /** A tool of this JVM's JDK by name ({@code java}, {@code jcmd}): {@code $java.home/bin/<name>}. */
    public static String tool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    /** {@code java FLAGS}, as a new mutable list for more options, the class path and the main class. */
    public static List<String> of(List<String> flags) {
        List<String> cmd = new ArrayList<>(flags.size() + 4);
        cmd.add(java());
        cmd.addAll(flags);
        return cmd;
    }

    /** {@code java FLAGS -cp CLASSPATH}, as a new mutable list for the main class and its arguments. */
    public static List<String> of(List<String> flags, String classpath) {
        List<String> cmd = of(flags);
        cmd.add("-cp");
        cmd.add(classpath);
        return cmd;
    }
}

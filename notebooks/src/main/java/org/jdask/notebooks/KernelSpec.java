package org.jdask.notebooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jdask.graph.JavaCommand;

/**
 * A Jupyter kernel spec ({@code kernel.json}) that opens the notebooks in Jupyter with the JJava
 * kernel (the maintained IJava successor, {@code org.dflib.jjava}): the kernel JVM starts with
 * jdask's JVM flags and JJava's {@code JJAVA_CLASSPATH} holds jdask's class path, so cells see
 * every jdask module as they do under {@code jdask notebook run}.
 *
 * @param name        the kernel's directory name (what {@code jupyter kernelspec list} shows)
 * @param displayName the name in Jupyter's launcher
 * @param java        the {@code java} executable
 * @param jjavaJar    the JJava kernel jar
 * @param classpath   the class path the cells see
 * @param jvmFlags    flags of the kernel JVM (jdask's {@code JvmFlags})
 */
public record KernelSpec(String name, String displayName, String java, Path jjavaJar, String classpath, List<String> jvmFlags) {
    public KernelSpec {
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("kernel name '" + name + "' must be letters, digits, '.', '_' or '-' (Jupyter's rule)");
        }
        jvmFlags = List.copyOf(jvmFlags);
    }

    /** The {@code kernel.json} content. */
    public Map<String, Object> json() {
        List<String> argv = new ArrayList<>(List.of(java));
        argv.addAll(jvmFlags);
        argv.addAll(List.of("-jar", jjavaJar.toAbsolutePath().toString(), "{connection_file}"));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("JJAVA_CLASSPATH", classpath);
        env.put("JJAVA_JVM_OPTS", String.join(" ", jvmFlags));
        env.put("JJAVA_TIMEOUT", "-1");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("argv", argv);
        m.put("display_name", displayName);
        m.put("language", "java");
        m.put("interrupt_mode", "message");
        m.put("env", env);
        return m;
    }

    /**
     * Writes {@code DIR/NAME/kernel.json} (Jupyter's kernels directory layout) and returns it; the
     * JJava jar must exist, since a spec pointing at nothing fails only when a notebook opens.
     */
    public Path writeTo(Path kernelsDir) {
        if (!Files.isRegularFile(jjavaJar)) {
            throw new IllegalArgumentException("no JJava kernel jar at " + jjavaJar.toAbsolutePath()
                    + " (download jjava-*.zip from https://github.com/dflib/jjava/releases and pass its jar with --jjava-jar)");
        }
        try {
            Path dir = Files.createDirectories(kernelsDir.resolve(name));
            Path file = dir.resolve("kernel.json");
            String text = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json());
            Files.writeString(file, text + "\n", StandardCharsets.UTF_8);
            return file;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the kernel spec as JSON", e);
        } catch (IOException e) {
            throw new UncheckedIOException("writing the kernel spec into " + kernelsDir, e);
        }
    }

    /** Jupyter's per-user kernels directory: {@code $JUPYTER_DATA_DIR/kernels}, else the platform default. */
    public static Path userKernelsDir() {
        String data = System.getenv("JUPYTER_DATA_DIR");
        if (data != null && !data.isBlank()) return Path.of(data, "kernels");
        String home = System.getProperty("user.home");
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("mac")) return Path.of(home, "Library", "Jupyter", "kernels");
        if (os.contains("win")) return Path.of(System.getenv().getOrDefault("APPDATA", home), "jupyter", "kernels");
        return Path.of(home, ".local", "share", "jupyter", "kernels");
    }

    /** The {@code java} of this JVM. */
    public static String thisJava() {
        return JavaCommand.java();
    }

    /** This JVM's class path, each entry made absolute (a kernel starts in another directory). */
    public static String thisClasspath() {
        List<String> out = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.isEmpty()) out.add(Path.of(e).toAbsolutePath().normalize().toString());
        }
        return String.join(File.pathSeparator, out);
    }
}

package org.jdask.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Outside tools some tests need, each checked for exactly what the test uses (not just a file on
 * PATH: a Graphviz without its SVG plugin or a python3 without numpy counts as missing). A test
 * calls {@code Tools.assume...} and is skipped, naming the Debian package to install, when the
 * tool is not there. {@code .ci/run} hides these tools in its first pass to prove the skips.
 */
public final class Tools {
    private static final Map<String, Boolean> CACHE = new ConcurrentHashMap<>();

    /** The Debian python3 the interop tests run (numpy's package installs for it). */
    public static final Path PYTHON3 = Path.of("/usr/bin/python3");

    private Tools() {}

    /** The first executable {@code name} on PATH. */
    public static Optional<Path> onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /** True when Graphviz's {@code dot} on PATH renders SVG. */
    public static boolean graphviz() {
        return CACHE.computeIfAbsent("dot", k -> onPath("dot").isPresent() && runs("digraph { a -> b }", "dot", "-Tsvg"));
    }

    /** Skips unless {@link #graphviz()}. */
    public static void assumeGraphviz() {
        assumeTrue(graphviz(), "Graphviz 'dot' (with SVG output) is not installed: apt-get install graphviz");
    }

    /** True when {@code python} exists and imports numpy. */
    public static boolean numpy(Path python) {
        return CACHE.computeIfAbsent("numpy:" + python,
                k -> Files.isExecutable(python) && runs("", python.toString(), "-c", "import numpy"));
    }

    /** Skips unless {@link #numpy(Path)}. */
    public static void assumeNumpy(Path python) {
        assumeTrue(numpy(python), python + " with numpy is not installed: apt-get install python3-numpy");
    }

    /** Skips unless every one of {@code files} is executable, naming {@code debianPackages}. */
    public static void assumeExecutables(String debianPackages, List<Path> files) {
        for (Path f : files) {
            assumeTrue(Files.isExecutable(f) && !Files.isDirectory(f), "no executable " + f + ": apt-get install " + debianPackages);
        }
    }

    /** Runs {@code cmd} with {@code stdin}; true when it exits 0 within 30 s. */
    private static boolean runs(String stdin, String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try (var in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

package org.jdask.distributed.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The code that ran under a {@link PerformanceReport}: the frame that opened it (class, method,
 * file, line) and, when the source file can be found below the working directory
 * ({@code src/main/java}, {@code src/test/java}, or those of a module one level down), its text.
 * Dask's report shows the calling cell or script the same way.
 *
 * @param className the caller's class
 * @param method the caller's method
 * @param file the source file name the class file names (may be null)
 * @param line the line of the call (-1 if unknown)
 * @param source where the source was found, if it was
 * @param text the source text (at most 262,144 characters), empty if not found
 */
public record CallerCode(String className, String method, String file, int line, Optional<Path> source, String text) {
    static final int MAX_CHARS = 256 * 1024;

    /** The first frame on this thread's stack outside jdask's client and report classes. */
    static CallerCode find() {
        StackWalker.StackFrame f = StackWalker.getInstance().walk(s -> s
                .filter(x -> !x.getClassName().startsWith("org.jdask.distributed.report.")
                        && !x.getClassName().equals("org.jdask.distributed.Client")
                        && !x.getClassName().equals("org.jdask.distributed.ClientReports"))
                .findFirst().orElse(null));
        if (f == null) return new CallerCode("?", "?", null, -1, Optional.empty(), "");
        String top = f.getClassName();
        int dollar = top.indexOf('$');
        if (dollar > 0) top = top.substring(0, dollar);
        String file = f.getFileName();
        String rel = top.contains(".") ? top.substring(0, top.lastIndexOf('.')).replace('.', '/') + "/" : "";
        rel += file != null ? file : top.substring(top.lastIndexOf('.') + 1) + ".java";
        Optional<Path> found = locate(Path.of("").toAbsolutePath(), rel);
        String text = "";
        if (found.isPresent()) {
            try {
                text = Files.readString(found.get());
                if (text.length() > MAX_CHARS) text = text.substring(0, MAX_CHARS) + "\n... (cut at " + MAX_CHARS + " characters)";
            } catch (IOException | RuntimeException e) {
                found = Optional.empty();
            }
        }
        return new CallerCode(f.getClassName(), f.getMethodName(), file, f.getLineNumber(), found, text);
    }

    private static Optional<Path> locate(Path base, String rel) {
        List<Path> roots = new ArrayList<>(List.of(base.resolve("src/main/java"), base.resolve("src/test/java"), base));
        try (var dirs = Files.list(base)) {
            dirs.filter(Files::isDirectory).forEach(d -> {
                roots.add(d.resolve("src/main/java"));
                roots.add(d.resolve("src/test/java"));
            });
        } catch (IOException | RuntimeException ignored) {
            // no module directories to look in
        }
        for (Path r : roots) {
            Path p = r.resolve(rel);
            if (Files.isRegularFile(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /** {@code Class.method(File.java:12)}. */
    public String frame() {
        return className + "." + method + "(" + (file == null ? "unknown source" : file + (line > 0 ? ":" + line : "")) + ")";
    }
}

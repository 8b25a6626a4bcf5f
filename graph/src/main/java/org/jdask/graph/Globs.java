package org.jdask.graph;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Path and glob resolution shared by the collections' file readers ({@code Bag.readText},
 * {@code DataFrame.readCsv/readArrow/readParquet}), at graph build, so every reader tells a
 * missing file from an empty match the same way (as Dask does):
 *
 * <ul>
 *   <li>a pattern without glob characters ({@code * ? [ {}) is a path: when it does not exist,
 *       an {@link UncheckedIOException} whose cause is a {@link NoSuchFileException}, naming it
 *       (Dask: {@code FileNotFoundError});
 *   <li>a glob that matches no regular file is an {@link IllegalArgumentException} saying "no file
 *       matches" and where it looked.
 * </ul>
 *
 * Globs use {@link java.nio.file.FileSystem#getPathMatcher} syntax ({@code *}, {@code ?},
 * {@code [..]}, {@code {a,b}}, {@code **} across directories), matched against the path relative
 * to the directory before the first glob character.
 */
public final class Globs {
    private Globs() {}

    /** Whether {@code pattern} holds a glob character. */
    public static boolean isGlob(String pattern) {
        return firstGlob(pattern) >= 0;
    }

    /**
     * The existing path a plain {@code pattern} names (a file or directory), or the regular files
     * a glob matches, sorted; {@code reader} (e.g. "readText") starts every message.
     */
    public static List<Path> expand(String pattern, String reader) {
        if (pattern == null || pattern.isEmpty()) throw new IllegalArgumentException(reader + " needs a path or glob, got an empty string");
        int first = firstGlob(pattern);
        if (first < 0) return List.of(existing(pattern, reader));
        int slash = pattern.lastIndexOf('/', first);
        Path base = Path.of(slash < 0 ? "." : slash == 0 ? "/" : pattern.substring(0, slash));
        if (!Files.isDirectory(base)) {
            throw new IllegalArgumentException(reader + ": no file matches '" + pattern + "' (directory " + base + " does not exist)");
        }
        String rest = pattern.substring(slash + 1);
        int depth = rest.contains("**") ? Integer.MAX_VALUE : rest.split("/").length;
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + rest);
        List<Path> out;
        try (Stream<Path> s = Files.walk(base, depth)) {
            out = new ArrayList<>(s.filter(Files::isRegularFile).map(base::relativize).filter(m::matches)
                    .map(p -> slash < 0 ? p : base.resolve(p)).sorted().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(reader + ": cannot list " + base + " for '" + pattern + "'", e);
        }
        if (out.isEmpty()) throw new IllegalArgumentException(reader + ": no file matches '" + pattern + "' (looked in " + base.toAbsolutePath() + ")");
        return out;
    }

    /** {@code path} when it exists, else an {@link UncheckedIOException} with a {@link NoSuchFileException} naming it. */
    public static Path existing(String path, String reader) {
        Path p = Path.of(path);
        if (!Files.exists(p)) {
            NoSuchFileException e = new NoSuchFileException(path, null, "no such file or directory");
            throw new UncheckedIOException(reader + ": " + path + " does not exist (" + p.toAbsolutePath() + ")", e);
        }
        return p;
    }

    /**
     * The {@code n} output files of a writer's {@code pattern} ({@code toCsv}, {@code toTextFiles},
     * ...): its one {@code *} replaced by the partition number, zero-padded to the width of the
     * last one so the files sort in partition order. A pattern without exactly one {@code *} is
     * refused, naming {@code writer} and the count (two would make every partition write the same
     * numbers twice into one name, which says nothing sensible).
     */
    public static List<String> outputPaths(String pattern, int n, String writer) {
        long stars = pattern.chars().filter(c -> c == '*').count();
        if (stars != 1) {
            throw new IllegalArgumentException(writer + " needs exactly one '*' in the pattern (replaced by the partition number), got "
                    + stars + " in '" + pattern + "'");
        }
        int width = Integer.toString(Math.max(0, n - 1)).length();
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(pattern.replace("*", String.format("%0" + width + "d", i)));
        return out;
    }

    private static int firstGlob(String pattern) {
        for (int i = 0; i < pattern.length(); i++) if ("*?[{".indexOf(pattern.charAt(i)) >= 0) return i;
        return -1;
    }
}

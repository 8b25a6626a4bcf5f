package org.jdask.bag;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jdask.bag.internal.Lines;
import org.jdask.bag.internal.TextBlock;
import org.jdask.graph.Key;
import org.jdask.graph.Node;
import org.jdask.graph.Task;
import org.jdask.graph.Tokenize;

/** Expands {@code readText} patterns and plans its partitions (blocks of files). */
final class TextSource {
    private TextSource() {}

    /** Files matching a path, directory or glob ({@code *}, {@code ?}, {@code [..]}, {@code {a,b}}, {@code **}), sorted. */
    static List<Path> expand(String pattern) {
        if (pattern == null || pattern.isEmpty()) throw new IllegalArgumentException("readText needs a path or glob, got an empty string");
        int firstGlob = -1;
        for (int i = 0; i < pattern.length(); i++) {
            if ("*?[{".indexOf(pattern.charAt(i)) >= 0) {
                firstGlob = i;
                break;
            }
        }
        if (firstGlob < 0) {
            Path p = Path.of(pattern);
            if (Files.isDirectory(p)) return list(p, p.toString() + "/*", 1, pattern);
            if (!Files.exists(p)) throw new IllegalArgumentException("readText: no file matches '" + pattern + "' (it does not exist)");
            return List.of(p);
        }
        int slash = pattern.lastIndexOf('/', firstGlob);
        Path base = slash < 0 ? Path.of(".") : Path.of(slash == 0 ? "/" : pattern.substring(0, slash));
        String rest = pattern.substring(slash + 1);
        int depth = rest.contains("**") ? Integer.MAX_VALUE : rest.split("/").length;
        String glob = slash < 0 ? "./" + pattern : pattern;
        return list(base, glob, depth, pattern);
    }

    private static List<Path> list(Path base, String glob, int depth, String pattern) {
        if (!Files.isDirectory(base)) {
            throw new IllegalArgumentException("readText: no file matches '" + pattern + "' (directory " + base + " does not exist)");
        }
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        List<Path> out;
        try (Stream<Path> s = Files.walk(base, depth)) {
            out = new ArrayList<>(s.filter(Files::isRegularFile).filter(p -> m.matches(p)).sorted().toList());
        } catch (IOException e) {
            throw new UncheckedIOException("readText: cannot list " + base + " for '" + pattern + "'", e);
        }
        if (out.isEmpty()) throw new IllegalArgumentException("readText: no file matches '" + pattern + "'");
        return out;
    }

    static List<Path> existing(List<String> paths) {
        if (paths.isEmpty()) throw new IllegalArgumentException("readText needs at least one path");
        List<Path> out = new ArrayList<>();
        for (String s : paths) {
            Path p = Path.of(s);
            if (!Files.isRegularFile(p)) throw new IllegalArgumentException("readText: file not found: " + s);
            out.add(p);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static <T> Bag<T> bag(List<Path> files, String what, TextOptions o, boolean includePath) {
        boolean splittable = Lines.asciiCompatible(o.encoding());
        if (o.blocksize() > 0 && !splittable) {
            throw new IllegalArgumentException("readText: blocksize needs an ASCII-compatible encoding (UTF-8, ISO-8859-*, ...); "
                    + o.encoding().name() + " files are read whole");
        }
        List<List<TextBlock>> parts = new ArrayList<>();
        List<Object> identity = new ArrayList<>();
        List<TextBlock> group = new ArrayList<>();
        for (Path p : files) {
            String path = p.toString();
            Compression c = o.compression() != null ? o.compression() : Compression.forPath(path);
            long size;
            long mtime;
            try {
                size = Files.size(p);
                mtime = Files.getLastModifiedTime(p).toMillis();
            } catch (IOException e) {
                throw new UncheckedIOException("readText: cannot stat " + path + " (matched by '" + what + "')", e);
            }
            identity.add(List.of(path, size, mtime));
            if (o.blocksize() > 0 && c == Compression.NONE) {
                if (size == 0) parts.add(List.of(new TextBlock(path, 0, -1, c.id(), o.encoding().name(), includePath)));
                for (long s = 0; s < size; s += o.blocksize()) {
                    long e = s + o.blocksize() >= size ? -1 : s + o.blocksize();
                    parts.add(List.of(new TextBlock(path, s, e, c.id(), o.encoding().name(), includePath)));
                }
            } else {
                group.add(new TextBlock(path, 0, -1, c.id(), o.encoding().name(), includePath));
                if (group.size() == o.filesPerPartition()) {
                    parts.add(group);
                    group = new ArrayList<>();
                }
            }
        }
        if (!group.isEmpty()) parts.add(group);
        // the token covers paths, sizes and modification times: a changed file gets new keys
        String name = "read-text-" + Tokenize.token(identity, parts);
        Map<Key, Node> layer = new LinkedHashMap<>();
        for (int i = 0; i < parts.size(); i++) {
            layer.put(Key.of(name, i), Task.ofArray(PartFns.ReadText.INSTANCE, new Object[] {new org.jdask.graph.DataNode(parts.get(i))}));
        }
        return (Bag<T>) new Bag<>(name, parts.size(), layer);
    }
}

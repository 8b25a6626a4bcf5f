package org.jdask.bag;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jdask.bag.internal.Lines;
import org.jdask.bag.internal.TextBlock;
import org.jdask.graph.Globs;
import org.jdask.graph.Key;
import org.jdask.graph.Node;
import org.jdask.graph.Task;
import org.jdask.graph.Tokenize;

/** Expands {@code readText} patterns and plans its partitions (blocks of files). */
final class TextSource {
    private TextSource() {}

    /**
     * Files matching a path, directory (its files) or glob, sorted: a missing plain path is an
     * {@link java.io.UncheckedIOException} (a {@code NoSuchFileException}), a glob matching nothing
     * an {@link IllegalArgumentException} (see {@link Globs}).
     */
    static List<Path> expand(String pattern) {
        List<Path> found = Globs.expand(pattern, "readText");
        if (found.size() == 1 && Files.isDirectory(found.get(0))) {
            Path dir = found.get(0);
            try (Stream<Path> s = Files.list(dir)) {
                List<Path> files = s.filter(Files::isRegularFile).sorted().toList();
                if (files.isEmpty()) throw new IllegalArgumentException("readText: no file in directory '" + pattern + "'");
                return files;
            } catch (IOException e) {
                throw new UncheckedIOException("readText: cannot list directory " + dir, e);
            }
        }
        return found;
    }

    /** These files, each of which must exist now (else as a missing path in {@link #expand}). */
    static List<Path> existing(List<String> paths) {
        if (paths.isEmpty()) throw new IllegalArgumentException("readText needs at least one path");
        List<Path> out = new ArrayList<>();
        for (String s : paths) {
            Path p = Globs.existing(s, "readText");
            if (!Files.isRegularFile(p)) throw new IllegalArgumentException("readText: " + s + " is not a regular file");
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
            if (o.blocksize() > 0 && c != Compression.NONE) {
                throw new IllegalArgumentException("readText: cannot split the compressed file " + path + " (" + c.id()
                        + ") into blocks of " + o.blocksize() + " bytes: a compressed stream can only be read from its start; "
                        + "read compressed files whole with blocksize 0 (TextOptions.defaults(), or readText(pattern))");
            }
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

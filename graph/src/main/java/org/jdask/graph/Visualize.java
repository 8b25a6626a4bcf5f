package org.jdask.graph;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jdask.JdaskException;
import org.jdask.fn.Fns;

/**
 * Task-graph pictures in Graphviz DOT, like Dask's {@code visualize}: a box per value (key), an
 * ellipse per function call, edges in data-flow direction; output keys are drawn bold.
 */
public final class Visualize {
    /**
     * Graphs larger than this are drawn by layer (one box per key name, token suffixes ignored)
     * to stay readable.
     */
    public static final int MAX_DETAILED_NODES = 2000;
    private static final long DOT_TIMEOUT_SECONDS = 60;

    private Visualize() {}

    /** The DOT text of {@code graph}, highlighting {@code outputs}. */
    public static String toDot(TaskGraph graph, Collection<Key> outputs) {
        if (graph.size() > MAX_DETAILED_NODES) return layerDot(graph);
        Set<Key> out = new HashSet<>(outputs);
        StringBuilder b = new StringBuilder("digraph jdask {\n  graph [rankdir=BT];\n  node [fontname=\"Helvetica\", fontsize=10];\n");
        Map<Key, String> ids = new HashMap<>();
        int n = 0;
        for (Key k : graph.keys()) ids.put(k, "k" + n++);
        for (Map.Entry<Key, Node> e : graph.nodes().entrySet()) {
            String id = ids.get(e.getKey());
            String bold = out.contains(e.getKey()) ? ", penwidth=2.5" : "";
            b.append("  ").append(id).append(" [label=\"").append(esc(shortKey(e.getKey()))).append("\", shape=box").append(bold).append("];\n");
            if (e.getValue() instanceof Task t) {
                String fid = id + "f";
                b.append("  ").append(fid).append(" [label=\"").append(esc(Fns.name(t.function()))).append("\", shape=ellipse];\n");
                b.append("  ").append(fid).append(" -> ").append(id).append(";\n");
                for (Key d : t.dependencies()) {
                    String did = ids.get(d);
                    if (did != null) b.append("  ").append(did).append(" -> ").append(fid).append(";\n");
                }
            } else if (e.getValue() instanceof Alias a) {
                String did = ids.get(a.target());
                if (did != null) b.append("  ").append(did).append(" -> ").append(id).append(" [style=dashed];\n");
            }
        }
        return b.append("}\n").toString();
    }

    /**
     * The overview of a big graph: one box per layer, where layers whose names differ only by a
     * token ({@code inc-3f2a...}, {@code inc-9b1c...}: the calls of one delayed function) are
     * drawn as one box, so a 100,000-call chain is a handful of boxes, not 100,000.
     */
    private static String layerDot(TaskGraph graph) {
        StringBuilder b = new StringBuilder("digraph jdask {\n  graph [rankdir=BT];\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n");
        Map<String, Integer> counts = new java.util.LinkedHashMap<>();
        Map<String, Set<String>> deps = new HashMap<>();
        for (Layer l : graph.layers().values()) {
            String group = shortName(l.name());
            counts.merge(group, l.keys().size(), Integer::sum);
            Set<String> ds = deps.computeIfAbsent(group, g -> new java.util.TreeSet<>()); // sorted: same text on every run
            for (String d : l.dependsOn()) ds.add(shortName(d));
        }
        Map<String, String> ids = new HashMap<>();
        int n = 0;
        for (String group : counts.keySet()) ids.put(group, "l" + n++);
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            String id = ids.get(e.getKey());
            b.append("  ").append(id).append(" [label=\"").append(esc(e.getKey())).append("\\n")
                    .append(e.getValue()).append(" task(s)\"];\n");
            for (String d : deps.get(e.getKey())) {
                if (ids.containsKey(d) && !d.equals(e.getKey())) b.append("  ").append(ids.get(d)).append(" -> ").append(id).append(";\n");
            }
        }
        return b.append("}\n").toString();
    }

    /**
     * Writes the picture to {@code out}. A {@code .dot} path gets the DOT text; {@code .svg},
     * {@code .png} or {@code .pdf} are rendered by Graphviz's {@code dot}, with the DOT text also
     * written beside them. Without Graphviz the DOT file is still written and the error says how
     * to install it.
     */
    public static Path write(TaskGraph graph, List<Key> outputs, Path out) {
        String name = out.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(java.util.Locale.ROOT);
        boolean dotText = ext.equals("dot") || ext.equals("gv");
        if (!dotText && !List.of("svg", "png", "pdf").contains(ext)) {
            // checked before any work or any directory is created
            throw new IllegalArgumentException("cannot write a graph picture as '" + name + "': use .dot, .gv, .svg, .png or .pdf");
        }
        String text = toDot(graph, outputs);
        try {
            if (out.toAbsolutePath().getParent() != null) Files.createDirectories(out.toAbsolutePath().getParent());
            if (dotText) {
                Files.writeString(out, text, StandardCharsets.UTF_8);
                return out;
            }
            Path dotFile = out.resolveSibling((dot < 0 ? name : name.substring(0, dot)) + ".dot");
            Files.writeString(dotFile, text, StandardCharsets.UTF_8);
            render(dotFile, out, ext);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("writing graph picture " + out, e);
        }
    }

    private static void render(Path dotFile, Path out, String ext) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder("dot", "-T" + ext, "-o", out.toString(), dotFile.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new JdaskException("cannot render " + out + ": Graphviz 'dot' is not installed (apt-get install graphviz). "
                    + "The DOT text was written to " + dotFile, e);
        }
        try {
            if (!p.waitFor(DOT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new JdaskException("Graphviz 'dot' did not finish within " + DOT_TIMEOUT_SECONDS + " s rendering " + dotFile);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new JdaskException("interrupted while rendering " + out, e);
        }
        if (p.exitValue() != 0) {
            String msg = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            throw new JdaskException("Graphviz 'dot' failed (exit " + p.exitValue() + ") rendering " + dotFile + ": " + msg);
        }
    }

    private static String shortKey(Key k) {
        String s = k.toString();
        return shortName(s);
    }

    /** Dask-style: drop the long token from names like {@code inc-3f2a...}. */
    static String shortName(String s) {
        return s.replaceAll("-[0-9a-f]{16,}", "");
    }

    private static String esc(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}

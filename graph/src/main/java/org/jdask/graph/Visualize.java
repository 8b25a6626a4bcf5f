package org.jdask.graph;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.jdask.JdaskException;

/**
 * Task-graph pictures, like Dask's {@code visualize}: a box per value (key), an ellipse per
 * function call, edges in data-flow direction; output keys are drawn bold. DOT text for Graphviz,
 * rendered by {@code dot} when installed, else SVG drawn in pure Java ({@link SvgLayout}).
 */
public final class Visualize {
    /**
     * Graphs larger than this are drawn by layer (one box per key name, token suffixes ignored)
     * to stay readable.
     */
    public static final int MAX_DETAILED_NODES = Drawing.MAX_DETAILED_NODES;
    private static final long DOT_TIMEOUT_SECONDS = 60;
    private static final String DOT = "dot";

    private Visualize() {}

    /** The DOT text of {@code graph}, highlighting {@code outputs}. */
    public static String toDot(TaskGraph graph, Collection<Key> outputs) {
        Drawing d = Drawing.of(graph, outputs);
        StringBuilder b = new StringBuilder("digraph jdask {\n  graph [rankdir=BT];\n  node [fontname=\"Helvetica\", fontsize=10];\n");
        for (Drawing.Shape s : d.shapes()) {
            b.append("  ").append(s.id()).append(" [label=\"").append(esc(s.label())).append("\", shape=")
                    .append(s.ellipse() ? "ellipse" : "box").append(s.bold() ? ", penwidth=2.5" : "").append("];\n");
        }
        for (Drawing.Edge e : d.edges()) {
            b.append("  ").append(e.from()).append(" -> ").append(e.to()).append(e.dashed() ? " [style=dashed]" : "").append(";\n");
        }
        return b.append("}\n").toString();
    }

    /**
     * The SVG picture of {@code graph} drawn in pure Java (a layered layout, {@link SvgLayout}),
     * what {@link #write} produces for {@code .svg} when Graphviz is not installed.
     */
    public static String toSvg(TaskGraph graph, Collection<Key> outputs) {
        return SvgLayout.render(Drawing.of(graph, outputs));
    }

    /**
     * Writes the picture to {@code out}. A {@code .dot} path gets the DOT text; {@code .svg},
     * {@code .png} or {@code .pdf} are rendered by Graphviz's {@code dot} when it is installed,
     * with the DOT text also written beside them. Without Graphviz, {@code .svg} is drawn in pure
     * Java ({@link #toSvg}); {@code .png} and {@code .pdf} fail saying how to install Graphviz
     * (the DOT file is still written).
     */
    public static Path write(TaskGraph graph, List<Key> outputs, Path out) {
        return write(graph, outputs, out, DOT);
    }

    /** {@link #write} with the Graphviz command to try (tests pass a missing one). */
    static Path write(TaskGraph graph, List<Key> outputs, Path out, String dotCommand) {
        String name = out.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
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
            String failure = render(dotCommand, dotFile, out, ext);
            if (failure != null) {
                if (!ext.equals("svg")) {
                    throw new JdaskException("cannot render " + out + ": " + failure + "; without Graphviz only .svg (drawn in Java) "
                            + "and .dot work. The DOT text was written to " + dotFile);
                }
                Files.writeString(out, toSvg(graph, outputs), StandardCharsets.UTF_8);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("writing graph picture " + out, e);
        }
    }

    /**
     * Renders with Graphviz; null when done, else why not (not installed, or a broken install
     * such as one without its SVG plugin), so {@code .svg} can still be drawn in Java.
     */
    private static String render(String dotCommand, Path dotFile, Path out, String ext) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(dotCommand, "-T" + ext, "-o", out.toString(), dotFile.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            return "Graphviz 'dot' is not installed (apt-get install graphviz)";
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
        if (p.exitValue() == 0) return null;
        String msg = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return "Graphviz 'dot' failed (exit " + p.exitValue() + ") rendering " + dotFile + ": " + msg;
    }

    private static String esc(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}

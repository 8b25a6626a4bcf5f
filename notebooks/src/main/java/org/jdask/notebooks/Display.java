package org.jdask.notebooks;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jdask.Lazy;

/**
 * Shows a picture as a cell's output when the notebook runs under {@code jdask notebook run}:
 *
 * <pre>{@code
 * Display.svg(total.visualize(dir.resolve("graph.svg")));   // the task graph, as image/svg+xml
 * Display.graph(total);                                      // the same, into a temporary file
 * Display.png(Path.of("plot.png"));                          // image/png
 * }</pre>
 *
 * <p>How it works: cells run in another JVM (a fresh JShell execution engine), so this class
 * cannot hand the runner an object. It prints one marker line, {@link #MARKER} followed by the
 * media type and the file's absolute path, to {@code System.out}; the runner takes such lines out
 * of the cell's text output and puts the file's content in their place as display data. Outside
 * the runner (e.g. in a plain JShell) the marker line is simply printed.
 */
public final class Display {
    /** Starts a marker line; the control characters keep it from matching ordinary output. */
    public static final String MARKER = "\u0001jdask-display\u0001";

    private Display() {}

    /** Shows an SVG file (e.g. what {@code visualize(Path.of("x.svg"))} returned). */
    public static void svg(Path file) {
        show("image/svg+xml", file);
    }

    /** Shows a PNG file. */
    public static void png(Path file) {
        show("image/png", file);
    }

    /**
     * Renders {@code lazy}'s task graph to a temporary SVG (with Graphviz {@code dot} when installed, else drawn in pure Java) and shows
     * it; returns the file.
     */
    public static Path graph(Lazy<?> lazy) {
        try {
            Path dir = Files.createTempDirectory("jdask-graph-");
            Path svg = lazy.visualize(dir.resolve("graph.svg"));
            svg(svg);
            return svg;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create a temporary directory for the graph picture", e);
        }
    }

    private static void show(String mime, Path file) {
        Path abs = file.toAbsolutePath();
        if (!Files.isRegularFile(abs)) throw new IllegalArgumentException("Display: no such file " + abs);
        System.out.flush();
        System.out.print("\n" + MARKER + mime + "\t" + abs + "\n");
        System.out.flush();
    }
}

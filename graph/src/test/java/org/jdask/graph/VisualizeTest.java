package org.jdask.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdask.Delayed;
import org.jdask.Ops;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;
import org.jdask.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VisualizeTest {
    @TempDir Path tmp;

    /** The parts of a DOT text this test reads: node labels by id and edges. */
    record Dot(Map<String, String> labels, Set<List<String>> edges, String text) {
        static final Pattern NODE = Pattern.compile("^\\s*(\\w+) \\[label=\"((?:[^\"\\\\]|\\\\.)*)\"", Pattern.MULTILINE);
        static final Pattern EDGE = Pattern.compile("^\\s*(\\w+) -> (\\w+)", Pattern.MULTILINE);

        static Dot parse(String text) {
            Map<String, String> labels = new HashMap<>();
            Matcher m = NODE.matcher(text);
            while (m.find()) labels.put(m.group(1), m.group(2));
            Set<List<String>> edges = new HashSet<>();
            Matcher e = EDGE.matcher(text);
            while (e.find()) edges.add(List.of(e.group(1), e.group(2)));
            return new Dot(labels, edges, text);
        }

        String id(String label) {
            List<String> ids = labels.entrySet().stream().filter(x -> x.getValue().equals(label)).map(Map.Entry::getKey).toList();
            assertEquals(1, ids.size(), () -> "expected one node labelled " + label + " in\n" + text);
            return ids.get(0);
        }

        /** True when there is an edge a -> b, or a -> (function node) -> b. */
        boolean flows(String fromId, String toId) {
            if (edges.contains(List.of(fromId, toId))) return true;
            for (List<String> e : edges) {
                if (e.get(0).equals(fromId) && edges.contains(List.of(e.get(1), toId))) return true;
            }
            return false;
        }
    }

    private static TaskGraph small() {
        Fn2<Integer, Integer, Integer> add = Ops::add;
        Fn1<Integer, Integer> inc = Ops::inc;
        return TaskGraph.builder()
                .data(Key.of("x"), 1)
                .task(Key.of("y"), inc, Key.of("x"))
                .task(Key.of("z", 0), add, Key.of("x"), Key.of("y"))
                .put(Key.of("w"), new Alias(Key.of("z", 0)))
                .build();
    }

    @Test
    void dotHasEveryKeyAndEdgesInDataFlowDirection() {
        Dot d = Dot.parse(Visualize.toDot(small(), List.of(Key.of("w"))));
        String x = d.id("'x'");
        String y = d.id("'y'");
        String z = d.id("('z', 0)");
        String w = d.id("'w'");
        assertTrue(d.flows(x, y), d.text());
        assertTrue(d.flows(x, z), d.text());
        assertTrue(d.flows(y, z), d.text());
        assertTrue(d.flows(z, w), "alias edge: " + d.text());
        assertFalse(d.flows(y, x), "no edge against the data flow: " + d.text());
        assertFalse(d.flows(z, y), d.text());
        assertTrue(d.labels().containsValue("inc") && d.labels().containsValue("add"), "function nodes named: " + d.text());
        assertTrue(Pattern.compile(w + " \\[[^\\]]*penwidth").matcher(d.text()).find(), "output drawn bold: " + d.text());
        assertEquals(d.text(), Visualize.toDot(small(), List.of(Key.of("w"))), "same graph, same text");
    }

    @Test
    void longTokensAreDroppedFromLabels() {
        Delayed<Integer> a = Delayed.of(Ops::inc).apply(1);
        Delayed<Integer> b = Delayed.of(Ops::add).pure().apply(a, 2);
        String text = Visualize.toDot(b.graph(), b.keys());
        String token = b.key().name().substring("add-".length());
        assertEquals(32, token.length());
        assertFalse(text.contains(token), text);
        assertFalse(text.contains(a.key().name()), text);
        Dot d = Dot.parse(text);
        assertTrue(d.flows(d.id("'inc'"), d.id("'add'")), text);
    }

    @Test
    void quotesAndBackslashesInKeysAreEscaped() {
        TaskGraph g = TaskGraph.builder().data(Key.of("we\"ird\\name"), 1).build();
        String text = Visualize.toDot(g, List.of());
        assertTrue(text.contains("label=\"'we\\\"ird\\\\name'\""), text);
    }

    @Test
    void writesDotText() throws Exception {
        Path out = Visualize.write(small(), List.of(Key.of("w")), tmp.resolve("sub/g.dot"));
        assertEquals(Visualize.toDot(small(), List.of(Key.of("w"))), Files.readString(out));
    }

    @Test
    void rendersSvgWithGraphviz() throws Exception {
        Tools.assumeGraphviz();
        Delayed<Integer> z = Delayed.of(Ops::add).apply(Delayed.of(Ops::inc).apply(1), Delayed.of(Ops::inc).apply(2));
        Path svg = tmp.resolve("pics/task_graph.svg");
        assertEquals(svg, z.visualize(svg));
        String head = new String(Files.readAllBytes(svg), StandardCharsets.UTF_8).stripLeading();
        assertTrue(head.startsWith("<?xml") || head.startsWith("<svg"), head.substring(0, Math.min(200, head.length())));
        assertTrue(head.contains(">inc<") && head.contains(">add<"), "labels rendered");
        assertTrue(Files.exists(tmp.resolve("pics/task_graph.dot")), "DOT text written beside the picture");
    }

    @Test
    void rendersEscapedNamesWithGraphviz() throws Exception {
        Tools.assumeGraphviz();
        TaskGraph g = TaskGraph.builder().data(Key.of("we\"ird\\name"), 1).data(Key.of("two\nlines"), 2).build();
        Path svg = Visualize.write(g, List.of(), tmp.resolve("weird.svg"));
        assertTrue(Files.size(svg) > 0);
    }

    /** Centre x,y of the shape titled {@code id} in a pure-Java SVG. */
    private static double[] centre(String svg, String id) {
        Matcher m = Pattern.compile("<title>" + id + "</title><(?:rect x=\"([-\\d.]+)\" y=\"([-\\d.]+)\" width=\"([\\d.]+)\" height=\"([\\d.]+)\""
                + "|ellipse cx=\"([-\\d.]+)\" cy=\"([-\\d.]+)\")").matcher(svg);
        assertTrue(m.find(), () -> "no shape " + id + " in\n" + svg);
        if (m.group(1) != null) {
            return new double[] {Double.parseDouble(m.group(1)) + Double.parseDouble(m.group(3)) / 2,
                Double.parseDouble(m.group(2)) + Double.parseDouble(m.group(4)) / 2};
        }
        return new double[] {Double.parseDouble(m.group(5)), Double.parseDouble(m.group(6))};
    }

    @Test
    void svgWithoutGraphvizDrawsEveryShapeInputsBelowOutputs() throws Exception {
        Path svg = Visualize.write(small(), List.of(Key.of("w")), tmp.resolve("java/g.svg"), "/nonexistent/graphviz-dot");
        String text = Files.readString(svg);
        assertTrue(text.startsWith("<?xml") && text.contains("<svg xmlns=\"http://www.w3.org/2000/svg\"") && text.strip().endsWith("</svg>"), text);
        Dot d = Dot.parse(Visualize.toDot(small(), List.of(Key.of("w"))));
        for (String label : List.of("'x'", "'y'", "('z', 0)", "'w'", "inc", "add")) {
            assertTrue(text.contains(">" + label.replace("'", "'") + "</text>"), label + " drawn: " + text);
        }
        // bottom-up like rankdir=BT: every edge goes from a lower shape (bigger y) to a higher one
        for (List<String> e : d.edges()) {
            assertTrue(centre(text, e.get(0))[1] > centre(text, e.get(1))[1], e + " points up: " + text);
        }
        assertEquals(d.edges().size(), Pattern.compile("<path fill=\"none\"").matcher(text).results().count(), "one arrow per edge");
        assertTrue(text.contains("stroke-dasharray"), "the alias edge is dashed");
        assertTrue(text.contains("stroke-width=\"2.5\""), "the output is bold");
        assertTrue(Files.exists(tmp.resolve("java/g.dot")), "DOT text written beside the picture");
        assertEquals(text, Visualize.toSvg(small(), List.of(Key.of("w"))), "same graph, same picture");
    }

    @Test
    void svgInJavaKeepsShapesOfALayerApartAndEscapesXml() {
        TaskGraph.Builder b = TaskGraph.builder();
        Fn2<Integer, Integer, Integer> add = Ops::add;
        for (int i = 0; i < 6; i++) b.data(Key.of("in<&>", i), i);
        for (int i = 0; i < 5; i++) b.task(Key.of("sum", i), add, Key.of("in<&>", i), Key.of("in<&>", i + 1));
        b.task(Key.of("skip"), add, Key.of("in<&>", 0), Key.of("sum", 4)); // an edge spanning layers
        String svg = Visualize.toSvg(b.build(), List.of());
        assertTrue(svg.contains("('in&lt;&amp;&gt;', 0)") && !svg.contains("in<&>"), svg);
        Matcher m = Pattern.compile("<rect x=\"([-\\d.]+)\" y=\"([-\\d.]+)\" width=\"([\\d.]+)\"").matcher(svg);
        Map<String, List<double[]>> rows = new HashMap<>();
        while (m.find()) {
            rows.computeIfAbsent(m.group(2), k -> new java.util.ArrayList<>())
                    .add(new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(3))});
        }
        for (List<double[]> row : rows.values()) {
            row.sort(java.util.Comparator.comparingDouble(r -> r[0]));
            for (int i = 1; i < row.size(); i++) assertTrue(row.get(i)[0] >= row.get(i - 1)[0] + row.get(i - 1)[1], "boxes overlap: " + svg);
        }
    }

    @Test
    void pngWithoutGraphvizSaysHowToInstallIt() {
        org.jdask.JdaskException e = assertThrows(org.jdask.JdaskException.class,
                () -> Visualize.write(small(), List.of(), tmp.resolve("g.png"), "/nonexistent/graphviz-dot"));
        assertTrue(e.getMessage().contains("apt-get install graphviz") && e.getMessage().contains(".svg"), e.getMessage());
        assertTrue(Files.exists(tmp.resolve("g.dot")));
    }

    @Test
    void bigGraphsDrawInJavaPerLayer() {
        TaskGraph g = blocks(Visualize.MAX_DETAILED_NODES + 1);
        String svg = Visualize.toSvg(g, List.of());
        assertTrue(svg.contains(">a</text>") && svg.contains(">1000 task(s)</text>"), svg);
    }

    @Test
    void unknownExtensionIsRejectedBeforeAnyWork() {
        Path out = tmp.resolve("not-created/g.jpeg");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Visualize.write(small(), List.of(), out));
        assertTrue(e.getMessage().contains("g.jpeg") && e.getMessage().contains(".svg"), e.getMessage());
        assertFalse(Files.exists(out.getParent()), "no directory is created for a bad name");
        assertThrows(IllegalArgumentException.class, () -> Visualize.write(small(), List.of(), tmp.resolve("noextension")));
    }

    private static TaskGraph blocks(int n) {
        Fn1<Integer, Integer> inc = Ops::inc;
        TaskGraph.Builder b = TaskGraph.builder();
        int half = n / 2;
        for (int i = 0; i < half; i++) b.data(Key.of("a", i), i);
        for (int i = 0; i < n - half; i++) b.task(Key.of("b", i), inc, Key.of("a", i % half));
        return b.build();
    }

    @Test
    void bigGraphsAreDrawnPerLayer() {
        TaskGraph g = blocks(Visualize.MAX_DETAILED_NODES + 1);
        String text = Visualize.toDot(g, List.of());
        Dot d = Dot.parse(text);
        assertEquals(2, d.labels().size(), text);
        String a = d.id("a\\n1000 task(s)");
        String b = d.id("b\\n1001 task(s)");
        assertEquals(Set.of(List.of(a, b)), d.edges());
    }

    @Test
    void bigDelayedChainsCollapseCallsOfOneFunction() {
        Delayed<Integer> x = Delayed.value(0);
        for (int i = 0; i < 2_500; i++) x = Delayed.of(Ops::inc).apply(x);
        Delayed<Integer> total = Delayed.of(Ops::add).apply(x, 1);
        Dot d = Dot.parse(Visualize.toDot(total.graph(), total.keys()));
        assertEquals(3, d.labels().size(), d.text());
        String value = d.id("integer\\n1 task(s)");
        String inc = d.id("inc\\n2500 task(s)");
        String add = d.id("add\\n1 task(s)");
        assertEquals(Set.of(List.of(value, inc), List.of(inc, add)), d.edges(), "no self edge, data-flow direction");
    }

    @Test
    void graphsUpToTheLimitAreDrawnInDetail() {
        TaskGraph g = blocks(Visualize.MAX_DETAILED_NODES);
        Dot d = Dot.parse(Visualize.toDot(g, List.of()));
        assertEquals(2000 + 1000, d.labels().size(), "a box per key plus an ellipse per task");
    }
}

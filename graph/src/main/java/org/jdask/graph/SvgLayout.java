package org.jdask.graph;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A task-graph picture in SVG without Graphviz: a small layered (Sugiyama-style) layout, drawn
 * bottom-up like {@code dot -Grankdir=BT} (inputs at the bottom, outputs at the top).
 *
 * <ol>
 *   <li>Layers by longest path from the sources (a task graph is acyclic).</li>
 *   <li>Edges spanning several layers get a dummy point per crossed layer, so they route around
 *       boxes and take part in crossing reduction.</li>
 *   <li>Crossing reduction: alternating down/up sweeps ordering each layer by the barycenter of
 *       its neighbours' positions in the layer just placed.</li>
 *   <li>Coordinates: each layer packed left to right in that order, then a few passes pulling
 *       every node toward the mean x of its neighbours while keeping the order and spacing.</li>
 * </ol>
 *
 * <p>Why not Eclipse ELK: ELK's layered algorithm is better on big graphs, but it brings a dozen
 * jars (EMF, Guava, ...) into every user's classpath for a debugging picture; this is one file,
 * no dependency, linear-ish in the graph's size, and {@code dot} is still used when installed.
 */
final class SvgLayout {
    private static final double CHAR_W = 6.6;
    private static final double LINE_H = 14;
    private static final double GAP_X = 18;
    private static final double GAP_Y = 46;
    private static final double MARGIN = 12;
    private static final int SWEEPS = 8;
    private static final int SETTLE_PASSES = 6;

    /** A node of the layout: a shape or a dummy point of a long edge. */
    private static final class Box {
        final Drawing.Shape shape; // null for a dummy
        final double w;
        final double h;
        int layer;
        double pos; // order key within the layer during crossing reduction
        double x;   // centre
        double y;   // centre
        final List<Box> below = new ArrayList<>(); // predecessors (layer - 1)
        final List<Box> above = new ArrayList<>(); // successors (layer + 1)

        Box(Drawing.Shape shape) {
            this.shape = shape;
            if (shape == null) {
                w = 2;
                h = 2;
            } else {
                String[] lines = shape.label().split("\n", -1);
                int longest = Arrays.stream(lines).mapToInt(String::length).max().orElse(1);
                double textW = Math.max(longest, 2) * CHAR_W;
                w = shape.ellipse() ? textW * 1.25 + 24 : textW + 20;
                h = lines.length * LINE_H + 14;
            }
        }
    }

    private SvgLayout() {}

    /** The SVG document of {@code d}. */
    static String render(Drawing d) {
        Map<String, Box> byId = new HashMap<>();
        List<Box> boxes = new ArrayList<>();
        for (Drawing.Shape s : d.shapes()) {
            Box b = new Box(s);
            byId.put(s.id(), b);
            boxes.add(b);
        }
        Map<Box, List<Box>> succ = new HashMap<>();
        for (Drawing.Edge e : d.edges()) {
            Box from = byId.get(e.from());
            Box to = byId.get(e.to());
            if (from != null && to != null && from != to) succ.computeIfAbsent(from, k -> new ArrayList<>()).add(to);
        }
        assignLayers(boxes, succ);
        // long edges: a chain of dummies, one per crossed layer; the SVG path follows the chain
        List<List<Box>> paths = new ArrayList<>();
        List<Boolean> dashed = new ArrayList<>();
        for (Drawing.Edge e : d.edges()) {
            Box from = byId.get(e.from());
            Box to = byId.get(e.to());
            if (from == null || to == null || from == to) continue;
            List<Box> chain = new ArrayList<>(List.of(from));
            Box prev = from;
            for (int l = from.layer + 1; l < to.layer; l++) {
                Box dummy = new Box(null);
                dummy.layer = l;
                boxes.add(dummy);
                link(prev, dummy);
                chain.add(dummy);
                prev = dummy;
            }
            link(prev, to);
            chain.add(to);
            paths.add(chain);
            dashed.add(e.dashed());
        }
        List<List<Box>> layers = byLayer(boxes);
        reduceCrossings(layers);
        double width = placeX(layers);
        double height = placeY(layers);
        return svg(layers, paths, dashed, width, height);
    }

    private static void link(Box lower, Box upper) {
        lower.above.add(upper);
        upper.below.add(lower);
    }

    /** Longest path from the sources, in topological (Kahn) order. */
    private static void assignLayers(List<Box> boxes, Map<Box, List<Box>> succ) {
        Map<Box, Integer> indeg = new HashMap<>();
        for (List<Box> ts : succ.values()) for (Box t : ts) indeg.merge(t, 1, Integer::sum);
        ArrayDeque<Box> ready = new ArrayDeque<>();
        for (Box b : boxes) if (!indeg.containsKey(b)) ready.add(b);
        int seen = 0;
        while (!ready.isEmpty()) {
            Box b = ready.poll();
            seen++;
            for (Box t : succ.getOrDefault(b, List.of())) {
                t.layer = Math.max(t.layer, b.layer + 1);
                if (indeg.merge(t, -1, Integer::sum) == 0) ready.add(t);
            }
        }
        if (seen != boxes.size()) throw new IllegalStateException("task-graph drawing has a cycle");
    }

    private static List<List<Box>> byLayer(List<Box> boxes) {
        int top = boxes.stream().mapToInt(b -> b.layer).max().orElse(0);
        List<List<Box>> layers = new ArrayList<>();
        for (int l = 0; l <= top; l++) layers.add(new ArrayList<>());
        for (Box b : boxes) layers.get(b.layer).add(b);
        for (List<Box> layer : layers) numberPositions(layer);
        return layers;
    }

    private static void numberPositions(List<Box> layer) {
        for (int i = 0; i < layer.size(); i++) layer.get(i).pos = i;
    }

    /** Barycenter sweeps: upward ordering by the layer below, downward by the layer above. */
    private static void reduceCrossings(List<List<Box>> layers) {
        for (int sweep = 0; sweep < SWEEPS; sweep++) {
            boolean up = sweep % 2 == 0;
            if (up) {
                for (int l = 1; l < layers.size(); l++) orderBy(layers.get(l), true);
            } else {
                for (int l = layers.size() - 2; l >= 0; l--) orderBy(layers.get(l), false);
            }
        }
    }

    private static void orderBy(List<Box> layer, boolean byBelow) {
        Map<Box, Double> key = new HashMap<>();
        for (Box b : layer) {
            List<Box> ns = byBelow ? b.below : b.above;
            key.put(b, ns.isEmpty() ? b.pos : ns.stream().mapToDouble(n -> n.pos).average().orElse(b.pos));
        }
        layer.sort(Comparator.comparingDouble(key::get)); // stable: ties keep their order
        numberPositions(layer);
    }

    /** Packs each layer, then pulls nodes toward their neighbours; returns the picture's width. */
    private static double placeX(List<List<Box>> layers) {
        for (List<Box> layer : layers) {
            double x = MARGIN;
            for (Box b : layer) {
                b.x = x + b.w / 2;
                x += b.w + GAP_X;
            }
        }
        for (int pass = 0; pass < SETTLE_PASSES; pass++) {
            for (int i = 0; i < layers.size(); i++) {
                List<Box> layer = layers.get(pass % 2 == 0 ? i : layers.size() - 1 - i);
                double[] want = new double[layer.size()];
                for (int j = 0; j < layer.size(); j++) {
                    Box b = layer.get(j);
                    List<Box> ns = new ArrayList<>(b.below);
                    ns.addAll(b.above);
                    want[j] = ns.isEmpty() ? b.x : ns.stream().mapToDouble(n -> n.x).average().orElse(b.x);
                }
                for (int j = 0; j < layer.size(); j++) layer.get(j).x = want[j];
                separate(layer);
            }
        }
        double minX = layers.stream().flatMap(List::stream).mapToDouble(b -> b.x - b.w / 2).min().orElse(0);
        double shift = MARGIN - minX;
        double maxX = 0;
        for (List<Box> layer : layers) {
            for (Box b : layer) {
                b.x += shift;
                maxX = Math.max(maxX, b.x + b.w / 2);
            }
        }
        return maxX + MARGIN;
    }

    /** Keeps the order and at least {@code GAP_X} between neighbours, moving as little as it can. */
    private static void separate(List<Box> layer) {
        int n = layer.size();
        if (n < 2) return;
        double[] left = new double[n];
        for (int j = 0; j < n; j++) {
            Box b = layer.get(j);
            left[j] = b.x;
            if (j > 0) left[j] = Math.max(left[j], left[j - 1] + (layer.get(j - 1).w + b.w) / 2 + GAP_X);
        }
        double[] right = new double[n];
        for (int j = n - 1; j >= 0; j--) {
            Box b = layer.get(j);
            right[j] = b.x;
            if (j < n - 1) right[j] = Math.min(right[j], right[j + 1] - (layer.get(j + 1).w + b.w) / 2 - GAP_X);
        }
        for (int j = 0; j < n; j++) layer.get(j).x = (left[j] + right[j]) / 2;
        for (int j = 1; j < n; j++) { // the average can still overlap: one last left-to-right push
            Box a = layer.get(j - 1);
            Box b = layer.get(j);
            b.x = Math.max(b.x, a.x + (a.w + b.w) / 2 + GAP_X);
        }
    }

    /** Layer 0 (the inputs) at the bottom; returns the picture's height. */
    private static double placeY(List<List<Box>> layers) {
        double y = MARGIN;
        for (int l = layers.size() - 1; l >= 0; l--) {
            double h = layers.get(l).stream().mapToDouble(b -> b.h).max().orElse(2);
            for (Box b : layers.get(l)) b.y = y + h / 2;
            y += h + GAP_Y;
        }
        return y - GAP_Y + MARGIN;
    }

    private static String svg(List<List<Box>> layers, List<List<Box>> paths, List<Boolean> dashed, double width, double height) {
        StringBuilder s = new StringBuilder();
        s.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(f(width)).append("pt\" height=\"").append(f(height))
                .append("pt\" viewBox=\"0 0 ").append(f(width)).append(' ').append(f(height)).append("\">\n")
                .append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">")
                .append("<path d=\"M0,0 L10,5 L0,10 z\" fill=\"black\"/></marker></defs>\n")
                .append("<g font-family=\"Helvetica,Arial,sans-serif\" font-size=\"10\">\n");
        for (int i = 0; i < paths.size(); i++) {
            List<Box> chain = paths.get(i);
            Box from = chain.get(0);
            Box to = chain.get(chain.size() - 1);
            s.append("<path fill=\"none\" stroke=\"black\"").append(dashed.get(i) ? " stroke-dasharray=\"5,3\"" : "")
                    .append(" marker-end=\"url(#arrow)\" d=\"M").append(f(from.x)).append(',').append(f(from.y - from.h / 2));
            for (int j = 1; j < chain.size() - 1; j++) s.append(" L").append(f(chain.get(j).x)).append(',').append(f(chain.get(j).y));
            s.append(" L").append(f(to.x)).append(',').append(f(to.y + to.h / 2)).append("\"/>\n");
        }
        for (List<Box> layer : layers) {
            for (Box b : layer) {
                if (b.shape == null) continue;
                String stroke = " fill=\"white\" stroke=\"black\" stroke-width=\"" + (b.shape.bold() ? "2.5" : "1") + "\"";
                s.append("<g class=\"node\"><title>").append(xml(b.shape.id())).append("</title>");
                if (b.shape.ellipse()) {
                    s.append("<ellipse cx=\"").append(f(b.x)).append("\" cy=\"").append(f(b.y)).append("\" rx=\"").append(f(b.w / 2))
                            .append("\" ry=\"").append(f(b.h / 2)).append('"').append(stroke).append("/>");
                } else {
                    s.append("<rect x=\"").append(f(b.x - b.w / 2)).append("\" y=\"").append(f(b.y - b.h / 2)).append("\" width=\"")
                            .append(f(b.w)).append("\" height=\"").append(f(b.h)).append('"').append(stroke).append("/>");
                }
                String[] lines = b.shape.label().split("\n", -1);
                double y0 = b.y - (lines.length - 1) * LINE_H / 2 + 3.5;
                for (int j = 0; j < lines.length; j++) {
                    s.append("<text text-anchor=\"middle\" x=\"").append(f(b.x)).append("\" y=\"").append(f(y0 + j * LINE_H)).append("\">")
                            .append(xml(lines[j])).append("</text>");
                }
                s.append("</g>\n");
            }
        }
        return s.append("</g>\n</svg>\n").toString();
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

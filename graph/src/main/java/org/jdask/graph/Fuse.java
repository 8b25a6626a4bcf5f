package org.jdask.graph;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Task fusion (Dask's {@code fuse}); see {@link Optimize#fuse(TaskGraph, Collection, FuseOptions)}.
 *
 * <p>One pass in topological order decides, for every task, whether each of its dependencies is
 * absorbed into it. A dependency can be absorbed only if it is a {@link Task}, is not an output,
 * and this task is its only reader. With one such dependency the task extends a linear chain;
 * with several it would fuse a reduction, accepted only while the fused subgraph stays narrow
 * enough ({@link FuseOptions}). Only per-task numbers (height, width, size, inputs) flow up, so
 * the pass is linear. A second pass collects each group and builds one task over a
 * {@link FusedFn} program.
 */
final class Fuse {
    private Fuse() {}

    private record Stats(int height, int width, int nodes, int inputs) {}

    static TaskGraph fuse(TaskGraph graph, Collection<Key> outputs, FuseOptions o) {
        Set<Key> outs = new HashSet<>(outputs);
        List<Key> topo = Graphs.toposort(graph);
        Map<Key, List<Key>> dependents = graph.dependents();
        Map<Key, Integer> position = new HashMap<>(topo.size() * 4 / 3 + 1);
        for (int i = 0; i < topo.size(); i++) position.put(topo.get(i), i);
        Map<Key, Stats> stats = new HashMap<>();
        Set<Key> absorbed = new HashSet<>();
        Set<Key> fusedRoots = new HashSet<>();
        List<Key> children = new ArrayList<>();
        for (Key k : topo) {
            if (!(graph.get(k) instanceof Task t)) continue;
            children.clear();
            for (int j = 0; j < t.dependencyCount(); j++) {
                Key d = t.dependency(j);
                if (graph.getOrNull(d) instanceof Task && !outs.contains(d)) {
                    List<Key> readers = dependents.get(d);
                    if (readers.size() == 1 && readers.get(0).equals(k)) children.add(d);
                }
            }
            Stats alone = new Stats(1, 1, 1, t.dependencyCount());
            if (children.isEmpty()) {
                stats.put(k, alone);
                continue;
            }
            int height = 0;
            int width = 0;
            int nodes = 1;
            int inputs = t.dependencyCount() - children.size();
            for (Key c : children) {
                Stats s = stats.get(c);
                height = Math.max(height, s.height);
                width += s.width;
                nodes += s.nodes;
                inputs += s.inputs;
            }
            height++;
            boolean ok = height <= o.maxHeight();
            if (children.size() > 1) {
                ok &= width <= o.maxWidth() && (double) nodes / height <= o.aveWidth() && inputs <= o.maxDepthNewEdges();
            }
            if (ok) {
                absorbed.addAll(children);
                fusedRoots.add(k);
                stats.put(k, new Stats(height, width, nodes, inputs));
            } else {
                stats.put(k, alone);
            }
        }
        if (absorbed.isEmpty()) return graph;

        TaskGraph.Builder b = TaskGraph.builder(graph.size() - absorbed.size() + fusedRoots.size());
        Set<Key> newKeys = new HashSet<>();
        for (Map.Entry<Key, Node> e : graph.nodes().entrySet()) {
            Key k = e.getKey();
            if (absorbed.contains(k)) continue;
            if (!fusedRoots.contains(k)) {
                b.put(k, e.getValue());
                continue;
            }
            List<Key> members = members(graph, k, absorbed, position);
            Task fused = program(graph, members);
            Key renamed = o.renameKeys() ? renamed(members, o.maxKeyLength()) : k;
            if (!renamed.equals(k) && !graph.contains(renamed) && newKeys.add(renamed)) {
                b.put(renamed, fused);
                b.put(k, new Alias(renamed));
            } else {
                b.put(k, fused);
            }
        }
        for (String layer : layerNamesOf(graph)) b.annotateLayer(layer, graph.layerAnnotations(layer));
        return b.build();
    }

    /** The root and everything absorbed into it, in topological order (root last). */
    private static List<Key> members(TaskGraph graph, Key root, Set<Key> absorbed, Map<Key, Integer> position) {
        List<Key> out = new ArrayList<>();
        ArrayDeque<Key> stack = new ArrayDeque<>();
        stack.push(root);
        while (!stack.isEmpty()) {
            Key k = stack.pop();
            out.add(k);
            for (Key d : graph.get(k).dependencies()) if (absorbed.contains(d)) stack.push(d);
        }
        out.sort((a, c) -> Integer.compare(position.get(a), position.get(c)));
        return out;
    }

    private static Task program(TaskGraph graph, List<Key> members) {
        Set<Key> local = new HashSet<>(members);
        LinkedHashSet<Key> inputs = new LinkedHashSet<>();
        Task[] tasks = new Task[members.size()];
        for (int i = 0; i < tasks.length; i++) {
            tasks[i] = (Task) graph.get(members.get(i));
            for (int j = 0; j < tasks[i].dependencyCount(); j++) {
                Key d = tasks[i].dependency(j);
                if (!local.contains(d)) inputs.add(d);
            }
        }
        Key[] in = inputs.toArray(new Key[0]);
        FusedFn fn = new FusedFn(in, members.toArray(new Key[0]), tasks);
        return Task.ofArray(fn, in.clone());
    }

    /**
     * The fused key's name: the distinct name prefixes of the absorbed tasks, sorted, then the
     * root's full name; the root's index is kept. Cut to {@code maxLength} with a token suffix.
     */
    static Key renamed(List<Key> members, int maxLength) {
        Key root = members.get(members.size() - 1);
        String rootPrefix = prefix(root.name());
        Set<String> distinct = new HashSet<>();
        for (int i = 0; i < members.size() - 1; i++) distinct.add(members.get(i).name());
        TreeSet<String> names = new TreeSet<>();
        for (String s : distinct) names.add(prefix(s));
        names.remove(rootPrefix);
        if (names.isEmpty()) return root;
        String name = String.join("-", names) + "-" + root.name();
        if (name.length() > maxLength) {
            name = name.substring(0, maxLength - 9) + "-" + token(name);
        }
        return Key.of(name, root.index());
    }

    /**
     * The human part of a key name (Dask's {@code key_split}): its leading dash-separated words,
     * stopping at the first word with a digit or that looks like a hex token.
     * {@code inc-1f2e3d} → {@code inc}, {@code sum-chunk-3} → {@code sum-chunk}.
     */
    static String prefix(String name) {
        String[] words = name.split("-");
        StringBuilder b = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            String w = words[i];
            if (w.isEmpty() || hasDigit(w) || (w.length() >= 8 && isHex(w))) break;
            b.append('-').append(w);
        }
        return b.toString();
    }

    private static boolean hasDigit(String w) {
        for (int i = 0; i < w.length(); i++) if (Character.isDigit(w.charAt(i))) return true;
        return false;
    }

    private static boolean isHex(String w) {
        for (int i = 0; i < w.length(); i++) {
            char c = w.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) return false;
        }
        return true;
    }

    /** 8 hex digits of a 64-bit FNV-1a hash: stable across JVMs. */
    static String token(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= x & 0xff;
            h *= 0x100000001b3L;
        }
        return String.format("%08x", (h ^ (h >>> 32)) & 0xffffffffL);
    }

    private static Set<String> layerNamesOf(TaskGraph g) {
        Set<String> names = new HashSet<>();
        for (Key k : g.keys()) if (!g.layerAnnotations(k.name()).isEmpty()) names.add(k.name());
        return names;
    }
}

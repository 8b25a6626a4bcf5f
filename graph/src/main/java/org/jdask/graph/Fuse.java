package org.jdask.graph;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
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
 * the pass is linear, over the int arrays of an {@link IndexedGraph} (so every dependency must
 * be in the graph). A second pass collects each group and builds one task over a {@link
 * FusedFn} program.
 */
final class Fuse {
    private Fuse() {}

    static TaskGraph fuse(TaskGraph graph, Collection<Key> outputs, FuseOptions o) {
        IndexedGraph g = IndexedGraph.of(graph);
        int n = g.size();
        boolean[] output = new boolean[n];
        if (!outputs.isEmpty()) {
            for (int i : g.indicesOf(new ArrayList<>(outputs))) output[i] = true;
        }
        int[] topo = topologicalOrder(g, graph);
        int[] position = new int[n];
        for (int i = 0; i < n; i++) position[topo[i]] = i;
        // per task: height, width (leaves), size and inputs of the group it heads
        int[] height = new int[n];
        int[] width = new int[n];
        int[] nodes = new int[n];
        int[] inputs = new int[n];
        boolean[] absorbed = new boolean[n];
        boolean[] fusedRoot = new boolean[n];
        int absorbedCount = 0;
        int[] children = new int[16];
        for (int t : topo) {
            if (!(g.node(t) instanceof Task)) continue;
            int deps = g.dependencyCount(t);
            if (children.length < deps) children = new int[deps];
            int c = 0;
            for (int j = 0; j < deps; j++) {
                int d = g.dependency(t, j);
                if (g.node(d) instanceof Task && !output[d] && g.dependentCount(d) == 1) children[c++] = d;
            }
            height[t] = 1;
            width[t] = 1;
            nodes[t] = 1;
            inputs[t] = deps;
            if (c == 0) continue;
            long h = 0;
            long w = 0;
            long size = 1;
            long in = deps - c;
            for (int j = 0; j < c; j++) {
                int d = children[j];
                h = Math.max(h, height[d]);
                w += width[d];
                size += nodes[d];
                in += inputs[d];
            }
            h++;
            boolean ok = h <= o.maxHeight();
            if (c > 1) ok &= w <= o.maxWidth() && (double) size / h <= o.aveWidth() && in <= o.maxDepthNewEdges();
            if (!ok) continue;
            for (int j = 0; j < c; j++) absorbed[children[j]] = true;
            absorbedCount += c;
            fusedRoot[t] = true;
            height[t] = (int) Math.min(h, Integer.MAX_VALUE);
            width[t] = (int) Math.min(w, Integer.MAX_VALUE);
            nodes[t] = (int) Math.min(size, Integer.MAX_VALUE);
            inputs[t] = (int) Math.min(in, Integer.MAX_VALUE);
        }
        if (absorbedCount == 0) return graph;

        TaskGraph.Builder b = TaskGraph.builder(n - absorbedCount + n / 8);
        Set<Key> newKeys = new HashSet<>();
        for (int t = 0; t < n; t++) {
            if (absorbed[t]) continue;
            Key k = g.key(t);
            if (!fusedRoot[t]) {
                b.put(k, g.node(t));
                continue;
            }
            int[] group = members(g, t, absorbed, position);
            List<Key> members = new ArrayList<>(group.length);
            for (int m : group) members.add(g.key(m));
            Task fused = program(g, group, members);
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

    private static int[] topologicalOrder(IndexedGraph g, TaskGraph graph) {
        int n = g.size();
        int[] left = new int[n];
        int[] topo = new int[n];
        int tail = 0;
        for (int i = 0; i < n; i++) if ((left[i] = g.dependencyCount(i)) == 0) topo[tail++] = i;
        for (int head = 0; head < tail; head++) {
            int t = topo[head];
            for (int j = 0, c = g.dependentCount(t); j < c; j++) {
                int d = g.dependent(t, j);
                if (--left[d] == 0) topo[tail++] = d;
            }
        }
        if (tail != n) Graphs.toposort(graph); // throws CycleException naming the cycle
        return topo;
    }

    /** The root and everything absorbed into it, in topological order (root last). */
    private static int[] members(IndexedGraph g, int root, boolean[] absorbed, int[] position) {
        long[] found = new long[8];
        int count = 0;
        int[] stack = new int[8];
        int sp = 0;
        stack[sp++] = root;
        while (sp > 0) {
            int t = stack[--sp];
            if (count == found.length) found = Arrays.copyOf(found, count * 2);
            found[count++] = ((long) position[t] << 32) | t;
            for (int j = 0, c = g.dependencyCount(t); j < c; j++) {
                int d = g.dependency(t, j);
                if (!absorbed[d]) continue;
                if (sp == stack.length) stack = Arrays.copyOf(stack, sp * 2);
                stack[sp++] = d;
            }
        }
        Arrays.sort(found, 0, count);
        int[] out = new int[count];
        for (int i = 0; i < count; i++) out[i] = (int) found[i];
        return out;
    }

    private static Task program(IndexedGraph g, int[] group, List<Key> members) {
        Set<Key> local = new HashSet<>(members);
        LinkedHashSet<Key> inputs = new LinkedHashSet<>();
        Task[] tasks = new Task[members.size()];
        for (int i = 0; i < tasks.length; i++) {
            tasks[i] = (Task) g.node(group[i]);
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

package org.jdask.bag;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdask.bag.internal.TextBlock;
import org.jdask.bag.internal.TextReader;
import org.jdask.bag.internal.TextReader.Sink;
import org.jdask.fn.FnN;
import org.jdask.graph.Key;
import org.jdask.graph.Node;
import org.jdask.graph.Task;
import org.jdask.graph.TaskGraph;

/**
 * Bag-specific fusion (the role of {@code lazify} in Dask's bag optimizer): a chain
 * {@code read-text -> map/filter/flatMap/pluck ... -> [per-partition reduction]} whose
 * intermediate partitions nobody else reads becomes one task that streams each record through
 * the chain, so no list of all lines is ever built: {@code readText(..).filter(f).count()} keeps
 * only a counter, and a filter keeps only the records that pass.
 *
 * <p>A partition read by two consumers (e.g. {@code Jdask.compute(obama, wiki.count())}) is not
 * fused into either: it stays one task, computed once and shared. The pass runs after culling,
 * before the generic linear fusion.
 */
final class StreamFusion {
    private StreamFusion() {}

    static TaskGraph fuse(TaskGraph g, Collection<Key> outputs) {
        Map<Key, List<Key>> dependents = g.dependents();
        Set<Key> outs = new HashSet<>(outputs);
        Map<Key, Node> nodes = new LinkedHashMap<>(g.nodes());
        Set<Key> removed = new HashSet<>();
        boolean changed = false;
        for (Map.Entry<Key, Node> e : g.nodes().entrySet()) {
            Key k = e.getKey();
            if (removed.contains(k)) continue;
            Node n = nodes.get(k);
            if (!(n instanceof Task t) || !consumer(t)) continue;
            // pull producers into this task while the chain is private to it
            Task cur = t;
            while (true) {
                Object in = cur.arg(0);
                if (!(in instanceof Key src) || outs.contains(src) || removed.contains(src)) break;
                List<Key> readers = dependents.get(src);
                if (readers == null || readers.size() != 1) break;
                Node pn = nodes.get(src);
                if (!(pn instanceof Task p) || !producer(p)) break;
                cur = merge(p, cur);
                nodes.remove(src);
                removed.add(src);
            }
            if (cur != t) {
                nodes.put(k, cur);
                changed = true;
            }
        }
        changed |= tee(nodes, outs);
        if (!changed) return g;
        TaskGraph.Builder b = TaskGraph.builder(nodes.size()).putAll(nodes);
        for (String layer : layerNames(g)) b.annotateLayer(layer, g.layerAnnotations(layer));
        return b.build();
    }

    /** Replaces reads shared only by stream consumers with one tee task each; true when any was. */
    private static boolean tee(Map<Key, Node> nodes, Set<Key> outs) {
        Map<Key, List<Key>> readers = new java.util.HashMap<>();
        for (Map.Entry<Key, Node> e : nodes.entrySet()) {
            for (Key d : e.getValue().dependencies()) readers.computeIfAbsent(d, x -> new ArrayList<>(2)).add(e.getKey());
        }
        boolean changed = false;
        for (Map.Entry<Key, List<Key>> e : readers.entrySet()) {
            Key src = e.getKey();
            List<Key> rs = e.getValue();
            if (rs.size() < 2 || outs.contains(src)) continue;
            if (!(nodes.get(src) instanceof Task p) || !producer(p)) continue;
            boolean ok = true;
            for (Key r : rs) {
                ok &= nodes.get(r) instanceof Task t && consumer(t) && src.equals(t.arg(0)) && t.dependencyCount() == 1;
            }
            if (!ok) continue;
            Pipeline[] branches = new Pipeline[rs.size()];
            int[] parts = new int[rs.size()];
            for (int j = 0; j < branches.length; j++) {
                Task t = (Task) nodes.get(rs.get(j));
                branches[j] = asPipeline(t);
                parts[j] = t.argCount() > 1 ? (Integer) t.arg(1) : 0;
            }
            Key teeKey = Key.of("tee-" + src.name(), src.index());
            Object index = p.argCount() > 1 ? p.arg(1) : 0;
            nodes.put(teeKey, Task.ofArray(new Tee(asPipeline(p), branches, parts), new Object[] {p.arg(0), index}));
            nodes.remove(src);
            for (int j = 0; j < branches.length; j++) nodes.put(rs.get(j), Task.ofArray(new Pick(), new Object[] {teeKey, j}));
            changed = true;
        }
        return changed;
    }

    private static Set<String> layerNames(TaskGraph g) {
        Set<String> names = new HashSet<>();
        for (Key k : g.keys()) if (!g.layerAnnotations(k.name()).isEmpty()) names.add(k.name());
        return names;
    }

    /** Tasks that read one partition as a[0] and may absorb its producer. */
    private static boolean consumer(Task t) {
        FnN f = t.function();
        return f instanceof PartFns.Records || f instanceof PartFns.Whole || f instanceof Pipeline;
    }

    /** Tasks whose output partition can be streamed instead of listed. */
    private static boolean producer(Task t) {
        FnN f = t.function();
        return f instanceof PartFns.ReadText || f instanceof PartFns.Records
                || (f instanceof Pipeline p && p.terminal == null);
    }

    /** {@code consumer(producer(...))} as one pipeline task. */
    private static Task merge(Task producer, Task consumer) {
        Pipeline up = asPipeline(producer);
        Pipeline down = asPipeline(consumer);
        PartFns.Records[] ops = Arrays.copyOf(up.ops, up.ops.length + down.ops.length);
        System.arraycopy(down.ops, 0, ops, up.ops.length, down.ops.length);
        Pipeline p = new Pipeline(up.readsText, ops, down.terminal);
        Object index = consumer.argCount() > 1 ? consumer.arg(1) : 0;
        return Task.ofArray(p, new Object[] {producer.arg(0), index});
    }

    private static Pipeline asPipeline(Task t) {
        FnN f = t.function();
        if (f instanceof Pipeline p) return p;
        if (f instanceof PartFns.ReadText) return new Pipeline(true, new PartFns.Records[0], null);
        if (f instanceof PartFns.Records r) return new Pipeline(false, new PartFns.Records[] {r}, null);
        return new Pipeline(false, new PartFns.Records[0], (PartFns.Whole) f);
    }

    /**
     * Source (text blocks, or a listed partition) -> record ops -> list, count, or a
     * per-partition function of the list. Arguments: a[0] the source, a[1] the partition index.
     */
    /** Pushes a source (text blocks or a listed partition) into {@code sink}. */
    static void feed(boolean readsText, Object source, Sink sink) throws Exception {
        if (readsText) {
            @SuppressWarnings("unchecked")
            List<TextBlock> blocks = (List<TextBlock>) source;
            for (TextBlock b : blocks) TextReader.read(b, sink);
        } else {
            for (Object x : (List<?>) source) sink.accept(x);
        }
    }

    /**
     * One read feeding several pipelines (a "tee"): {@code Jdask.compute(obama, obama.count(),
     * wiki.count())} reads each file once and streams every line to both the filter and the
     * count, instead of listing all lines for them to share. Returns an array, one result per
     * branch; each former consumer becomes {@code getitem(tee, j)}.
     */
    static final class Tee implements FnN {
        final Pipeline source;
        final Pipeline[] branches;
        final int[] parts;

        Tee(Pipeline source, Pipeline[] branches, int[] parts) {
            this.source = source;
            this.branches = branches;
            this.parts = parts;
        }

        @Override
        public Object invoke(Object[] a) throws Exception {
            Pipeline.Run[] runs = new Pipeline.Run[branches.length];
            for (int j = 0; j < runs.length; j++) runs[j] = branches[j].new Run(parts[j]);
            Sink fan = x -> {
                for (Pipeline.Run r : runs) r.sink.accept(x);
            };
            Sink in = fan;
            for (int i = source.ops.length - 1; i >= 0; i--) in = source.ops[i].sink(in, (Integer) a[1]);
            feed(source.readsText, a[0], in);
            Object[] out = new Object[runs.length];
            for (int j = 0; j < runs.length; j++) out[j] = runs[j].result();
            return out;
        }

        @Override public int arity() { return 2; }
        @Override public String toString() { return "tee(" + source + " -> " + branches.length + ")"; }
        @Override public boolean equals(Object o) {
            return o instanceof Tee t && t.source.equals(source) && Arrays.equals(t.branches, branches) && Arrays.equals(t.parts, parts);
        }
        @Override public int hashCode() { return source.hashCode() * 31 + Arrays.hashCode(branches); }
    }

    /** Element {@code j} of a tee's result array. */
    static final class Pick implements FnN {
        @Override public Object invoke(Object[] a) { return ((Object[]) a[0])[(Integer) a[1]]; }
        @Override public int arity() { return 2; }
        @Override public String toString() { return "pick"; }
        @Override public boolean equals(Object o) { return o instanceof Pick; }
        @Override public int hashCode() { return 14; }
    }

    static final class Pipeline implements FnN {
        final boolean readsText;
        final PartFns.Records[] ops;
        final PartFns.Whole terminal;
        /** The terminal is the built-in count (decided here, in the building JVM, by identity). */
        final boolean count;

        Pipeline(boolean readsText, PartFns.Records[] ops, PartFns.Whole terminal) {
            this.readsText = readsText;
            this.ops = ops;
            this.terminal = terminal;
            this.count = terminal != null && terminal.isCount();
        }

        /** One run of the record ops into a list, a counter, or the terminal function. */
        final class Run {
            final Sink sink;
            private final int part;
            private final long[] n = new long[1];
            private final List<Object> list;

            Run(int part) {
                this.part = part;
                this.list = count ? null : new ArrayList<>();
                Sink s = count ? x -> n[0]++ : list::add;
                for (int i = ops.length - 1; i >= 0; i--) s = ops[i].sink(s, part);
                this.sink = s;
            }

            Object result() throws Exception {
                if (count) return n[0];
                return terminal == null ? list : terminal.invoke(new Object[] {list, part});
            }
        }

        @Override
        public Object invoke(Object[] a) throws Exception {
            if (count && readsText && ops.length == 0) {
                // count of lines: validated but no String per ASCII line
                long n = 0;
                @SuppressWarnings("unchecked")
                List<TextBlock> blocks = (List<TextBlock>) a[0];
                for (TextBlock b : blocks) n += TextReader.count(b);
                return n;
            }
            Run run = new Run((Integer) a[1]);
            feed(readsText, a[0], run.sink);
            return run.result();
        }

        @Override public int arity() { return 2; }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(readsText ? "read-text" : "partition");
            for (PartFns.Records r : ops) b.append('|').append(r);
            if (terminal != null) b.append('|').append(terminal);
            return b.toString();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Pipeline p && p.readsText == readsText && Arrays.equals(p.ops, ops)
                    && java.util.Objects.equals(p.terminal, terminal);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(ops) * 31 + (readsText ? 1 : 0);
        }
    }
}

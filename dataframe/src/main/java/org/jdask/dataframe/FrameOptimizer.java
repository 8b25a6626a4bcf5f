package org.jdask.dataframe;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdask.graph.Alias;
import org.jdask.graph.GraphOptimizer;
import org.jdask.graph.Key;
import org.jdask.graph.Node;
import org.jdask.graph.Optimize;
import org.jdask.graph.Task;
import org.jdask.graph.TaskGraph;

/**
 * The optimizer of every dataframe collection: when several computations in one
 * {@code Jdask.compute} read the same CSV partition with different column sets (each was pruned
 * to what it needs), the reads are merged into one read of the union of the columns, so each file
 * is parsed once; then the standard passes run.
 */
final class FrameOptimizer implements GraphOptimizer {
    static final FrameOptimizer INSTANCE = new FrameOptimizer();

    private FrameOptimizer() {}

    private record Where(CsvSpec spec, int file, int block) {}

    @Override
    public TaskGraph optimize(TaskGraph graph, List<Key> outputs) {
        Map<Where, List<Key>> reads = new LinkedHashMap<>();
        for (Map.Entry<Key, Node> e : graph.nodes().entrySet()) {
            if (e.getValue() instanceof Task t && t.function() instanceof CsvTasks.ReadBlock r && !r.countBadLines()) {
                reads.computeIfAbsent(new Where(r.spec(), r.file(), r.block()), w -> new ArrayList<>()).add(e.getKey());
            }
        }
        Set<Key> outs = new HashSet<>(outputs);
        TaskGraph.Builder b = null;
        for (Map.Entry<Where, List<Key>> e : reads.entrySet()) {
            List<Key> keys = e.getValue();
            if (keys.size() < 2 || keys.stream().anyMatch(outs::contains)) continue;
            LinkedHashSet<String> union = new LinkedHashSet<>();
            Set<String> all = new HashSet<>();
            Task first = null;
            for (Key k : keys) {
                Task t = (Task) graph.get(k);
                if (first == null) first = t;
                all.addAll(((CsvTasks.ReadBlock) t.function()).columns());
            }
            for (String c : e.getKey().spec().schema().keySet()) if (all.contains(c)) union.add(c);
            CsvTasks.ReadBlock r = (CsvTasks.ReadBlock) first.function();
            List<String> cols = new ArrayList<>(union);
            Key merged = Key.of("read-csv-" + Plan.tok(r.spec(), cols), keys.get(0).index());
            if (b == null) b = graph.toBuilder();
            b.put(merged, Task.ofArray(new CsvTasks.ReadBlock(r.spec(), r.file(), r.block(), r.nblocks(), cols),
                    new Object[] {first.arg(0)}));
            for (Key k : keys) if (!k.equals(merged)) b.put(k, new Alias(merged));
        }
        return Optimize.standard(b == null ? graph : b.build(), outputs);
    }
}

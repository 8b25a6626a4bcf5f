package org.jdask.dataframe;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jdask.fn.FnN;
import org.jdask.graph.DataNode;
import org.jdask.graph.Key;
import org.jdask.graph.Task;
import org.jdask.graph.TaskGraph;
import org.jdask.graph.Tokenize;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.Table;

/**
 * A node of a frame's logical plan (like dask-expr): what a partition is made from. Lowering turns
 * a plan into tasks, one per partition, given the set of columns the consumers need, so a read
 * parses only those columns (projection pushdown) and a filter evaluates only what it reads.
 */
abstract class Plan {
    final LinkedHashMap<String, ColumnType> schema;
    final int npartitions;
    private String token;

    Plan(LinkedHashMap<String, ColumnType> schema, int npartitions) {
        this.schema = schema;
        this.npartitions = npartitions;
    }

    /** What makes this plan distinct (tokenized into its keys). */
    abstract Object identity();

    /** Adds this plan's tasks producing at least {@code required} (null: all columns). */
    abstract List<Key> lower(Set<String> required, Lowering lw);

    final String token() {
        if (token == null) token = Tokenize.token(identity());
        return token;
    }

    /** Lowering state: the graph being built and what was lowered already. */
    static final class Lowering {
        final TaskGraph.Builder b = TaskGraph.builder();
        private final Map<String, List<Key>> memo = new HashMap<>();

        List<Key> keys(Plan p, Set<String> required) {
            Set<String> req = required == null || required.containsAll(p.schema.keySet()) ? null : new TreeSet<>(required);
            String m = p.token() + "|" + req;
            List<Key> k = memo.get(m);
            if (k == null) {
                k = p.lower(req, this);
                memo.put(m, k);
            }
            return k;
        }
    }

    static String tok(Object... parts) {
        return Tokenize.token(parts);
    }

    /** The schema restricted to {@code required} (all of it when null), in schema order. */
    static LinkedHashMap<String, ColumnType> sub(LinkedHashMap<String, ColumnType> schema, Set<String> required) {
        if (required == null) return schema;
        LinkedHashMap<String, ColumnType> m = new LinkedHashMap<>();
        schema.forEach((c, t) -> { if (required.contains(c)) m.put(c, t); });
        return m;
    }

    static List<String> reqList(Set<String> required) {
        return required == null ? List.of("*") : new ArrayList<>(new TreeSet<>(required));
    }

    // ------------------------------------------------------------------ CSV

    static final class Csv extends Plan {
        final CsvSpec spec;

        Csv(CsvSpec spec) {
            super(spec.schema(), spec.partitions().size());
            this.spec = spec;
        }

        @Override Object identity() { return List.of("read-csv", spec); }

        @Override List<Key> lower(Set<String> required, Lowering lw) {
            List<String> cols = new ArrayList<>();
            for (String c : schema.keySet()) if (required == null || required.contains(c)) cols.add(c);
            if (cols.isEmpty()) cols.add(schema.keySet().iterator().next()); // row counts still need one column
            return lowerReads(cols, false, "read-csv-" + tok(spec, cols), lw);
        }

        /** One read task per partition ({@code countBadLines}: each returns its dropped-row count instead). */
        List<Key> lowerReads(List<String> cols, boolean countBadLines, String name, Lowering lw) {
            List<Key> out = new ArrayList<>();
            List<int[]> parts = spec.partitions();
            Map<Integer, Key> divisions = new HashMap<>();
            for (int i = 0; i < parts.size(); i++) {
                int[] p = parts.get(i);
                Object div = null;
                if (p[2] > 1) {
                    final int file = p[0];
                    div = divisions.computeIfAbsent(file, f -> {
                        Key k = Key.of("csv-divisions-" + tok(spec.files().get(f), spec.sizes().get(f), spec.options().blocksize, (int) spec.options().quote), f);
                        lw.b.put(k, Task.ofArray(new CsvTasks.Divisions(spec.files().get(f), p[2], spec.options().blocksize, (byte) spec.options().quote, (byte) spec.options().separator), new Object[0]));
                        return k;
                    });
                }
                Key k = Key.of(name, i);
                lw.b.put(k, Task.ofArray(new CsvTasks.ReadBlock(spec, p[0], p[1], p[2], cols, countBadLines), new Object[] {div}));
                out.add(k);
            }
            return out;
        }
    }

    // ------------------------------------------------------------------ in-memory tables

    static final class Tables extends Plan {
        final List<Table> parts;
        final String contentToken;

        Tables(List<Table> parts, LinkedHashMap<String, ColumnType> schema) {
            super(schema, parts.size());
            this.parts = parts;
            List<Object> content = new ArrayList<>();
            for (Table t : parts) content.add(Tablesx.contentToken(t));
            this.contentToken = Tokenize.token(content);
        }

        @Override Object identity() { return List.of("from-tables", contentToken); }

        @Override List<Key> lower(Set<String> required, Lowering lw) {
            List<Key> out = new ArrayList<>();
            for (int i = 0; i < parts.size(); i++) {
                Key k = Key.of("from-tables-" + contentToken, i);
                lw.b.put(k, new DataNode(parts.get(i)));
                out.add(k);
            }
            return out;
        }
    }

    // ------------------------------------------------------------------ partition-wise ops

    static final class Parts extends Plan {
        final Plan input;
        final Ops.PartOp op;

        Parts(Plan input, Ops.PartOp op) {
            super(op.schema(input.schema), input.npartitions);
            this.input = input;
            this.op = op;
        }

        @Override Object identity() { return List.of(op, input.token()); }

        @Override List<Key> lower(Set<String> required, Lowering lw) {
            Set<String> need = op.needs(required, input.schema);
            List<Key> in = lw.keys(input, need);
            String name = op.name() + "-" + tok(token(), reqList(required));
            List<Key> out = new ArrayList<>(in.size());
            FnN fn = new Ops.Apply(op);
            for (int i = 0; i < in.size(); i++) {
                Key k = Key.of(name, i);
                lw.b.put(k, Task.ofArray(fn, new Object[] {in.get(i)}));
                out.add(k);
            }
            return out;
        }
    }

    // ------------------------------------------------------------------ tree reductions

    /** Chunk per partition, combine {@code splitEvery} at a time, then finish: returns the final key. */
    static Key reduce(String name, List<Key> in, Reductions.Reduction<?> r, int splitEvery, Lowering lw) {
        List<Key> level = new ArrayList<>();
        FnN chunk = new Reductions.Chunk(r);
        for (int i = 0; i < in.size(); i++) {
            Key k = Key.of(name + "-chunk", i);
            lw.b.put(k, Task.ofArray(chunk, new Object[] {in.get(i)}));
            level.add(k);
        }
        int depth = 0;
        FnN combine = new Reductions.Combine(r);
        while (level.size() > splitEvery) {
            List<Key> next = new ArrayList<>();
            for (int j = 0; j < level.size(); j += splitEvery) {
                Key k = Key.of(name + "-combine", depth, next.size());
                lw.b.put(k, Task.ofArray(combine, new Object[] {new ArrayList<Object>(level.subList(j, Math.min(level.size(), j + splitEvery)))}));
                next.add(k);
            }
            level = next;
            depth++;
        }
        Key fin = Key.of(name + "-agg");
        lw.b.put(fin, Task.ofArray(new Reductions.Finish(r), new Object[] {new ArrayList<Object>(level)}));
        return fin;
    }
}

/** A plan over partitions that are already computed (what {@code persist} returns). */
final class FixedPlan extends Plan {
    final List<Key> keys;
    final Map<Key, org.jdask.graph.Node> nodes;

    FixedPlan(LinkedHashMap<String, ColumnType> schema, List<Key> keys, Map<Key, org.jdask.graph.Node> nodes) {
        super(schema, keys.size());
        this.keys = keys;
        this.nodes = nodes;
    }

    @Override Object identity() { return List.of("persisted", new ArrayList<Object>(keys)); }

    @Override List<Key> lower(Set<String> required, Lowering lw) {
        nodes.forEach(lw.b::put);
        return keys;
    }
}

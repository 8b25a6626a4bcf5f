package org.jdask.dataframe;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdask.Jdask;
import org.jdask.Lazy;
import org.jdask.fn.FnN;
import org.jdask.graph.Globs;
import org.jdask.graph.GraphOptimizer;
import org.jdask.graph.Key;
import org.jdask.graph.Task;
import org.jdask.graph.TaskGraph;
import tech.tablesaw.api.Table;

/** Writers: one task per partition. */
final class IoTasks {
    private IoTasks() {}

    /** Which writer: csv, arrow or parquet. */
    record Writer(String format) {}

    static List<Path> write(DataFrame frame, String pattern, Writer writer) {
        String op = "to" + Character.toUpperCase(writer.format().charAt(0)) + writer.format().substring(1);
        List<Key> in = frame.keys();
        List<String> files = Globs.outputPaths(pattern, in.size(), op);
        TaskGraph.Builder b = frame.graph().toBuilder();
        List<Key> outs = new ArrayList<>();
        List<Path> paths = new ArrayList<>();
        String name = "to-" + writer.format() + "-" + Plan.tok(frame.plan.token(), pattern);
        for (int i = 0; i < in.size(); i++) {
            Path p = Path.of(files.get(i));
            paths.add(p);
            Key k = Key.of(name, i);
            FnN w = writer.format().equals("csv") ? new WriteCsv(p.toString()) : new FileFormats.WriteFile(writer.format(), p.toString(), frame.indexColumn());
            b.put(k, Task.ofArray(w, new Object[] {in.get(i)}));
            outs.add(k);
        }
        TaskGraph g = b.build();
        Jdask.computeAll(List.of(new Writes(g, outs)), Map.of());
        return paths;
    }

    record WriteCsv(String path) implements FnN {
        @Override public Object invoke(Object[] a) {
            Table t = (Table) a[0];
            Path p = Path.of(path);
            try {
                if (p.getParent() != null) Files.createDirectories(p.getParent());
                try (OutputStream out = Files.newOutputStream(p)) {
                    t.write().csv(out);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("writing " + path, e);
            }
            return path;
        }
        @Override public int arity() { return 1; }
        @Override public String toString() { return "to-csv"; }
    }

    private record Writes(TaskGraph graph, List<Key> keys) implements Lazy<List<Object>> {
        public List<Object> finish(List<Object> values) { return values; }
        public Lazy<List<Object>> rebuild(TaskGraph persisted) { return new Writes(persisted, keys); }
        public GraphOptimizer optimizer() { return FrameOptimizer.INSTANCE; }
    }
}

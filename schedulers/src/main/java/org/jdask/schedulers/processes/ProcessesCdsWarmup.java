package org.jdask.schedulers.processes;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdask.fn.Fn1;
import org.jdask.fn.FnN;
import org.jdask.fn.Fns;
import org.jdask.graph.Key;
import org.jdask.graph.Task;
import org.jdask.graph.cds.CdsWarmup;
import org.jdask.serialize.Codecs;

/**
 * The {@code processes} worker's start-up for the CDS archive ({@link org.jdask.graph.cds.CdsArchive}):
 * what {@link WorkerMain} does for its first run, in process (its real loop halts the JVM, which
 * would write no archive): decode a run's config, decode a function and a task, run them, encode
 * the results and a failure, and load the worker's own classes.
 */
public final class ProcessesCdsWarmup implements CdsWarmup {
    @Override
    public void run() throws Exception {
        ClassLoader loader = ProcessesCdsWarmup.class.getClassLoader();
        for (Class<?> c : List.of(WorkerMain.class, Protocol.class)) Class.forName(c.getName(), true, loader);
        Map<String, Object> config = new TreeMap<>(Codecs.carryAllowed(Map.of("scheduler", "processes")));
        Codecs.acceptAllowed(castMap(Codecs.decode(Codecs.encode(config))));
        Fn1<Long, Long> inc = x -> x + 1;
        FnN f = Fns.of(Codecs.decode(Codecs.encode(inc)));
        Object v = f.invoke(new Object[] {41L});
        Codecs.decode(Codecs.encode(v));
        Task t = (Task) Codecs.decode(Codecs.encode(Task.of(inc, Key.of("x", 0))));
        Codecs.decode(Codecs.encode(t.execute(k -> 1L)));
        Codecs.decode(Codecs.encode(new IllegalStateException("warm-up failure")));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }
}

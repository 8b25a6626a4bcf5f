package org.jdask.schedulers.processes;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jdask.Config;
import org.jdask.Delayed;
import org.jdask.fn.Fn1;
import org.jdask.fn.FnN;
import org.jdask.fn.Fns;
import org.jdask.graph.Key;
import org.jdask.graph.Node;
import org.jdask.graph.Task;
import org.jdask.graph.TaskGraph;
import org.jdask.serialize.Codecs;
import org.slf4j.LoggerFactory;

/**
 * What a {@code processes} worker JVM does for its first run that does not depend on the run:
 * read the config files (the YAML parse, ~80 ms in a fresh JVM), build the codecs (Fory, the
 * modules' value codecs found with ServiceLoader, Tablesaw's column types among them), and encode
 * and decode the frames of a first run — a config map, a function, a task with a key argument, a
 * fan-in task reading a list of keys — so Fory generates their serializers. A class-load log of a
 * cold W1 fan-in (issue 17) showed all of it after the first BEGIN, on the critical path, while
 * the worker had waited idle ~0.5 s for that BEGIN: {@link WorkerMain} runs this on a daemon thread
 * right after it connects ({@link #startInBackground}), and the parent runs it while its worker
 * JVMs start (its own first encodes are on the run's path too). Config {@code processes.warm-up:
 * false} (a worker: {@code -Djdask.processes.warm-up=false}) turns it off, to compare.
 */
public final class WorkerWarmup {
    /** System property a worker JVM reads (it has no config before the first BEGIN). */
    static final String PROPERTY = "jdask.processes.warm-up";

    private WorkerWarmup() {}

    private static final AtomicBoolean PARENT = new AtomicBoolean();

    /** The parent's warm-up: once per JVM, when its first worker JVMs start (unless {@code processes.warm-up} is off). */
    static void parentOnce() {
        if (Config.getBoolean("processes.warm-up", true) && PARENT.compareAndSet(false, true)) startInBackground(true);
    }

    /** Runs {@link #run} on a daemon thread unless {@code processes.warm-up} is off; failures are only logged (debug). */
    static void startInBackground(boolean enabled) {
        if (!enabled) return;
        Thread t = new Thread(() -> {
            try {
                run();
            } catch (Exception | LinkageError e) {
                LoggerFactory.getLogger(WorkerWarmup.class).debug("warm-up failed (the first run does the same work itself)", e);
            }
        }, "jdask-processes-warm-up");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    /** The work itself, on the calling thread (also the CDS archive's worker warm-up: {@link ProcessesCdsWarmup}). */
    static void run() throws Exception {
        Config.get("processes.retries"); // the config files' parse
        Map<String, Object> config = new TreeMap<>(Codecs.carryAllowed(Map.of("scheduler", "processes")));
        Codecs.acceptAllowed(castMap(Codecs.decode(Codecs.encode(config))));
        Fn1<Long, Long> inc = x -> x + 1;
        FnN f = Fns.of(Codecs.decode(Codecs.encode(inc)));
        Object v = f.invoke(new Object[] {41L});
        Codecs.decode(Codecs.encode(v));
        Task t = (Task) Codecs.decode(Codecs.encode(Task.of(inc, Key.of("x", 0))));
        Codecs.decode(Codecs.encode(t.execute(k -> 1L)));
        // a fan-in over a list of keys, as Delayed.all builds it (W1's sum)
        Fn1<List<Long>, Long> sum = xs -> xs.stream().mapToLong(Long::longValue).sum();
        Delayed<Long> total = Delayed.of(sum).apply(Delayed.all(List.of(Delayed.of(inc).apply(1L), Delayed.of(inc).apply(2L))));
        TaskGraph g = total.graph();
        for (Key k : g.keys()) {
            Node n = g.get(k);
            if (n instanceof Task task) Codecs.decode(Codecs.encode(task));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }
}

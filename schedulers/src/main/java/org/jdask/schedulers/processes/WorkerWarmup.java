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
 * What a worker JVM does for its first run that does not depend on the run: read the config files
 * (the YAML parse, ~80 ms in a fresh JVM), build the codecs (a Fory instance, the modules' value
 * codecs found with ServiceLoader, Tablesaw's column types among them), and encode and decode the
 * frames of a first run — a config map, a function, a task with a key argument, a fan-in task
 * reading a list of keys — so Fory generates their serializers. A class-load log of a cold W1
 * fan-in on {@code processes} (issue 17) showed all of it after the first BEGIN, on the critical
 * path, while the worker had waited idle ~0.5 s for that BEGIN.
 *
 * <p>Where it runs: Fory instances are pooled ({@code ThreadPoolFory}), one per thread using one at
 * the same time, so a warm-up running <i>beside</i> the first run builds a second instance instead
 * of sharing the first (seen in a second log: the worker's main thread built its own while a
 * warm-up thread was still busy). Hence {@link #runQuietly} on the thread that would do the work
 * anyway, in time it would spend waiting: a {@code processes} worker's main thread right after it
 * connects (the BEGIN waits in the socket meanwhile), the parent's run thread while its first
 * worker JVMs start ({@link #parentOnce}). (A {@code distributed} worker JVM has no such idle
 * time: its scheduler listens before the JVM is up, and a warm-up from its {@code main} on slowed
 * {@code LocalCluster} start-ups on 2 cores; it keeps its own small codec warm-up after it
 * registered.) Config {@code processes.warm-up: false} (in a worker JVM: {@code
 * -Djdask.processes.warm-up=false}) turns it off, to compare.
 */
public final class WorkerWarmup {
    /** System property a worker JVM reads (it has no config before its first run). */
    public static final String PROPERTY = "jdask.processes.warm-up";
    private static final AtomicBoolean PARENT = new AtomicBoolean();

    private WorkerWarmup() {}

    /** Whether this worker JVM warms up: not when started with {@code -Djdask.processes.warm-up=false}. */
    public static boolean enabledInWorker() {
        return !"false".equals(System.getProperty(PROPERTY));
    }

    /**
     * The parent's warm-up, on the calling (run) thread, once per JVM, unless {@code
     * processes.warm-up} is off; called while its first worker JVMs start.
     */
    static void parentOnce() {
        if (Config.getBoolean("processes.warm-up", true) && PARENT.compareAndSet(false, true)) runQuietly();
    }

    /** {@link #run} on the calling thread; a failure is only logged (debug): the first run does the same work and reports it. */
    public static void runQuietly() {
        try {
            run();
        } catch (Exception | LinkageError e) {
            LoggerFactory.getLogger(WorkerWarmup.class).debug("warm-up failed (the first run does the same work itself)", e);
        }
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

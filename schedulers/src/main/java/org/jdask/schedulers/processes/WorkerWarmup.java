package org.jdask.schedulers.processes;

import java.util.Map;
import java.util.TreeMap;
import org.jdask.Config;
import org.jdask.fn.Fn1;
import org.jdask.fn.FnN;
import org.jdask.fn.Fns;
import org.jdask.serialize.Codecs;
import org.slf4j.LoggerFactory;

/**
 * What a worker JVM does for its first run that does not depend on the run: read the config files
 * (the YAML parse, ~80 ms in a fresh JVM), build the codecs (a Fory instance, the modules' value
 * codecs found with ServiceLoader, Tablesaw's column types among them), and encode and decode the
 * frames every first run has — a config map, a function, a result. A class-load log of a cold W1
 * fan-in on {@code processes} (issue 17) showed all of it after the first BEGIN, on the critical
 * path, while the worker had waited idle ~0.5 s for that BEGIN.
 *
 * <p>Where it runs: Fory instances are pooled ({@code ForyCodec}), one per thread using one at
 * the same time, so a warm-up running <i>beside</i> the first run builds a second instance instead
 * of sharing the first (seen in a second log: the worker's main thread built its own while a
 * warm-up thread was still busy). Hence {@link #runQuietly} on the thread that would do the work
 * anyway, in time it would spend waiting: a {@code processes} worker's main thread right after it
 * connects (the BEGIN waits in the socket meanwhile). Not the parent's run thread while its
 * worker JVMs start: on 2 cores those JVMs' own start-up already uses the machine, and with it the
 * first JVM connected later in 2 of 3 cold W1 runs (hints at load ~11). (A {@code distributed} worker JVM has no such idle
 * time: its scheduler listens before the JVM is up, and a warm-up from its {@code main} on slowed
 * {@code LocalCluster} start-ups on 2 cores; it keeps its own small codec warm-up after it
 * registered.) Config {@code processes.warm-up: false} (in a worker JVM: {@code
 * -Djdask.processes.warm-up=false}) turns it off, to compare.
 */
public final class WorkerWarmup {
    /** System property a worker JVM reads (it has no config before its first run). */
    public static final String PROPERTY = "jdask.processes.warm-up";

    private WorkerWarmup() {}

    /** Whether this worker JVM warms up: not when started with {@code -Djdask.processes.warm-up=false}. */
    public static boolean enabledInWorker() {
        return !"false".equals(System.getProperty(PROPERTY));
    }

    /** {@link #run} on the calling thread; a failure is only logged (debug): the first run does the same work and reports it. */
    public static void runQuietly() {
        try {
            run();
        } catch (Exception | LinkageError e) {
            LoggerFactory.getLogger(WorkerWarmup.class).debug("warm-up failed (the first run does the same work itself)", e);
        }
    }

    /**
     * The work itself, on the calling thread: only what every worker's first run does (a worker
     * that gets no {@code TASK} frame never generates serializers for {@code Task} or {@code Key};
     * warming those too cost ~0.8 s more CPU over a cold W1 run, measured with {@code time} on the
     * process tree at load ~17: each worker then ran Janino for them). Also the start of the CDS
     * archive's worker warm-up ({@link ProcessesCdsWarmup}).
     */
    static void run() throws Exception {
        Config.get("processes.retries"); // the config files' parse
        Map<String, Object> config = new TreeMap<>(Codecs.carryAllowed(Map.of("scheduler", "processes")));
        Codecs.acceptAllowed(castMap(Codecs.decode(Codecs.encode(config)))); // BEGIN's config frame: builds the codecs
        FnN f = Fns.of(Codecs.decode(Codecs.encode(INC))); // an FN frame: a serializable lambda
        Codecs.decode(Codecs.encode(f.invoke(new Object[] {41L}))); // a result frame
    }

    private static final Fn1<Long, Long> INC = x -> x + 1;

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }
}

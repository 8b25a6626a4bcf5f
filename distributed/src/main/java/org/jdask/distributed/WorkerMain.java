package org.jdask.distributed;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.jdask.distributed.internal.Watchdog;
import org.jdask.distributed.internal.memory.LocalDirectory;

/**
 * Entry point of a worker JVM (what a {@link Nanny} starts):
 * {@code java <JvmFlags> -cp <classpath> org.jdask.distributed.WorkerMain tcp://HOST:PORT
 * [--nthreads N] [--name NAME] [--host HOST] [--resources GPU=1,MEM=2] [--memory-limit 4GB] [--local-directory DIR] [--parent-pid PID]
 * [--security-stdin | --security-dir DIR]}. With {@code --security-stdin} the worker reads its
 * CurveZMQ keys from standard input (three lines, see {@link Security}); that is how a nanny passes
 * them, so they never appear on a command line.
 * Prints {@code Worker at: ADDRESS} once registered; exits when the scheduler closes it, or when
 * the parent process (the nanny) is gone, so a killed nanny leaves no orphan behind; with status
 * {@link #EXIT_NO_SCHEDULER} when its scheduler was lost and none came back within
 * {@code distributed.worker.death-timeout}.
 */
public final class WorkerMain {
    /**
     * In place of the scheduler's address: read it from standard input (one line, after the keys of
     * {@code --security-stdin}); a nanny starts the JVM before its scheduler exists this way (see
     * {@link Nanny#launchEarly}) and the JVM gets ready meanwhile.
     */
    public static final String SCHEDULER_ON_STDIN = "-";

    /** Exit status of a worker JVM that found no scheduler within {@code distributed.worker.death-timeout}: its nanny stops too. */
    public static final int EXIT_NO_SCHEDULER = 4;

    private WorkerMain() {}

    public static void main(String[] args) throws InterruptedException {
        StartPhases.mark("main");
        if (args.length == 0) {
            System.err.println("usage: WorkerMain tcp://HOST:PORT [--nthreads N] [--name NAME] [--host HOST] [--resources K=V,...] [--memory-limit SIZE] [--local-directory DIR] [--parent-pid PID]");
            System.exit(2);
        }
        String scheduler = args[0];
        Worker.Options o = Worker.Options.defaults();
        long parent = -1;
        Security security = null;
        java.io.BufferedReader stdin = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                java.nio.charset.StandardCharsets.US_ASCII)); // keys, then the scheduler's address
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--security-stdin")) {
                try {
                    security = Security.readWorkerKeys(stdin, "standard input");
                } catch (java.io.IOException e) {
                    throw new IllegalStateException("cannot read the worker's keys from standard input: " + e.getMessage(), e);
                }
                continue;
            }
            if (i + 1 >= args.length) throw new IllegalArgumentException("option " + a + " needs a value");
            String v = args[++i];
            switch (a) {
                case "--nthreads" -> o = o.withThreads(Integer.parseInt(v));
                case "--name" -> o = o.withName(v);
                case "--host" -> o = o.withHost(v);
                case "--resources" -> o = o.withResources(parseResources(v));
                case "--memory-limit" -> o = o.withMemoryLimit(v);
                case "--local-directory" -> o = o.withLocalDirectory(java.nio.file.Path.of(v));
                case "--parent-pid" -> parent = Long.parseLong(v);
                case "--security-dir" -> security = Security.load(java.nio.file.Path.of(v));
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        CountDownLatch closed = new CountDownLatch(1);
        exitOnOutOfMemoryOutsideTasks();
        Watchdog.exitOnFailure(); // a wedged worker JVM exits, and its nanny starts a new one
        if (scheduler.equals(SCHEDULER_ON_STDIN)) scheduler = StartEarly.awaitScheduler(stdin);
        Worker w = Worker.start(scheduler, o, security);
        StartPhases.mark("registered");
        w.onClose(closed::countDown);
        Runtime.getRuntime().addShutdownHook(new Thread(w::close, "jdask-worker-shutdown"));
        System.out.println(LocalDirectory.LINE + w.localDirectory()); // the nanny deletes it if this JVM dies uncleanly
        System.out.println("Worker at: " + w.address());
        System.out.flush();
        // build the serializer now, not on the first task: Fory and the codecs it generates take
        // about a second of CPU in a fresh JVM, which the first tasks would otherwise wait for.
        // Not earlier (issue 17, tried): from main on it ran beside StartEarly and registration, on
        // a 2-core machine shared by 2 worker JVMs and the client, and start-ups got slower
        // (Runner startups at load ~20: median 2.3 s with it, 1.8 s without; hints only)
        if (org.jdask.Config.getBoolean("distributed.worker.codec-warm-up", true)) { // see defaults.yaml
            Thread warm = new Thread(CodecWarmup::run, "jdask-codec-warmup");
            warm.setDaemon(true);
            warm.start();
        }
        if (parent > 0) {
            ProcessHandle.of(parent).ifPresent(p -> p.onExit().thenRun(() -> {
                w.close();
                closed.countDown();
            }));
            if (ProcessHandle.of(parent).isEmpty()) w.close();
        }
        closed.await();
        System.exit(exitStatus(w.diedOfTimeout(), w.retired(), w.failure()));
    }

    /** Exit status of a worker whose loop crashed (not out of memory: that is {@link #EXIT_OUT_OF_MEMORY}); its nanny restarts it. */
    public static final int EXIT_CRASHED = 5;

    /**
     * The JVM's exit status once its worker stopped: 0 only for a worker the scheduler or its
     * nanny closed; a retired worker's nanny does not replace it; a crashed loop is not 0, so the
     * nanny's log says the worker failed rather than that it ended.
     */
    static int exitStatus(boolean diedOfTimeout, boolean retired, String failure) {
        if (diedOfTimeout) return EXIT_NO_SCHEDULER;
        if (retired) return WorkerMemory.EXIT_RETIRED;
        return failure != null ? EXIT_CRASHED : 0;
    }

    /** Exit status of a worker JVM whose heap ran out outside a task (as {@code -XX:+ExitOnOutOfMemoryError}'s). */
    public static final int EXIT_OUT_OF_MEMORY = 3;

    /**
     * A task's {@code OutOfMemoryError} fails that task (the worker catches it); one that escapes any
     * other thread (the I/O loop, a heartbeat, a codec) leaves the worker unusable, so the JVM ends
     * at once and its nanny starts a new one instead of letting it linger.
     */
    static void exitOnOutOfMemoryOutsideTasks() {
        WorkerMemory.ownsJvm = true; // the I/O loop's own catch halts too (WorkerMemory.haltIfOutOfMemory)
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            if (e instanceof OutOfMemoryError) {
                System.err.println("worker JVM out of memory in thread " + t.getName() + " (outside a task): exiting");
                Runtime.getRuntime().halt(EXIT_OUT_OF_MEMORY);
            }
            if (previous != null) previous.uncaughtException(t, e);
            else e.printStackTrace();
        });
    }


    /** {@code GPU=1,MEM=2e9} to a map; a clear error naming the bad entry. */
    public static Map<String, Double> parseResources(String s) {
        Map<String, Double> m = new HashMap<>();
        if (s == null || s.isBlank()) return m;
        for (String part : s.split("[,\\s]+")) {
            int eq = part.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("resource '" + part + "' must look like NAME=AMOUNT");
            try {
                m.put(part.substring(0, eq), Double.parseDouble(part.substring(eq + 1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("resource '" + part + "': amount is not a number");
            }
        }
        return m;
    }
}

package org.jdask.schedulers.processes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;
import org.jdask.Config;
import org.jdask.ConfigFiles;
import org.jdask.JdaskException;
import org.jdask.graph.JavaCommand;
import org.jdask.graph.JvmFlags;
import org.jdask.serialize.ClassPath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool of worker JVMs for the {@code processes} scheduler.
 *
 * <p>{@link #shared()} is the one pool of this JVM: started on first use, grown when a run asks
 * for more workers, reused by every later run (a run holds the pool alone; concurrent runs wait
 * their turn), and closed by a shutdown hook at JVM exit or by {@link #shutdownShared()}. Dead
 * workers are replaced when the next run starts.
 *
 * <p>Workers are started as {@code java <JvmFlags.forChild(classpath)>
 * <processes.worker-jvm-options> @argfile WorkerMain port slot token}, where the argfile holds
 * {@code -cp} with this JVM's classpath. The classpath is {@code java.class.path} with every
 * manifest {@code Class-Path} expanded: under Maven Surefire {@code java.class.path} may be a
 * manifest-only booter jar, and expanding it gives workers the test classes (and their lambdas)
 * of whichever module started them (Surefire normally sets {@code java.class.path} to the real
 * test classpath already); the entries of a context {@code URLClassLoader} (Surefire's {@code
 * useSystemClassLoader=false}) are added too. Workers connect back to a server socket bound to the
 * loopback address and prove themselves with a random token.
 *
 * <p>Transport, by measurement ({@code /tmp} echo test between two JVMs on this 2-core machine,
 * 20,000 lock-step round trips): child stdin/stdout pipes 6.6-65 µs per 64-byte round trip and
 * 750-880 MB/s for 1 MiB messages; a loopback TCP socket with {@code TCP_NODELAY} 6.7-49 µs and
 * 2,050-2,170 MB/s. Latency is a tie within the noise, the socket moves big values 2.5× faster and
 * leaves the worker's stdout/stderr free to be forwarded, so the pool uses sockets; stdin stays
 * a pipe the worker watches to die with its parent.
 *
 * <p>Start-up: {@code JvmFlags.forChild} adds the AppCDS archive of the workers' class path when
 * one is built ({@link org.jdask.graph.cds.CdsArchive}), {@code ConfigFiles} this JVM's parse of
 * the YAML config; all JVMs of a start are spawned before the pool waits for any ({@link
 * StartTimes}, logged at debug) by a {@link PoolStart} on its own thread, which hands each JVM to
 * the pool as it connects. A run calls {@link #ensureInBackground} before it indexes its graph and
 * {@link #ensureFirst} after: it begins on the first JVM that connected and takes the others as
 * they come ({@link #onJoin}); a JVM that fails to start after that is logged and kept in {@link
 * #startFailures}, and its slot is started again by the next run.
 */
public final class ProcessPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessPool.class);
    private static ProcessPool shared;
    private static Thread hook;

    private final ServerSocket server;
    private final long token = new SecureRandom().nextLong();
    /** A temp directory for the argfile and the workers' state files; deleted on close. */
    private final Path dir;
    private final Path argfile;
    private final String classpath = classpath();
    private final String classpathArgs = "-cp\n\"" + classpath.replace("\\", "\\\\") + "\"\n";
    private final List<String> command;
    private final List<String> jvmOptions;
    private final List<WorkerHandle> workers = new ArrayList<>();
    private final ReentrantLock runLock = new ReentrantLock();
    private final long startTimeoutMillis;
    private volatile boolean closed;
    /** When each JVM of the last start was spawned and when it connected (nanoTime), for the log and tests. */
    private volatile StartTimes lastStart = StartTimes.NONE;
    /** Extra JVM options per slot (tests: a slot that starts late or not at all). */
    private final IntFunction<List<String>> slotOptions;
    /** The start under way, or null. */
    private PoolStart starting;
    /** Slot → why its last start failed, until it is started again. */
    private final Map<Integer, String> failures = new HashMap<>();
    private volatile Runnable onJoin;

    /**
     * A new pool (no workers yet; {@link #ensure} starts them). {@code workerJvmOptions} go on every
     * worker's command line after the jdask flags.
     */
    ProcessPool(List<String> workerJvmOptions, long startTimeoutMillis) {
        this(workerJvmOptions, startTimeoutMillis, slot -> List.of());
    }

    /** Like {@link #ProcessPool(List, long)}, slot {@code i}'s JVM getting {@code slotOptions.apply(i)} too. */
    ProcessPool(List<String> workerJvmOptions, long startTimeoutMillis, IntFunction<List<String>> slotOptions) {
        this.startTimeoutMillis = startTimeoutMillis;
        this.slotOptions = slotOptions;
        this.jvmOptions = List.copyOf(workerJvmOptions);
        try {
            this.server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
            this.dir = Files.createTempDirectory("jdask-pool-");
            dir.toFile().deleteOnExit();
            this.argfile = dir.resolve("worker.args"); // written by ensure() while workers start, deleted once they have connected
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the processes pool (loopback server socket, argfile)", e);
        }
        List<String> cmd = JavaCommand.of(JvmFlags.forChild(classpath)); // + the CDS archive for this class path when there is one
        // no -XX:+ExitOnOutOfMemoryError: a task's OutOfMemoryError fails that task (the worker
        // spills and lives on); one outside a task ends the worker with status 3 (WorkerMain)
        cmd.addAll(ConfigFiles.childOptions(classpath)); // this JVM's parse of the YAML config, for the same class path
        if (!Config.getBoolean("processes.warm-up", true)) cmd.add("-D" + WorkerWarmup.PROPERTY + "=false");
        cmd.addAll(workerJvmOptions);
        cmd.add("@" + argfile);
        cmd.add(WorkerMain.class.getName());
        this.command = List.copyOf(cmd);
    }

    /** The pool of this JVM, created (without workers) on first use. */
    public static synchronized ProcessPool shared() {
        return shared(ProcessesSchedulerProvider.workerJvmOptions());
    }

    /**
     * The pool of this JVM whose workers run with {@code workerJvmOptions}; a pool with other
     * options is closed first (after its current run, which holds its run lock).
     */
    static synchronized ProcessPool shared(List<String> workerJvmOptions) {
        if (shared != null && !shared.closed && !shared.jvmOptions.equals(workerJvmOptions)) {
            ProcessPool old = shared;
            boolean locked = false;
            try {
                locked = old.runLock.tryLock(10, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!locked) {
                throw new JdaskException("the processes pool is busy with another run; cannot restart it with worker JVM options "
                        + workerJvmOptions + " (it has " + old.jvmOptions + ")");
            }
            try {
                old.close();
            } finally {
                old.runLock.unlock();
            }
        }
        if (shared == null || shared.closed) {
            shared = new ProcessPool(workerJvmOptions, ProcessesSchedulerProvider.startTimeoutMillis());
            if (hook == null) {
                hook = new Thread(ProcessPool::shutdownShared, "jdask-processes-shutdown");
                Runtime.getRuntime().addShutdownHook(hook);
            }
        }
        return shared;
    }

    /** Closes the shared pool if there is one (its workers exit); the next run starts a new one. */
    public static synchronized void shutdownShared() {
        if (shared != null) shared.close();
        shared = null;
    }

    /**
     * Makes sure at least {@code n} live workers exist, replacing dead ones and starting new ones
     * in parallel, and waits for all of them; returns the time it took in nanoseconds (0 when
     * nothing had to start). A slot that fails to start fails the call with its exit status and
     * command.
     */
    public synchronized long ensure(int n) {
        long t0 = System.nanoTime();
        boolean waited = false;
        while (true) {
            if (closed) throw new IllegalStateException("the processes pool is closed");
            if (live(n) == n) return waited ? System.nanoTime() - t0 : 0;
            waited |= startOrWait(n, waited);
        }
    }

    /**
     * Like {@link #ensure} but returns as soon as one of the first {@code n} workers is live: a run
     * begins on the first JVM that is ready while the others keep starting and join it as they
     * connect ({@link #onJoin}). Dead or missing slots are started in the background. Fails only
     * when no slot could start.
     */
    public synchronized void ensureFirst(int n) {
        boolean waited = false;
        while (true) {
            if (closed) throw new IllegalStateException("the processes pool is closed");
            if (live(n) > 0) {
                // dead or missing slots start again and join the run when they connect; not one whose start this call just saw fail
                if (starting == null && live(n) < n && !waited) begin(n);
                return;
            }
            waited |= startOrWait(n, waited);
        }
    }

    /**
     * One step of waiting for slots below {@code n}: starts them when no start is under way (or
     * throws the failure of the start this caller already waited for), else waits for the start
     * under way to report; returns whether the caller now waits on a start.
     */
    private boolean startOrWait(int n, boolean waited) {
        if (starting == null) {
            if (waited) {
                for (int i = 0; i < n; i++) {
                    String why = failures.get(i);
                    if (why != null && (workers.get(i) == null || !workers.get(i).alive())) throw new JdaskException(why);
                }
            }
            if (!begin(n)) return waited;
        }
        try {
            wait(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JdaskException("interrupted while worker JVMs started");
        }
        return true;
    }

    /** Live workers among the first {@code n} slots. */
    private int live(int n) {
        int c = 0;
        for (int i = 0; i < Math.min(n, workers.size()); i++) if (workers.get(i) != null && workers.get(i).alive()) c++;
        return c;
    }

    /** Starts JVMs for every dead or missing slot below {@code n} unless a start is under way; false when nothing started. */
    private boolean begin(int n) {
        if (starting != null) return false;
        List<Integer> toStart = new ArrayList<>();
        for (int i = 0; i < workers.size(); i++) if (workers.get(i) == null || !workers.get(i).alive()) toStart.add(i); // null: a failed start
        for (int i = workers.size(); i < n; i++) {
            workers.add(null);
            toStart.add(i);
        }
        if (toStart.isEmpty()) return false;
        for (int i : toStart) {
            WorkerHandle old = workers.get(i);
            if (old != null) {
                old.kill("replaced");
                workers.set(i, null);
            }
            failures.remove(i);
        }
        starting = new PoolStart(server, token, dir, argfile, classpathArgs, this::cmd, toStart, startTimeoutMillis, new PoolStart.Sink() {
            @Override
            public void joined(WorkerHandle w) {
                ProcessPool.this.joined(w);
            }

            @Override
            public void failed(int slot, String why) {
                ProcessPool.this.failed(slot, why);
            }

            @Override
            public void ended(PoolStart start) {
                ProcessPool.this.ended(start);
            }
        });
        starting.start();
        return true;
    }

    private void joined(WorkerHandle w) {
        Runnable listener;
        synchronized (this) {
            if (closed) {
                w.shutdown(2_000);
                return;
            }
            workers.set(w.slot, w);
            notifyAll();
            listener = onJoin;
        }
        if (listener != null) listener.run();
    }

    private synchronized void failed(int slot, String why) {
        failures.put(slot, why);
        if (!closed) {
            LOG.warn("{}; the processes pool goes on with the other worker JVMs ({} live now) and starts this slot again on the next run",
                    why, live(workers.size()));
        }
        notifyAll();
    }

    private synchronized void ended(PoolStart start) {
        if (starting == start) starting = null;
        lastStart = start.times;
        LOG.debug("started {} worker JVM(s), all spawned before waiting for any: {}", start.slots.size(), start.times);
        notifyAll();
    }

    /**
     * Called (on the start's thread) each time a worker JVM joins the pool; a run sets it to take
     * late workers, and clears it (null) when it ends.
     */
    void onJoin(Runnable listener) {
        onJoin = listener;
    }

    /** Why each slot that failed to start (and was not started again since) failed. */
    synchronized Map<Integer, String> startFailures() {
        return Map.copyOf(failures);
    }

    /**
     * Starts the missing worker JVMs in the background and returns at once: the caller builds,
     * orders and checks its graph while they start. A failure is reported to the caller's own
     * {@code ensure} or {@code ensureFirst}, which waits for this start.
     */
    synchronized void ensureInBackground(int n) {
        if (!closed) begin(n);
    }

    /**
     * Of the last {@link #ensure} that started JVMs: milliseconds from its beginning until the first
     * and the last worker JVM connected ({-1, -1} if none started yet); what a first run's pool start is made of.
     */
    public long[] lastStartConnectMillis() {
        return lastStart.connectMillis();
    }

    /** Spawn and connect times of the last {@link #ensure} that started JVMs. */
    StartTimes lastStart() {
        return lastStart;
    }

    /** A slot's command line, {@code <token>} in place of the token (the state file's path goes last). */
    private List<String> cmd(int slot) {
        List<String> c = new ArrayList<>(command.subList(0, command.size() - 2));
        c.addAll(slotOptions.apply(slot));
        c.addAll(command.subList(command.size() - 2, command.size()));
        c.add(Integer.toString(server.getLocalPort()));
        c.add(Integer.toString(slot));
        c.add("<token>");
        return c;
    }

    /** The first {@code n} slots, for a run that holds {@link #runLock}: null where no live worker is (yet). */
    synchronized List<WorkerHandle> workers(int n) {
        List<WorkerHandle> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            WorkerHandle w = i < workers.size() ? workers.get(i) : null;
            out.add(w != null && w.alive() ? w : null);
        }
        return out;
    }

    ReentrantLock runLock() {
        return runLock;
    }

    /** The extra JVM options of this pool's workers. */
    List<String> jvmOptions() {
        return jvmOptions;
    }

    /** Number of worker slots (live or not). */
    public synchronized int size() {
        return workers.size();
    }

    /** Process ids of the live workers. */
    public synchronized List<Long> pids() {
        List<Long> out = new ArrayList<>();
        for (WorkerHandle w : workers) if (w != null && w.alive()) out.add(w.pid);
        return out;
    }

    /** Kills one worker (it is replaced when the next run starts). */
    void kill(WorkerHandle w, String reason) {
        w.kill(reason);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        notifyAll(); // callers waiting for a start see the pool closed
        for (WorkerHandle w : workers) if (w != null) w.shutdown(2_000);
        workers.clear();
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            Files.deleteIfExists(argfile);
            try (var files = Files.walk(dir)) { // workers' spill directories too
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) if (!f.equals(dir)) Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // deleteOnExit is the fallback
        }
    }

    /** The pool's temp directory (argfile, state files); a parent killed with SIGKILL leaves it behind. */
    Path directory() {
        return dir;
    }

    /**
     * This JVM's classpath for a child JVM: {@code java.class.path} with manifest {@code Class-Path}
     * entries expanded (surefire's manifest-only booter jar) and a context {@code URLClassLoader}'s
     * entries, de-duplicated, in order (see {@link ClassPath#entries}).
     */
    static String classpath() {
        return ClassPath.asString();
    }
}

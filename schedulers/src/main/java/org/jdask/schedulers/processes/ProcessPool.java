package org.jdask.schedulers.processes;

import static org.jdask.schedulers.processes.Protocol.HELLO;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jdask.JdaskException;
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
 * one is built ({@link org.jdask.graph.cds.CdsArchive}); all JVMs of a start are spawned before the
 * pool waits for any ({@link StartTimes}, logged at debug), and a run calls {@link
 * #ensureInBackground} before it indexes its graph.
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

    /**
     * A new pool (no workers yet; {@link #ensure} starts them). {@code workerJvmOptions} go on every
     * worker's command line after the jdask flags.
     */
    ProcessPool(List<String> workerJvmOptions, long startTimeoutMillis) {
        this.startTimeoutMillis = startTimeoutMillis;
        this.jvmOptions = List.copyOf(workerJvmOptions);
        try {
            this.server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
            this.dir = Files.createTempDirectory("jdask-pool-");
            dir.toFile().deleteOnExit();
            this.argfile = dir.resolve("worker.args"); // written by ensure() while workers start, deleted once they have connected
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the processes pool (loopback server socket, argfile)", e);
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JvmFlags.forChild(classpath)); // + the CDS archive for this class path when there is one
        // no -XX:+ExitOnOutOfMemoryError: a task's OutOfMemoryError fails that task (the worker
        // spills and lives on); one outside a task ends the worker with status 3 (WorkerMain)
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
     * in parallel; returns the time it took in nanoseconds (0 when nothing had to start).
     */
    public synchronized long ensure(int n) {
        if (closed) throw new IllegalStateException("the processes pool is closed");
        long t0 = System.nanoTime();
        List<Integer> toStart = new ArrayList<>();
        for (int i = 0; i < workers.size(); i++) if (workers.get(i) == null || !workers.get(i).alive()) toStart.add(i); // null: a failed start
        for (int i = workers.size(); i < n; i++) {
            workers.add(null);
            toStart.add(i);
        }
        if (toStart.isEmpty()) return 0;
        for (int i : toStart) {
            WorkerHandle old = workers.get(i);
            if (old != null) {
                old.kill("replaced");
                workers.set(i, null);
            }
        }
        List<Process> started = new ArrayList<>();
        List<Path> stateFiles = new ArrayList<>();
        StartTimes times = new StartTimes(t0, toStart);
        try {
            Files.writeString(argfile, classpathArgs, StandardCharsets.UTF_8);
            for (int slot : toStart) {
                List<String> cmd = new ArrayList<>(command);
                cmd.add(Integer.toString(server.getLocalPort()));
                cmd.add(Integer.toString(slot));
                cmd.add(Long.toString(token));
                Path state = Files.createTempFile(dir, "worker-" + slot + "-", ".state");
                state.toFile().deleteOnExit();
                Files.write(state, new byte[] {-1, -1, -1, -1});
                cmd.add(state.toString());
                Process p = new ProcessBuilder(cmd).start();
                times.spawned(slot);
                WorkerHandle.forward(p, slot);
                started.add(p);
                stateFiles.add(state);
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(startTimeoutMillis);
            int connected = 0;
            while (connected < toStart.size()) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                for (int k = 0; k < started.size(); k++) {
                    Process p = started.get(k);
                    if (!p.isAlive() && workers.get(toStart.get(k)) == null) {
                        throw new JdaskException("worker-" + toStart.get(k) + " exited with status " + p.exitValue()
                                + " before connecting; its output above (prefixed [worker-" + toStart.get(k)
                                + "]) says why. Command: " + String.join(" ", cmd(toStart.get(k))));
                    }
                }
                if (left <= 0) {
                    throw new JdaskException("worker JVMs did not connect within " + startTimeoutMillis
                            + " ms (config processes.start-timeout-ms); command: " + String.join(" ", cmd(toStart.get(0))));
                }
                server.setSoTimeout((int) Math.min(left, 200));
                Socket s;
                try {
                    s = server.accept();
                } catch (SocketTimeoutException e) {
                    continue;
                }
                s.setTcpNoDelay(true);
                s.setSoTimeout((int) Math.max(1, Math.min(left, 10_000)));
                DataInputStream hello = new DataInputStream(s.getInputStream());
                int slot;
                try {
                    if (hello.readByte() != HELLO) throw new IOException("not a jdask worker");
                    slot = hello.readInt();
                    long pid = hello.readLong();
                    if (hello.readLong() != token || !toStart.contains(slot) || workers.get(slot) != null) {
                        throw new IOException("bad hello from pid " + pid);
                    }
                } catch (IOException e) {
                    LOG.warn("refused a connection to the processes pool from {}: {}", s.getRemoteSocketAddress(), e.toString());
                    s.close();
                    continue;
                }
                s.setSoTimeout(0);
                int k = toStart.indexOf(slot);
                workers.set(slot, new WorkerHandle(slot, started.get(k), s, stateFiles.get(k)));
                times.connected(slot);
                connected++;
            }
        } catch (IOException e) {
            started.forEach(Process::destroyForcibly);
            throw new UncheckedIOException("starting worker JVMs: " + String.join(" ", command), e);
        } catch (RuntimeException e) {
            started.forEach(Process::destroyForcibly);
            for (int i : toStart) workers.set(i, null);
            throw e;
        } finally {
            try {
                Files.deleteIfExists(argfile); // every started JVM has read it by the time it connects
            } catch (IOException ignored) {
                // deleteOnExit is the fallback
            }
        }
        long dt = System.nanoTime() - t0;
        lastStart = times;
        LOG.debug("started {} worker JVM(s) in {} ms, all spawned before waiting for any: {}", toStart.size(), dt / 1_000_000, times);
        return dt;
    }

    /**
     * Starts {@link #ensure(int) ensure(n)} on a background thread and returns at once: the caller
     * builds, orders and checks its graph while the worker JVMs start. A failure is left for the
     * caller's own {@code ensure}, which then starts the JVMs itself and reports it.
     */
    void ensureInBackground(int n) {
        if (closed) return;
        Thread t = new Thread(() -> {
            try {
                ensure(n);
            } catch (RuntimeException e) {
                LOG.debug("starting worker JVMs ahead of the run failed (the run retries and reports it): {}", e.toString());
            }
        }, "jdask-processes-prestart");
        t.setDaemon(true);
        t.start();
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

    private List<String> cmd(int slot) {
        List<String> c = new ArrayList<>(command);
        c.add(Integer.toString(server.getLocalPort()));
        c.add(Integer.toString(slot));
        c.add("<token>");
        c.add("<state-file>");
        return c;
    }

    /** The first {@code n} workers, for a run that holds {@link #runLock}. */
    synchronized List<WorkerHandle> workers(int n) {
        return List.copyOf(workers.subList(0, n));
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

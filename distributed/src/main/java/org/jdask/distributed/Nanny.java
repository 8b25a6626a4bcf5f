package org.jdask.distributed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jdask.ConfigFiles;
import org.jdask.distributed.internal.Messages;
import org.jdask.distributed.internal.Wire;
import org.jdask.distributed.internal.Zmq;
import org.jdask.distributed.internal.memory.LocalDirectory;
import org.jdask.graph.JavaCommand;
import org.jdask.graph.JvmFlags;
import org.jdask.schedulers.processes.ProcessesSchedulerProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * Starts a worker in its own JVM and keeps it running: when the worker process dies (crash,
 * {@code kill -9}, out of memory) the nanny tells the scheduler at once (so its tasks are
 * rescheduled without waiting for a heartbeat timeout) and starts a new one. The child gets the
 * one JVM flag list ({@link JvmFlags#get()}) and this JVM's classpath, and exits by itself if the
 * nanny's JVM disappears. An {@code OutOfMemoryError} inside a task fails that task (the worker
 * lives on); one anywhere else ends the worker JVM (see {@link WorkerMain}), and the nanny starts a
 * new one. (Not {@code -XX:+ExitOnOutOfMemoryError}: it would end the JVM for a task's error too.)
 */
public final class Nanny implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Nanny.class);
    private static final int LOG_LINES = 1000;

    /** The scheduler's address; null until {@link #schedulerReady} for a nanny started by {@link #launchEarly}. */
    private volatile String scheduler;
    /** The worker JVM's standard input while it waits for the scheduler's address (see {@link #launchEarly}). */
    private java.io.OutputStream pendingStdin;
    private final Worker.Options options;
    private final Deque<String> logs = new ArrayDeque<>();
    private volatile Process process;
    private volatile CompletableFuture<String> address = new CompletableFuture<>();
    /** The first JVM's registration: a JVM that exits before it registered fails the start (a restart does not hide it). */
    private final CompletableFuture<String> firstStart = address;
    private volatile boolean closing;
    private volatile int restarts;
    /** The worker JVM's own directory (it prints it at start); deleted when the JVM is gone, however it died. */
    private volatile Path localDirectory;
    private volatile Runnable onRetired = () -> { };
    /** The memory manager's settings where the nanny was created, for every worker JVM it starts. */
    private final Map<String, Object> memoryConfig;
    private final Thread monitor;

    /** Starts the worker JVM and waits until it has registered with the scheduler. */
    public static Nanny start(String schedulerAddress, Worker.Options options, long timeoutMs) {
        return start(schedulerAddress, options, timeoutMs, null);
    }

    /**
     * Like {@link #start(String, Worker.Options, long)} for a cluster with {@link Security}: the
     * worker JVM gets the workers' keys (never the scheduler's secret) on its standard input, not
     * on its command line (which {@code ps} shows) nor in a file.
     */
    public static Nanny start(String schedulerAddress, Worker.Options options, long timeoutMs, Security security) {
        Nanny n = new Nanny(schedulerAddress, options, timeoutMs, security, null);
        n.awaitRegistered(timeoutMs);
        return n;
    }

    /**
     * Starts the worker JVM before the scheduler exists (issue 17's cold start: a JVM takes longer
     * to start than a scheduler, so {@link LocalCluster} overlaps the two): the JVM starts with
     * {@link WorkerMain#SCHEDULER_ON_STDIN} instead of the address, gets ready (configuration,
     * ZeroMQ, classes) and then reads the address from its standard input, which {@link
     * #schedulerReady} writes. Call {@link #awaitRegistered} after that; {@link #close} if the
     * scheduler never comes.
     */
    static Nanny launchEarly(Worker.Options options, long timeoutMs, Security security) {
        return launchEarly(options, timeoutMs, security, null);
    }

    /** Like {@link #launchEarly(Worker.Options, long, Security)}, the JVM's {@link StartPhases} lines going to {@code phases} (null: none). */
    static Nanny launchEarly(Worker.Options options, long timeoutMs, Security security, StartPhases phases) {
        return new Nanny(null, options, timeoutMs, security, phases);
    }

    /** Tells a worker JVM started by {@link #launchEarly} (or its replacement) where the scheduler is. */
    void schedulerReady(String schedulerAddress) {
        synchronized (logs) {
            scheduler = schedulerAddress;
            java.io.OutputStream in = pendingStdin;
            pendingStdin = null;
            if (in != null) giveAddress(in, schedulerAddress);
        }
    }

    private static void giveAddress(java.io.OutputStream in, String schedulerAddress) {
        try (in) {
            in.write((schedulerAddress + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            // the JVM is gone: its exit is seen by the monitor, and awaitRegistered names it
        }
    }

    /** Waits until the worker JVM has registered with the scheduler; closes the nanny and names why if it does not. */
    void awaitRegistered(long timeoutMs) {
        try {
            firstStart.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            close();
            throw new IllegalStateException("worker JVM did not register with " + scheduler + " within " + timeoutMs
                    + " ms; its output: " + logs());
        } catch (Exception e) {
            close();
            throw new IllegalStateException("worker JVM failed to start: " + e + "; its output: " + logs(), e);
        }
    }

    private final long startTimeoutMs;

    private final Security security;

    /** Settings the worker JVM gets from the nanny's configuration (as it was when the nanny started). */
    private final List<String> childSettings = new ArrayList<>();

    /** Where the first JVM's {@link StartPhases} lines go (null: dropped). */
    private final StartPhases phases;

    private Nanny(String scheduler, Worker.Options options, long startTimeoutMs, Security security, StartPhases phases) {
        this.phases = phases;
        for (String key : List.of("distributed.comm.timeouts.scheduler-lost", "distributed.worker.death-timeout",
                "distributed.admin.watchdog-timeout", "distributed.comm.timeouts.handshake", "distributed.worker.wait-without-secede",
                "distributed.worker.codec-warm-up")) {
            Object v = org.jdask.Config.get(key);
            if (v != null && !(v instanceof Map)) childSettings.add("-Djdask." + key + "=" + v);
        }
        this.security = security;
        this.memoryConfig = NannyMemory.config();
        this.startTimeoutMs = startTimeoutMs;
        this.scheduler = scheduler;
        this.options = options;
        launch();
        monitor = new Thread(this::watch, "jdask-nanny");
        monitor.setDaemon(true);
        monitor.start();
    }

    static List<String> command(String scheduler, Worker.Options o, long timeoutMs, boolean keysOnStdin) {
        String classpath = SiteClasspath.append(System.getProperty("java.class.path")); // + jdask worker --classpath, JDASK_CLASSPATH
        List<String> cmd = JavaCommand.of(JvmFlags.forChild(classpath)); // + the CDS archive for this class path when there is one
        cmd.addAll(ConfigFiles.childOptions(classpath)); // this JVM's parse of the YAML config: not on the worker's start-up path
        cmd.addAll(ProcessesSchedulerProvider.jvmOptions(org.jdask.Config.get("distributed.worker.jvm-options"))); // e.g. JIT flags to measure
        if (o.memoryLimit() > 0) cmd.add("-Xmx" + o.memoryLimit()); // after the shared flags, so it wins
        cmd.addAll(NannyMemory.jvmFlags(cmd));
        // a JVM starting on a busy machine may need longer than a client to say hello
        cmd.add("-Djdask.distributed.comm.timeouts.connect=" + Math.max(10, timeoutMs / 1000));
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(WorkerMain.class.getName());
        cmd.add(scheduler == null ? WorkerMain.SCHEDULER_ON_STDIN : scheduler);
        cmd.add("--nthreads");
        cmd.add(String.valueOf(o.nthreads()));
        cmd.add("--host");
        cmd.add(o.host());
        if (o.memoryLimit() > 0) {
            cmd.add("--memory-limit");
            cmd.add(String.valueOf(o.memoryLimit()));
        }
        if (o.localDirectory() != null) {
            cmd.add("--local-directory");
            cmd.add(o.localDirectory().toString());
        }
        if (o.name() != null) {
            cmd.add("--name");
            cmd.add(o.name());
        }
        if (!o.resources().isEmpty()) {
            StringBuilder b = new StringBuilder();
            for (Map.Entry<String, Double> e : o.resources().entrySet()) {
                if (b.length() > 0) b.append(',');
                b.append(e.getKey()).append('=').append(e.getValue());
            }
            cmd.add("--resources");
            cmd.add(b.toString());
        }
        if (keysOnStdin) cmd.add("--security-stdin");
        cmd.add("--parent-pid");
        cmd.add(String.valueOf(ProcessHandle.current().pid()));
        return cmd;
    }

    private void launch() {
        try {
            List<String> cmd;
            String sched = scheduler; // null: the JVM reads it from its standard input (launchEarly)
            try (org.jdask.Config.Scope ignored = org.jdask.Config.set(memoryConfig)) { // a restart runs on the monitor thread
                cmd = command(sched, options, startTimeoutMs, security != null);
            }
            cmd.addAll(1, childSettings);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            process = p;
            java.io.OutputStream in = p.getOutputStream();
            if (security != null) {
                in.write(security.workerKeyLines().getBytes(StandardCharsets.US_ASCII));
                in.flush();
            }
            synchronized (logs) { // the address line follows the keys, now or when the scheduler is ready
                String now = scheduler;
                if (sched != null) in.close();
                else if (now == null) pendingStdin = in;
                else giveAddress(in, now); // schedulerReady came while this JVM was being started
            }
            CompletableFuture<String> addr = address;
            Thread reader = new Thread(() -> read(p, addr), "jdask-nanny-log-" + p.pid());
            reader.setDaemon(true);
            reader.start();
        } catch (IOException e) {
            address.completeExceptionally(e);
        }
    }

    private void read(Process p, CompletableFuture<String> addr) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith(StartPhases.LINE)) {
                    if (phases != null) phases.worker("worker pid " + p.pid(), line.substring(StartPhases.LINE.length()), System.nanoTime());
                    continue;
                }
                synchronized (logs) {
                    logs.addLast(line);
                    if (logs.size() > LOG_LINES) logs.removeFirst();
                }
                if (line.startsWith("Worker at: ")) addr.complete(line.substring("Worker at: ".length()).trim());
                else if (line.startsWith(LocalDirectory.LINE)) localDirectory = Path.of(line.substring(LocalDirectory.LINE.length()).trim());
            }
        } catch (IOException ignored) {
            // process gone
        }
        addr.completeExceptionally(new IllegalStateException("worker process " + p.pid() + " exited before registering"));
    }

    private void watch() {
        while (!closing) {
            Process p = process;
            if (p == null) return;
            int code;
            try {
                code = p.waitFor();
            } catch (InterruptedException e) {
                return;
            }
            NannyMemory.cleanUp(localDirectory);
            if (closing) return;
            if (code == WorkerMain.EXIT_NO_SCHEDULER) { // it waited for a scheduler as long as it was told to
                LOG.warn("worker process {} found no scheduler at {} within distributed.worker.death-timeout; not restarting it",
                        p.pid(), scheduler);
                gaveUp = true;
                return;
            }
            if (code == WorkerMemory.EXIT_RETIRED) { // retired by the scheduler: not replaced
                closing = true;
                LOG.info("worker process {} retired; the nanny stops", p.pid());
                onRetired.run();
                return;
            }
            if (!firstStart.isDone() || firstStart.isCompletedExceptionally()) return; // never registered: the start failed (awaitRegistered says why), no restart loop
            String addr = address.getNow(null);
            String why = "worker process " + p.pid() + " exited with code " + code + NannyMemory.explain(code);
            LOG.warn("{}; restarting it", why);
            if (addr != null) tellScheduler(addr, why);
            restarts++;
            address = new CompletableFuture<>();
            launch();
        }
    }

    private void tellScheduler(String workerAddress, String why) {
        ZMQ.Socket s = Zmq.socket(SocketType.DEALER, SchedulerServer.maxFrameBytes());
        try {
            boolean local = scheduler.startsWith("inproc://");
            s.setIdentity(local ? Wire.localIdentity() : Wire.remoteIdentity());
            if (security != null && !local) security.toScheduler(s);
            Zmq.connect(s, scheduler, "scheduler " + scheduler);
            Wire.send(s, null, List.of(new Messages.WorkerDied(workerAddress, why, Wire.VERSION).msg()), local);
            // let the message leave before the socket closes (linger 0); a CURVE handshake comes first
            Thread.sleep(security != null && !local ? 300 : 50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            Zmq.close(s);
        }
    }

    /** The current worker's address (waits up to {@code timeoutMs} for a restarting worker). */
    public String workerAddress(long timeoutMs) {
        try {
            return address.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("worker under this nanny is not up: " + e);
        }
    }

    /** The worker's name ({@link Worker.Options#name()}), may be null. */
    String name() {
        return options.name();
    }

    /** The worker JVM's process (changes after a restart). */
    public ProcessHandle process() {
        return process.toHandle();
    }

    /** Whether the worker ended for want of a scheduler (its death timeout) and the nanny stopped too. */
    public boolean gaveUp() {
        return gaveUp;
    }

    private volatile boolean gaveUp;

    /** Called once if the scheduler retires this nanny's worker (the nanny then stops: nothing to keep running). */
    public void onRetired(Runnable r) {
        onRetired = r;
    }

    /** Whether the scheduler retired the worker (the nanny stopped). */
    public boolean retired() {
        return closing && process != null && !process.isAlive() && process.exitValue() == WorkerMemory.EXIT_RETIRED;
    }

    /** The worker JVM's own directory (its spill store), once it has said so; null before. */
    public Path localDirectory() {
        return localDirectory;
    }

    public int restarts() {
        return restarts;
    }

    /** The worker JVM's last output lines. */
    public List<String> logs() {
        synchronized (logs) {
            return new ArrayList<>(logs);
        }
    }

    /**
     * Asks the worker JVM to stop (SIGTERM) and not to be restarted, without waiting: a cluster
     * closing many nannies signals them all first, then waits in {@link #close}.
     */
    void beginClose() {
        closing = true;
        Process p = process;
        if (p != null) p.destroy();
    }

    /** Stops the worker JVM (gracefully, then forcibly) and does not restart it. */
    @Override
    public void close() {
        beginClose();
        Process p = process;
        if (p == null) return;
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        monitor.interrupt();
        NannyMemory.cleanUp(localDirectory);
    }
}

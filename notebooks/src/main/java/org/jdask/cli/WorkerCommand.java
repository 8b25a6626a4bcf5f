package org.jdask.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jdask.Config;
import org.jdask.distributed.GracefulExit;
import org.jdask.distributed.Nanny;
import org.jdask.distributed.Security;
import org.jdask.distributed.Worker;
import org.jdask.distributed.WorkerMain;
import org.jdask.distributed.internal.Watchdog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jdask worker tcp://HOST:PORT}: runs workers for a scheduler until interrupted, like
 * {@code dask worker}. With {@code --nanny} (the default) each worker is its own JVM restarted
 * if it dies; with {@code --no-nanny} workers run in this JVM. Prints {@code Worker at: ADDRESS}
 * for each.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Run jdask workers for the scheduler at ADDRESS (Ctrl-C stops them).")
public final class WorkerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "ADDRESS", description = "The scheduler, tcp://HOST:PORT.")
    String address;

    @Option(names = "--scheduler-file", paramLabel = "FILE", description = "Read the scheduler address from FILE.")
    Path schedulerFile;

    @Option(names = "--nworkers", defaultValue = "1", paramLabel = "N|auto",
            description = "Number of workers, or 'auto' (cores / nthreads), default ${DEFAULT-VALUE}.")
    String nworkers;

    @Option(names = "--nthreads", defaultValue = "0", paramLabel = "N", description = "Threads per worker (default: cores / nworkers).")
    int nthreads;

    @Option(names = "--memory-limit", paramLabel = "SIZE", description = "Memory limit per worker, e.g. 4GB (worker JVMs under a nanny get it as -Xmx).")
    String memoryLimit;

    @Option(names = "--name", description = "Worker name (a suffix -i is added when there are several).")
    String name;

    @Option(names = "--nanny", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Run each worker in its own JVM under a nanny (default); --no-nanny runs them in this JVM.")
    boolean nanny;

    @Option(names = "--resources", paramLabel = "NAME=AMOUNT,...", description = "Abstract resources, e.g. \"GPU=2,MEM=1e9\".")
    String resources;

    @Option(names = "--host", defaultValue = "auto",
            description = "Address the worker's data port listens on and advertises; 'auto' (default): this machine's address "
                    + "towards the scheduler (127.0.0.1 for a local scheduler).")
    String host;

    @Option(names = "--interface", paramLabel = "NAME", description = "Listen on the IPv4 address of this network interface (e.g. eth0, ib0) instead of --host.")
    String iface;

    @Option(names = "--classpath", paramLabel = "PATH",
            description = "Extra jars/class directories for the worker JVMs (':'-separated, dir/* for every jar in dir); "
                    + "also JDASK_CLASSPATH. Client code reaches workers without it (code shipping).")
    String classpath;

    @Option(names = "--security-dir", paramLabel = "DIR",
            description = "Connect with CurveZMQ using the keys in DIR (a copy of the scheduler's, scheduler.secret not needed).")
    Path securityDir;

    @Option(names = "--death-timeout", paramLabel = "SECONDS",
            description = "Close a worker whose scheduler is lost and none comes back at its address within SECONDS (default: keep trying).")
    Double deathTimeout;

    final CountDownLatch stop = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        String sched = address;
        if (sched == null && schedulerFile != null) sched = SchedulerCommand.addressFromFile(schedulerFile);
        if (sched == null) throw new ParameterException(spec.commandLine(), "give the scheduler ADDRESS or --scheduler-file");
        if (!sched.startsWith("tcp://")) throw new ParameterException(spec.commandLine(), "ADDRESS must look like tcp://HOST:PORT, got '" + sched + "'");
        if (nthreads < 0) throw new ParameterException(spec.commandLine(), "--nthreads must be >= 1 (or 0: cores / nworkers), got " + nthreads);
        int cores = Runtime.getRuntime().availableProcessors();
        int n;
        if (nworkers.equals("auto")) n = Math.max(1, nthreads > 0 ? cores / nthreads : cores);
        else {
            try {
                n = Integer.parseInt(nworkers);
            } catch (NumberFormatException e) {
                throw new ParameterException(spec.commandLine(), "--nworkers must be a number or 'auto', got '" + nworkers + "'");
            }
            if (n < 1) throw new ParameterException(spec.commandLine(), "--nworkers must be >= 1, got " + n);
        }
        Security security = null;
        if (securityDir != null) {
            try {
                security = Security.load(securityDir);
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new ParameterException(spec.commandLine(), "--security-dir: " + e.getMessage());
            }
        }
        if (deathTimeout != null && !(deathTimeout > 0)) {
            throw new ParameterException(spec.commandLine(), "--death-timeout must be a number of seconds > 0, got " + deathTimeout);
        }
        String listen;
        String siteBefore = System.getProperty(WorkerNetwork.SITE_PROPERTY);
        try {
            listen = WorkerNetwork.listenHost(host, iface, sched, classpath);
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            WorkerNetwork.restoreClasspath(siteBefore);
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        int threads = nthreads > 0 ? nthreads : Math.max(1, cores / n);
        PrintWriter out = spec.commandLine().getOut();
        List<AutoCloseable> running = new ArrayList<>();
        if (!nanny) Watchdog.exitOnFailure(); // workers in this JVM: a wedged one ends it (worker JVMs under nannies do so themselves)
        // read by each worker and nanny as it starts (a nanny hands it to its worker JVM)
        try (Config.Scope death = deathTimeout == null ? null : Config.set("distributed.worker.death-timeout", deathTimeout)) {
            for (int i = 0; i < n; i++) {
                Worker.Options o = Worker.Options.defaults().withThreads(threads).withHost(listen)
                        .withResources(WorkerMain.parseResources(resources));
                if (name != null) o = o.withName(n == 1 ? name : name + "-" + i);
                if (memoryLimit != null) o = o.withMemoryLimit(memoryLimit);
                String addr;
                if (nanny) {
                    Nanny nn = Nanny.start(sched, o, 60_000, security);
                    running.add(nn);
                    addr = nn.workerAddress(1000);
                } else {
                    Worker w = Worker.start(sched, o, security);
                    running.add(w);
                    addr = w.address();
                }
                out.println("Worker at: " + addr + " (" + threads + " threads" + (nanny ? ", nanny" : "") + ")");
                out.flush();
            }
            // on SIGTERM (scancel, an SSH cluster retiring this worker) the JVM halts once hooks are done:
            // close the workers here, so each says goodbye and the scheduler drops it at once
            // ... after retiring them: their results move to the other workers first (GracefulExit)
            String scheduler = sched;
            Security sec = security;
            PrintWriter err = spec.commandLine().getErr();
            Thread hook = new Thread(() -> {
                // retire before waking the main thread: it closes the workers on its way out
                List<String> leaving = noScheduler ? List.of() : addresses(running);
                int moved = GracefulExit.retire(scheduler, sec, leaving);
                if (moved >= 0) err.println("worker: SIGTERM: retired " + leaving + ", " + moved + " result(s) moved to other workers");
                err.flush();
                closeAll(running);
                stop.countDown();
            }, "jdask-worker-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            Thread gone = new Thread(() -> { // every worker gave up on its scheduler (--death-timeout): so does this process
                while (stop.getCount() > 0) {
                    synchronized (running) {
                        if (!running.isEmpty() && running.stream().allMatch(WorkerCommand::gaveUp)) {
                            noScheduler = true;
                            stop.countDown();
                        }
                    }
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "jdask-worker-death-watch");
            gone.setDaemon(true);
            gone.start();
            try {
                stop.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } finally {
            closeAll(running);
            WorkerNetwork.restoreClasspath(siteBefore);
        }
        if (noScheduler) spec.commandLine().getErr().println("worker: no scheduler came back within --death-timeout " + deathTimeout + " s");
        return noScheduler ? WorkerMain.EXIT_NO_SCHEDULER : 0;
    }

    private volatile boolean noScheduler;

    private static boolean gaveUp(AutoCloseable c) {
        return c instanceof Nanny n ? n.gaveUp() : c instanceof Worker w && w.diedOfTimeout();
    }

    /** The addresses of the workers still running (a nanny's current worker). */
    private static List<String> addresses(List<AutoCloseable> running) {
        List<String> out = new ArrayList<>();
        synchronized (running) {
            for (AutoCloseable c : running) {
                try {
                    if (c instanceof Worker w) out.add(w.address());
                    else if (c instanceof Nanny n) out.add(n.workerAddress(1000));
                } catch (RuntimeException e) {
                    // not running now: nothing to move from it
                }
            }
        }
        return out;
    }

    private static void closeAll(List<AutoCloseable> running) {
        synchronized (running) {
            for (AutoCloseable c : running) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.err.println("worker: cannot stop " + c + ": " + e);
                }
            }
            running.clear();
        }
    }
}

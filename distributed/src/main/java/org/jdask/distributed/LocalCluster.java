package org.jdask.distributed;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdask.Config;
import org.jdask.distributed.internal.memory.MemoryPolicy;

/**
 * A scheduler and workers on this machine (Dask's {@code LocalCluster}): with
 * {@code processes(true)} each worker is its own JVM under a {@link Nanny} (restarted if it dies);
 * with {@code processes(false)} workers are thread pools in this JVM and values pass between
 * them, the scheduler and clients without serialization. The scheduler listens on
 * {@code 127.0.0.1} by default; other addresses must be asked for.
 *
 * <pre>{@code
 * try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).build();
 *      Client client = Client.connect(cluster)) { ... }
 * }</pre>
 * {@link #close()} stops every worker (JVMs included) and the scheduler; no process is left.
 */
public final class LocalCluster extends ClusterBase {
    private final Builder config;
    private final SchedulerServer scheduler;
    private final List<Worker> threadWorkers = new ArrayList<>();
    private final List<Nanny> nannies = new ArrayList<>();
    private final Map<Object, String> names = new java.util.IdentityHashMap<>();
    private int started;

    /** Options of a {@link LocalCluster}; every setter checks its argument. */
    public static final class Builder {
        int workers = Math.max(1, Runtime.getRuntime().availableProcessors());
        int threads = 1;
        boolean processes = true;
        String host = "127.0.0.1";
        int port = 0;
        long memoryLimit = 0;
        java.nio.file.Path localDirectory;
        Map<String, Double> resources = Map.of();
        long startTimeoutMs = 60_000;
        Security security;
        String dashboardAddress = org.jdask.Config.getString("distributed.dashboard.address", ":8787");

        public Builder workers(int n) {
            workers = ClusterOptions.atLeast("workers", n, 0);
            return this;
        }

        public Builder threadsPerWorker(int n) {
            threads = ClusterOptions.atLeast("threadsPerWorker", n, 1);
            return this;
        }

        /** Worker JVMs under nannies (true, the default) or threads in this JVM (false). */
        public Builder processes(boolean p) {
            processes = p;
            return this;
        }

        /** The scheduler's listening host (default 127.0.0.1). */
        public Builder host(String h) {
            host = h;
            return this;
        }

        /** The scheduler's port; 0 (default) picks a free one. */
        public Builder port(int p) {
            port = ClusterOptions.port("port", p, 0);
            return this;
        }

        /**
         * Memory limit per worker: {@code "4GB"}, {@code "512MiB"} or a number of bytes (a clear
         * error otherwise). A worker JVM gets it as its heap size ({@code -Xmx}); every worker
         * reports it to the scheduler ({@code memory_limit} in {@link Client#workers()}), and its
         * memory manager spills to disk, pauses and restarts the worker at the fractions
         * {@code distributed.worker.memory.target/spill/pause/terminate} of it. Default (0): the
         * machine's memory divided by the workers (in-process workers: this JVM's heap divided by
         * them). In-process workers share this JVM's heap, so they spill by their own results only.
         */
        public Builder memoryLimit(String limit) {
            return memoryLimit(org.jdask.distributed.internal.Sizes.parse(limit, "memoryLimit"));
        }

        /** {@link #memoryLimit(String)} in bytes; 0 means the default. */
        public Builder memoryLimit(long bytes) {
            Worker.Options.defaults().withMemoryLimit(bytes); // the one check of the value
            memoryLimit = bytes;
            return this;
        }

        /**
         * Where each worker creates its own directory for its spill store (deleted when it stops,
         * by its nanny if its JVM is killed); must exist and be writable. Default: the temp directory.
         */
        public Builder localDirectory(java.nio.file.Path dir) {
            localDirectory = dir;
            return this;
        }

        /** Abstract resources every worker advertises, e.g. {@code Map.of("GPU", 1.0)}. */
        public Builder resources(Map<String, Double> r) {
            resources = Map.copyOf(r);
            return this;
        }

        /** How long {@link #build()} waits for the workers to register. */
        public Builder startTimeoutMillis(long ms) {
            startTimeoutMs = ms;
            return this;
        }

        /**
         * Encryption and authentication of every TCP connection (see {@link Security}); in-JVM
         * ({@code inproc://}) connections never leave the process. Default: none.
         */
        public Builder security(Security s) {
            security = s;
            return this;
        }

        /**
         * Where the web dashboard listens: {@code ":8787"} (the default, config
         * {@code distributed.dashboard.address}; on the scheduler's host, a free port with a warning
         * if 8787 is taken), {@code "HOST:PORT"}, {@code ":0"} for a free port, null or
         * {@code "none"} for no dashboard.
         */
        public Builder dashboardAddress(String address) {
            dashboardAddress = address;
            return this;
        }

        public LocalCluster build() {
            return new LocalCluster(this);
        }
    }

    public static Builder builder() {
        ClusterPrestart.begin(); // the worker JVMs' command line warmed on the other core while the builder reads the config
        return new Builder();
    }

    /** Dask's split of {@code cores}: up to 4, one worker per core; beyond, the smallest factor >= sqrt(cores). */
    static int defaultWorkers(int cores) {
        if (cores <= 4) return Math.max(1, cores);
        for (int f = (int) Math.ceil(Math.sqrt(cores)); f <= cores; f++) if (cores % f == 0) return f;
        return cores;
    }

    /** The machine's physical memory in bytes, or 0 when the JVM cannot tell. */
    static long machineMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return 0;
    }

    /** {@code workers=2, threads=4, memory=8.0 GiB} of the scheduler's worker list. */
    static String summary(List<Map<String, Object>> workers) {
        long threads = 0, memory = 0;
        for (Map<String, Object> w : workers) {
            if (w.get("nthreads") instanceof Number n) threads += n.longValue();
            if (w.get("memory_limit") instanceof Number m) memory += m.longValue();
        }
        return "workers=" + workers.size() + ", threads=" + threads + ", memory=" + (memory > 0 ? gib(memory) : "no limit");
    }

    private static String gib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }

    /**
     * Like Dask's repr: {@code LocalCluster(tcp://127.0.0.1:8786, workers=2, threads=4,
     * memory=8.0 GiB, dashboard=http://127.0.0.1:8787/status)}.
     */
    @Override
    public String toString() {
        if (closed) return "LocalCluster(closed)";
        String dash = dashboardLink();
        return "LocalCluster(" + schedulerAddress() + ", " + summary(workers()) + (config.processes ? "" : ", in-process")
                + (dash == null ? "" : ", dashboard=" + dash) + ")";
    }

    /** When the start-up phases happened ({@link #startPhases}). */
    private final StartPhases phases = new StartPhases();

    private LocalCluster(Builder b) {
        this.config = b;
        // worker JVMs first: they take longer to start than the scheduler, and read its address when it listens
        List<Nanny> early = new ArrayList<>();
        if (b.processes) {
            try {
                for (int i = 0; i < b.workers; i++) early.add(Nanny.launchEarly(workerOptions(b.workers), b.startTimeoutMs, b.security, phases));
                phases.at("worker JVMs spawned");
            } catch (RuntimeException e) {
                for (Nanny n : early) n.close();
                throw e;
            }
        }
        try {
            this.scheduler = SchedulerServer.start(b.host, b.port, b.security, b.dashboardAddress);
            phases.at("scheduler listening");
        } catch (RuntimeException e) {
            for (Nanny n : early) n.close();
            throw e;
        }
        try {
            adopt(early);
            phases.at("early workers registered");
            // this JVM's codecs for the first submit, once its worker JVMs are up: beside their start (2 cores) its CPU
            // competes with theirs (Runner cold cluster-start at load 7-16, medians of 8, hints: warm-up off vs on 710 vs
            // 1,057 and 1,059 vs 1,735 ms; this order vs the old 894 vs 1,217, 1,373 vs 1,898, but also 1,089 vs 1,083,
            // 1,093 vs 1,123, 965 vs 1,055 ms). The first submit may now find it still running (map-10k's submit_ms 0.55-0.69
            // s vs 0.30-0.41 s), so start + first map is about even: what moved is when the codecs' CPU is spent
            if (b.processes) ClientWarmup.startOnce();
            scale(b.workers);
            phases.at("ready");
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * When this cluster's start-up phases happened, in ms since its constructor began: worker JVMs
     * spawned, scheduler listening, workers registered, ready; with {@code -Djdask.startup.trace=true}
     * in {@code distributed.worker.jvm-options}, each worker JVM's own phases too ({@link StartPhases}).
     */
    public StartPhases startPhases() {
        return phases;
    }

    /** {@code tcp://host:port} of the scheduler, for clients and workers in other processes. */
    @Override
    public String schedulerAddress() {
        return scheduler.address();
    }

    /** The cluster's keys, or null for a cluster without security. */
    public Security security() {
        return config.security;
    }

    /** Peers the scheduler's TCP port refused so far (see {@link SchedulerServer#refusedPeers()}). */
    public long refusedPeers() {
        return scheduler.refusedPeers();
    }

    /** The in-JVM address clients of this JVM use. */
    public String inprocAddress() {
        return scheduler.inprocAddress();
    }

    /** The dashboard's URL, {@code http://127.0.0.1:PORT/status}; null if it was disabled. */
    @Override
    public String dashboardLink() {
        return scheduler.dashboardLink();
    }

    /** Whether workers run in their own JVMs. */
    public boolean hasWorkerProcesses() {
        return config.processes;
    }

    /** Number of workers now. */
    @Override
    public synchronized int size() {
        return threadWorkers.size() + nannies.size();
    }

    /** Adds or removes workers until there are {@code n}; waits until the scheduler sees them. */
    @Override
    public synchronized void scale(int n) {
        checkScale(n);
        while (size() > n) {
            if (config.processes) close(nannies.remove(nannies.size() - 1));
            else close(threadWorkers.remove(threadWorkers.size() - 1));
        }

        List<Thread> starting = new ArrayList<>();
        List<RuntimeException> errors = new ArrayList<>();
        Map<String, Object> memoryConfig = NannyMemory.config(); // Config.set is per thread: carry it to the starting threads
        for (int i = size(); i < n; i++) {
            Worker.Options o = workerOptions(n);
            String name = o.name();
            if (config.processes) {
                // JVMs start in parallel: start-up is the slowest part of a cluster
                Thread t = new Thread(() -> {
                    try {
                        Nanny nn;
                        try (Config.Scope ignored = Config.set(memoryConfig)) {
                            nn = Nanny.start(scheduler.address(), o, config.startTimeoutMs, config.security);
                        }
                        nn.onRetired(() -> forget(nn));
                        synchronized (nannies) {
                            nannies.add(nn);
                            names.put(nn, name);
                        }
                    } catch (RuntimeException e) {
                        synchronized (errors) {
                            errors.add(e);
                        }
                    }
                });
                t.start();
                starting.add(t);
            } else {
                Worker w = startThreadWorker(o);
                threadWorkers.add(w);
                names.put(w, name);
            }
        }
        for (Thread t : starting) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting workers");
            }
        }
        if (!errors.isEmpty()) throw errors.get(0);
        long deadline = System.currentTimeMillis() + config.startTimeoutMs;
        while (scheduler.workers().size() < n) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("only " + scheduler.workers().size() + " of " + n + " workers registered within "
                        + config.startTimeoutMs + " ms");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for workers");
            }
        }
    }

    /** The next worker's options ({@code worker-N}) in a cluster of {@code n} workers. */
    private Worker.Options workerOptions(int n) {
        return Worker.Options.defaults().withThreads(config.threads).withResources(config.resources)
                .withHost(config.host).withName("worker-" + started++).withMemoryLimit(memoryLimitPerWorker(n))
                .withLocalDirectory(config.localDirectory);
    }

    /**
     * Gives the worker JVMs started before the scheduler ({@link Nanny#launchEarly}) its address and
     * waits until each registered; on a failure every one of them is stopped and the first error thrown.
     */
    private void adopt(List<Nanny> early) {
        for (Nanny n : early) n.schedulerReady(scheduler.address());
        long deadline = System.currentTimeMillis() + config.startTimeoutMs;
        RuntimeException failed = null;
        for (Nanny n : early) {
            try {
                if (failed == null) n.awaitRegistered(Math.max(1, deadline - System.currentTimeMillis()));
                else n.close();
            } catch (RuntimeException e) {
                failed = e;
            }
        }
        if (failed != null) {
            for (Nanny n : early) n.close();
            throw failed;
        }
        synchronized (this) {
            for (Nanny n : early) {
                n.onRetired(() -> forget(n));
                nannies.add(n);
                names.put(n, n.name());
            }
        }
    }

    /** The builder's limit, or Dask's default: the machine's memory (or, in-process, this heap) divided by the workers. */
    private long memoryLimitPerWorker(int workers) {
        if (config.memoryLimit > 0) return config.memoryLimit;
        long total = config.processes ? MemoryPolicy.defaultLimit(1) : Runtime.getRuntime().maxMemory();
        return Math.max(total / Math.max(1, workers), 64L << 20);
    }

    /**
     * An in-process worker that is replaced by a fresh one (same options) when the scheduler closes
     * it for a restart; a worker JVM's nanny does the same for its JVM.
     */
    private Worker startThreadWorker(Worker.Options o) {
        Worker w = Worker.start(scheduler.inprocAddress(), o);
        w.onClose(() -> {
            if (w.retired()) forget(w);
            if (!w.restartRequested()) return;
            Thread t = new Thread(() -> {
                synchronized (this) {
                    int i = threadWorkers.indexOf(w);
                    if (closed || i < 0) return;
                    try {
                        Worker fresh = startThreadWorker(o);
                        threadWorkers.set(i, fresh);
                        names.put(fresh, names.remove(w));
                    } catch (RuntimeException e) {
                        threadWorkers.remove(i);
                        names.remove(w);
                        org.slf4j.LoggerFactory.getLogger(LocalCluster.class).error("cannot restart worker {}", o.name(), e);
                    }
                }
            }, "jdask-restart-" + o.name());
            t.setDaemon(true);
            t.start();
        });
        return w;
    }

    /** A worker (or nanny) the scheduler retired: no longer part of this cluster (called from its thread). */
    private void forget(Object workerOrNanny) {
        Thread t = new Thread(() -> {
            synchronized (this) {
                threadWorkers.remove(workerOrNanny);
                nannies.remove(workerOrNanny);
                names.remove(workerOrNanny);
            }
        }, "jdask-retired");
        t.setDaemon(true);
        t.start();
    }

    /** The scheduler's view of the workers (address, threads, processing, keys, bytes). */
    @Override
    public List<Map<String, Object>> workers() {
        return scheduler.workers();
    }

    @Override
    public ClusterLoad load() {
        return scheduler.load();
    }

    /**
     * Stops the workers with these addresses (see {@link Cluster#retireWorkers}), gracefully: their
     * results move to the other workers first ({@link Client#retireWorkers}); if that fails (no
     * worker left to take them) they are stopped anyway and their results recomputed when needed.
     */
    @Override
    public void retireWorkers(java.util.Collection<String> addresses) {
        try (Client c = Client.connect(this)) {
            c.retireWorkers(new ArrayList<>(addresses));
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(LocalCluster.class).warn("graceful retirement of {} failed ({}); stopping them", addresses, e.getMessage());
        }
        stopWorkers(addresses);
    }

    private synchronized void stopWorkers(java.util.Collection<String> addresses) {
        java.util.Set<String> gone = new java.util.HashSet<>(addresses);
        for (java.util.Iterator<Worker> it = threadWorkers.iterator(); it.hasNext(); ) {
            Worker w = it.next();
            if (gone.contains(w.address())) {
                it.remove();
                close(w);
            }
        }
        for (java.util.Iterator<Nanny> it = nannies.iterator(); it.hasNext(); ) {
            Nanny nn = it.next();
            if (gone.contains(nn.workerAddress(1_000))) {
                it.remove();
                close(nn);
            }
        }
    }

    private void close(AutoCloseable workerOrNanny) {
        names.remove(workerOrNanny);
        try {
            workerOrNanny.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop " + workerOrNanny + ": " + e, e);
        }
    }

    /** Worker JVMs (empty for in-process workers), e.g. to watch or kill them in tests. */
    public synchronized List<ProcessHandle> workerProcesses() {
        List<ProcessHandle> out = new ArrayList<>();
        for (Nanny n : nannies) out.add(n.process());
        return out;
    }

    /** The nannies of worker JVMs. */
    public synchronized List<Nanny> nannies() {
        return List.copyOf(nannies);
    }

    /** Each worker JVM's recent output, by worker name (empty for in-process workers: they log here). */
    @Override
    public synchronized Map<String, List<String>> logs() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Nanny n : nannies) out.put(names.get(n), n.logs());
        return out;
    }

    /** Stops all workers (and their JVMs) and the scheduler (see {@link #close}). */
    @Override
    void stopAll() {
        for (Nanny n : nannies) n.beginClose(); // every worker JVM stops at once, then we wait for each
        for (Nanny n : nannies) n.close();
        for (Worker w : threadWorkers) w.close();
        nannies.clear();
        threadWorkers.clear();
        scheduler.close();
    }
}

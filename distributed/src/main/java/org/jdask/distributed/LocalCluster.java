package org.jdask.distributed;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
public final class LocalCluster implements AutoCloseable {
    private final Builder config;
    private final SchedulerServer scheduler;
    private final List<Worker> threadWorkers = new ArrayList<>();
    private final List<Nanny> nannies = new ArrayList<>();
    private boolean closed;

    /** Options of a {@link LocalCluster}; every setter checks its argument. */
    public static final class Builder {
        int workers = Math.max(1, Runtime.getRuntime().availableProcessors());
        int threads = 1;
        boolean processes = true;
        String host = "127.0.0.1";
        int port = 0;
        long memoryLimit = -1;
        Map<String, Double> resources = Map.of();
        long startTimeoutMs = 60_000;
        Security security;
        String dashboardAddress = org.jdask.Config.getString("distributed.dashboard.address", ":8787");

        public Builder workers(int n) {
            if (n < 0) throw new IllegalArgumentException("workers must be >= 0, got " + n);
            workers = n;
            return this;
        }

        public Builder threadsPerWorker(int n) {
            if (n < 1) throw new IllegalArgumentException("threadsPerWorker must be >= 1, got " + n);
            threads = n;
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
            if (p < 0 || p > 65535) throw new IllegalArgumentException("port must be 0-65535, got " + p);
            port = p;
            return this;
        }

        /** Memory limit per worker, e.g. {@code "4GB"} (used by the memory manager, a later module). */
        public Builder memoryLimit(String limit) {
            memoryLimit = parseBytes(limit);
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

        /** Encryption and authentication of every connection (see {@link Security}). */
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
        return new Builder();
    }

    /** {@code "4GB"}, {@code "512MiB"}, {@code "1e9"} to bytes; a clear error otherwise. */
    static long parseBytes(String s) {
        String t = s.trim().toUpperCase().replace(" ", "");
        long mult = 1;
        String[][] units = {{"TIB", "1099511627776"}, {"GIB", "1073741824"}, {"MIB", "1048576"}, {"KIB", "1024"},
                {"TB", "1000000000000"}, {"GB", "1000000000"}, {"MB", "1000000"}, {"KB", "1000"}, {"B", "1"}};
        for (String[] u : units) {
            if (t.endsWith(u[0])) {
                mult = Long.parseLong(u[1]);
                t = t.substring(0, t.length() - u[0].length());
                break;
            }
        }
        try {
            return (long) (Double.parseDouble(t) * mult);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("memory limit '" + s + "' is not a size like 4GB or 512MiB");
        }
    }

    private LocalCluster(Builder b) {
        if (b.security != null) b.security.requireSupported();
        this.config = b;
        this.scheduler = SchedulerServer.start(b.host, b.port, b.dashboardAddress);
        try {
            scale(b.workers);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** {@code tcp://host:port} of the scheduler, for clients and workers in other processes. */
    public String schedulerAddress() {
        return scheduler.address();
    }

    /** The in-JVM address clients of this JVM use. */
    public String inprocAddress() {
        return scheduler.inprocAddress();
    }

    /** The dashboard's URL, {@code http://127.0.0.1:PORT/status}; null if it was disabled. */
    public String dashboardLink() {
        return scheduler.dashboardLink();
    }

    /** Whether workers run in their own JVMs. */
    public boolean hasWorkerProcesses() {
        return config.processes;
    }

    /** Number of workers now. */
    public synchronized int size() {
        return threadWorkers.size() + nannies.size();
    }

    /** Adds or removes workers until there are {@code n}; waits until the scheduler sees them. */
    public synchronized void scale(int n) {
        if (n < 0) throw new IllegalArgumentException("scale: n must be >= 0, got " + n);
        while (size() > n) {
            if (config.processes) nannies.remove(nannies.size() - 1).close();
            else threadWorkers.remove(threadWorkers.size() - 1).close();
        }
        List<Thread> starting = new ArrayList<>();
        List<RuntimeException> errors = new ArrayList<>();
        for (int i = size(); i < n; i++) {
            Worker.Options o = Worker.Options.defaults().withThreads(config.threads).withResources(config.resources)
                    .withHost(config.host).withName("worker-" + i);
            if (config.processes) {
                // JVMs start in parallel: start-up is the slowest part of a cluster
                Thread t = new Thread(() -> {
                    try {
                        Nanny nn = Nanny.start(scheduler.address(), o, config.startTimeoutMs);
                        synchronized (nannies) {
                            nannies.add(nn);
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
                threadWorkers.add(Worker.start(scheduler.inprocAddress(), o));
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

    /** The scheduler's view of the workers (address, threads, processing, keys, bytes). */
    public List<Map<String, Object>> workers() {
        return scheduler.workers();
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
    public synchronized Map<String, List<String>> logs() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (int i = 0; i < nannies.size(); i++) out.put("worker-" + i, nannies.get(i).logs());
        return out;
    }

    /** Stops all workers (and their JVMs) and the scheduler. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (Nanny n : nannies) n.close();
        for (Worker w : threadWorkers) w.close();
        nannies.clear();
        threadWorkers.clear();
        scheduler.close();
    }
}

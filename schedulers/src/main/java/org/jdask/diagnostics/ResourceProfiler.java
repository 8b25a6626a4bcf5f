package org.jdask.diagnostics;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.jdask.graph.Listeners;
import org.jdask.graph.SchedulerListener;
import org.jdask.graph.TaskGraph;

/**
 * Samples the JVM's CPU load and heap use while local runs are active (Dask's {@code
 * ResourceProfiler}):
 *
 * <pre>{@code
 * try (var res = new ResourceProfiler(Duration.ofMillis(50))) {
 *     x.compute();
 *     res.toCsv(Path.of("resources.csv"));
 * }
 * }</pre>
 *
 * <p>When a run starts (and no other is active) a daemon thread {@code jdask-resource-profiler}
 * takes a sample at once and then every {@code interval}; it stops, with a last sample, when the
 * last active run finishes, and at {@link #close()}. CPU load is the process's share of all cores
 * (0..1, from {@code com.sun.management.OperatingSystemMXBean}; -1 when the JVM cannot tell).
 */
public final class ResourceProfiler implements SchedulerListener, AutoCloseable {
    /** One sample: wall-clock millis, process CPU load (0..1 or -1) and heap bytes used. */
    public record Sample(long epochMillis, double cpuLoad, long heapUsed) {}

    private final long intervalNanos;
    private final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    private int active;
    private Thread sampler;

    /** Samples every 100 ms. */
    public ResourceProfiler() {
        this(Duration.ofMillis(100));
    }

    public ResourceProfiler(Duration interval) {
        if (interval.isZero() || interval.isNegative()) throw new IllegalArgumentException("interval must be > 0, got " + interval);
        this.intervalNanos = interval.toNanos();
        Listeners.register(this);
    }

    @Override
    public synchronized void start(TaskGraph graph) {
        if (active++ > 0) return;
        sample();
        Thread t = new Thread(this::loop, "jdask-resource-profiler");
        t.setDaemon(true);
        sampler = t;
        t.start();
    }

    @Override
    public void finish(Throwable error) {
        Thread t;
        synchronized (this) {
            if (active == 0 || --active > 0) return;
            t = sampler;
            sampler = null;
        }
        stop(t);
        sample();
    }

    private void loop() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                TimeUnit.NANOSECONDS.sleep(intervalNanos);
            } catch (InterruptedException e) {
                return;
            }
            sample();
        }
    }

    private void sample() {
        double cpu = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuLoad() : -1;
        samples.add(new Sample(System.currentTimeMillis(), cpu, memory.getHeapMemoryUsage().getUsed()));
    }

    private static void stop(Thread t) {
        if (t == null) return;
        t.interrupt();
        try {
            t.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The samples so far, oldest first. */
    public List<Sample> results() {
        return new ArrayList<>(samples);
    }

    /** Writes {@code time_ms,cpu_load,heap_used_bytes} rows. */
    public Path toCsv(Path file) {
        StringBuilder b = new StringBuilder("time_ms,cpu_load,heap_used_bytes\n");
        for (Sample s : samples) b.append(s.epochMillis()).append(',').append(s.cpuLoad()).append(',').append(s.heapUsed()).append('\n');
        return Profiler.write(file, b.toString());
    }

    /** Unregisters and stops sampling. */
    @Override
    public void close() {
        Listeners.unregister(this);
        Thread t;
        synchronized (this) {
            t = sampler;
            sampler = null;
            active = 0;
        }
        stop(t);
    }
}

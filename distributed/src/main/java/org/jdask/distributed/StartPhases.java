package org.jdask.distributed;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a {@link LocalCluster} start-up spends its time (issue 16's start-up tail: 13 of 200
 * start-ups over 1.5x the median, none stalled), for {@code Runner startups --trace}:
 * <ul>
 * <li>in a worker JVM started with {@code -Djdask.startup.trace=true}, {@link #mark} prints
 *     {@code jdask-phase NAME NANOTIME} at {@code main} (JVM boot and class loading before it),
 *     {@code prepared} ({@link StartEarly}: ZeroMQ context, classes), {@code address} (the
 *     scheduler's address read) and {@code registered}; the {@link Nanny} reading its output
 *     records each line. {@code System.nanoTime} is {@code CLOCK_MONOTONIC} on Linux, one clock
 *     for every process of the machine, so the worker's times are placed exactly on the cluster
 *     JVM's scale (no pipe delay, and no {@code ManagementFactory} loaded just to know the uptime);
 *     elsewhere they are shown as they come;
 * <li>in the cluster's JVM, {@link LocalCluster} records when its worker JVMs were spawned, the
 *     scheduler listened, every worker registered, and the constructor returned.
 * </ul>
 * {@link #toString} lists them in milliseconds since the cluster's constructor began. Nothing is
 * printed or kept without the property; the nanny's lines cost one {@code startsWith} per line.
 */
public final class StartPhases {
    /** The worker JVM property that turns the {@code jdask-phase} lines on. */
    public static final String PROPERTY = "jdask.startup.trace";
    static final String LINE = "jdask-phase ";

    private final long t0 = System.nanoTime();
    private final List<String> marks = new ArrayList<>();

    /** In a worker JVM: prints the phase line when {@link #PROPERTY} is set. */
    static void mark(String phase) {
        if (Boolean.getBoolean(PROPERTY)) {
            System.out.println(LINE + phase + " " + System.nanoTime());
            System.out.flush();
        }
    }

    /** In the cluster's JVM: {@code what} happened now. */
    synchronized void at(String what) {
        marks.add(what + " +" + ms(System.nanoTime()));
    }

    /** A worker's phase line ({@code line} without the prefix), which arrived at {@code arrived} (nanoTime). */
    synchronized void worker(String worker, String line, long arrived) {
        String[] p = line.trim().split(" ");
        long at = arrived;
        try {
            if (p.length > 1 && LINUX) at = Long.parseLong(p[1]);
        } catch (NumberFormatException e) {
            // a line this JVM did not write: its arrival time
        }
        marks.add(worker + " " + p[0] + " +" + ms(at));
    }

    private static final boolean LINUX = System.getProperty("os.name", "").startsWith("Linux");

    private long ms(long nanos) {
        return (nanos - t0) / 1_000_000;
    }

    @Override
    public synchronized String toString() {
        return String.join(", ", marks);
    }
}

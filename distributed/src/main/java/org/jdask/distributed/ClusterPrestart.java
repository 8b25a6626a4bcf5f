package org.jdask.distributed;

import org.jdask.distributed.internal.OnceThread;
import org.jdask.graph.cds.CdsArchive;
import org.slf4j.LoggerFactory;

/**
 * The first {@link LocalCluster} of a fresh JVM (issue 16's first start-up, 2.0x the median):
 * before its worker JVMs can be spawned, the parent reads its config and builds their command
 * line, and in a fresh JVM that line's parts were cold one after the other on the main thread —
 * the CDS archive's key (the JDK's SHA-256 provider, ~20 ms) and check (its CRC, once per JVM),
 * the machine's memory for the workers' limits (the management beans, ~25 ms), the process
 * classes. {@link #begin}, called by {@link LocalCluster#builder()}, does those on a side thread
 * while the main thread reads the config (the other core), so the spawn finds them done; then
 * what the scheduler needs next and has no need to wait for (the ZeroMQ context and the wire
 * messages' tables, {@link StartEarly#prepare}, as a worker JVM does before its address). Only
 * warm-ups: nothing is kept or decided here, and a failure is the main thread's to meet and
 * report.
 */
final class ClusterPrestart {
    private static final OnceThread THREAD = new OnceThread("jdask-cluster-prestart", Thread.NORM_PRIORITY, ClusterPrestart::run);

    private ClusterPrestart() {}

    /** Starts the side thread once per JVM; whether this call started it. */
    static boolean begin() {
        return THREAD.start();
    }

    /** The warm-ups; whether they all ran (a failure is only logged). */
    static boolean run() {
        try {
            // first what needs no config (the main thread is reading it)
            LocalCluster.machineMemory();
            ProcessHandle.current().pid();
            CdsArchive.key(System.getProperty("java.class.path")); // the JDK's SHA-256 provider
            String classpath = SiteClasspath.append(System.getProperty("java.class.path")); // the workers' class path, as Nanny builds it
            CdsArchive.shared().state(classpath); // the archive's CRC: checked once per JVM, then cached
            // then what the scheduler and the client of this JVM need next, as a worker JVM prepares before its
            // scheduler's address comes: the ZeroMQ context and its I/O thread, the wire messages' tables
            StartEarly.prepare();
            return true;
        } catch (RuntimeException | LinkageError e) {
            LoggerFactory.getLogger(ClusterPrestart.class).debug("cluster pre-start warm-up failed (the start does the same work itself)", e);
            return false;
        }
    }
}

package org.jdask.graph.cds;

/**
 * Work a {@link CdsTraining} JVM runs so that the classes a worker JVM loads at start-up end up in
 * the class-data-sharing archive. A module that starts worker JVMs provides one (listed in {@code
 * META-INF/services/org.jdask.graph.cds.CdsWarmup}) that runs its worker's real start-up path in
 * process, briefly: the archive then holds exactly what a worker loads, and nothing a worker does
 * not load (no Arrow, Tablesaw or EJML unless the worker's start-up touches them).
 */
public interface CdsWarmup {
    /** Runs the start-up path once; must return within seconds (the training JVM gives up after a minute). */
    void run() throws Exception;
}

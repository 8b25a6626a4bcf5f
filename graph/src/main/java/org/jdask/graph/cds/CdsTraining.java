package org.jdask.graph.cds;

import java.util.ServiceLoader;

/**
 * Main class of the JVM that records a class-data-sharing archive ({@code
 * -XX:ArchiveClassesAtExit}): runs every {@link CdsWarmup} on the class path, then exits normally
 * so the JVM writes the archive. With {@code --check} it does nothing: {@link CdsBuild} starts it
 * with {@code -Xshare:on} on a fresh archive, which fails unless the JVM can map the archive.
 */
public final class CdsTraining {
    private CdsTraining() {}

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("--check")) {
            System.out.println("cds check: archive mapped");
            return;
        }
        int ran = 0;
        for (CdsWarmup w : ServiceLoader.load(CdsWarmup.class)) {
            long t0 = System.nanoTime();
            try {
                w.run();
                ran++;
                System.out.println("cds warm-up " + w.getClass().getName() + ": " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            } catch (Throwable e) { // a warm-up that fails only makes the archive smaller
                System.out.println("cds warm-up " + w.getClass().getName() + " failed: " + e);
                e.printStackTrace(System.out);
            }
        }
        System.out.println("cds training done: " + ran + " warm-up(s)");
        System.exit(0); // also ends threads a warm-up left behind; the JVM dumps the archive on this exit
    }
}

package org.jdask.cli;

import org.jdask.Config;
import org.jdask.distributed.HostAddress;
import org.jdask.distributed.SiteClasspath;

/**
 * {@code jdask worker}'s {@code --host}, {@code --interface} and {@code --classpath}: which address
 * the workers listen on and advertise, and the extra class path their JVMs get.
 */
final class WorkerNetwork {
    /** Where {@code --classpath} goes for the nannies of this JVM (config {@code distributed.worker.classpath}). */
    static final String SITE_PROPERTY = "jdask.distributed.worker.classpath";

    private WorkerNetwork() {}

    /**
     * The address to listen on: the interface's when {@code --interface} is given (then
     * {@code --host} must be left at {@code auto}), the address towards {@code scheduler} for
     * {@code auto}, else {@code host} itself. Sets config {@code distributed.worker.classpath}
     * (read by the nannies) when {@code classpath} is given.
     */
    static String listenHost(String host, String iface, String scheduler, String classpath) {
        if (classpath != null && !classpath.isBlank()) {
            SiteClasspath.parse(classpath, "--classpath"); // a missing entry is a usage error now, not a failed worker JVM later
            System.setProperty(SITE_PROPERTY, classpath);
            Config.refresh();
        }
        if (iface != null) {
            if (!"auto".equals(host)) throw new IllegalArgumentException("give --host or --interface, not both");
            return HostAddress.ofInterface(iface);
        }
        return "auto".equals(host) ? HostAddress.towards(scheduler) : host;
    }

    /**
     * When the command ends: puts back the class path setting it found ({@code before}, or none), so
     * a {@code jdask worker} run inside another program (a test, a notebook) leaves no site jar
     * behind for that program's later workers.
     */
    static void restoreClasspath(String before) {
        if (before == null) System.clearProperty(SITE_PROPERTY);
        else System.setProperty(SITE_PROPERTY, before);
        Config.refresh();
    }
}

package org.jdask.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jdask.distributed.SchedulerServer;
import org.jdask.distributed.Security;
import org.jdask.distributed.internal.Watchdog;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jdask scheduler}: runs a distributed scheduler until interrupted (Ctrl-C), like
 * {@code dask scheduler}. Prints {@code Scheduler at: tcp://HOST:PORT} and
 * {@code Dashboard at: http://HOST:8787/status}; with
 * {@code --scheduler-file} also writes {@code {"address": "..."}} there for workers and clients.
 * With {@code --security-dir DIR} the port requires CurveZMQ with the keys in DIR
 * ({@code --new-keys} creates them first); workers and clients need a copy of DIR (all but
 * {@code scheduler.secret}).
 */
@Command(name = "scheduler", mixinStandardHelpOptions = true,
        description = "Run a jdask distributed scheduler (Ctrl-C stops it).")
public final class SchedulerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Interface to listen on, default ${DEFAULT-VALUE} (use 0.0.0.0 for all; without --security-dir anyone who can reach it is trusted).")
    String host;

    @Option(names = "--port", defaultValue = "8786", description = "Port to listen on, default ${DEFAULT-VALUE}; 0 picks a free one.")
    int port;

    @Option(names = "--dashboard-address", defaultValue = ":8787", paramLabel = "ADDRESS",
            description = "Dashboard address, default ${DEFAULT-VALUE} (on --host; a free port with a warning if taken); "
                    + ":0 picks a free port, 'none' disables it.")
    String dashboardAddress;

    @Option(names = "--scheduler-file", paramLabel = "FILE", description = "Write the scheduler's address to FILE (JSON).")
    Path schedulerFile;

    @Option(names = "--security-dir", paramLabel = "DIR",
            description = "Require CurveZMQ with the keys in DIR (scheduler.pub/.secret, cluster.pub/.secret).")
    Path securityDir;

    @Option(names = "--new-keys", description = "Create new keys in --security-dir first (refuses to overwrite keys).")
    boolean newKeys;

    final CountDownLatch stop = new CountDownLatch(1);

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (newKeys && securityDir == null) throw new ParameterException(spec.commandLine(), "--new-keys needs --security-dir DIR");
        Security security = null;
        if (securityDir != null) {
            try {
                if (newKeys) Security.temporary().save(securityDir);
                security = Security.load(securityDir);
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new ParameterException(spec.commandLine(), "--security-dir: " + e.getMessage());
            }
        }
        Watchdog.exitOnFailure(); // a wedged scheduler exits (status 70): its supervisor sees it die
        try (SchedulerServer s = SchedulerServer.start(host, port, security, dashboardAddress)) {
            out.println("Scheduler at: " + s.address());
            if (s.dashboardLink() != null) out.println("Dashboard at: " + s.dashboardLink());
            if (security != null) {
                out.println("Security: CurveZMQ, " + security + ", keys in " + securityDir
                        + (newKeys ? " (new; give workers and clients a copy without scheduler.secret)" : ""));
            }
            out.flush();
            if (schedulerFile != null) {
                Files.writeString(schedulerFile, "{\"address\": \"" + s.address() + "\"}\n", StandardCharsets.UTF_8);
            }
            Thread hook = new Thread(stop::countDown, "jdask-scheduler-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                stop.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
        }
        return 0;
    }

    /** Reads the address from a file written with {@code --scheduler-file}. */
    static String addressFromFile(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"address\"\\s*:\\s*\"([^\"]+)\"").matcher(text);
        if (!m.find()) throw new IllegalArgumentException("scheduler file " + file + " has no \"address\" entry: " + text.strip());
        return m.group(1);
    }
}

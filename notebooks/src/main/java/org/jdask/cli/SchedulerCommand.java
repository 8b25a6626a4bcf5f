package org.jdask.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jdask.distributed.SchedulerServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jdask scheduler}: runs a distributed scheduler until interrupted (Ctrl-C), like
 * {@code dask scheduler}. Prints {@code Scheduler at: tcp://HOST:PORT} and
 * {@code Dashboard at: http://HOST:8787/status}; with
 * {@code --scheduler-file} also writes {@code {"address": "..."}} there for workers and clients.
 */
@Command(name = "scheduler", mixinStandardHelpOptions = true,
        description = "Run a jdask distributed scheduler (Ctrl-C stops it).")
public final class SchedulerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Interface to listen on, default ${DEFAULT-VALUE} (use 0.0.0.0 for all; there is no authentication yet).")
    String host;

    @Option(names = "--port", defaultValue = "8786", description = "Port to listen on, default ${DEFAULT-VALUE}; 0 picks a free one.")
    int port;

    @Option(names = "--dashboard-address", defaultValue = ":8787", paramLabel = "ADDRESS",
            description = "Dashboard address, default ${DEFAULT-VALUE} (on --host; a free port with a warning if taken); "
                    + ":0 picks a free port, 'none' disables it.")
    String dashboardAddress;

    @Option(names = "--scheduler-file", paramLabel = "FILE", description = "Write the scheduler's address to FILE (JSON).")
    Path schedulerFile;

    final CountDownLatch stop = new CountDownLatch(1);

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        try (SchedulerServer s = SchedulerServer.start(host, port, dashboardAddress)) {
            out.println("Scheduler at: " + s.address());
            if (s.dashboardLink() != null) out.println("Dashboard at: " + s.dashboardLink());
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

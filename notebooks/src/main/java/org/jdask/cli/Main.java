package org.jdask.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code jdask} command line. Each subcommand is its own class listed in {@code subcommands}
 * ({@link DemoCommand}, {@link NotebookCommand}; the {@code scheduler}, {@code worker} and {@code ssh}
 * commands slot in the same way).
 *
 * <p>Exit codes: 0 success; 1 the command failed (the message says why); 2 bad usage (picocli's
 * message names the option).
 */
@Command(name = "jdask",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "jdask: Dask's model on the JVM.",
        subcommands = {DemoCommand.class, NotebookCommand.class, SchedulerCommand.class, WorkerCommand.class, SshCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** Without a subcommand: usage on stderr, exit 2. */
    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        err.println("jdask: missing command");
        spec.commandLine().usage(err);
        return 2;
    }

    /** A command line over a fresh {@code Main}, with short (stack-trace-free) failure messages. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(cmd.getCommandName() + ": error: " + Failures.describe(e));
            return 1;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The version from the jar manifest (the Maven version), or a note when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"jdask " + (v == null ? "(development build, no jar manifest)" : v),
                    "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}

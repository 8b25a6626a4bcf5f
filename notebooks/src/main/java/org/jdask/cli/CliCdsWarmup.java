package org.jdask.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.jdask.graph.cds.CdsWarmup;
import picocli.CommandLine;

/**
 * The {@code jdask} launcher's own start-up for its CDS archive ({@link org.jdask.graph.cds.CdsArchive}):
 * builds the command tree (picocli's model of every sub-command) and renders each usage message, as
 * a command line is parsed before any command runs.
 */
public final class CliCdsWarmup implements CdsWarmup {
    @Override
    public void run() {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.usage(new PrintWriter(out));
        for (CommandLine sub : cl.getSubcommands().values()) sub.usage(new PrintWriter(out));
        cl.parseArgs("--help");
    }
}

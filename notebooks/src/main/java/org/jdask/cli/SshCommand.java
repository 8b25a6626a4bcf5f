package org.jdask.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jdask.distributed.SshCluster;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jdask ssh HOST...}: starts a scheduler on the first host and workers on all of them over
 * SSH, like {@code dask-ssh}, and keeps them running until interrupted (Ctrl-C), which stops every
 * remote process. Prints {@code Scheduler at: ADDRESS} and one {@code Worker at:} line per worker.
 */
@Command(name = "ssh", mixinStandardHelpOptions = true,
        description = "Start a jdask scheduler and workers on HOSTs over SSH (Ctrl-C stops them all).")
public final class SshCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "HOST", description = "Hosts as [user@]host[:port]; the first runs the scheduler.")
    List<String> hosts = List.of();

    @Option(names = "--hostfile", paramLabel = "FILE", description = "Read hosts from FILE: 'host [nworkers]' lines, # comments.")
    Path hostfile;

    @Option(names = "--nworkers", defaultValue = "1", paramLabel = "N", description = "Workers per host (default ${DEFAULT-VALUE}).")
    int nworkers;

    @Option(names = "--nthreads", defaultValue = "0", paramLabel = "N", description = "Threads per worker (default: cores / workers of the host).")
    int nthreads;

    @Option(names = "--user", description = "Login name (default: yours).")
    String user;

    @Option(names = "--ssh-port", defaultValue = "22", paramLabel = "PORT", description = "SSH port (default ${DEFAULT-VALUE}).")
    int sshPort;

    @Option(names = {"-i", "--identity"}, paramLabel = "FILE", description = "Private key file (default ~/.ssh/id_ecdsa, ~/.ssh/id_rsa).")
    Path identity;

    @Option(names = "--known-hosts", paramLabel = "FILE", description = "Accept only host keys listed in FILE.")
    Path knownHosts;

    @Option(names = "--remote-command", paramLabel = "CMD", defaultValue = "jdask",
            description = "How to run jdask on the hosts, split at spaces (default ${DEFAULT-VALUE}).")
    String remoteCommand;

    @Option(names = "--scheduler-port", defaultValue = "8786", paramLabel = "PORT", description = "Scheduler port (default ${DEFAULT-VALUE}).")
    int schedulerPort;

    @Option(names = "--nanny", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Run each worker under a nanny (default); --no-nanny runs one JVM per worker.")
    boolean nanny;

    final CountDownLatch stop = new CountDownLatch(1);

    @Override
    public Integer call() {
        if (hosts.isEmpty() && hostfile == null) throw new ParameterException(spec.commandLine(), "give HOSTs or --hostfile FILE");
        SshCluster.Builder b;
        try {
            b = SshCluster.builder().hosts(hosts).nworkers(nworkers).port(sshPort).schedulerPort(schedulerPort)
                    .remoteCommand(remoteCommand.strip().split("\\s+")).nanny(nanny);
            if (hostfile != null) b.hostfile(hostfile);
            if (nthreads != 0) b.nthreads(nthreads); // 0: the default; a negative count is refused by the builder
            if (user != null) b.user(user);
            if (identity != null) b.identity(identity);
            if (knownHosts != null) b.knownHosts(knownHosts);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        try (SshCluster cluster = b.build()) {
            out.println("Scheduler at: " + cluster.schedulerAddress());
            for (Map<String, Object> w : cluster.workers()) {
                out.println("Worker at: " + w.get("address") + " (" + w.get("name") + ", " + w.get("nthreads") + " threads)");
            }
            out.flush();
            // on Ctrl-C the JVM halts once hooks are done: stop the remote processes here
            Thread hook = new Thread(() -> {
                stop.countDown();
                cluster.close();
            }, "jdask-ssh-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                stop.await();
            } catch (InterruptedException e) {
                // stop: close() below must not see the interrupt, it waits for remote processes to exit
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
        }
        return 0;
    }
}

package netns.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.jdask.distributed.Client;
import org.jdask.distributed.Future;
import org.jdask.distributed.SshCluster;

/**
 * A user's program on host 0 of {@code NetnsSshTest}: an {@link SshCluster} whose scheduler and
 * workers start over SSH on two other "hosts" (network namespaces with an sshd each). Prints
 * {@code SCHEDULER address}, {@code WORKERS [...]}, {@code OK w1} or {@code MISMATCH ...}, {@code DONE}.
 * Arguments: the two hosts' addresses (comma-separated), the client key, known_hosts, and a file
 * holding the remote command (one argument per line).
 */
public final class NetnsSshApp {
    public static void main(String[] args) throws Exception {
        List<String> hosts = List.of(args[0].split(","));
        List<String> remote = Files.readAllLines(Path.of(args[3]));
        try (SshCluster cluster = SshCluster.builder().hosts(hosts).port(22).identity(Path.of(args[1])).knownHosts(Path.of(args[2]))
                .nthreads(2).nanny(true).schedulerPort(0).remoteCommand(remote.toArray(String[]::new)).startTimeoutMillis(180_000)
                .connectTimeoutMillis(60_000).build();
             Client client = Client.connect(cluster.schedulerAddress())) {
            System.out.println("SCHEDULER " + cluster.schedulerAddress());
            client.waitForWorkers(2, 180, TimeUnit.SECONDS);
            System.out.println("WORKERS " + client.workerAddresses());
            List<Future<Integer>> fs = client.map(NetnsApp::inc, IntStream.range(0, 2_000).boxed().toList());
            NetnsApp.check("w1", client.submit(NetnsApp::total, fs).result(), (long) IntStream.range(1, 2_001).sum());
        }
        System.out.println("DONE");
    }
}

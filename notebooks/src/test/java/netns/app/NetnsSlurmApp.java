package netns.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.jdask.distributed.Client;
import org.jdask.distributed.Future;
import org.jdask.distributed.Security;
import org.jdask.distributed.SlurmCluster;

/**
 * A user's program on the Slurm controller's host of {@code NetnsSlurmTest}: a {@link
 * SlurmCluster} (scheduler in this JVM, at this host's address) whose one job runs a worker on the
 * compute node, another simulated host; the worker has only jdask's classes, so the tasks below
 * (this package's functions and record) reach it by code shipping. Prints {@code WORKERS [...]},
 * {@code OK name} or {@code MISMATCH ...} per check, {@code SCRIPT-HOST line}, {@code DONE}.
 * Arguments: this host's address, slurm.conf, the log directory, the security directory, the
 * worker's local directory and a file holding the worker command (one argument per line).
 */
public final class NetnsSlurmApp {
    public static void main(String[] args) throws Exception {
        String host = args[0], conf = args[1], logs = args[2], keys = args[3], space = args[4];
        List<String> worker = Files.readAllLines(Path.of(args[5]));
        try (SlurmCluster cluster = SlurmCluster.builder().cores(2).processes(1).memory("1GB").walltime("10:00").jobName("jdask-netns")
                .queue("debug").schedulerHost(host).nanny(false).workerCommand(worker.toArray(String[]::new)).logDirectory(logs)
                .securityDirectory(keys).env("JDASK_DISTRIBUTED__WORKER__LOCAL_DIRECTORY", space)
                .submitCommand("env", "SLURM_CONF=" + conf, "sbatch").cancelCommand("env", "SLURM_CONF=" + conf, "scancel").build();
             Client client = Client.connect(cluster.schedulerAddress(), Security.load(Path.of(keys)))) {
            for (String l : cluster.jobScript().split("\n")) if (l.contains(" worker ")) System.out.println("SCRIPT-WORKER " + l);
            cluster.scale(1);
            client.waitForWorkers(1, 150, TimeUnit.SECONDS);
            System.out.println("WORKERS " + client.workerAddresses());
            List<Integer> xs = IntStream.range(0, 500).boxed().toList();
            List<Future<Integer>> fs = client.map(NetnsApp::inc, xs);
            NetnsApp.check("w1", client.submit(NetnsApp::total, fs).result(), NetnsApp.total(xs.stream().map(NetnsApp::inc).toList()));
            NetnsApp.check("reading", client.submit(NetnsApp::parse, "s7,2.5").result(), new NetnsApp.Reading("s7", 2.5));
            cluster.scale(0);
            long deadline = System.currentTimeMillis() + 60_000;
            while (!client.workerAddresses().isEmpty() && System.currentTimeMillis() < deadline) Thread.sleep(200);
            System.out.println("WORKERS-AFTER-SCALE-0 " + client.workerAddresses());
        }
        System.out.println("DONE");
    }
}

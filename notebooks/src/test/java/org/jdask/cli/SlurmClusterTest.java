package org.jdask.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.jdask.Config;
import org.jdask.Delayed;
import org.jdask.distributed.Client;
import org.jdask.distributed.SlurmCluster;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;
import org.jdask.graph.JavaCommand;
import org.jdask.graph.JvmFlags;
import org.jdask.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link SlurmCluster} against a real single-node Slurm ({@link LocalSlurm}): jobs start workers, scale(0) cancels them. */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class SlurmClusterTest {
    static void await(LocalSlurm slurm, String what, LocalSlurm.Check c) throws Exception {
        Await.until(() -> {
            try {
                return c.ok();
            } catch (Exception e) {
                throw new AssertionError("checking " + what + " failed: " + e, e);
            }
        }, Duration.ofSeconds(150), what, () -> {
            try {
                return slurm.logs();
            } catch (IOException e) {
                return "(Slurm logs unreadable: " + e + ")";
            }
        });
    }

    @Test
    void jobsStartWorkersThatComputeAndScaleToZeroCancelsThem() throws Exception {
        String marker = "jdask.test.run=" + UUID.randomUUID();
        List<String> worker = new ArrayList<>();
        worker.addAll(JavaCommand.of(JvmFlags.get()));
        worker.addAll(List.of("-D" + marker, "-Djdask.distributed.comm.timeouts.connect=" + LocalSshd.CONNECT_TIMEOUT_S,
                "-Djdask.distributed.comm.timeouts.scheduler-lost=" + 3 * LocalSshd.CONNECT_TIMEOUT_S, "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        try (LocalSlurm slurm = new LocalSlurm();
             Config.Scope patient = LocalSshd.patientClients()) {
            try (SlurmCluster cluster = SlurmCluster.builder().cores(1).processes(1).memory("1GB").walltime("10:00").jobName("jdask-test")
                    .queue("debug").schedulerHost("127.0.0.1").nanny(false).workerCommand(worker.toArray(String[]::new))
                    .logDirectory(slurm.dir.resolve("logs").toString())
                    .submitCommand(slurm.command("sbatch")).cancelCommand(slurm.command("scancel")).build();
                 Client client = Client.connect(cluster.schedulerAddress())) {
                cluster.scale(2);
                assertEquals(2, cluster.jobIds().size());
                await(slurm, "2 workers from 2 jobs", () -> cluster.workers().size() == 2);
                String queue = slurm.run("squeue", "-h", "-o", "%i %j %T");
                for (String id : cluster.jobIds()) assertTrue(queue.contains(id + " jdask-test RUNNING"), queue);
                for (Map<String, Object> w : cluster.workers()) {
                    assertTrue(String.valueOf(w.get("name")).matches("jdask-test-\\d+"), w.toString());
                }

                Fn1<Integer, Integer> square = x -> x * x;
                Fn2<Integer, Integer, Integer> add = Integer::sum;
                assertEquals(IntStream.range(0, 50).map(x -> x * x).boxed().toList(),
                        client.gather(client.map(square, IntStream.range(0, 50).boxed().toList())));
                Delayed<Integer> total = Delayed.value(0);
                for (int i = 1; i <= 4; i++) total = Delayed.of(add).apply(total, Delayed.of(square).apply(i));
                assertEquals(30, client.compute(total).result(60, TimeUnit.SECONDS));
                Map<String, List<String>> logs = cluster.logs();
                assertTrue(logs.values().stream().allMatch(l -> l.stream().anyMatch(s -> s.contains("Worker at: "))), logs.toString());

                cluster.scale(0);
                assertEquals(List.of(), cluster.jobIds());
                await(slurm, "squeue to be empty", () -> slurm.run("squeue", "-h").isBlank());
                await(slurm, "the scheduler to lose its workers", () -> cluster.workers().isEmpty());
            }
            Await.until(() -> ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false)),
                    Duration.ofSeconds(20), "every worker process of the jobs to exit");
            assertEquals(List.of(), ProcessHandle.allProcesses().filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                    .map(ProcessHandle::pid).toList());
        }
    }
}

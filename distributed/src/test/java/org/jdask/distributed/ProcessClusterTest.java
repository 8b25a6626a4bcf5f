package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.jdask.KilledWorkerException;
import org.jdask.SerializationException;
import org.jdask.TaskFailedException;
import org.jdask.fn.Fn1;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.jdask.testing.Await;

/** Worker JVMs under nannies: real processes, real TCP sockets, real kill -9. */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ProcessClusterTest {
    static final Fn1<Integer, Integer> INC = x -> x + 1;
    static final Fn1<List<Integer>, Integer> SUM = l -> l.stream().mapToInt(Integer::intValue).sum();

    static int slowIdentity(int x) throws InterruptedException {
        Thread.sleep(150);
        return x;
    }

    static int halt(int x) {
        Runtime.getRuntime().halt(3); // the worker JVM dies mid-task
        return x;
    }

    static int divide(int x) {
        return 10 / x;
    }

    /** Issue 13: one call for a machine-sized cluster and its client; the client's close closes both; reprs like Dask's. */
    @Test
    void clientLocalSizesAClusterToTheMachineAndClosesIt() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        LocalCluster cluster;
        try (Client client = Client.local()) {
            cluster = client.cluster;
            assertEquals(2, client.submit(INC, 1).result(60, TimeUnit.SECONDS));
            int workers = LocalCluster.defaultWorkers(cores);
            String repr = client.toString();
            assertTrue(repr.startsWith("Client(scheduler=tcp://") && repr.contains("workers=" + workers)
                    && repr.contains("threads=" + workers * Math.max(1, cores / workers)) && repr.contains("memory=")
                    && repr.contains("dashboard=http://"), repr);
            String clusterRepr = cluster.toString();
            assertTrue(clusterRepr.startsWith("LocalCluster(tcp://") && clusterRepr.contains("workers=" + workers)
                    && clusterRepr.contains("GiB"), clusterRepr);
        }
        assertEquals("LocalCluster(closed)", cluster.toString());
        assertEquals(1, LocalCluster.defaultWorkers(1));
        assertEquals(4, LocalCluster.defaultWorkers(4));
        assertEquals(3, LocalCluster.defaultWorkers(6)); // 3 workers x 2 threads, as Dask
        assertEquals(4, LocalCluster.defaultWorkers(16));
    }

    @Test
    void workerJvmsComputeAndCloseLeavesNoProcess() throws Exception {
        List<ProcessHandle> procs;
        try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(true).build();
             Client client = Client.connect(cluster)) {
            // issue 20 item 3: an unserializable function is refused before anything is sent, with the
            // processes scheduler's message (SerializationCheck: task key, class, path to it)
            Object lock = new Object();
            Fn1<Integer, Integer> capturing = x -> x + lock.hashCode();
            SerializationException refused = assertThrows(SerializationException.class, () -> client.submit(capturing, 1));
            assertTrue(refused.getMessage().contains("cannot be sent to another process")
                    && refused.getMessage().contains("java.lang.Object"), refused.getMessage());
            assertThrows(SerializationException.class, () -> client.map(capturing, List.of(1, 2)));
            procs = cluster.workerProcesses();
            assertEquals(2, procs.size());
            assertTrue(procs.stream().allMatch(ProcessHandle::isAlive));
            List<Future<Integer>> fs = client.map(INC, IntStream.range(0, 200).boxed().toList());
            assertEquals(IntStream.range(1, 201).boxed().toList(), client.gather(fs));
            assertEquals(200 * 201 / 2, client.submit(SUM, fs).result());
            // a remote failure keeps its type and message
            TaskFailedException e = assertThrows(TaskFailedException.class, () -> client.submit(ProcessClusterTest::divide, 0).result());
            assertInstanceOf(ArithmeticException.class, e.getCause());
            // data moves worker to worker: one input on each worker, summed on one
            double[] big = new double[1 << 18];
            java.util.Arrays.fill(big, 1.0);
            List<Future<double[]>> parts = client.scatter(List.of(big, big));
            Fn1<List<double[]>, Double> total = l -> l.stream().flatMapToDouble(java.util.Arrays::stream).sum();
            assertEquals(2.0 * big.length, client.submit(total, parts).result());
            assertFalse(cluster.logs().isEmpty());
        }
        for (ProcessHandle p : procs) p.onExit().get(10, TimeUnit.SECONDS);
        assertTrue(procs.stream().noneMatch(ProcessHandle::isAlive));
        assertEquals(0, ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count(),
                "left behind: " + ProcessHandle.current().descendants().map(p -> p.info().commandLine().orElse("?")).toList());
    }

    @Test
    void killMinusNineMidGraphIsRecoveredWithTheExactResult() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(true).build();
             Client client = Client.connect(cluster)) {
            List<Future<Integer>> parts = client.map(ProcessClusterTest::slowIdentity, IntStream.range(0, 30).boxed().toList());
            Future<Integer> total = client.submit(SUM, parts);
            Thread.sleep(1000); // some parts done (held by both workers), some running
            ProcessHandle victim = cluster.workerProcesses().get(0);
            victim.destroyForcibly(); // SIGKILL
            assertEquals(IntStream.range(0, 30).sum(), total.result(120, TimeUnit.SECONDS));
            assertEquals(IntStream.range(0, 30).boxed().toList(), client.gather(parts));
            Await.until(() -> cluster.workers().size() >= 2, Duration.ofSeconds(60), "the nanny to restart the worker");
            assertEquals(2, cluster.workers().size(), "the nanny restarted the worker");
            assertEquals(1, cluster.nannies().get(0).restarts());
        }
    }

    @Test
    void aTaskThatKillsFourWorkersFailsWithKilledWorkerException() throws Exception { // more than allowed-failures (3), as in Dask
        try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(true).build();
             Client client = Client.connect(cluster)) {
            Future<Integer> f = client.submit(ProcessClusterTest::halt, 1);
            TaskFailedException e = assertThrows(TaskFailedException.class, () -> f.result(180, TimeUnit.SECONDS));
            KilledWorkerException k = assertInstanceOf(KilledWorkerException.class, e.getCause());
            assertEquals(f.key(), k.key());
            assertEquals(4, k.workers().size());
            assertTrue(e.getMessage().contains(f.key().toString()), e.getMessage());
            // the cluster still works afterwards
            Await.until(() -> cluster.workers().size() >= 2, Duration.ofSeconds(60), "the nanny to restart the worker");
            assertEquals(5, client.submit(INC, 4).result(60, TimeUnit.SECONDS));
        }
    }

    static List<Integer> range(int n) {
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add(i);
        return l;
    }
}

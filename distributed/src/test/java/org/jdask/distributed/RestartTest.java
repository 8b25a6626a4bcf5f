package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jdask.fn.Fn1;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code client.restart()} on in-process workers and on worker JVMs under nannies. */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RestartTest {
    static final Fn1<Integer, Integer> INC = x -> x + 1;

    static int slow(int x) throws InterruptedException {
        Thread.sleep(60_000);
        return x;
    }

    /** Futures before a restart: one finished, one running, one scattered; all end cancelled by it. */
    static void restartCancelsEverythingAndTheClusterWorksAfterwards(LocalCluster cluster, Client client) throws Exception {
        Future<Integer> done = client.submit(INC, 1);
        assertEquals(2, done.result(60, TimeUnit.SECONDS));
        Future<Integer> running = client.submit(RestartTest::slow, 7);
        List<Future<double[]>> scattered = client.scatter(List.of(new double[] {1, 2}));
        Set<String> before = new HashSet<>(client.workerAddresses());
        assertEquals(2, before.size());
        client.variable("restart-plain").set("kept");
        client.variable("restart-future").set(done);
        org.jdask.distributed.coord.Lock lock = client.lock("restart-lock");
        lock.acquire(java.time.Duration.ofSeconds(60));

        client.restart(180, TimeUnit.SECONDS);

        Set<String> after = new HashSet<>(client.workerAddresses());
        assertEquals(2, after.size());
        assertTrue(after.stream().noneMatch(before::contains), "new workers " + after + " vs " + before);
        for (Future<?> f : List.of(done, running, scattered.get(0))) {
            assertTrue(f.done());
            assertTrue(f.isCancelled(), f.toString());
            CancellationException e = assertThrows(CancellationException.class, f::result);
            assertTrue(e.getMessage().contains("cancelled by restart"), e.getMessage());
        }
        for (java.util.Map<String, Object> w : client.workers()) assertEquals(0, ((Number) w.get("keys")).intValue(), "no data kept");
        // coordination objects: plain values and leases stay (as in Dask); a held future is gone, and says so
        assertEquals("kept", client.<String>variable("restart-plain").get(java.time.Duration.ofSeconds(30)));
        org.jdask.JdaskException gone = assertThrows(org.jdask.JdaskException.class,
                () -> client.variable("restart-future").get(java.time.Duration.ofSeconds(30)));
        assertTrue(gone.getMessage().contains("it held future " + done.key()) && gone.getMessage().contains("client.restart()"), gone.getMessage());
        lock.release(); // still held: releasing a lease that was not held would throw
        // the same (pure) key is computed afresh, not answered from the forgotten result
        Future<Integer> again = client.submit(INC, 1);
        assertEquals(done.key(), again.key());
        assertEquals(2, again.result(60, TimeUnit.SECONDS));
        assertEquals(IntStream.range(1, 21).boxed().toList(), client.gather(client.map(INC, IntStream.range(0, 20).boxed().toList())));
    }

    @Test
    void inProcessWorkersAreRecreated() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(false).build();
             Client client = Client.connect(cluster);
             Client other = Client.connect(cluster)) {
            Future<Integer> theirs = other.submit(INC, 41);
            assertEquals(42, theirs.result(30, TimeUnit.SECONDS));
            restartCancelsEverythingAndTheClusterWorksAfterwards(cluster, client);
            assertEquals(2, cluster.size());
            // another client's futures are cancelled too, with the reason
            CancellationException e = assertThrows(CancellationException.class, theirs::result);
            assertTrue(e.getMessage().contains("by restart (requested by"), e.getMessage());
        }
    }

    @Test
    void workerJvmsAreRestartedByTheirNannies() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(true).build();
             Client client = Client.connect(cluster)) {
            Set<Long> pids = cluster.workerProcesses().stream().map(ProcessHandle::pid).collect(Collectors.toSet());
            restartCancelsEverythingAndTheClusterWorksAfterwards(cluster, client);
            Set<Long> now = cluster.workerProcesses().stream().map(ProcessHandle::pid).collect(Collectors.toSet());
            assertEquals(2, now.size());
            assertTrue(now.stream().noneMatch(pids::contains), "new worker JVMs " + now + " vs " + pids);
            assertTrue(cluster.workerProcesses().stream().allMatch(ProcessHandle::isAlive));
        }
    }

    @Test
    void aWorkerThatDoesNotComeBackEndsInTheTimeout() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().workers(1).threadsPerWorker(1).processes(false).build();
             Client client = Client.connect(cluster)) {
            // a worker of nobody's: no keeper restarts it
            Worker loose = Worker.start(cluster.inprocAddress(), Worker.Options.defaults().withThreads(1).withName("loose"));
            try {
                client.waitForWorkers(2, 30, TimeUnit.SECONDS);
                TimeoutException e = assertThrows(TimeoutException.class, () -> client.restart(2, TimeUnit.SECONDS));
                assertTrue(e.getMessage().contains("1 of 2 workers came back"), e.getMessage());
            } finally {
                loose.close();
            }
        }
    }
}

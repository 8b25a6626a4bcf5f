package org.jdask.distributed;

import static org.jdask.distributed.WorkerMemoryTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jdask.fn.Fn2;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Graceful retirement and rebalance: results move between real workers, nothing is recomputed. */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class WorkerRetireTest {
    /** Makes block {@code i} and appends a line to {@code log}: the file counts every run, in any JVM. */
    static final Fn2<String, Integer, double[]> COUNTED = (log, i) -> {
        try {
            Files.writeString(Path.of(log), i + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND, StandardOpenOption.CREATE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        double[] a = new double[250_000];
        java.util.Arrays.fill(a, i);
        return a;
    };

    /** A file name for {@link #COUNTED}'s log (no file yet: the first run creates it). */
    static Path runLog() throws IOException {
        Path log = Files.createTempFile("jdask-runs", ".txt");
        Files.delete(log);
        return log;
    }

    /** Two workers of one thread and 256 MiB each, in JVMs of their own or in this one. */
    static LocalCluster twoWorkers(boolean processes) {
        return LocalCluster.builder().workers(2).threadsPerWorker(1).processes(processes).memoryLimit("256MiB").dashboardAddress(null)
                .build();
    }

    static int runs(Path log) throws IOException {
        return Files.exists(log) ? Files.readAllLines(log).size() : 0;
    }

    @Test
    void retiringAWorkerMovesItsOnlyCopiesAndNothingIsRecomputed() throws Exception {
        Path log = runLog();
        try (LocalCluster cluster = twoWorkers(true);
             Client client = Client.connect(cluster)) {
            List<String> ws = client.workerAddresses();
            String leaving = ws.get(0), staying = ws.get(1);
            List<Future<double[]>> fs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String on = i % 2 == 0 ? leaving : staying; // half of the results only on the worker that leaves
                fs.add(client.submit(COUNTED, log.toString(), i, SubmitOptions.defaults().workers(Set.of(on))));
            }
            Futures.wait(fs, 120, TimeUnit.SECONDS);
            assertEquals(8, runs(log));
            int moved = client.retireWorkers(List.of(leaving));
            assertEquals(4, moved, "the leaving worker's four results moved");
            await("the retired worker to leave", 60, () -> client.workerAddresses().equals(List.of(staying)));
            await("its nanny to be forgotten by the cluster", 60, () -> cluster.nannies().size() == 1);
            Map<String, WorkerInfo> info = client.workerInfo();
            assertEquals(Set.of(staying), info.keySet());
            assertEquals(8, info.get(staying).keys());
            for (int i = 0; i < 8; i++) assertEquals(i, fs.get(i).result()[249_999]);
            assertEquals(8, runs(log), "no task ran again");
            Thread.sleep(1500); // a nanny that wrongly replaced the retired worker would have registered by now
            assertEquals(1, client.workerAddresses().size());
        } finally {
            Files.deleteIfExists(log);
        }
    }

    @Test
    void rebalanceEvensOutResultsAcrossWorkers() throws Exception {
        Path log = runLog();
        try (LocalCluster cluster = twoWorkers(false);
             Client client = Client.connect(cluster)) {
            String a = client.workerAddresses().get(0);
            List<Future<double[]>> fs = new ArrayList<>();
            for (int i = 0; i < 6; i++) fs.add(client.submit(COUNTED, log.toString(), i, SubmitOptions.defaults().workers(Set.of(a))));
            Futures.wait(fs, 120, TimeUnit.SECONDS);
            assertEquals(6, client.workerInfo().get(a).keys());
            int moved = client.rebalance();
            assertEquals(3, moved);
            Map<String, WorkerInfo> info = client.workerInfo();
            for (WorkerInfo w : info.values()) assertEquals(3, w.keys(), info.toString());
            for (int i = 0; i < 6; i++) assertEquals(i, fs.get(i).result()[0]);
            assertEquals(6, runs(log), "no task ran again");
            assertEquals(0, client.rebalance(), "balanced already");
            // retiring every worker would lose their results: refused, nothing closed
            Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> client.retireWorkers(client.workerAddresses()));
            assertTrue(e.getMessage().contains("cannot retire every worker"), e.getMessage());
            assertEquals(2, client.workerAddresses().size());
        } finally {
            Files.deleteIfExists(log);
        }
    }
}

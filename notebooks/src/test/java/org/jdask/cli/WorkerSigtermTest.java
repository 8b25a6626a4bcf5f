package org.jdask.cli;

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
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jdask.distributed.Client;
import org.jdask.distributed.Future;
import org.jdask.distributed.Futures;
import org.jdask.distributed.LocalCluster;
import org.jdask.distributed.SubmitOptions;
import org.jdask.fn.Fn2;
import org.jdask.graph.JavaCommand;
import org.jdask.graph.JvmFlags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code jdask worker} in its own JVM, stopped with {@code kill -TERM}: the results only its
 * worker holds move to the cluster's other worker before it exits, so nothing runs again (every
 * run appends a line to a file, counted across JVMs).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class WorkerSigtermTest {
    static final Fn2<String, Integer, double[]> COUNTED = (log, i) -> {
        try {
            Files.writeString(Path.of(log), i + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND, StandardOpenOption.CREATE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        double[] a = new double[100_000];
        java.util.Arrays.fill(a, i);
        return a;
    };

    static int runs(Path log) throws IOException {
        return Files.exists(log) ? Files.readAllLines(log).size() : 0;
    }

    @Test
    void sigtermMovesTheWorkersOnlyCopiesBeforeItExits() throws Exception {
        Path log = Files.createTempFile("jdask-sigterm-runs", ".txt");
        Files.delete(log);
        Path out = Files.createTempFile("jdask-worker-cli", ".log");
        Process cli = null;
        try (LocalCluster cluster = LocalCluster.builder().workers(1).threadsPerWorker(1).processes(true).dashboardAddress(null).build();
             Client client = Client.connect(cluster)) {
            String staying = client.workerAddresses().get(0);
            List<String> cmd = JavaCommand.of(JvmFlags.get(), System.getProperty("java.class.path"));
            cmd.addAll(List.of(Main.class.getName(), "worker", cluster.schedulerAddress(),
                    "--nthreads", "1", "--memory-limit", "256MiB", "--name", "leaving"));
            cli = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (client.workerAddresses().size() < 2) {
                assertTrue(cli.isAlive(), "jdask worker exited early: " + Files.readString(out));
                assertTrue(System.nanoTime() < deadline, "jdask worker did not register in 120 s: " + Files.readString(out));
                Thread.sleep(100);
            }
            String leaving = client.workerAddresses().stream().filter(a -> !a.equals(staying)).findFirst().orElseThrow();
            List<Future<double[]>> fs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String on = i % 2 == 0 ? leaving : staying; // half of the results only on the worker that gets SIGTERM
                fs.add(client.submit(COUNTED, log.toString(), i, SubmitOptions.defaults().workers(Set.of(on))));
            }
            Futures.wait(fs, 120, TimeUnit.SECONDS);
            assertEquals(6, runs(log));
            new ProcessBuilder("kill", "-TERM", Long.toString(cli.pid())).start().waitFor(10, TimeUnit.SECONDS);
            assertTrue(cli.waitFor(90, TimeUnit.SECONDS), "jdask worker still running 90 s after SIGTERM: " + Files.readString(out));
            String said = Files.readString(out);
            assertTrue(said.contains("3 result(s) moved"), said);
            assertEquals(List.of(staying), client.workerAddresses());
            for (int i = 0; i < 6; i++) assertEquals(i, fs.get(i).result()[99_999]);
            assertEquals(6, runs(log), "no task ran again: " + said);
        } finally {
            if (cli != null) cli.destroyForcibly();
            Files.deleteIfExists(log);
            Files.deleteIfExists(out);
        }
    }
}

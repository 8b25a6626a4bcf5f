package org.jdask.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdask.Config;
import org.jdask.JdaskException;
import org.jdask.distributed.Client;
import org.jdask.distributed.Security;
import org.jdask.fn.Fn1;
import org.jdask.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code jdask scheduler} and {@code jdask worker} started through the command line, used by a client. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterCommandsTest {
    @TempDir
    Path dir;

    @Test
    void schedulerAndWorkerCommandsFormAClusterAClientUses() throws Exception {
        Path file = dir.resolve("scheduler.json");
        StringWriter schedOut = new StringWriter();
        CommandLine sched = Main.commandLine();
        sched.setOut(new PrintWriter(schedOut, true));
        Thread st = new Thread(() -> sched.execute("scheduler", "--port", "0", "--dashboard-address", ":0",
                "--scheduler-file", file.toString()));
        st.start();
        Await.until(() -> Files.exists(file), Duration.ofSeconds(30), "the scheduler to write " + file, schedOut::toString);
        String address = SchedulerCommand.addressFromFile(file);
        assertTrue(schedOut.toString().contains("Scheduler at: " + address), schedOut.toString());
        java.util.regex.Matcher dash = java.util.regex.Pattern.compile("Dashboard at: (http://127\\.0\\.0\\.1:\\d+)/status")
                .matcher(schedOut.toString());
        assertTrue(dash.find(), schedOut.toString());

        StringWriter workOut = new StringWriter();
        CommandLine work = Main.commandLine();
        work.setOut(new PrintWriter(workOut, true));
        CompletableFuture<Integer> workerExit = new CompletableFuture<>();
        Thread wt = new Thread(() -> workerExit.complete(work.execute("worker", "--scheduler-file", file.toString(),
                "--no-nanny", "--nworkers", "2", "--nthreads", "1", "--resources", "GPU=1")));
        wt.start();
        try (Client c = Client.connect(address)) {
            c.waitForWorkers(2, 30, TimeUnit.SECONDS);
            Fn1<Integer, Integer> inc = x -> x + 1;
            assertEquals(42, c.submit(inc, 41).result(30, TimeUnit.SECONDS));
            // the scheduler's dashboard sees both workers
            java.net.http.HttpResponse<String> ws = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(dash.group(1) + "/api/workers")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ws.statusCode());
            assertEquals(2, ws.body().split("\"address\"", -1).length - 1, ws.body());
        }
        assertTrue(workOut.toString().contains("Worker at: tcp://127.0.0.1:"), workOut.toString());
        wt.interrupt();
        assertEquals(0, workerExit.get(30, TimeUnit.SECONDS));
        st.interrupt();
        st.join(30_000);
    }

    @Test
    void securedSchedulerAndWorkerCommandsAdmitOnlyClientsWithTheKeys() throws Exception {
        Path file = dir.resolve("scheduler.json"), keys = dir.resolve("keys");
        StringWriter schedOut = new StringWriter();
        CommandLine sched = Main.commandLine();
        sched.setOut(new PrintWriter(schedOut, true));
        Thread st = new Thread(() -> sched.execute("scheduler", "--port", "0", "--scheduler-file", file.toString(),
                "--security-dir", keys.toString(), "--new-keys"));
        st.start();
        Await.until(() -> Files.exists(file), Duration.ofSeconds(30), "the scheduler to write " + file, schedOut::toString);
        String address = SchedulerCommand.addressFromFile(file);
        assertTrue(schedOut.toString().contains("Security: CurveZMQ"), schedOut.toString());
        assertFalse(schedOut.toString().contains(Files.readString(keys.resolve("cluster.secret")).strip()), "a secret was printed");

        CommandLine work = Main.commandLine();
        work.setOut(new PrintWriter(new StringWriter(), true));
        CompletableFuture<Integer> workerExit = new CompletableFuture<>();
        Thread wt = new Thread(() -> workerExit.complete(work.execute("worker", address, "--no-nanny", "--nthreads", "1",
                "--security-dir", keys.toString())));
        wt.start();
        try (var cfg = Config.set("distributed.comm.timeouts.connect", 2)) {
            assertThrows(JdaskException.class, () -> Client.connect(address)); // no keys
        }
        try (Client c = Client.connect(address, Security.load(keys))) {
            c.waitForWorkers(1, 30, TimeUnit.SECONDS);
            Fn1<Integer, Integer> inc = x -> x + 1;
            assertEquals(42, c.submit(inc, 41).result(30, TimeUnit.SECONDS));
        }
        wt.interrupt();
        assertEquals(0, workerExit.get(30, TimeUnit.SECONDS));
        st.interrupt();
        st.join(30_000);

        // --new-keys never overwrites; --new-keys alone is a usage error
        StringWriter err = new StringWriter();
        CommandLine again = Main.commandLine();
        again.setErr(new PrintWriter(err, true));
        assertEquals(2, again.execute("scheduler", "--port", "0", "--security-dir", keys.toString(), "--new-keys"));
        assertTrue(err.toString().contains("not overwriting"), err.toString());
        assertEquals(2, again.execute("scheduler", "--port", "0", "--new-keys"));
        assertTrue(err.toString().contains("--new-keys needs --security-dir"), err.toString());
    }

    @Test
    void badWorkerOptionsAreUsageErrors() {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        assertEquals(2, cl.execute("worker", "localhost:8786"));
        assertTrue(err.toString().contains("tcp://HOST:PORT"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, cl.execute("worker", "tcp://127.0.0.1:1", "--nworkers", "many"));
        assertTrue(err.toString().contains("--nworkers"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, cl.execute("worker", "tcp://127.0.0.1:1", "--nthreads", "-3"));
        assertTrue(err.toString().contains("--nthreads must be >= 1") && err.toString().contains("got -3"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, cl.execute("worker", "tcp://127.0.0.1:1", "--interface", "nosuch0"));
        assertTrue(err.toString().contains("no network interface 'nosuch0'") && err.toString().contains("lo"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, cl.execute("worker", "tcp://127.0.0.1:1", "--interface", "lo", "--host", "10.0.0.1"));
        assertTrue(err.toString().contains("--host or --interface"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, cl.execute("worker", "tcp://127.0.0.1:1", "--classpath", "/no/such/dir/*"));
        assertTrue(err.toString().contains("/no/such/dir") && err.toString().contains("--classpath"), err.toString());
    }

    @Test
    void workerAddressesFollowTheRouteToTheSchedulerOrTheInterface() {
        assertEquals("127.0.0.1", WorkerNetwork.listenHost("auto", null, "tcp://127.0.0.1:8786", null));
        assertEquals("127.0.0.1", WorkerNetwork.listenHost("auto", "lo", "tcp://10.1.2.3:8786", null));
        assertEquals("10.9.9.9", WorkerNetwork.listenHost("10.9.9.9", null, "tcp://127.0.0.1:8786", null));
    }
}

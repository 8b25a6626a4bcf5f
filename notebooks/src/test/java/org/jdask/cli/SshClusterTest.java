package org.jdask.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.jdask.Delayed;
import org.jdask.distributed.Adaptive;
import org.jdask.distributed.Client;
import org.jdask.distributed.Future;
import org.jdask.distributed.SshCluster;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;
import org.jdask.Config;
import org.jdask.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * {@link SshCluster} and {@code jdask ssh} against a real OpenSSH server on loopback ({@link LocalSshd}):
 * the scheduler and workers are real JVMs started through SSH; "127.0.0.1" and "localhost" play two hosts.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SshClusterTest {
    static LocalSshd sshd;

    Config.Scope timeouts;

    @BeforeAll
    static void up() throws Exception {
        sshd = new LocalSshd();
    }

    @BeforeEach
    void patientClients() {
        timeouts = LocalSshd.patientClients();
    }

    @AfterEach
    void restore() {
        timeouts.close();
    }

    @AfterAll
    static void down() throws Exception {
        if (sshd != null) sshd.close();
    }

    SshCluster.Builder builder() {
        return SshCluster.builder().port(sshd.port).identity(sshd.clientKey).knownHosts(sshd.knownHosts).nthreads(1).nanny(false)
                .schedulerPort(0).remoteCommand(sshd.remoteCommand().toArray(String[]::new)).startTimeoutMillis(90_000);
    }

    void assertNoMarkedProcessLeft() throws InterruptedException {
        Await.until(() -> sshd.marked().isEmpty(), Duration.ofSeconds(20), "every process this test started to exit",
                () -> sshd.marked().stream().map(p -> p.pid() + " " + p.info().command().orElse("?")).toList().toString());
    }

    @Test
    void schedulerAndWorkersOverSshComputeAndLeaveNothingBehind() throws Exception {
        List<Long> pids = new ArrayList<>();
        try (SshCluster cluster = builder().hosts("127.0.0.1", "localhost").build();
             Client client = Client.connect(cluster.schedulerAddress())) {
            assertTrue(cluster.schedulerAddress().startsWith("tcp://127.0.0.1:"), cluster.schedulerAddress());
            client.waitForWorkers(2, 30, TimeUnit.SECONDS);
            Fn1<Integer, Integer> inc = x -> x + 1;
            Fn2<Integer, Integer, Integer> add = Integer::sum;
            assertEquals(42, client.submit(inc, 41).result(60, TimeUnit.SECONDS));
            List<Future<Integer>> fs = client.map(inc, IntStream.range(0, 100).boxed().toList());
            assertEquals(IntStream.range(1, 101).boxed().toList(), client.gather(fs));
            Delayed<Integer> total = Delayed.value(0);
            for (int i = 0; i < 10; i++) total = Delayed.of(add).apply(total, Delayed.of(inc).apply(i));
            assertEquals(55, client.compute(total).result(60, TimeUnit.SECONDS));

            Map<String, List<String>> logs = cluster.logs();
            assertEquals(List.of("scheduler", "127.0.0.1-0", "localhost-1"), List.copyOf(logs.keySet()));
            assertTrue(logs.get("scheduler").stream().anyMatch(l -> l.startsWith("root@127.0.0.1:" + sshd.port + ": Scheduler at: tcp://")),
                    logs.toString());
            assertTrue(logs.get("localhost-1").stream().anyMatch(l -> l.startsWith("root@localhost:" + sshd.port + ": Worker at: ")),
                    logs.toString());
            cluster.scale(3); // the next slot is on the first host again
            assertEquals(3, cluster.workers().size());
            cluster.scale(1);
            assertEquals(1, cluster.size());
            pids.addAll(cluster.remotePids().values());
            assertEquals(2, pids.size());
            assertTrue(pids.stream().allMatch(p -> ProcessHandle.of(p).isPresent()), pids.toString());
            assertTrue(!sshd.marked().isEmpty());
        }
        assertNoMarkedProcessLeft();
        for (long p : pids) assertTrue(ProcessHandle.of(p).map(h -> !h.isAlive()).orElse(true), "process " + p + " survived close()");
    }

    @Test
    void aLocalSchedulerAdaptsSshWorkersToTheLoad() throws Exception {
        try (SshCluster cluster = builder().localScheduler("127.0.0.1").hosts("localhost").build();
             Client client = Client.connect(cluster)) {
            assertEquals(1, cluster.size());
            assertEquals(Map.of(), Map.copyOf(cluster.remotePids()).entrySet().stream().filter(e -> e.getKey().equals("scheduler"))
                    .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
            Adaptive a = cluster.adapt(0, 2).interval(java.time.Duration.ofMillis(200)).idleWait(java.time.Duration.ofSeconds(1));
            Fn1<Integer, Integer> slow = x -> {
                Thread.sleep(300);
                return -x;
            };
            List<Future<Integer>> fs = client.map(slow, IntStream.range(0, 30).boxed().toList());
            Await.until(() -> cluster.size() >= 2, Duration.ofSeconds(120), "adapt to grow to 2 workers", () -> a.history().toString());
            assertEquals(2, cluster.size(), a.history().toString());
            assertEquals(IntStream.range(0, 30).map(x -> -x).boxed().toList(), client.gather(fs));
            fs.forEach(Future::release);
            Await.until(() -> cluster.size() == 0, Duration.ofSeconds(120), "adapt to shrink to 0 workers", () -> a.history().toString());
            // the remote process is gone; the scheduler hears of it over the closed connection
            Await.until(() -> cluster.workers().isEmpty(), Duration.ofSeconds(120), "the scheduler to lose its workers",
                    () -> cluster.workers() + "; " + a.history());
        }
        assertNoMarkedProcessLeft();
    }

    @Test
    void unreachableHostsFailClearlyWithinTheTimeout() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> builder().hosts("127.0.0.1:" + closed).connectTimeoutMillis(3_000).build());
        assertTrue(e.getMessage().startsWith("cannot connect to root@127.0.0.1:" + closed + " within 3000 ms: "), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> builder().hosts("no-such-host.invalid").connectTimeoutMillis(3_000).build());
        assertTrue(e.getMessage().startsWith("cannot connect to root@no-such-host.invalid:" + sshd.port + " within 3000 ms"), e.getMessage());
        // a host that does not answer at all (a non-routable address): the connect timeout ends the wait
        e = assertThrows(IllegalStateException.class, () -> builder().hosts("10.255.255.1").connectTimeoutMillis(1_500).build());
        assertTrue(e.getMessage().startsWith("cannot connect to root@10.255.255.1:" + sshd.port + " within 1500 ms"), e.getMessage());
    }

    @Test
    void aWrongKeyIsAnAuthenticationError() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SshCluster.builder().port(sshd.port).identity(sshd.otherKey).knownHosts(sshd.knownHosts).hosts("127.0.0.1")
                        .schedulerPort(0).build());
        assertTrue(e.getMessage().startsWith("authentication to root@127.0.0.1:" + sshd.port + " failed (identity files "
                + sshd.otherKey + "): "), e.getMessage());
    }

    @Test
    void aHostKeyNotInKnownHostsIsRefused() throws Exception {
        Path empty = Files.writeString(sshd.dir.resolve("empty_known_hosts"), "");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> builder().knownHosts(empty).hosts("127.0.0.1").build());
        assertEquals("the host key of root@127.0.0.1:" + sshd.port + " is not accepted by the known_hosts file " + empty
                + " (missing or different)", e.getMessage());
    }

    @Test
    void aMissingRemoteCommandSaysWhatFailedWhere() throws Exception {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> builder().remoteCommand("/nonexistent/jdask").hosts("127.0.0.1").build());
        assertTrue(e.getMessage().startsWith("scheduler on root@127.0.0.1:" + sshd.port + " exited with status 127 before it started "
                + "(command: /nonexistent/jdask scheduler --host 127.0.0.1 --port 0); its output: [root@127.0.0.1:" + sshd.port + ": "),
                e.getMessage());
        assertTrue(e.getMessage().contains("/nonexistent/jdask: not found"), e.getMessage());
        assertNoMarkedProcessLeft();
    }

    @Test
    void jdaskSshCommandStartsAClusterUntilStopped() throws Exception {
        Path hostfile = Files.writeString(sshd.dir.resolve("hostfile"), "# two hosts\n127.0.0.1\nlocalhost 1  # the second\n");
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (Config.Scope patient = LocalSshd.patientClients()) {
                exit.complete(cl.execute("ssh", "--hostfile", hostfile.toString(), "--nthreads", "1",
                        "--ssh-port", String.valueOf(sshd.port), "-i", sshd.clientKey.toString(), "--known-hosts",
                        sshd.knownHosts.toString(), "--scheduler-port", "0", "--no-nanny", "--remote-command",
                        String.join(" ", sshd.remoteCommand())));
            }
        });
        t.start();
        Await.until(() -> out.toString().split("Worker at: ").length >= 3 || exit.isDone(), Duration.ofSeconds(120),
                "jdask ssh to print two workers' addresses", () -> out + "" + err);
        String text = out.toString();
        assertTrue(text.startsWith("Scheduler at: tcp://127.0.0.1:"), text + err);
        String address = text.substring("Scheduler at: ".length(), text.indexOf('\n')).strip();
        try (Client c = Client.connect(address)) {
            Fn1<Integer, Integer> twice = x -> 2 * x;
            assertEquals(84, c.submit(twice, 42).result(60, TimeUnit.SECONDS));
        }
        t.interrupt();
        assertEquals(0, exit.get(60, TimeUnit.SECONDS), err.toString());
        assertNoMarkedProcessLeft();

        assertEquals(2, cl.execute("ssh"));
        assertTrue(err.toString().contains("give HOSTs or --hostfile FILE"), err.toString());
        Path bad = Files.writeString(sshd.dir.resolve("bad_hostfile"), "node1\nnode2 two\n");
        assertEquals(2, cl.execute("ssh", "--hostfile", bad.toString()));
        assertTrue(err.toString().contains(bad + ":2: nworkers must be a whole number >= 1, got 'two'"), err.toString());
    }
}

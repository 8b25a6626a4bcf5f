package org.jdask.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdask.distributed.Security;
import org.jdask.graph.JavaCommand;
import org.jdask.graph.JvmFlags;
import org.jdask.serialize.ClassPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster across simulated hosts (issue 16): {@code jdask scheduler} on host 0, {@code jdask
 * worker} (with nannies) on hosts 1 and 2, a user's program on host 3, each in its own network
 * namespace with its own address. Scheduler and workers run from jdask's classes only; the
 * program's classes reach the workers by code shipping, through the scheduler's code relay (the
 * program binds no port: workers could not reach it). Checks: nobody advertises or is reached at
 * 127.0.0.1; W1-like map+sum, a bag read with a user record, a dataframe groupby and a merge that
 * shuffles between the worker hosts (both after a user function, mapPartitions: the shuffled
 * partitions come from shipped code) give exactly what {@code sync} gives; kill -9 of every JVM of
 * a worker host (nanny and worker) mid-run is recovered on the other host with the exact result
 * (the host's worker is then started again); a worker host whose link goes down is
 * removed within the worker TTL (the scheduler's log names its address) and its tasks recomputed.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class NetnsClusterTest {
    @TempDir
    Path tmp;

    /** {@code java} with jdask's JVM flags (Arrow needs its --add-opens), then {@code args}. */
    private static List<String> java(String... args) {
        List<String> cmd = JavaCommand.of(JvmFlags.get());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** jdask and its dependencies, without any test classes (workers must get user code by shipping). */
    private static String jdaskOnly() {
        List<String> cp = new ArrayList<>();
        for (File f : ClassPath.entries()) if (!f.getPath().contains("test-classes")) cp.add(f.getPath());
        return String.join(File.pathSeparator, cp);
    }

    @Test
    void schedulerWorkersAndClientOnSeparateHostsComputeExactlyAndSurviveKillMinusNine() throws Exception {
        assumeTrue(NetnsHarness.unavailableReason() == null, NetnsHarness::unavailableReason);
        Path keys = tmp.resolve("keys");
        Security.temporary().save(keys);
        Path data = Files.createDirectories(tmp.resolve("data"));
        ConcurrentLinkedQueue<String> log = new ConcurrentLinkedQueue<>() {
            @Override
            public boolean add(String line) {
                System.out.println(line); // in the test's output as it happens
                return super.add(line);
            }
        };
        try (NetnsHarness net = new NetnsHarness(4)) {
            // host 0: the scheduler
            Path schedFile = tmp.resolve("scheduler.json");
            net.start(0, java("-cp", jdaskOnly(), Main.class.getName(), "scheduler", "--host", net.address(0), "--port", "0",
                    "--dashboard-address", ":0", "--security-dir", keys.toString(), "--scheduler-file", schedFile.toString()),
                    Map.of("JDASK_DISTRIBUTED__SCHEDULER__WORKER_TTL", "8s"), l -> log.add("[host0] " + l));
            String address = waitForFile(schedFile, log);
            assertTrue(address.startsWith("tcp://" + net.address(0) + ":"), address);
            // hosts 1, 2: a worker each, under a nanny, address chosen by the route to the scheduler (--host auto)
            Process[] nannies = new Process[3];
            for (int h = 1; h <= 2; h++) nannies[h] = startWorker(net, h, address, keys, log);
            waitFor(() -> log.stream().filter(l -> l.contains("Worker at: tcp://")).count() >= 2, "two workers up", log);
            // host 3: the user's program, with its own classes on its class path
            CompletableFuture<Void> killNow = new CompletableFuture<>(), linkDownNow = new CompletableFuture<>();
            List<String> out = new ArrayList<>();
            Process app = net.start(3, java("-cp", ClassPath.asString(), "netns.app.NetnsApp", address, keys.toString(),
                    data.toString()), Map.of(), l -> {
                        synchronized (out) {
                            out.add(l);
                        }
                        log.add("[host3] " + l);
                        if (l.equals("KILL-NOW")) killNow.complete(null);
                        if (l.startsWith("LINK-DOWN-NOW")) linkDownNow.complete(null);
                    });
            app.onExit().thenRun(() -> {
                killNow.completeExceptionally(new IllegalStateException("the program exited early"));
                linkDownNow.completeExceptionally(new IllegalStateException("the program exited early"));
            });
            try {
                killNow.get(300, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                throw new AssertionError("the program did not reach its last computation in 300 s; log:\n" + String.join("\n", log), e);
            }
            Thread.sleep(1_500); // some of the 400 slow tasks done, some running
            // every JVM of host 1 at once (its nanny and its worker): nothing there restarts anything
            List<ProcessHandle> host1 = new ArrayList<>(nannies[1].descendants().toList());
            host1.add(nannies[1].toHandle());
            assertTrue(host1.stream().anyMatch(p -> commandLine(p).contains("org.jdask.distributed.WorkerMain")), "host 1 runs a worker JVM");
            for (ProcessHandle victim : host1) {
                log.add("[test] kill -9 " + victim.pid() + (commandLine(victim).contains("WorkerMain") ? " (worker JVM)" : " (nanny)"));
                victim.destroyForcibly();
            }
            // ... and the host comes back (as its init system would start jdask worker again) for the link-down part
            nannies[1].waitFor(30, TimeUnit.SECONDS);
            nannies[1] = startWorker(net, 1, address, keys, log);
            try {
                linkDownNow.get(300, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                throw new AssertionError("the program did not reach the link-down computation in 300 s; log:\n" + String.join("\n", log), e);
            }
            log.add("[test] ip link set down: host 2 (" + net.address(2) + ")");
            net.linkDown(2);
            assertTrue(app.waitFor(300, TimeUnit.SECONDS), "the program finished; log:\n" + String.join("\n", log));
            List<String> lines;
            synchronized (out) {
                lines = List.copyOf(out);
            }
            String all = String.join("\n", log);
            for (String check : List.of("w1", "reading", "bag", "groupby", "shuffle", "after-kill", "after-link-down")) {
                assertTrue(lines.contains("OK " + check), check + " not OK; log:\n" + all);
            }
            assertTrue(lines.contains("DONE"), all);
            // nobody advertised or was reached at 127.0.0.1 across hosts
            Matcher m = Pattern.compile("WORKERS \\[(.*)]").matcher(String.join("\n", lines));
            assertTrue(m.find(), all);
            for (int h = 1; h <= 2; h++) assertTrue(m.group(1).contains("tcp://" + net.address(h) + ":"), m.group(1));
            assertTrue(all.contains("Client code offered through the scheduler's relay tcp://" + net.address(0) + ":"),
                    "the code goes through the scheduler's relay");
            assertFalse(all.contains("Client code offered at"), "the client binds no code port of its own");
            assertTrue(all.contains("(jars on bulk port "), "the relay serves jars on the bulk channel");
            assertFalse(all.contains("fetching it over CurveZMQ"), "no worker fell back from the bulk channel:\n" + all);
            assertTrue(lines.contains("LINK-DOWN-NOW 2"), "both worker hosts were up when the link went down");
            assertTrue(Pattern.compile("\\[host0] .*Remove worker tcp://" + Pattern.quote(net.address(2)) + ":\\d+: no heartbeat for").matcher(all).find(),
                    "the scheduler's log names the lost host's worker; log:\n" + all);
            // the workers (no test classes on their class path) fetched the program's classes into their local directories
            for (int h = 1; h <= 2; h++) {
                Path code = tmp.resolve("space-" + h).resolve("code");
                try (var jars = Files.list(code)) {
                    assertTrue(jars.anyMatch(p -> p.toString().endsWith(".jar")), "no cached jar in " + code);
                }
            }
            assertFalse(all.contains("127.0.0.1"), "no address on loopback across hosts:\n" + all);
            assertEquals(0, app.exitValue(), all);
        }
    }

    /** {@code jdask worker} (nanny mode) on host {@code h}; its output to {@code log}. */
    private Process startWorker(NetnsHarness net, int h, String address, Path keys, ConcurrentLinkedQueue<String> log) throws java.io.IOException {
        return net.start(h, java("-cp", jdaskOnly(), Main.class.getName(), "worker", address, "--nthreads", "2", "--security-dir", keys.toString()),
                Map.of("JDASK_DISTRIBUTED__WORKER__LOCAL_DIRECTORY", tmp.resolve("space-" + h).toString()), l -> log.add("[host" + h + "] " + l));
    }

    /** The full command line from /proc (ProcessHandle.Info truncates long ones). */
    private static String commandLine(ProcessHandle p) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + p.pid() + "/cmdline"))).replace('\0', ' ');
        } catch (java.io.IOException e) {
            return p.info().commandLine().orElse("");
        }
    }

    private static String waitForFile(Path schedFile, ConcurrentLinkedQueue<String> log) throws Exception {
        waitFor(() -> Files.exists(schedFile) && readAddress(schedFile) != null, "scheduler file", log);
        return readAddress(schedFile);
    }

    private static String readAddress(Path f) {
        try {
            return SchedulerCommand.addressFromFile(f);
        } catch (java.io.IOException | IllegalArgumentException e) {
            return null; // not written yet
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier c, String what, ConcurrentLinkedQueue<String> log) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 180_000;
        while (!c.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("no " + what + " within 180 s; log:\n" + String.join("\n", log));
            Thread.sleep(200);
        }
    }
}

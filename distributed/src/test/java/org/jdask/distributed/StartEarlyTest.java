package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jdask.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17's cold start: worker JVMs started before their scheduler ({@link Nanny#launchEarly}),
 * which read its address from standard input, with real worker JVMs.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StartEarlyTest {
    @Test
    void aWorkerJvmStartedBeforeItsSchedulerRegistersOnceToldWhereItIsAndReportsItsPhases() throws Exception {
        StartPhases phases = new StartPhases();
        Nanny n;
        try (var trace = Config.set("distributed.worker.jvm-options", "-D" + StartPhases.PROPERTY + "=true")) {
            n = Nanny.launchEarly(Worker.Options.defaults().withThreads(1).withName("early"), 120_000, null, phases);
        }
        try (SchedulerServer s = SchedulerServer.start("127.0.0.1", 0, (String) null)) {
            assertTrue(n.process().isAlive(), "the JVM waits for the address");
            n.schedulerReady(s.address());
            n.awaitRegistered(120_000);
            assertEquals(1, s.workers().size(), "registered with the scheduler that started after it");
            assertEquals("early", s.workers().get(0).get("name"));
            // the phase lines come before "Worker at:", which awaitRegistered waited for
            String p = phases.toString();
            for (String phase : List.of("main", "prepared", "address", "registered")) {
                assertTrue(p.contains("worker pid " + n.process().pid() + " " + phase + " +"), phase + " missing in: " + p);
            }
            assertFalse(n.logs().stream().anyMatch(l -> l.startsWith(StartPhases.LINE)), "phase lines are not kept as output: " + n.logs());
        } finally {
            n.close();
        }
    }

    @Test
    void aWorkerJvmWhoseStandardInputEndsWithoutAnAddressExitsSayingSo() throws Exception {
        List<String> cmd = Nanny.command(null, Worker.Options.defaults().withThreads(1), 60_000, false);
        assertTrue(cmd.contains(WorkerMain.SCHEDULER_ON_STDIN), String.join(" ", cmd));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close(); // the nanny is gone before the scheduler listened
        String out;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            out = r.lines().collect(Collectors.joining("\n"));
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the JVM exits");
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("standard input ended before the address came"), out);
    }

    @Test
    void aClusterWhoseWorkerJvmsCannotStartFailsNamingWhyInsteadOfRestartingThem() {
        try (var ignored = Config.set("distributed.worker.jvm-options", "-XX:+NoSuchOptionForJdaskTest")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> LocalCluster.builder().workers(2)
                    .threadsPerWorker(1).processes(true).dashboardAddress(null).startTimeoutMillis(120_000).build().close());
            assertTrue(e.getMessage().contains("NoSuchOptionForJdaskTest"), e.getMessage());
            assertTrue(e.getMessage().contains("exited before registering"), e.getMessage());
        }
    }

    @Test
    void workerJvmOptionsFromTheConfigGoOnTheCommandLineBeforeTheMemoryLimit() {
        try (var ignored = Config.set("distributed.worker.jvm-options", "-XX:TieredStopAtLevel=1 -XX:-UsePerfData")) {
            List<String> cmd = Nanny.command("tcp://127.0.0.1:1", Worker.Options.defaults().withMemoryLimit(256L << 20), 60_000, false);
            int jit = cmd.indexOf("-XX:TieredStopAtLevel=1");
            assertTrue(jit > 0 && cmd.contains("-XX:-UsePerfData"), String.join(" ", cmd));
            assertTrue(jit < cmd.indexOf("-Xmx" + (256L << 20)), "the memory limit's -Xmx comes after, so it wins: " + cmd);
        }
        assertFalse(Nanny.command("tcp://127.0.0.1:1", Worker.Options.defaults(), 60_000, false).contains("-XX:TieredStopAtLevel=1"));
    }
}

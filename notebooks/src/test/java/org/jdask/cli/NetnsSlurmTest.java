package org.jdask.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jdask.distributed.Security;
import org.jdask.graph.JavaCommand;
import org.jdask.graph.JvmFlags;
import org.jdask.serialize.ClassPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code SlurmCluster} across simulated hosts (issue 16): {@code slurmctld} and the user's program
 * (the cluster's scheduler) on host 0, the compute node's {@code slurmd} on host 1, each in its own
 * network namespace ({@link LocalSlurm} on the {@link NetnsHarness}). The job's worker must
 * advertise host 1's address (the job script's {@code --host auto}), never 127.0.0.1, and, having
 * only jdask's classes, compute with the program's classes shipped to it (security on: the keys
 * directory is the "shared file system"). Skips without root/{@code ip netns} (iproute2) or Slurm
 * (slurm-wlm, munge).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class NetnsSlurmTest {
    @TempDir
    Path tmp;

    @Test
    void slurmJobOnAnotherHostAdvertisesItsAddressAndRunsShippedCode() throws Exception {
        assumeTrue(NetnsHarness.unavailableReason() == null, NetnsHarness::unavailableReason);
        LocalSlurm.assumeInstalled();
        Path keys = tmp.resolve("keys");
        Security.temporary().save(keys);
        Path logs = Files.createDirectories(tmp.resolve("logs")), space = tmp.resolve("space");
        List<String> worker = JavaCommand.of(JvmFlags.get());
        worker.addAll(List.of("-Djdask.distributed.comm.timeouts.connect=60", "-cp", jdaskOnly(), Main.class.getName()));
        Path workerFile = Files.write(tmp.resolve("worker-command"), worker, StandardCharsets.UTF_8);
        ConcurrentLinkedQueue<String> log = new ConcurrentLinkedQueue<>();
        try (NetnsHarness net = new NetnsHarness(2);
             LocalSlurm slurm = new LocalSlurm(net, 0, 1)) {
            List<String> cmd = JavaCommand.of(JvmFlags.get(), ClassPath.asString());
            cmd.addAll(List.of("netns.app.NetnsSlurmApp", net.address(0), slurm.conf.toString(),
                    logs.toString(), keys.toString(), space.toString(), workerFile.toString()));
            List<String> out = new ArrayList<>();
            Process app = net.start(0, cmd, Map.of(), l -> {
                synchronized (out) {
                    out.add(l);
                }
                System.out.println("[host0] " + l);
                log.add("[host0] " + l);
            });
            boolean finished = app.waitFor(240, TimeUnit.SECONDS);
            String all = String.join("\n", log) + "\n--- job logs:\n" + jobLogs(logs) + "\n--- slurm:" + slurm.logs();
            assertTrue(finished, "the program finished; log:\n" + all);
            List<String> lines;
            synchronized (out) {
                lines = List.copyOf(out);
            }
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("SCRIPT-WORKER ") && l.contains("--host auto")
                    && l.contains("--security-dir")), all);
            Matcher m = Pattern.compile("WORKERS \\[(.*)]").matcher(String.join("\n", lines));
            assertTrue(m.find(), all);
            assertTrue(m.group(1).matches("tcp://" + Pattern.quote(net.address(1)) + ":\\d+"), "the job's worker advertises host 1: " + m.group(1));
            assertTrue(lines.contains("OK w1"), all);
            assertTrue(lines.contains("OK reading"), all);
            assertTrue(lines.contains("WORKERS-AFTER-SCALE-0 []"), "scale(0) cancelled the job: " + all);
            assertTrue(lines.contains("DONE"), all);
            assertTrue(jobLogs(logs).contains("Worker at: tcp://" + net.address(1) + ":"), all);
            assertFalse(jobLogs(logs).contains("fetching it over CurveZMQ"), "the jar came over the relay's bulk port: " + all);
            try (Stream<Path> jars = Files.list(space.resolve("code"))) {
                assertTrue(jars.anyMatch(p -> p.toString().endsWith(".jar")), "the worker fetched the program's classes into " + space);
            }
            assertFalse(String.join("\n", lines).contains("127.0.0.1"), "no address on loopback across hosts:\n" + all);
            assertEquals(0, app.exitValue(), all);
        }
    }

    /** jdask and its dependencies, without any test classes (the worker must get the program's classes by shipping). */
    private static String jdaskOnly() {
        List<String> cp = new ArrayList<>();
        for (File f : ClassPath.entries()) if (!f.getPath().contains("test-classes")) cp.add(f.getPath());
        return String.join(File.pathSeparator, cp);
    }

    private static String jobLogs(Path dir) throws Exception {
        StringBuilder b = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) b.append("--- ").append(f.getFileName()).append('\n').append(Files.readString(f));
        }
        return b.toString();
    }
}

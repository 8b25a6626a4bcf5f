package org.jdask.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import org.jdask.graph.JavaCommand;
import org.jdask.graph.JvmFlags;
import org.jdask.serialize.ClassPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code SshCluster} across simulated hosts (issue 16): an OpenSSH server in each of two network
 * namespaces (port 22 on its own address), the user's program in a third; the scheduler starts on
 * the first host and a worker (under a nanny) on each, all over SSH. Checks: the scheduler and
 * the workers advertise their hosts' addresses (never 127.0.0.1), and a map + sum over both
 * worker hosts is exact. Skips without root/{@code ip netns} (iproute2) or sshd (openssh-server).
 */
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class NetnsSshTest {
    @TempDir
    Path tmp;

    @Test
    void sshClusterStartsSchedulerAndWorkersOnOtherHostsAndComputesExactly() throws Exception {
        assumeTrue(NetnsHarness.unavailableReason() == null, NetnsHarness::unavailableReason);
        assumeTrue(Files.isExecutable(LocalSshd.SSHD), "no " + LocalSshd.SSHD + ": install openssh-server to run SSH on the netns harness");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/ssh-keygen")), "no ssh-keygen: install openssh-client");
        Files.createDirectories(Path.of("/run/sshd")); // sshd's privilege separation directory
        Path hostKey = keygen("host_key"), clientKey = keygen("client_key");
        Files.copy(tmp.resolve("client_key.pub"), tmp.resolve("authorized_keys"));
        String[] pub = Files.readString(tmp.resolve("host_key.pub")).strip().split("\\s+");
        ConcurrentLinkedQueue<String> log = new ConcurrentLinkedQueue<>();
        try (NetnsHarness net = new NetnsHarness(3)) {
            StringBuilder known = new StringBuilder();
            for (int h = 1; h <= 2; h++) {
                known.append(net.address(h)).append(' ').append(pub[0]).append(' ').append(pub[1]).append('\n');
                Path cfg = tmp.resolve("sshd_config-" + h);
                Files.writeString(cfg, String.join("\n", "Port 22", "ListenAddress " + net.address(h), "HostKey " + hostKey,
                        "AuthorizedKeysFile " + tmp.resolve("authorized_keys"), "PubkeyAuthentication yes", "PasswordAuthentication no",
                        "KbdInteractiveAuthentication no", "UsePAM no", "StrictModes no", "PermitRootLogin prohibit-password",
                        "PidFile " + tmp.resolve("sshd-" + h + ".pid"), "MaxSessions 50", "MaxStartups 50", ""));
                int host = h;
                net.start(h, List.of(LocalSshd.SSHD.toString(), "-D", "-e", "-f", cfg.toString()), Map.of(), l -> add(log, "[sshd" + host + "] " + l));
            }
            waitFor(() -> log.stream().filter(l -> l.contains("Server listening on")).count() >= 2, "both sshd listening", log);
            Path knownHosts = Files.writeString(tmp.resolve("known_hosts"), known);
            List<String> remote = JavaCommand.of(JvmFlags.get());
            remote.addAll(List.of("-Djdask.distributed.comm.timeouts.connect=60", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
            Path remoteFile = Files.write(tmp.resolve("remote-command"), remote, StandardCharsets.UTF_8);
            List<String> cmd = JavaCommand.of(JvmFlags.get(), ClassPath.asString());
            cmd.addAll(List.of("netns.app.NetnsSshApp", net.address(1) + "," + net.address(2),
                    clientKey.toString(), knownHosts.toString(), remoteFile.toString()));
            List<String> out = new ArrayList<>();
            Process app = net.start(0, cmd, Map.of(), l -> {
                synchronized (out) {
                    out.add(l);
                }
                add(log, "[host0] " + l);
            });
            String all = "";
            try {
                assertTrue(app.waitFor(360, TimeUnit.SECONDS), "the program finished");
            } finally {
                all = String.join("\n", log);
            }
            List<String> lines;
            synchronized (out) {
                lines = List.copyOf(out);
            }
            assertTrue(lines.contains("OK w1"), all);
            assertTrue(lines.contains("DONE"), all);
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("SCHEDULER tcp://" + net.address(1) + ":")), all);
            Matcher m = Pattern.compile("WORKERS \\[(.*)]").matcher(String.join("\n", lines));
            assertTrue(m.find(), all);
            for (int h = 1; h <= 2; h++) assertTrue(m.group(1).contains("tcp://" + net.address(h) + ":"), m.group(1));
            assertFalse(String.join("\n", lines).contains("127.0.0.1"), "no address on loopback across hosts:\n" + all);
            assertEquals(0, app.exitValue(), all);
        }
    }

    private Path keygen(String name) throws Exception {
        Path key = tmp.resolve(name);
        Process p = new ProcessBuilder("/usr/bin/ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-f", key.toString())
                .redirectErrorStream(true).start();
        String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "ssh-keygen: " + o);
        return key;
    }

    private static void add(ConcurrentLinkedQueue<String> log, String line) {
        System.out.println(line);
        log.add(line);
    }

    private static void waitFor(java.util.function.BooleanSupplier c, String what, ConcurrentLinkedQueue<String> log) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!c.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("no " + what + " within 60 s; log:\n" + String.join("\n", log));
            Thread.sleep(100);
        }
    }
}

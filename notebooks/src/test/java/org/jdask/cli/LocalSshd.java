package org.jdask.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jdask.graph.JavaCommand;
import org.jdask.graph.JvmFlags;

/**
 * A private OpenSSH server for tests: {@code sshd -D -e -f CONFIG} on a free loopback port with a
 * generated host key, accepting one generated client key (everything in a temporary directory).
 * Tests that need it are skipped, saying why, when {@code /usr/sbin/sshd} or {@code ssh-keygen}
 * is missing (install {@code openssh-server}).
 */
final class LocalSshd implements AutoCloseable {
    final Path dir, clientKey, otherKey, knownHosts;
    final int port;
    /** Marks every JVM the tests start through SSH, so a leftover one can be found by its command line. */
    final String marker = "jdask.test.run=" + UUID.randomUUID();
    private final Process sshd;

    static final Path SSHD = Path.of("/usr/sbin/sshd");
    /** Connect timeout (s) of clients and workers in tests: 2 cores shared by many JVMs can stall one for seconds. */
    static final int CONNECT_TIMEOUT_S = 60;

    /** Config for clients in tests: connect and scheduler-lost timeouts that a loaded machine does not hit. */
    static org.jdask.Config.Scope patientClients() {
        return org.jdask.Config.set("distributed.comm.timeouts.connect", CONNECT_TIMEOUT_S,
                "distributed.comm.timeouts.scheduler-lost", 3 * CONNECT_TIMEOUT_S);
    }

    LocalSshd() throws Exception {
        assumeTrue(Files.isExecutable(SSHD), "no " + SSHD + ": install openssh-server to run the SSH cluster tests");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/ssh-keygen")), "no ssh-keygen: install openssh-client");
        dir = Files.createTempDirectory("jdask-sshd-");
        run("/usr/bin/ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-f", dir.resolve("host_key").toString());
        run("/usr/bin/ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-f", dir.resolve("client_key").toString());
        run("/usr/bin/ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-f", dir.resolve("other_key").toString());
        clientKey = dir.resolve("client_key");
        otherKey = dir.resolve("other_key");
        Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"));
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String hostPub = Files.readString(dir.resolve("host_key.pub")).strip();
        String[] pub = hostPub.split("\\s+");
        knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts, "[127.0.0.1]:" + port + " " + pub[0] + " " + pub[1] + "\n[localhost]:" + port + " " + pub[0]
                + " " + pub[1] + "\n");
        Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "Port " + port, "ListenAddress 127.0.0.1", "HostKey " + dir.resolve("host_key"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"), "PubkeyAuthentication yes", "PasswordAuthentication no",
                "KbdInteractiveAuthentication no", "UsePAM no", "StrictModes no", "PermitRootLogin prohibit-password",
                "PidFile " + dir.resolve("sshd.pid"), "LogLevel VERBOSE", "MaxSessions 50", "MaxStartups 50", ""));
        if (!Files.isDirectory(Path.of("/run/sshd"))) {
            try {
                Files.createDirectories(Path.of("/run/sshd")); // sshd's privilege separation directory
            } catch (IOException e) {
                assumeTrue(false, "sshd needs /run/sshd and it cannot be made: " + e);
            }
        }
        sshd = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        long deadline = System.currentTimeMillis() + 15_000;
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                break;
            } catch (IOException notYet) {
                if (!sshd.isAlive() || System.currentTimeMillis() > deadline) {
                    String log = Files.readString(dir.resolve("sshd.log"));
                    sshd.destroyForcibly();
                    assumeTrue(false, "sshd did not start on 127.0.0.1:" + port + ": " + log);
                }
                Thread.sleep(50);
            }
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
    }

    /** The command that runs jdask's CLI on "remote" hosts: this JVM's java, flags and classpath, marked. */
    List<String> remoteCommand() {
        List<String> cmd = JavaCommand.of(JvmFlags.get());
        cmd.add("-D" + marker);
        // a loaded test machine (2 cores shared by many JVMs) can stall a JVM for many seconds
        cmd.add("-Djdask.distributed.comm.timeouts.connect=" + CONNECT_TIMEOUT_S);
        cmd.add("-Djdask.distributed.comm.timeouts.scheduler-lost=" + 3 * CONNECT_TIMEOUT_S);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        return cmd;
    }

    /** Processes on this machine whose command line carries the marker (leftovers, if any). */
    List<ProcessHandle> marked() {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false)).toList();
    }

    String log() throws IOException {
        return Files.readString(dir.resolve("sshd.log"));
    }

    @Override
    public void close() throws Exception {
        sshd.destroy();
        if (!sshd.waitFor(10, TimeUnit.SECONDS)) sshd.destroyForcibly();
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}

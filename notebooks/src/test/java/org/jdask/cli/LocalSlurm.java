package org.jdask.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private single-node Slurm for tests: {@code munged} with its own key and socket,
 * {@code slurmctld} and {@code slurmd} in the foreground on free loopback ports, all configured
 * in a temporary directory (nothing in {@code /etc} is used). Skipped, saying why, unless running
 * as root with {@code slurm-wlm} and {@code munge} installed. On the {@link NetnsHarness} ({@link
 * #LocalSlurm(NetnsHarness, int, int)}), {@code slurmctld} runs on one simulated host and the
 * compute node's {@code slurmd} on another, each at its host's address; Slurm client commands then
 * run on the controller's host.
 */
final class LocalSlurm implements AutoCloseable {
    /** The compute node's name in {@code slurm.conf} on the netns harness. */
    static final String NETNS_NODE = "jdnode1";
    final Path dir, conf;
    private final List<Process> daemons = new ArrayList<>();
    private final List<String> controllerPrefix, nodePrefix;

    /** Skips the calling test unless Slurm's and munge's programs are installed and this is root. */
    static void assumeInstalled() {
        for (String exe : List.of("/usr/sbin/munged", "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch", "/usr/bin/squeue")) {
            assumeTrue(Files.isExecutable(Path.of(exe)), "no " + exe + ": install the Debian packages slurm-wlm and munge to run the Slurm test");
        }
        assumeTrue("root".equals(System.getProperty("user.name")), "slurmd must run as root for the Slurm test");
    }

    /** Everything on this machine's loopback. */
    LocalSlurm() throws Exception {
        this(null, 0, 0);
    }

    /**
     * {@code slurmctld} on host {@code controller} of {@code net}, the compute node {@link
     * #NETNS_NODE} ({@code slurmd}) on host {@code node}; {@code munged} stays in this namespace
     * (its socket is a file, which namespaces share). {@code net == null}: all on loopback.
     */
    LocalSlurm(NetnsHarness net, int controller, int node) throws Exception {
        assumeInstalled();
        controllerPrefix = net == null ? List.of() : List.of("ip", "netns", "exec", net.name(controller));
        // nsenter, not 'ip netns exec': that remounts /sys for the namespace, where slurmd then finds no cgroup file system
        nodePrefix = net == null ? List.of() : List.of("nsenter", "--net=/var/run/netns/" + net.name(node));
        String ctlAddr = net == null ? "127.0.0.1" : net.address(controller);
        String nodeAddr = net == null ? "127.0.0.1" : net.address(node);
        dir = Files.createTempDirectory("jdask-slurm-test-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x")); // munge wants its socket dir reachable
        Path key = dir.resolve("munge.key");
        byte[] k = new byte[1024];
        new SecureRandom().nextBytes(k);
        Files.write(key, k);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        Files.createDirectories(dir.resolve("state"));
        Files.createDirectories(dir.resolve("spool"));
        Files.createDirectories(dir.resolve("logs"));
        Files.writeString(dir.resolve("plugstack.conf"), "");
        String host = InetAddress.getLocalHost().getHostName().split("\\.")[0];
        String nodeName = net == null ? host : NETNS_NODE;
        conf = dir.resolve("slurm.conf");
        Files.writeString(conf, String.join("\n",
                "ClusterName=jdasktest", "SlurmctldHost=" + host + "(" + ctlAddr + ")",
                "AuthType=auth/munge", "AuthInfo=socket=" + dir.resolve("munge.sock"), "CredType=cred/munge",
                "SlurmUser=root", "SlurmdUser=root", "SlurmctldPort=" + freePort(), "SlurmdPort=" + freePort(),
                "StateSaveLocation=" + dir.resolve("state"), "SlurmdSpoolDir=" + dir.resolve("spool"),
                "SlurmctldPidFile=" + dir.resolve("slurmctld.pid"), "SlurmdPidFile=" + dir.resolve("slurmd.pid"),
                "SlurmctldLogFile=" + dir.resolve("slurmctld.log"), "SlurmdLogFile=" + dir.resolve("slurmd.log"),
                "PlugStackConfig=" + dir.resolve("plugstack.conf"),
                "ProctrackType=proctrack/linuxproc", "TaskPlugin=task/none", "JobAcctGatherType=jobacct_gather/none",
                "AccountingStorageType=accounting_storage/none", "JobCompType=jobcomp/none", "SchedulerType=sched/builtin",
                "SelectType=select/cons_tres", "SelectTypeParameters=CR_CPU", "MpiDefault=none", "ReturnToService=2",
                "SlurmdParameters=config_overrides",
                "NodeName=" + nodeName + " NodeAddr=" + nodeAddr + " CPUs=4 RealMemory=8000 State=UNKNOWN",
                "PartitionName=debug Nodes=" + nodeName + " Default=YES MaxTime=INFINITE State=UP", ""));
        start(List.of(), "/usr/sbin/munged", "-F", "-f", "--socket=" + dir.resolve("munge.sock"), "--key-file=" + key,
                "--log-file=" + dir.resolve("munged.log"), "--pid-file=" + dir.resolve("munged.pid"),
                "--seed-file=" + dir.resolve("munged.seed"));
        waitFor(() -> Files.exists(dir.resolve("munge.sock")), "munged's socket");
        start(controllerPrefix, "/usr/sbin/slurmctld", "-D", "-i", "-f", conf.toString());
        start(nodePrefix, "/usr/sbin/slurmd", "-D", "-N", nodeName, "-f", conf.toString());
        waitFor(() -> run("sinfo", "-h", "-o", "%T").strip().equals("idle"), "the node to be idle (sinfo)");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void start(List<String> prefix, String... cmd) throws IOException {
        String name = Path.of(cmd[0]).getFileName().toString();
        List<String> full = new ArrayList<>(prefix);
        full.addAll(List.of(cmd));
        daemons.add(new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".out").toFile()).start());
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private void waitFor(Check c, String what) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!c.ok()) {
            for (Process p : daemons) {
                if (!p.isAlive()) {
                    String logs = logs();
                    close();
                    assumeTrue(false, "a Slurm daemon exited while waiting for " + what + ": " + logs);
                }
            }
            if (System.currentTimeMillis() > deadline) {
                String logs = logs();
                close();
                assumeTrue(false, "Slurm did not get ready (" + what + ") within 60 s: " + logs);
            }
            Thread.sleep(200);
        }
    }

    /** A Slurm client command against this Slurm: {@code env SLURM_CONF=... cmd...} (on the controller's host). */
    String[] command(String... cmd) {
        List<String> out = new ArrayList<>(controllerPrefix);
        out.addAll(List.of("env", "SLURM_CONF=" + conf));
        out.addAll(List.of(cmd));
        return out.toArray(String[]::new);
    }

    /** Runs a Slurm client command and returns its output (stdout and stderr). */
    String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command(cmd)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    String logs() throws IOException {
        StringBuilder b = new StringBuilder();
        for (String f : List.of("munged.out", "slurmctld.out", "slurmd.out", "slurmctld.log", "slurmd.log")) {
            Path p = dir.resolve(f);
            if (Files.exists(p)) {
                List<String> lines = Files.readAllLines(p);
                b.append("\n--- ").append(f).append('\n').append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
            }
        }
        return b.toString();
    }

    @Override
    public void close() throws Exception {
        for (int i = daemons.size() - 1; i >= 0; i--) {
            Process p = daemons.get(i);
            p.destroy();
            if (!p.waitFor(15, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        daemons.clear();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}

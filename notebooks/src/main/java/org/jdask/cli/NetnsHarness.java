package org.jdask.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Simulated hosts for cluster tests (issue 16): each "host" is a Linux network namespace with one
 * interface {@code eth0} and its own address on a private /24, all joined by a bridge that lives in
 * a namespace of its own. Nothing is added to the machine's own namespace: no address, no route,
 * no interface; {@link #close} kills the processes started in the hosts and deletes every
 * namespace (which removes their interfaces). Needs root and iproute2's {@code ip netns}; {@link
 * #unavailableReason} says why not otherwise (tests skip with it). For jdask's own tests and
 * benchmarks ({@code Runner w6 --netns}), not a user-facing API.
 */
public final class NetnsHarness implements AutoCloseable {
    private final String prefix = "jds" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
    private final String subnet = "10.231." + ThreadLocalRandom.current().nextInt(16, 250);
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final int hosts;

    /** Null when this process may create network namespaces, else why not (naming the Debian package). */
    public static String unavailableReason() {
        String probe = "jdsprobe" + ProcessHandle.current().pid();
        boolean ok;
        try {
            ok = run(List.of("ip", "netns", "add", probe)) == 0;
            if (ok) run(List.of("ip", "netns", "del", probe));
        } catch (IOException e) {
            ok = false;
        }
        return ok ? null : "needs root and 'ip netns' (Debian package iproute2) to simulate hosts with network namespaces";
    }

    /** {@code hosts} namespaces, host {@code i} at {@link #address}(i), reachable from each other only. */
    public NetnsHarness(int hosts) throws IOException {
        this.hosts = hosts;
        String sw = prefix + "sw";
        try {
            ns(sw);
            must("ip", "-n", sw, "link", "add", "br0", "type", "bridge");
            must("ip", "-n", sw, "link", "set", "br0", "up");
            for (int i = 0; i < hosts; i++) {
                String h = name(i);
                ns(h);
                must("ip", "-n", sw, "link", "add", "v" + i, "type", "veth", "peer", "name", "eth0", "netns", h);
                must("ip", "-n", sw, "link", "set", "v" + i, "master", "br0");
                must("ip", "-n", sw, "link", "set", "v" + i, "up");
                must("ip", "-n", h, "addr", "add", address(i) + "/24", "dev", "eth0");
                must("ip", "-n", h, "link", "set", "eth0", "up");
                must("ip", "-n", h, "link", "set", "lo", "up");
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The namespace of host {@code i}. */
    public String name(int i) {
        return prefix + "h" + i;
    }

    /** The IPv4 address of host {@code i}. */
    public String address(int i) {
        return subnet + "." + (10 + i);
    }

    public int hosts() {
        return hosts;
    }

    /** Takes host {@code i}'s link down at the switch, as a pulled cable or a dead top-of-rack port would. */
    public void linkDown(int i) throws IOException {
        must("ip", "-n", prefix + "sw", "link", "set", "v" + i, "down");
    }

    /** Starts {@code cmd} on host {@code i} with {@code env} added; each output line goes to {@code lines}. */
    public Process start(int i, List<String> cmd, Map<String, String> env, Consumer<String> lines) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name(i)));
        full.addAll(cmd);
        ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        synchronized (processes) {
            processes.add(p);
        }
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) lines.accept(l);
            } catch (IOException ignored) {
                // the process is gone
            }
        }, "netns-" + name(i) + "-out");
        reader.setDaemon(true);
        reader.start();
        return p;
    }

    private void ns(String name) throws IOException {
        must("ip", "netns", "add", name);
        namespaces.add(name);
    }

    private static void must(String... cmd) throws IOException {
        int rc = run(List.of(cmd));
        if (rc != 0) throw new IOException("'" + String.join(" ", cmd) + "' failed with status " + rc);
    }

    private static int run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("'" + String.join(" ", cmd) + "' did not finish in 30 s");
            }
            if (p.exitValue() != 0) System.err.println("[netns] " + String.join(" ", cmd) + ": " + new String(out, StandardCharsets.UTF_8).trim());
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + cmd, e);
        }
    }

    @Override
    public void close() {
        synchronized (processes) {
            for (Process p : processes) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            for (Process p : processes) {
                try {
                    p.waitFor(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            try {
                run(List.of("ip", "netns", "del", namespaces.get(i)));
            } catch (IOException e) {
                System.err.println("[netns] cannot delete namespace " + namespaces.get(i) + ": " + e.getMessage());
            }
        }
        namespaces.clear();
    }
}

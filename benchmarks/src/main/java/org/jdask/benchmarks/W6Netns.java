package org.jdask.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdask.cli.Main;
import org.jdask.cli.NetnsHarness;
import org.jdask.distributed.Client;
import org.jdask.graph.JavaCommand;
import org.jdask.graph.JvmFlags;

/**
 * W6 on simulated hosts beside loopback (issue 16 "Measure"): the same parts as {@link W6}
 * (start-up, map + gather of 10,000, submit(sum), scatter and gather of 1 GB) on a cluster whose
 * {@code jdask scheduler} and two {@code jdask worker}s (1 thread each, under nannies, as a user
 * starts them) run in network namespaces of their own, each at its own address on a virtual
 * bridge ({@link NetnsHarness}: veth pairs, real TCP through the kernel's bridge), and, in the same
 * JVM and alternating with it, on W6's loopback {@code LocalCluster}. The client JVM runs in a
 * fourth namespace, so both clusters see the same client. Start-up differs in kind: the namespace
 * cluster's includes starting the scheduler's JVM and the nannies' JVMs (in-process on loopback).
 * With Debian's python3-distributed, Dask runs on the same namespaces too ({@link W6NetnsDask};
 * {@code --no-peer} skips it). Needs root and iproute2. Run alone, from the repository's root:
 * <pre>
 * java @graph/target/classes/org/jdask/jvm-flags.txt -Xmx4g -cp benchmarks/target/benchmarks.jar \
 *     org.jdask.benchmarks.Runner w6 --netns [--reps 3] [--arrays 100] [--own-peers benchmarks/peers] [--no-peer]
 * </pre>
 * {@code --arrays N}: scatter N arrays of 10 MB instead of W6's 100 (a quick check).
 */
final class W6Netns {
    static final String INNER = "w6-netns-inner";
    private static final Pattern SCHEDULER_AT = Pattern.compile("Scheduler at: (tcp://\\S+)");

    private W6Netns() {}

    /**
     * In the root namespace: makes 4 hosts, runs {@link #inner} on host 3 and relays its output;
     * {@code peer} is the Dask client script ({@link W6NetnsDask}), null for jdask only.
     */
    static void run(int reps, int nArrays, Path peer) throws Exception {
        String why = NetnsHarness.unavailableReason();
        if (why != null) throw new IllegalStateException("Runner w6 --netns " + why);
        String peerWhy = peer == null ? "--no-peer" : W6NetnsDask.unavailableReason(peer);
        if (peerWhy != null) System.out.println("(no Dask peer: " + peerWhy + ")");
        try (NetnsHarness net = new NetnsHarness(4)) {
            List<String> cmd = java(ManagementFactory.getRuntimeMXBean().getInputArguments());
            cmd.addAll(List.of(Runner.class.getName(), INNER, "--reps", String.valueOf(reps), "--arrays", String.valueOf(nArrays), "--hosts",
                    net.name(0) + "," + net.name(1) + "," + net.name(2), "--addresses", net.address(0) + "," + net.address(1) + "," + net.address(2)));
            if (peerWhy == null) cmd.addAll(List.of("--peer", peer.toAbsolutePath().toString()));
            Process p = net.start(3, cmd, Map.of(), System.out::println);
            if (!p.waitFor(3_600, TimeUnit.SECONDS)) throw new IllegalStateException("W6 on namespaces did not finish in an hour");
            if (p.exitValue() != 0) throw new IllegalStateException("W6 on namespaces failed (exit " + p.exitValue() + "), see above");
        }
    }

    /**
     * On host 3: a warm-up of each, then {@code reps} alternating runs on loopback, on the hosts and
     * (with {@code peer}) Dask on the same hosts; prints the table.
     */
    static void inner(int reps, int nArrays, List<String> hosts, List<String> addresses, Path peer) throws Exception {
        List<double[]> arrays = W6.randomArrays(nArrays, W6.ARR_LEN);
        W6.once(arrays.subList(0, 2));
        onHosts(arrays.subList(0, 2), hosts, addresses);
        if (peer != null) W6NetnsDask.onHosts(2, hosts, addresses, peer);
        List<Map<String, Double>> loop = new ArrayList<>(), ns = new ArrayList<>(), dask = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            loop.add(W6.once(arrays));
            ns.add(onHosts(arrays, hosts, addresses));
            if (peer != null) dask.add(W6NetnsDask.onHosts(nArrays, hosts, addresses, peer));
        }
        StringBuilder md = new StringBuilder("| W6 part | loopback LocalCluster (median of " + reps + ") | 3 namespaces: scheduler, 2 workers | namespaces / loopback |"
                + (peer != null ? " Dask on the same namespaces | Dask / jdask (namespaces) |\n|---|---|---|---|---|---|\n" : "\n|---|---|---|---|\n"));
        for (String part : List.of("startup", "map_gather", "submit_sum", "scatter", "gather", "close")) {
            double l = W6.median(loop, part), n = W6.median(ns, part);
            boolean rate = part.equals("scatter") || part.equals("gather");
            String extra = rate ? String.format(" (%.2f GB/s vs %.2f GB/s)", W6.median(loop, part + "_GBps"), W6.median(ns, part + "_GBps")) : "";
            md.append(String.format("| %s | %.3f s | %.3f s | %.2f×%s |", part, l, n, n / l, extra));
            if (peer != null) {
                double d = W6.median(dask, part);
                md.append(String.format(" %.3f s%s | %.2f× |", d, rate ? String.format(" (%.2f GB/s)", W6.median(dask, part + "_GBps")) : "", d / n));
            }
            md.append('\n');
        }
        System.out.println(md);
    }

    /** One W6 run on {@code jdask scheduler} on host 0 and {@code jdask worker} on hosts 1 and 2. */
    static Map<String, Double> onHosts(List<double[]> arrays, List<String> hosts, List<String> addresses) throws Exception {
        Map<String, Double> r = new LinkedHashMap<>();
        List<Process> procs = new ArrayList<>();
        long t0 = System.nanoTime();
        try {
            CompletableFuture<String> address = new CompletableFuture<>();
            procs.add(start(hosts.get(0), jdask("scheduler", "--host", addresses.get(0), "--port", "0", "--dashboard-address", ":0"), l -> {
                Matcher m = SCHEDULER_AT.matcher(l);
                if (m.find()) address.complete(m.group(1));
            }));
            String sched = address.get(120, TimeUnit.SECONDS);
            for (int h = 1; h <= 2; h++) {
                procs.add(start(hosts.get(h), jdask("worker", sched, "--nthreads", "1", "--name", "w" + h), l -> {}));
            }
            try (Client client = Client.connect(sched)) {
                client.waitForWorkers(2, 120, TimeUnit.SECONDS);
                r.put("startup", (System.nanoTime() - t0) / 1e9);
                W6.parts(client, arrays, r);
                t0 = System.nanoTime();
            }
        } finally {
            stop(procs);
            r.put("close", (System.nanoTime() - t0) / 1e9);
        }
        return r;
    }

    /** SIGTERM, workers first (nannies stop their worker processes), then the scheduler ({@code procs.get(0)}); killed after 60 s. */
    static void stop(List<Process> procs) throws InterruptedException {
        for (int i = procs.size() - 1; i >= 1; i--) procs.get(i).destroy();
        for (int i = procs.size() - 1; i >= 0; i--) {
            Process p = procs.get(i);
            if (i == 0) p.destroy();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
    }

    /** {@code java FLAGS -cp CLASSPATH org.jdask.cli.Main ARGS}: the {@code jdask} launcher with this JVM's class path. */
    private static List<String> jdask(String... args) {
        List<String> cmd = java(JvmFlags.get());
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** {@code command} in namespace {@code ns}, each output line to {@code lines} (and a failure's lines to stderr). */
    static Process start(String ns, List<String> command, java.util.function.Consumer<String> lines) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.accept(l);
                    if (l.contains("ERROR") || l.contains("Exception")) System.err.println("[" + ns + "] " + l);
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        }, "w6-netns-" + ns);
        t.setDaemon(true);
        t.start();
        return p;
    }

    /** {@code java FLAGS -cp CLASSPATH} of this JVM. */
    private static List<String> java(List<String> flags) {
        return JavaCommand.of(flags, System.getProperty("java.class.path"));
    }
}

package org.jdask.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * W6's Dask peer on the namespace harness (issue 16, "Measure": the Dask peer on the same harness
 * where it runs): {@code dask-scheduler} on host 0 and {@code dask-worker --nthreads 1} (nanny
 * mode, as {@code jdask worker}) on hosts 1 and 2, started through {@code ip netns exec} from the
 * client's namespace; the client is {@code benchmarks/peers/w6_netns.py} in that namespace. Same
 * parts as {@link W6Netns}'s jdask run; start-up and close are taken on this machine's wall clock
 * (the script prints when its workers were up and when it began closing). Needs Debian's
 * {@code python3-distributed} (with {@code /usr/bin/dask-scheduler}, {@code dask-worker}).
 */
final class W6NetnsDask {
    static final Path SCHEDULER = Path.of("/usr/bin/dask-scheduler"), WORKER = Path.of("/usr/bin/dask-worker"), PYTHON = Path.of("/usr/bin/python3");
    private static final Pattern SCHEDULER_AT = Pattern.compile("Scheduler at:\\s+(tcp://\\S+)");

    private W6NetnsDask() {}

    /** Null when the peer can run, else why not (naming the Debian package). */
    static String unavailableReason(Path script) {
        if (!Files.isExecutable(SCHEDULER) || !Files.isExecutable(WORKER)) return "no " + SCHEDULER + "/" + WORKER + " (Debian package python3-distributed)";
        if (!Files.isRegularFile(script)) return "no " + script + " (run from the repository's root, or pass --own-peers DIR)";
        return null;
    }

    /** One Dask run on {@code hosts} (namespaces 0..2 at {@code addresses}); W6's parts in seconds. */
    static Map<String, Double> onHosts(int nArrays, List<String> hosts, List<String> addresses, Path script) throws Exception {
        Map<String, Double> r = new LinkedHashMap<>();
        List<Process> procs = new ArrayList<>();
        double t0 = System.currentTimeMillis() / 1e3;
        double closing = Double.NaN;
        try {
            CompletableFuture<String> address = new CompletableFuture<>();
            procs.add(W6Netns.start(hosts.get(0), List.of(SCHEDULER.toString(), "--host", addresses.get(0), "--port", "0",
                    "--dashboard-address", ":0"), l -> {
                Matcher m = SCHEDULER_AT.matcher(l);
                if (m.find()) address.complete(m.group(1));
            }));
            String sched = address.get(120, TimeUnit.SECONDS);
            for (int h = 1; h <= 2; h++) {
                procs.add(W6Netns.start(hosts.get(h), List.of(WORKER.toString(), sched, "--nthreads", "1", "--nworkers", "1",
                        "--host", addresses.get(h), "--no-dashboard", "--name", "w" + h), l -> {}));
            }
            Process client = new ProcessBuilder(PYTHON.toString(), script.toString(), "--scheduler", sched, "--arrays", String.valueOf(nArrays))
                    .redirectErrorStream(true).start();
            List<String> out = new String(client.getInputStream().readAllBytes()).lines().toList();
            if (!client.waitFor(600, TimeUnit.SECONDS) || client.exitValue() != 0) {
                throw new IllegalStateException("the Dask client " + script + " failed:\n" + String.join("\n", out));
            }
            for (String l : out) {
                String[] f = l.trim().split("\\s+");
                if (f.length == 2 && f[0].equals("READY")) r.put("startup", Double.parseDouble(f[1]) - t0);
                if (f.length == 2 && f[0].equals("CLOSING")) closing = Double.parseDouble(f[1]);
                if (f.length == 3 && f[0].equals("PART")) r.put(f[1], Double.parseDouble(f[2]));
            }
            if (!r.containsKey("startup") || Double.isNaN(closing)) throw new IllegalStateException("unexpected output of " + script + ":\n" + String.join("\n", out));
        } finally {
            W6Netns.stop(procs);
            if (!Double.isNaN(closing)) r.put("close", System.currentTimeMillis() / 1e3 - closing);
        }
        return r;
    }
}

package org.jdask.distributed;

import static org.jdask.distributed.ClusterOptions.line;
import static org.jdask.distributed.ClusterOptions.word;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Workers as Slurm batch jobs, with the scheduler in this JVM (dask-jobqueue's
 * {@code SLURMCluster}). Each job runs {@code jdask worker SCHEDULER --nworkers P} on
 * {@code cores} cores with {@code memory}; {@link #scale(int)} submits or cancels jobs with
 * {@code sbatch}/{@code scancel}, {@link #jobScript()} shows the script a job runs.
 *
 * <pre>{@code
 * try (SlurmCluster cluster = SlurmCluster.builder().cores(16).processes(16).memory("24GB")
 *         .queue("low").walltime("3:00:00").account("ac_x").build();
 *      Client client = Client.connect(cluster.schedulerAddress())) {
 *     System.out.println(cluster.jobScript());
 *     cluster.scale(32);           // two jobs of 16 workers
 * }
 * }</pre>
 * The compute nodes must reach the scheduler: it listens on this machine's host name unless
 * {@link Builder#schedulerHost} says otherwise. Job output goes to {@link Builder#logDirectory}
 * (default: the directory sbatch runs in, a temporary one), where {@link #logs()} reads it.
 */
public final class SlurmCluster extends ClusterBase {
    private static final Logger LOG = LoggerFactory.getLogger(SlurmCluster.class);
    private static final Pattern SUBMITTED = Pattern.compile("Submitted batch job (\\d+)|^(\\d+)(?:;\\S*)?\\s*$", Pattern.MULTILINE);
    private static final Pattern WALLTIME = Pattern.compile(
            "(?:(\\d+)-)?(\\d+)(?::(\\d+))?(?::(\\d+))?");

    /** Options of a {@link SlurmCluster}; setters check their argument, {@link #build()} the whole. */
    public static final class Builder {
        int cores = -1, processes = 1;
        long memory = -1;
        String queue, account, walltime, jobName = "jdask-worker";
        final List<String> extraDirectives = new ArrayList<>(), prologue = new ArrayList<>();
        final Map<String, String> env = new LinkedHashMap<>();
        String localDirectory, logDirectory;
        String interfaceName;
        List<String> workerCommand = List.of("jdask");
        List<String> sbatch = List.of("sbatch"), scancel = List.of("scancel");
        String schedulerHost;
        int schedulerPort = 0;
        boolean nanny = true;
        long commandTimeoutMs = 60_000;
        String securityDir;

        /** Cores of one job (required): {@code --cpus-per-task}, shared by its workers' threads. */
        public Builder cores(int n) {
            cores = ClusterOptions.atLeast("cores", n, 1);
            return this;
        }

        /** Workers per job (default 1); each gets {@code cores / processes} threads. */
        public Builder processes(int n) {
            processes = ClusterOptions.atLeast("processes", n, 1);
            return this;
        }

        /** Memory of one job (required), e.g. {@code "24GB"} or {@code "512MiB"}: {@code --mem}, split among its workers. */
        public Builder memory(String size) {
            memory = parseSize("memory", size);
            return this;
        }

        /** The partition ({@code -p}). */
        public Builder queue(String q) {
            queue = word("queue", q);
            return this;
        }

        /** The account to charge ({@code -A}). */
        public Builder account(String a) {
            account = word("account", a);
            return this;
        }

        /** Time limit of a job ({@code -t}): minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS. */
        public Builder walltime(String t) {
            walltime = checkWalltime(t);
            return this;
        }

        /**
         * The network interface workers listen on, e.g. {@code ib0} (dask-jobqueue's {@code
         * interface}); default: each node's address towards the scheduler ({@code --host auto}).
         */
        public Builder interfaceName(String name) {
            interfaceName = word("interfaceName", name);
            return this;
        }

        /** The job name ({@code -J}, default {@code jdask-worker}); workers are named {@code NAME-JOBID[-i]}. */
        public Builder jobName(String n) {
            jobName = word("jobName", n);
            return this;
        }

        /** More {@code #SBATCH} lines, e.g. {@code "--exclusive"} or {@code "#SBATCH --gres=gpu:1"}. */
        public Builder jobExtraDirectives(String... directives) {
            for (String d : directives) {
                String t = line("job directive", d).strip();
                extraDirectives.add(t.startsWith("#SBATCH") ? t : "#SBATCH " + t);
            }
            return this;
        }

        /** Shell lines run before the workers start, e.g. {@code "module load java/17"}. */
        public Builder prologue(String... lines) {
            for (String l : lines) prologue.add(line("prologue line", l));
            return this;
        }

        /** An environment variable exported in the job script. */
        public Builder env(String name, String value) {
            if (name == null || !name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("environment variable name '" + name + "' is not a shell name like JAVA_HOME");
            }
            env.put(name, line("value of " + name, value));
            return this;
        }

        /** Workers' scratch directory on the compute node (their {@code java.io.tmpdir}). */
        public Builder localDirectory(String dir) {
            localDirectory = line("localDirectory", dir);
            return this;
        }

        /** Where jobs write their output ({@code -o DIR/NAME-JOBID.out}); must be visible here for {@link #logs()}. */
        public Builder logDirectory(String dir) {
            logDirectory = line("logDirectory", dir);
            return this;
        }

        /** The command that starts jdask on a compute node (default {@code jdask}, the launcher on the PATH). */
        public Builder workerCommand(String... command) {
            for (String c : command) line("workerCommand", c);
            workerCommand = ClusterOptions.command("workerCommand", command);
            return this;
        }

        /** The submit command (default {@code sbatch}), e.g. {@code "ssh", "login1", "sbatch"}; the script path is appended. */
        public Builder submitCommand(String... command) {
            sbatch = ClusterOptions.command("submitCommand", command);
            return this;
        }

        /** The cancel command (default {@code scancel}); job ids are appended. */
        public Builder cancelCommand(String... command) {
            scancel = ClusterOptions.command("cancelCommand", command);
            return this;
        }

        /** The interface the scheduler listens on and workers connect to (default: this machine's host name). */
        public Builder schedulerHost(String host) {
            schedulerHost = word("schedulerHost", host);
            return this;
        }

        /** The scheduler's port (default 0: a free one). */
        public Builder schedulerPort(int port) {
            schedulerPort = ClusterOptions.port("schedulerPort", port, 0);
            return this;
        }

        /** Workers under nannies (default) or {@code --no-nanny}. */
        public Builder nanny(boolean n) {
            nanny = n;
            return this;
        }

        /**
         * Security keys (CurveZMQ) in {@code dir}, as {@link Security#save} writes them: the
         * scheduler here loads them and every job's workers get {@code --security-dir dir}, so the
         * directory must be visible on the compute nodes (a shared file system, as the job logs).
         * Clients connect with {@code Security.load(dir)}. Needed for code shipping: workers
         * accept a client's classes only from authenticated clients.
         */
        public Builder securityDirectory(String dir) {
            securityDir = line("securityDirectory", dir);
            return this;
        }

        /** How long sbatch and scancel may take (default 60 s). */
        public Builder commandTimeoutMillis(long ms) {
            commandTimeoutMs = ClusterOptions.atLeast("commandTimeoutMillis", ms, 1);
            return this;
        }

        private void validate() {
            if (cores < 0) throw new IllegalArgumentException("SlurmCluster: cores(...) is required (cores per job)");
            if (memory < 0) throw new IllegalArgumentException("SlurmCluster: memory(...) is required (memory per job, e.g. \"24GB\")");
            if (processes > cores) {
                throw new IllegalArgumentException("SlurmCluster: processes (" + processes + ") must not exceed cores (" + cores
                        + "): every worker needs a thread");
            }
        }

        /** The job script for workers of the scheduler at {@code schedulerAddress}, without starting anything. */
        public String jobScript(String schedulerAddress) {
            validate();
            if (schedulerAddress == null || !schedulerAddress.startsWith("tcp://")) {
                throw new IllegalArgumentException("scheduler address must look like tcp://host:port, got '" + schedulerAddress + "'");
            }
            StringBuilder b = new StringBuilder("#!/usr/bin/env bash\n\n");
            b.append("#SBATCH -J ").append(jobName).append('\n');
            if (queue != null) b.append("#SBATCH -p ").append(queue).append('\n');
            if (account != null) b.append("#SBATCH -A ").append(account).append('\n');
            b.append("#SBATCH -n 1\n");
            b.append("#SBATCH --cpus-per-task=").append(cores).append('\n');
            b.append("#SBATCH --mem=").append((memory + (1 << 20) - 1) >> 20).append("M\n");
            if (walltime != null) b.append("#SBATCH -t ").append(walltime).append('\n');
            if (logDirectory != null) b.append("#SBATCH -o ").append(Commands.quote(logDirectory + "/%x-%j.out")).append('\n');
            for (String d : extraDirectives) b.append(d).append('\n');
            b.append('\n');
            env.forEach((k, v) -> b.append("export ").append(k).append('=').append(Commands.quote(v)).append('\n'));
            if (localDirectory != null) {
                b.append("mkdir -p ").append(Commands.quote(localDirectory)).append('\n');
                b.append("export JAVA_OPTS=\"${JAVA_OPTS:-} -Djava.io.tmpdir=\"").append(Commands.quote(localDirectory)).append('\n');
            }
            for (String l : prologue) b.append(l).append('\n');
            List<String> cmd = new ArrayList<>(workerCommand);
            cmd.addAll(List.of("worker", schedulerAddress, "--nworkers", String.valueOf(processes),
                    "--nthreads", String.valueOf(cores / processes), "--memory-limit", formatSize(memory / processes)));
            // each node advertises its own address (towards the scheduler, or of the named interface), never 127.0.0.1
            if (interfaceName != null) cmd.addAll(List.of("--interface", interfaceName));
            else cmd.addAll(List.of("--host", "auto"));
            if (!nanny) cmd.add("--no-nanny");
            if (securityDir != null) cmd.addAll(List.of("--security-dir", securityDir));
            b.append(Commands.quote(cmd)).append(" --name ").append(jobName).append("-\"$SLURM_JOB_ID\"\n");
            return b.toString();
        }

        /** Starts the scheduler here; no job is submitted until {@link SlurmCluster#scale}. */
        public SlurmCluster build() {
            validate();
            return new SlurmCluster(this);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    static String checkWalltime(String t) {
        Matcher m = t == null ? null : WALLTIME.matcher(t.strip());
        boolean ok = m != null && m.matches();
        if (ok) {
            boolean days = m.group(1) != null;
            int parts = 1 + (m.group(3) != null ? 1 : 0) + (m.group(4) != null ? 1 : 0);
            // which fields are bounded: MM:SS -> SS; HH:MM:SS -> MM, SS; D-HH -> HH; D-HH:MM -> HH, MM; ...
            List<Integer> values = new ArrayList<>();
            for (int g = 2; g <= 4; g++) if (m.group(g) != null) values.add(Integer.parseInt(m.group(g)));
            if (days) {
                ok = values.get(0) < 24 && (parts < 2 || values.get(1) < 60) && (parts < 3 || values.get(2) < 60);
            } else {
                for (int i = 1; i < values.size(); i++) ok &= values.get(i) < 60;
            }
        }
        if (!ok) {
            throw new IllegalArgumentException("walltime '" + t + "' is not a Slurm time like 3:00:00 (one of: minutes, MM:SS, "
                    + "HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS, with minutes and seconds below 60)");
        }
        return t.strip();
    }

    static long parseSize(String what, String s) {
        long bytes = org.jdask.distributed.internal.Sizes.parse(s, what);
        if (bytes <= 0) throw new IllegalArgumentException(what + " '" + s + "' must be more than 0 bytes");
        return bytes;
    }

    /** 1_500_000_000 to {@code 1.50GB} (decimal units, what {@code --memory-limit} reads back). */
    static String formatSize(long bytes) {
        String[] units = {"TB", "GB", "MB", "KB"};
        long[] sizes = {1_000_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L};
        for (int i = 0; i < units.length; i++) {
            if (bytes >= sizes[i]) return String.format(Locale.ROOT, "%.2f%s", bytes / (double) sizes[i], units[i]);
        }
        return bytes + "B";
    }

    private final Builder config;
    private final SchedulerServer scheduler;
    private final Path dir;
    private final Path script;
    private final List<String> jobs = new ArrayList<>();
    private SlurmCluster(Builder b) {
        this.config = b;
        String host = b.schedulerHost != null ? b.schedulerHost : localHostName();
        this.scheduler = b.securityDir == null ? SchedulerServer.start(host, b.schedulerPort)
                : SchedulerServer.start(host, b.schedulerPort, Security.load(Path.of(b.securityDir)));
        try {
            dir = Files.createTempDirectory("jdask-slurm-");
            script = dir.resolve("jdask-worker.sh");
            Files.writeString(script, b.jobScript(scheduler.address()), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            scheduler.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("cannot find this machine's host name for the scheduler; set schedulerHost(...)", e);
        }
    }

    /** The script every job runs (what {@code sbatch} gets). */
    public String jobScript() {
        return config.jobScript(scheduler.address());
    }

    @Override
    public String schedulerAddress() {
        return scheduler.address();
    }

    /** Ids of the jobs submitted and not cancelled, oldest first. */
    public synchronized List<String> jobIds() {
        return List.copyOf(jobs);
    }

    /** Workers asked for: jobs times processes per job (jobs may still wait in the queue). */
    @Override
    public synchronized int size() {
        return jobs.size() * config.processes;
    }

    /** Submits or cancels jobs until {@code ceil(n / processes)} are there; returns without waiting for them to start. */
    @Override
    public synchronized void scale(int n) {
        checkScale(n);
        int want = (n + config.processes - 1) / config.processes;
        while (jobs.size() < want) jobs.add(submit());
        if (jobs.size() > want) cancel(new ArrayList<>(jobs.subList(want, jobs.size())));
    }

    private String submit() {
        List<String> cmd = new ArrayList<>(config.sbatch);
        cmd.add(script.toString());
        Commands.Result r = Commands.run(cmd, dir, config.commandTimeoutMs);
        if (r.exit() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (exit " + r.exit() + "): " + (r.err() + r.out()).strip());
        }
        Matcher m = SUBMITTED.matcher(r.out());
        if (!m.find()) {
            throw new IllegalStateException("no job id in the output of " + String.join(" ", cmd) + ": " + (r.out() + r.err()).strip());
        }
        String id = m.group(1) != null ? m.group(1) : m.group(2);
        LOG.info("Submitted job {} ({} workers)", id, config.processes);
        return id;
    }

    private void cancel(List<String> ids) {
        if (ids.isEmpty()) return;
        List<String> cmd = new ArrayList<>(config.scancel);
        cmd.addAll(ids);
        Commands.Result r = Commands.run(cmd, dir, config.commandTimeoutMs);
        if (r.exit() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (exit " + r.exit() + "): " + (r.err() + r.out()).strip());
        }
        jobs.removeAll(ids);
        LOG.info("Cancelled jobs {}", ids);
    }

    /** Cancels the jobs all of whose workers are among {@code addresses} (a job's workers go together). */
    @Override
    public synchronized void retireWorkers(Collection<String> addresses) {
        Set<String> gone = new HashSet<>(addresses);
        Map<String, int[]> perJob = new HashMap<>(); // job -> {workers, of them retiring}
        Pattern name = Pattern.compile(Pattern.quote(config.jobName) + "-(\\d+)(?:-\\d+)?");
        for (Map<String, Object> w : scheduler.workers()) {
            Matcher m = name.matcher(String.valueOf(w.get("name")));
            if (!m.matches()) continue;
            int[] c = perJob.computeIfAbsent(m.group(1), k -> new int[2]);
            c[0]++;
            if (gone.contains((String) w.get("address"))) c[1]++;
        }
        List<String> cancel = new ArrayList<>();
        perJob.forEach((job, c) -> {
            if (c[0] == c[1] && jobs.contains(job)) cancel.add(job);
        });
        cancel(cancel);
    }

    @Override
    public List<Map<String, Object>> workers() {
        return scheduler.workers();
    }

    @Override
    public ClusterLoad load() {
        return scheduler.load();
    }

    /** Each job's output file (the last 1000 lines), by job id; empty if the files are not visible here. */
    @Override
    public synchronized Map<String, List<String>> logs() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String id : jobs) {
            Path f = config.logDirectory != null ? Path.of(config.logDirectory, config.jobName + "-" + id + ".out")
                    : dir.resolve("slurm-" + id + ".out");
            try {
                List<String> lines = Files.exists(f) ? Files.readAllLines(f, StandardCharsets.UTF_8) : List.of();
                out.put(id, lines.subList(Math.max(0, lines.size() - 1000), lines.size()));
            } catch (IOException e) {
                out.put(id, List.of("cannot read " + f + ": " + e));
            }
        }
        return out;
    }

    /** Cancels every job, stops the scheduler and deletes the submit directory (see {@link #close}). */
    @Override
    void stopAll() {
        try {
            cancel(new ArrayList<>(jobs));
        } finally {
            scheduler.close();
            Commands.deleteTree(dir);
        }
    }

    @Override
    public String toString() {
        return "SlurmCluster(" + scheduler.address() + ", jobs " + jobIds() + ", " + config.processes + " workers per job)";
    }
}

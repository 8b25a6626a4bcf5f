package org.jdask.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jdask.diagnostics.ProgressBar;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jdask.Config;
import org.jdask.Delayed;
import org.jdask.JdaskException;
import org.jdask.graph.SchedulerProvider;
import org.jdask.graph.Schedulers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jdask demo}: the main job on the embedded default scheduler (in this JVM, no servers).
 *
 * <ol>
 *   <li>writes a small sample dataset ({@link SampleData}) under {@code --out}/data;
 *   <li>builds {@code --replicates} delayed {@link CalcMean#calcMean} calls, joins them with
 *       {@link Delayed#all} and a {@link CalcMean#summarize} task, and computes that with the
 *       scheduler config picks (or {@code --scheduler}), showing progress;
 *   <li>prints each replicate's {@code [mean, std]}, the mean of means, the time and the scheduler;
 *   <li>writes {@code task_graph.dot} and {@code task_graph.svg} (Graphviz when installed, else drawn in Java).
 * </ol>
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        description = {"Run the calc_mean demo on the local default scheduler (no servers).",
                "Writes sample CSV data and task_graph.dot/.svg to --out and prints the results."})
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--replicates", paramLabel = "N", defaultValue = "10",
            description = "Number of calc_mean replicates (delayed tasks), default ${DEFAULT-VALUE}.")
    int replicates;

    @Option(names = "--draws", paramLabel = "N", defaultValue = "10000000",
            description = "Normal draws per replicate, default ${DEFAULT-VALUE}.")
    int draws;

    @Option(names = "--scheduler", paramLabel = "NAME",
            description = "Scheduler to run on (default: config key 'scheduler', else the best one on the classpath).")
    String scheduler;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Directory for the sample data and task_graph.* (default: a new temporary directory).")
    Path out;

    @Option(names = "--no-progress", description = "Do not show progress.")
    boolean noProgress;

    @Override
    public Integer call() {
        validate();
        PrintWriter w = spec.commandLine().getOut();
        try {
            run(w, System.err);
            return 0;
        } catch (JdaskException | IllegalArgumentException | IllegalStateException | UncheckedIOException
                 | java.util.NoSuchElementException e) {
            w.flush();
            spec.commandLine().getErr().println("jdask demo: failed: " + Failures.describe(e));
            return 1;
        } catch (IOException e) {
            w.flush();
            spec.commandLine().getErr().println("jdask demo: failed: I/O error: " + Failures.describe(e));
            return 1;
        } finally {
            w.flush();
        }
    }

    /** Option checks picocli's types cannot express; errors name the option (exit 2). */
    private void validate() {
        if (replicates < 1) fail("--replicates", "must be at least 1, got " + replicates);
        if (draws < 1) fail("--draws", "must be at least 1, got " + draws);
        if (scheduler != null) {
            Map<String, SchedulerProvider> known = Schedulers.providers();
            if (!known.containsKey(scheduler.trim())) {
                fail("--scheduler", "unknown scheduler '" + scheduler + "'; known schedulers: " + known.keySet());
            }
        }
        if (out != null && Files.exists(out) && !Files.isDirectory(out)) fail("--out", out + " exists and is not a directory");
    }

    private void fail(String option, String message) {
        throw new ParameterException(spec.commandLine(), "Invalid value for option '" + option + "': " + message);
    }

    private void run(PrintWriter w, PrintStream progress) throws IOException {
        Map<String, Object> config = scheduler == null ? Map.of() : Map.of("scheduler", scheduler.trim());
        String used = schedulerInUse(config);
        if (!Schedulers.providers().containsKey(used)) {
            throw new IllegalArgumentException("config key 'scheduler' is '" + used + "' (from a jdask YAML file, "
                    + "JDASK_SCHEDULER or -Djdask.scheduler), which is not a known scheduler; known schedulers: "
                    + Schedulers.providers().keySet() + ". Pass --scheduler NAME to override it");
        }
        Path dir = out != null ? Files.createDirectories(out) : Files.createTempDirectory("jdask-demo-");
        List<Path> files = SampleData.write(dir.resolve("data"), 4, 2_500, 42);
        w.printf("sample data: %d CSV files (%s) in %s%n", files.size(), SampleData.HEADER, dir.resolve("data"));

        // The pipeline: nothing runs until compute().
        List<Delayed<double[]>> parts = new ArrayList<>(replicates);
        for (int i = 0; i < replicates; i++) parts.add(Delayed.of(CalcMean::calcMean).apply(i, draws));
        Delayed<CalcMean.Summary> summary = Delayed.of(CalcMean::summarize).apply(Delayed.all(parts));

        w.printf("running %d x calc_mean(i, %,d) on scheduler '%s' (%s)%n", replicates, draws, used,
                Schedulers.provider(used).description());
        w.flush();
        long t0 = System.nanoTime();
        CalcMean.Summary s;
        ProgressBar bar = noProgress ? null : new ProgressBar(progress);
        try {
            s = summary.compute(config);
        } finally {
            if (bar != null) bar.close();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        for (int i = 0; i < s.results().size(); i++) {
            double[] r = s.results().get(i);
            w.printf(Locale.ROOT, "replicate %2d: mean % .6f  std %.6f%n", i, r[0], r[1]);
        }
        w.printf(Locale.ROOT, "mean of means: % .6f  (mean of stds %.6f)%n", s.meanOfMeans(), s.meanOfStds());
        w.printf(Locale.ROOT, "time: %.3f s for %,d draws on scheduler '%s'%n", seconds, (long) replicates * draws, used);

        Path dot = summary.visualize(dir.resolve("task_graph.dot"));
        w.println("task graph: " + dot);
        try {
            w.println("task graph: " + summary.visualize(dir.resolve("task_graph.svg")));
        } catch (JdaskException e) {
            w.println("note: task_graph.svg not written: " + e.getMessage());
        }
    }

    /** The scheduler a {@code compute(config)} on this thread would use (same rule as {@link Schedulers#resolve}). */
    private static String schedulerInUse(Map<String, Object> config) {
        return Schedulers.nameFor(config.containsKey("scheduler") ? config.get("scheduler") : Config.get("scheduler"));
    }
}

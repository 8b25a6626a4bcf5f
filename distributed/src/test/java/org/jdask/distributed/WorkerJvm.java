package org.jdask.distributed;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdask.graph.JavaCommand;
import org.jdask.serialize.ClassPath;

/**
 * A worker JVM for code-shipping tests: {@link WorkerMain} with only jdask and its dependencies on
 * its class path (no test classes: a user's classes can reach it only by shipping), its output
 * echoed with a {@code [worker]} prefix and kept for assertions. {@link #close} kills it.
 */
final class WorkerJvm implements AutoCloseable {
    private final Process process;
    private final StringBuilder log = new StringBuilder();

    private WorkerJvm(Process process) {
        this.process = process;
    }

    /** jdask and its dependencies: this JVM's class path without test-classes directories. */
    static String jdaskOnly() {
        List<String> cp = new ArrayList<>();
        for (File f : ClassPath.entries()) if (!f.getPath().contains("test-classes")) cp.add(f.getPath());
        return String.join(File.pathSeparator, cp);
    }

    /**
     * Starts a worker of {@code scheduler} with {@code jvmArgs} (e.g. {@code -Djdask.x=y}), {@code
     * env} added, {@code --security-dir keys} unless {@code keys} is null, then {@code workerArgs};
     * returns once it has registered ("Worker at: "), failing with its output if it does not in 120 s.
     */
    static WorkerJvm start(String scheduler, Path keys, List<String> jvmArgs, Map<String, String> env, String... workerArgs) throws Exception {
        List<String> cmd = JavaCommand.of(jvmArgs, jdaskOnly());
        cmd.addAll(List.of(WorkerMain.class.getName(), scheduler, "--parent-pid", String.valueOf(ProcessHandle.current().pid())));
        if (keys != null) cmd.addAll(List.of("--security-dir", keys.toString()));
        cmd.addAll(List.of(workerArgs));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        WorkerJvm w = new WorkerJvm(pb.start());
        CompletableFuture<String> up = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(w.process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (w.log) {
                        w.log.append(line).append('\n');
                    }
                    System.out.println("[worker] " + line);
                    if (line.startsWith("Worker at: ")) up.complete(line);
                }
            } catch (IOException ignored) {
                // the worker is gone
            }
            up.completeExceptionally(new IllegalStateException("worker exited: " + w.log()));
        }, "worker-log");
        reader.setDaemon(true);
        reader.start();
        try {
            up.get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            w.close();
            throw e;
        }
        return w;
    }

    /** Everything the worker printed so far. */
    String log() {
        synchronized (log) {
            return log.toString();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
    }
}

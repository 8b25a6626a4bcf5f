package org.jdask.schedulers.processes;

import static org.jdask.schedulers.processes.Protocol.HELLO;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One start of worker JVMs for some slots of a {@link ProcessPool}, on a thread of its own: spawns
 * every JVM first (they start in parallel), then accepts their connections and hands each worker
 * to the pool <b>as it connects</b> ({@link Sink#joined}), so a run can begin on the first JVM that
 * is ready and take the others as they come (issue 17: a cold {@code processes} compute waited for
 * the slowest JVM). A JVM that exits before connecting, or does not connect within {@code
 * processes.start-timeout-ms}, is reported with {@link Sink#failed} (exit status, command, and the
 * pointer to its output, which {@link WorkerHandle#forward} prints prefixed {@code [worker-N]});
 * the others go on. {@link Sink#ended} comes last, once every slot has joined or failed.
 */
final class PoolStart {
    private static final Logger LOG = LoggerFactory.getLogger(PoolStart.class);

    /** What the pool hears from a start; called on the start's thread. */
    interface Sink {
        void joined(WorkerHandle w);

        void failed(int slot, String why);

        void ended(PoolStart start);
    }

    private final ServerSocket server;
    private final long token;
    private final Path dir;
    private final Path argfile;
    private final String argfileText;
    /** The command line of a slot, with {@code <token>} in place of the token (printed in errors). */
    private final IntFunction<List<String>> command;
    final List<Integer> slots;
    private final long timeoutMillis;
    private final Sink sink;
    final StartTimes times;

    PoolStart(ServerSocket server, long token, Path dir, Path argfile, String argfileText, IntFunction<List<String>> command,
            List<Integer> slots, long timeoutMillis, Sink sink) {
        this.server = server;
        this.token = token;
        this.dir = dir;
        this.argfile = argfile;
        this.argfileText = argfileText;
        this.command = command;
        this.slots = List.copyOf(slots);
        this.timeoutMillis = timeoutMillis;
        this.sink = sink;
        this.times = new StartTimes(System.nanoTime(), slots);
    }

    void start() {
        Thread t = new Thread(this::run, "jdask-processes-start");
        t.setDaemon(true);
        t.start();
    }

    private void run() {
        Map<Integer, Process> started = new HashMap<>();
        Map<Integer, Path> stateFiles = new HashMap<>();
        Set<Integer> open = new TreeSet<>(slots); // neither joined nor failed yet
        try {
            Files.writeString(argfile, argfileText, StandardCharsets.UTF_8);
            for (int slot : slots) {
                List<String> cmd = command.apply(slot);
                cmd.set(cmd.indexOf("<token>"), Long.toString(token));
                Path state = Files.createTempFile(dir, "worker-" + slot + "-", ".state");
                state.toFile().deleteOnExit();
                Files.write(state, new byte[] {-1, -1, -1, -1});
                cmd.add(state.toString());
                Process p;
                try {
                    p = new ProcessBuilder(cmd).start();
                } catch (IOException e) {
                    open.remove(slot);
                    sink.failed(slot, "cannot start worker-" + slot + " (" + e.getMessage() + "); command: " + String.join(" ", command.apply(slot)));
                    continue;
                }
                times.spawned(slot);
                WorkerHandle.forward(p, slot);
                started.put(slot, p);
                stateFiles.put(slot, state);
            }
            accept(started, stateFiles, open);
        } catch (IOException | RuntimeException e) {
            for (int slot : open) {
                Process p = started.remove(slot);
                if (p != null) p.destroyForcibly();
                sink.failed(slot, "starting worker-" + slot + " failed: " + e);
            }
            LOG.debug("starting worker JVMs failed", e);
        } finally {
            try {
                Files.deleteIfExists(argfile); // every JVM that connected has read it
            } catch (IOException ignored) {
                // deleteOnExit is the fallback
            }
            sink.ended(this);
        }
    }

    /** Accepts connections until every spawned JVM joined or failed; {@code started} holds those still expected. */
    private void accept(Map<Integer, Process> started, Map<Integer, Path> stateFiles, Set<Integer> open) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!started.isEmpty()) {
            for (Map.Entry<Integer, Process> e : Map.copyOf(started).entrySet()) {
                if (!e.getValue().isAlive()) {
                    started.remove(e.getKey());
                    open.remove(e.getKey());
                    sink.failed(e.getKey(), "worker-" + e.getKey() + " exited with status " + e.getValue().exitValue()
                            + " before connecting; its output above (prefixed [worker-" + e.getKey() + "]) says why. Command: "
                            + String.join(" ", command.apply(e.getKey())));
                }
            }
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (started.isEmpty()) return;
            if (left <= 0) {
                for (Map.Entry<Integer, Process> e : started.entrySet()) {
                    e.getValue().destroyForcibly();
                    open.remove(e.getKey());
                    sink.failed(e.getKey(), "worker-" + e.getKey() + " did not connect within " + timeoutMillis
                            + " ms (config processes.start-timeout-ms); command: " + String.join(" ", command.apply(e.getKey())));
                }
                started.clear();
                return;
            }
            server.setSoTimeout((int) Math.min(left, 50));
            Socket s;
            try {
                s = server.accept();
            } catch (SocketTimeoutException e) {
                continue;
            }
            s.setTcpNoDelay(true);
            s.setSoTimeout((int) Math.max(1, Math.min(left, 10_000)));
            int slot;
            try {
                DataInputStream hello = new DataInputStream(s.getInputStream());
                if (hello.readByte() != HELLO) throw new IOException("not a jdask worker");
                slot = hello.readInt();
                long pid = hello.readLong();
                if (hello.readLong() != token || !started.containsKey(slot)) throw new IOException("bad hello from pid " + pid);
            } catch (IOException e) {
                LOG.warn("refused a connection to the processes pool from {}: {}", s.getRemoteSocketAddress(), e.toString());
                s.close();
                continue;
            }
            s.setSoTimeout(0);
            Process p = started.remove(slot);
            open.remove(slot);
            times.connected(slot);
            WorkerHandle w;
            try {
                w = new WorkerHandle(slot, p, s, stateFiles.get(slot));
            } catch (IOException e) {
                p.destroyForcibly();
                s.close();
                sink.failed(slot, "worker-" + slot + " connected but its socket failed: " + e);
                continue;
            }
            sink.joined(w);
        }
    }
}

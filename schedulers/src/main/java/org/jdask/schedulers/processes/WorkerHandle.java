package org.jdask.schedulers.processes;

import static org.jdask.schedulers.processes.Protocol.*;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker JVM as the parent sees it: the process, its socket, a reader thread that turns the
 * worker's replies into {@link Event}s for the run in progress, and two threads that copy its
 * standard output and error to the parent's, each line prefixed with {@code [worker-N]}.
 *
 * <p>Only the thread running a run writes to {@link #out}; the reader thread only reads.
 */
final class WorkerHandle {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerHandle.class);

    /** The pool slot (0-based), also the worker number listeners see. */
    final int slot;
    final Process process;
    final long pid;
    final Socket socket;
    final DataOutputStream out;
    private final DataInputStream in;
    /** Where the reader thread posts events; set by each run. */
    private volatile BlockingQueue<Event> sink;
    /** The run whose READY the reader saw last; events are tagged with it. */
    private volatile int run = -1;
    private volatile boolean dead;
    private volatile String deathReason;

    /** 4 bytes the worker keeps the running task number in (-1: none); see {@link WorkerMain}. */
    private final java.nio.file.Path stateFile;

    WorkerHandle(int slot, Process process, Socket socket, java.nio.file.Path stateFile) throws IOException {
        this.slot = slot;
        this.stateFile = stateFile;
        this.process = process;
        this.pid = process.pid();
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
        Thread reader = new Thread(this::read, "jdask-worker-" + slot + "-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts the threads copying the worker's stdout/stderr to the parent's, prefixed. */
    static void forward(Process p, int slot) {
        String prefix = "[worker-" + slot + "] ";
        copy(p.getInputStream(), false, prefix, "jdask-worker-" + slot + "-stdout");
        copy(p.getErrorStream(), true, prefix, "jdask-worker-" + slot + "-stderr");
    }

    private static void copy(InputStream s, boolean err, String prefix, String name) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(s, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    PrintStream ps = err ? System.err : System.out; // looked up per line: tests swap them
                    ps.println(prefix + line);
                }
            } catch (IOException ignored) {
                // the worker is gone
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    void attach(BlockingQueue<Event> queue) {
        this.sink = queue;
    }

    boolean alive() {
        return !dead && process.isAlive();
    }

    String name() {
        return "worker-" + slot + " (pid " + pid + ")";
    }

    /** Exit status and what it probably means, waiting up to {@code millis} for the process to end. */
    String exitDescription(long millis) {
        try {
            if (!process.waitFor(millis, TimeUnit.MILLISECONDS)) {
                return "still running (" + (deathReason == null ? "connection lost" : deathReason) + ")";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown (interrupted while waiting for it)";
        }
        int s = process.exitValue();
        String meaning = switch (s) {
            case 3 -> " (OutOfMemoryError outside a task; give workers more heap with "
                    + "config processes.worker-jvm-options, e.g. -Xmx4g)";
            case 134 -> " (SIGABRT: the JVM crashed)";
            case 137 -> " (SIGKILL: killed by a signal, e.g. the kernel's OOM killer or kill -9)";
            case 143 -> " (SIGTERM)";
            default -> s > 128 ? " (killed by signal " + (s - 128) + ")" : "";
        };
        return "exit status " + s + meaning;
    }

    /** The task number the worker was running when last seen, or -1. */
    int currentTask() {
        try {
            byte[] b = java.nio.file.Files.readAllBytes(stateFile);
            return b.length < 4 ? -1 : java.nio.ByteBuffer.wrap(b).getInt();
        } catch (IOException e) {
            return -1;
        }
    }

    private void deleteStateFile() {
        try {
            java.nio.file.Files.deleteIfExists(stateFile);
        } catch (IOException ignored) {
            // deleteOnExit is the fallback
        }
    }

    /** Kills the process (and closes the socket); idempotent. */
    void kill(String reason) {
        if (deathReason == null) deathReason = reason;
        dead = true;
        process.destroyForcibly();
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        deleteStateFile();
    }

    /** Asks the worker to exit, then makes sure it does within {@code millis}. */
    void shutdown(long millis) {
        dead = true;
        try {
            out.writeByte(SHUTDOWN);
            out.flush();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(millis, TimeUnit.MILLISECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        deleteStateFile();
    }

    private void read() {
        try {
            while (true) {
                byte op = in.readByte();
                Event e = switch (op) {
                    case READY -> {
                        run = in.readInt();
                        yield null;
                    }
                    case DONE -> {
                        int id = in.readInt();
                        long nanos = in.readLong();
                        byte[] b = in.readByte() == 1 ? readBytes(in) : null;
                        yield new Event(this, run, op, id, nanos, b, (byte) 0, null, null);
                    }
                    case DATA -> {
                        int id = in.readInt();
                        yield new Event(this, run, op, id, 0, readBytes(in), (byte) 0, null, null);
                    }
                    case SKIPPED -> new Event(this, run, op, in.readInt(), 0, null, (byte) 0, null, null);
                    case MEMORY -> new Event(this, run, op, in.readByte(), 0, null, (byte) 0, null, null); // id: 1 paused, 0 resumed
                    case FAILED -> failed();
                    default -> throw new IOException("unknown reply " + op + " from " + name());
                };
                if (e != null) post(e);
            }
        } catch (IOException | RuntimeException e) {
            if (!dead) LOG.debug("{}: connection ended", name(), e);
            dead = true;
            post(new Event(this, run, Event.DIED, -1, 0, null, (byte) 0, null, null));
        }
    }

    private Event failed() throws IOException {
        int id = in.readInt();
        byte kind = in.readByte();
        if (kind == FAIL_TASK) {
            byte how = in.readByte();
            if (how == ERROR_FRAME) return new Event(this, run, FAILED, id, 0, readBytes(in), kind, null, null);
            String type = in.readUTF();
            String message = in.readUTF();
            int n = in.readInt();
            StackTraceElement[] st = new StackTraceElement[n];
            for (int i = 0; i < n; i++) {
                String cls = in.readUTF();
                String method = in.readUTF();
                String file = in.readUTF();
                st[i] = new StackTraceElement(cls, method, file.isEmpty() ? null : file, in.readInt());
            }
            Throwable t = new org.jdask.RemoteTaskError(type, message.equals("\u0000") ? null : message, st);
            return new Event(this, run, FAILED, id, 0, null, kind, type, t);
        }
        if (kind == FAIL_INPUT) return new Event(this, run, FAILED, id, 0, null, kind, null, null);
        String cls = in.readUTF();
        String detail = in.readUTF();
        return new Event(this, run, FAILED, id, 0, null, kind, cls, detail);
    }

    private void post(Event e) {
        BlockingQueue<Event> q = sink;
        if (q != null) q.add(e);
    }

    /**
     * A reply from a worker. {@code op} is a {@link Protocol} reply code or {@link #DIED};
     * {@code run} is the run it belongs to; {@code extra} is a Throwable (FAILED/TASK fallback) or
     * a detail string (FAILED/RESULT).
     */
    record Event(WorkerHandle worker, int run, byte op, int id, long nanos, byte[] bytes, byte kind, String type, Object extra) {
        static final byte DIED = 99;
        /** Not from a worker: a JVM of the pool connected while a run was going ({@link ProcessPool#onJoin}). */
        static final byte JOINED = 98;
    }
}

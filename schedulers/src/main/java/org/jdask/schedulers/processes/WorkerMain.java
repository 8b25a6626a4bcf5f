package org.jdask.schedulers.processes;

import static org.jdask.schedulers.processes.Protocol.*;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.jdask.Config;
import org.jdask.SerializationException;
import org.jdask.fn.FnN;
import org.jdask.fn.Fns;
import org.jdask.graph.Key;
import org.jdask.graph.SerializationCheck;
import org.jdask.graph.Task;
import org.jdask.serialize.Codecs;

/**
 * The main class of a {@code processes} worker JVM: connects back to the parent over loopback,
 * then executes the operations of {@link Protocol} one at a time on its main thread, keeping the
 * values of the current run in a table indexed by task number.
 *
 * <p>It never outlives the parent: a daemon thread reads standard input (a pipe from the parent)
 * and halts the JVM at end-of-file, which the OS delivers when the parent exits for any reason,
 * SIGKILL included; the end of the socket stream does the same. Standard output and error are
 * left alone: the parent reads them and prints each line prefixed with the worker's id.
 *
 * <p>A nested {@code compute()} inside a task runs on {@code sync} in this JVM (see {@link
 * ProcessesSchedulerProvider}), never on a pool of its own.
 */
public final class WorkerMain {
    /** System property set in worker JVMs (its value is the slot number). */
    static final String WORKER_PROPERTY = "jdask.processes.worker";
    private static final Object ABSENT = ValueStore.absentValue();
    private static final long FLUSH_NANOS = 1_000_000;
    /**
     * The task running now (-1: none), in a 4-byte file the parent maps too: when this JVM dies, the
     * parent reads which task killed it even if the replies for the tasks before it were still in
     * the output buffer.
     */
    private static java.nio.MappedByteBuffer current;
    /** Exit status after an {@code OutOfMemoryError} outside a task (that of {@code -XX:+ExitOnOutOfMemoryError}). */
    static final int EXIT_OUT_OF_MEMORY = 3;
    private static volatile ValueStore spillDirectory;

    private final DataInputStream in;
    private final DataOutputStream out;
    /** The values of the current run, spilled to this worker's directory past the memory thresholds. */
    private final ValueStore values;
    /** Past {@code distributed.worker.memory.pause}: the parent sends no new task (issue 15). */
    private final PoolPause pause = new PoolPause(Runtime.getRuntime().maxMemory());
    private final Map<Integer, Object> functions = new HashMap<>();
    private Config.Scope scope;
    /** A task of the current run failed: later tasks of the run are skipped (the run is over). */
    private boolean runFailed;

    private WorkerMain(DataInputStream in, DataOutputStream out, ValueStore values) {
        this.in = in;
        this.out = out;
        this.values = values;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: WorkerMain PORT SLOT TOKEN STATE-FILE (started by the jdask processes scheduler)");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        int slot = Integer.parseInt(args[1]);
        long token = Long.parseLong(args[2]);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(java.nio.file.Path.of(args[3]),
                java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
            current = ch.map(java.nio.channels.FileChannel.MapMode.READ_WRITE, 0, 4);
        }
        current.putInt(0, -1);
        System.setProperty(WORKER_PROPERTY, Integer.toString(slot));
        Thread watch = new Thread(() -> {
            try {
                InputStream stdin = System.in;
                while (stdin.read() >= 0) {
                    // the parent never writes; keep reading until the pipe closes
                }
            } catch (IOException ignored) {
                // a broken pipe means the parent is gone too
            }
            ValueStore st = spillDirectory;
            if (st != null) st.close();
            Runtime.getRuntime().halt(0);
        }, "jdask-worker-parent-watch");
        watch.setDaemon(true);
        watch.start();
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setTcpNoDelay(true);
        DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 1 << 16));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 1 << 16));
        out.writeByte(HELLO);
        out.writeInt(slot);
        out.writeLong(ProcessHandle.current().pid());
        out.writeLong(token);
        out.flush();
        // config files, codecs and a first run's serializers while the parent gets the run ready (issue 17); the BEGIN waits in the socket
        if (WorkerWarmup.enabledInWorker()) WorkerWarmup.runQuietly();
        // its own spill directory inside the pool's (which the parent deletes, even after a kill -9 of this JVM)
        ValueStore store = new ValueStore(java.nio.file.Path.of(args[3]).toAbsolutePath().getParent().resolve("worker-" + slot + "-data"),
                Runtime.getRuntime().maxMemory());
        spillDirectory = store;
        try {
            new WorkerMain(in, out, store).loop();
        } catch (EOFException | java.net.SocketException e) {
            // the parent closed the connection: leave quietly
        } catch (OutOfMemoryError e) { // outside a task (reading a value the parent sent): this JVM is done
            System.err.println("processes worker out of memory outside a task (" + e.getMessage() + ") with a "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MB heap: exiting; give workers more heap with config"
                    + " processes.worker-jvm-options, e.g. -Xmx4g");
            store.close();
            Runtime.getRuntime().halt(EXIT_OUT_OF_MEMORY);
        }
        store.close();
        Runtime.getRuntime().halt(0);
    }

    private void loop() throws IOException {
        long lastFlush = System.nanoTime();
        while (true) {
            // replies go out when nothing else is queued, or after 1 ms of work: a finished slow
            // task is reported at once even when more tasks wait behind it
            long now = System.nanoTime();
            if (in.available() == 0 || now - lastFlush > FLUSH_NANOS) {
                out.flush();
                lastFlush = now;
            }
            if (pause.paused()) awaitInputWhilePaused();
            byte op = in.readByte();
            switch (op) {
                case BEGIN -> begin();
                case FN -> {
                    int id = in.readInt();
                    Object f = decodeOrFailure(readBytes(in));
                    functions.put(id, f instanceof Failure || f instanceof FnN ? f : Fns.of(f));
                }
                case PUT -> {
                    int id = in.readInt();
                    values.put(id, decodeOrFailure(readBytes(in)));
                }
                case PUT_FILE -> {
                    int id = in.readInt();
                    values.put(id, decodeFile(in.readUTF()));
                }
                case RUN -> run();
                case TASK -> task();
                case ALIAS -> {
                    int id = in.readInt();
                    byte flags = in.readByte();
                    int target = in.readInt();
                    Object v = values.get(target);
                    if (v == ABSENT || v instanceof Failure) skip(id);
                    else finish(id, flags, v, 0);
                }
                case FETCH -> fetch(in.readInt());
                case RELEASE -> {
                    values.release(in.readInt());
                    if (pause.paused()) reportMemory();
                }
                case SHUTDOWN -> {
                    out.flush();
                    values.close();
                    Runtime.getRuntime().halt(0);
                }
                default -> throw new IOException("unknown operation " + op + " from the parent");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void begin() throws IOException {
        int run = in.readInt();
        int size = in.readInt();
        Map<String, Object> config = Codecs.acceptAllowed((Map<String, Object>) Codecs.decode(readBytes(in)));
        if (scope != null) scope.close();
        scope = Config.apply(config);
        values.reset(size); // after the run's config is in force: it may set the memory thresholds
        pause.reset();
        functions.clear();
        runFailed = false;
        out.writeByte(READY);
        out.writeInt(run);
        pause.check(); // the values were dropped: memory may have fallen
        if (pause.paused()) writeMemory(true); // the parent starts every run with its workers unpaused
    }

    /** Tells the parent when the pause state changed (before the reply that follows: no task is sent in between). */
    private void reportMemory() throws IOException {
        Boolean changed = pause.check();
        if (changed != null) writeMemory(changed);
    }

    private void writeMemory(boolean paused) throws IOException {
        out.writeByte(MEMORY);
        out.writeByte(paused ? 1 : 0);
    }

    /** Paused with nothing to read: looks at memory again now and then, so an idle worker resumes by itself. */
    private void awaitInputWhilePaused() throws IOException {
        while (pause.paused() && in.available() == 0) {
            try {
                Thread.sleep(PoolPause.IDLE_CHECK_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (pause.check() != null) {
                writeMemory(pause.paused());
                out.flush();
            }
        }
    }

    private void run() throws IOException {
        int id = in.readInt();
        byte flags = in.readByte();
        Object fn = functions.get(in.readInt());
        int n = in.readInt();
        Object[] args = new Object[n];
        boolean missing = false;
        for (int i = 0; i < n; i++) {
            byte tag = in.readByte();
            args[i] = switch (tag) {
                case ARG_DEP -> values.get(in.readInt());
                case ARG_INT -> in.readInt();
                case ARG_LONG -> in.readLong();
                case ARG_DOUBLE -> in.readDouble();
                case ARG_STRING -> in.readUTF();
                case ARG_NULL -> null;
                case ARG_TRUE -> Boolean.TRUE;
                case ARG_FALSE -> Boolean.FALSE;
                default -> throw new IOException("unknown argument tag " + tag);
            };
            if (args[i] instanceof Failure f) fn = f;
            if (args[i] == ABSENT) missing = true;
        }
        if (fn instanceof Failure f && !runFailed) {
            fail(id, f.error);
            return;
        }
        if (missing || runFailed || fn == null) {
            skip(id);
            return;
        }
        long t0 = System.nanoTime();
        Object v;
        current.putInt(0, id);
        try {
            v = ((FnN) fn).invoke(args);
        } catch (Throwable e) {
            current.putInt(0, -1);
            args = null;
            fail(id, outOfMemory(e));
            return;
        }
        current.putInt(0, -1);
        finish(id, flags, v, System.nanoTime() - t0);
    }

    private void task() throws IOException {
        int id = in.readInt();
        byte flags = in.readByte();
        Object decoded = decodeOrFailure(readBytes(in));
        int n = in.readInt();
        int[] deps = new int[n];
        boolean missing = false;
        for (int i = 0; i < n; i++) {
            deps[i] = in.readInt();
            Object v = values.get(deps[i]);
            if (v instanceof Failure) decoded = v;
            if (v == ABSENT) missing = true;
        }
        if (decoded instanceof Failure f && !runFailed) {
            fail(id, f.error);
            return;
        }
        if (missing || runFailed) {
            skip(id);
            return;
        }
        Task t = (Task) decoded;
        long t0 = System.nanoTime();
        Object v;
        current.putInt(0, id);
        try {
            v = t.execute(lookup(t, deps));
        } catch (Throwable e) {
            current.putInt(0, -1);
            fail(id, outOfMemory(e));
            return;
        }
        current.putInt(0, -1);
        finish(id, flags, v, System.nanoTime() - t0);
    }

    /** Dependency j of {@code t} is table slot {@code deps[j]}. */
    private Function<Key, Object> lookup(Task t, int[] deps) {
        if (deps.length <= 16) {
            return k -> {
                for (int j = 0; j < deps.length; j++) if (t.dependency(j).equals(k)) return values.get(deps[j]);
                throw new IllegalStateException("task read " + k + ", not one of its dependencies");
            };
        }
        HashMap<Key, Integer> index = new HashMap<>(deps.length * 4 / 3 + 1);
        for (int j = 0; j < deps.length; j++) index.put(t.dependency(j), deps[j]);
        return k -> {
            Integer d = index.get(k);
            if (d == null) throw new IllegalStateException("task read " + k + ", not one of its dependencies");
            return values.get(d);
        };
    }

    private void finish(int id, byte flags, Object v, long nanos) throws IOException {
        values.put(id, v);
        reportMemory(); // before DONE: the parent hands out the dependents on DONE
        if ((flags & RETURN) == 0) {
            out.writeByte(DONE);
            out.writeInt(id);
            out.writeLong(nanos);
            out.writeByte(0);
            return;
        }
        byte[] b;
        try {
            b = Codecs.encode(v);
        } catch (RuntimeException e) {
            failResult(id, v, e, FAIL_RESULT);
            return;
        }
        out.writeByte(DONE);
        out.writeInt(id);
        out.writeLong(nanos);
        out.writeByte(1);
        writeBytes(out, b);
    }

    private void fetch(int id) throws IOException {
        Object v = values.get(id);
        if (v == ABSENT || v instanceof Failure) {
            out.writeByte(FAILED);
            out.writeInt(id);
            out.writeByte(FAIL_INPUT);
            return;
        }
        byte[] b;
        try {
            b = Codecs.encode(v);
        } catch (RuntimeException e) {
            failResult(id, v, e, FAIL_FETCH);
            return;
        }
        out.writeByte(DATA);
        out.writeInt(id);
        writeBytes(out, b);
    }

    private void failResult(int id, Object v, RuntimeException e, byte kind) throws IOException {
        String detail = e.getMessage();
        if (!(e instanceof SerializationException)) detail = e.toString();
        try {
            SerializationCheck.checkValue(null, v, "result");
        } catch (SerializationException se) {
            detail = se.field() == null ? se.getMessage() : "at " + se.field();
        }
        out.writeByte(FAILED);
        out.writeInt(id);
        out.writeByte(kind);
        out.writeUTF(v.getClass().getName());
        out.writeUTF(detail == null ? "" : truncate(detail));
    }

    /**
     * A task's {@code OutOfMemoryError} fails that task with the heap's size and what to do (the
     * parent names the key); the worker lives on, its values spilled to make room.
     */
    private Throwable outOfMemory(Throwable e) {
        if (!(e instanceof OutOfMemoryError)) return e;
        long max = Runtime.getRuntime().maxMemory();
        IllegalStateException x = new IllegalStateException("ran out of memory (" + e.getMessage() + ") in a processes worker JVM with a"
                + " memory limit of " + max + " bytes (its -Xmx; " + (values.managedBytes() >> 20) + " MB of results held, "
                + (values.spilledBytes() >> 20) + " MB spilled): its result or working set does not fit; split it into smaller"
                + " chunks, or give workers more heap with config processes.worker-jvm-options, e.g. -Xmx4g");
        x.setStackTrace(e.getStackTrace());
        return x;
    }

    private void skip(int id) throws IOException {
        out.writeByte(SKIPPED);
        out.writeInt(id);
    }

    private void fail(int id, Throwable e) throws IOException {
        runFailed = true;
        out.writeByte(FAILED);
        out.writeInt(id);
        out.writeByte(FAIL_TASK);
        byte[] b = null;
        try {
            b = Codecs.encode(e);
            Codecs.decode(b); // the parent must be able to read it back (policy, odd fields)
        } catch (RuntimeException | StackOverflowError ignored) {
            b = null;
        }
        if (b != null) {
            out.writeByte(ERROR_FRAME);
            writeBytes(out, b);
            return;
        }
        out.writeByte(ERROR_FALLBACK);
        out.writeUTF(e.getClass().getName());
        out.writeUTF(e.getMessage() == null ? "\u0000" : truncate(e.getMessage()));
        StackTraceElement[] st = e.getStackTrace();
        out.writeInt(st.length);
        for (StackTraceElement f : st) {
            out.writeUTF(f.getClassName());
            out.writeUTF(f.getMethodName());
            out.writeUTF(f.getFileName() == null ? "" : f.getFileName());
            out.writeInt(f.getLineNumber());
        }
    }

    private static String truncate(String s) {
        return s.length() > 8000 ? s.substring(0, 8000) + "..." : s;
    }

    /** Decodes a frame the parent wrote to a (shared-memory) file, straight from a mapping of it. */
    private static Object decodeFile(String path) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(java.nio.file.Path.of(path))) {
            return Codecs.decode(ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, ch.size()));
        } catch (IOException | RuntimeException e) {
            return new Failure(e);
        }
    }

    private static Object decodeOrFailure(byte[] b) {
        try {
            return Codecs.decode(b);
        } catch (RuntimeException e) {
            return new Failure(e);
        }
    }


    /** A value that could not be decoded in this worker; tasks reading it fail with its error. */
    private record Failure(Throwable error) {}
}

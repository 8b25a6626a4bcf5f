package org.jdask.distributed.internal;

import java.time.Duration;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jdask.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * Notices a component that stopped working although its process still runs, says so loudly, and
 * (in a process that is only that component: a worker JVM, {@code jdask scheduler}) exits, so a
 * nanny restarts the worker and a scheduler's supervisor sees it die instead of a process that
 * answers no one.
 *
 * <p>How it works. One daemon thread ({@code jdask-watchdog}) checks every second:
 * <ul>
 *   <li><b>the ZeroMQ I/O thread</b>: a probe message goes between two PAIR sockets over TCP
 *       loopback, so it passes through the I/O thread every socket of this JVM shares; if the last
 *       probe has not arrived after the timeout, that thread is wedged (JeroMQ 0.6.0 could be made
 *       to spin in it with ~100 hostile bytes, see {@link FrameGuard});</li>
 *   <li><b>each component's own loop</b>: a scheduler, worker or client I/O loop calls
 *       {@link Beat#beat()} every turn (it wakes at least every heartbeat interval); one that has
 *       not beaten for the timeout is stuck.</li>
 * </ul>
 * Time the watchdog itself did not run (a stopped JVM, a suspended machine) does not count. The
 * timeout is {@code distributed.admin.watchdog-timeout} (seconds, 60; 0 turns the watchdog off):
 * far above GC pauses, far below "never".
 */
public final class Watchdog {
    private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);
    /** Exit status of a process stopped by the watchdog. */
    public static final int EXIT_STATUS = 70;
    private static Watchdog global;

    private final long timeoutMs;
    private final List<Beat> beats = new CopyOnWriteArrayList<>();
    private final Consumer<String> onWedged;
    private final Thread thread;
    private volatile boolean exitOnFailure;
    private volatile boolean stopped;

    /** A component's liveness: its loop calls {@link #beat()} every turn. */
    public static final class Beat implements AutoCloseable {
        final String name;
        final Thread owner;
        final Consumer<String> onStuck;
        final Watchdog dog;
        volatile long last = System.nanoTime();
        volatile boolean reported;

        Beat(Watchdog dog, String name, Thread owner, Consumer<String> onStuck) {
            this.dog = dog;
            this.name = name;
            this.owner = owner;
            this.onStuck = onStuck;
        }

        /** The loop is alive. Cheap: one volatile write. */
        public void beat() {
            last = System.nanoTime();
        }

        /** The component stopped on purpose: no longer watched. */
        @Override
        public void close() {
            dog.beats.remove(this);
        }
    }

    /**
     * A watchdog with its own probe sockets; {@code onWedged} hears about a wedged ZeroMQ I/O thread
     * (after the log and before any exit).
     */
    public Watchdog(long timeoutMs, Consumer<String> onWedged) {
        if (timeoutMs <= 0) throw new IllegalArgumentException("watchdog timeout must be > 0 ms, got " + timeoutMs);
        this.timeoutMs = timeoutMs;
        this.onWedged = onWedged;
        this.thread = new Thread(this::run, "jdask-watchdog");
        thread.setDaemon(true);
        thread.start();
    }

    /** The JVM's watchdog, or null when {@code distributed.admin.watchdog-timeout} is 0. */
    public static synchronized Watchdog global() {
        if (global == null) {
            long ms = Config.getDuration("distributed.admin.watchdog-timeout", Duration.ofSeconds(60)).toMillis();
            if (ms <= 0) return null;
            global = new Watchdog(ms, why -> { });
        }
        return global;
    }

    /**
     * Watches the loop running on {@code owner} (the current thread when null); {@code onStuck}
     * runs on the watchdog thread once it is stuck. Returns a no-op beat without a watchdog.
     */
    public static Beat watch(String name, Consumer<String> onStuck) {
        Watchdog w = global();
        if (w == null) return new Beat(new Watchdog(), name, Thread.currentThread(), onStuck);
        return w.register(name, Thread.currentThread(), onStuck);
    }

    /** A disabled watchdog (no thread) for {@link #watch} when it is turned off. */
    private Watchdog() {
        this.timeoutMs = Long.MAX_VALUE;
        this.onWedged = why -> { };
        this.thread = null;
        this.stopped = true;
    }

    public Beat register(String name, Thread owner, Consumer<String> onStuck) {
        Beat b = new Beat(this, name, owner, onStuck);
        if (!stopped) beats.add(b);
        return b;
    }

    /**
     * From now on a failure ends this process with {@link #EXIT_STATUS}: for processes that are one
     * component (a worker JVM, {@code jdask scheduler}), never for a user's JVM.
     */
    public static void exitOnFailure() {
        Watchdog w = global();
        if (w != null) w.exitOnFailure = true;
    }

    /** Like {@link #exitOnFailure()} for this watchdog; returns it. */
    public Watchdog exitOnFailure(boolean exit) {
        exitOnFailure = exit;
        return this;
    }

    /** Stops this watchdog's thread (tests). */
    public void stop() {
        stopped = true;
        if (thread != null) thread.interrupt();
    }

    /** Two PAIR sockets over TCP loopback: a probe sent on one passes the I/O thread to reach the other. */
    private static final class Probe {
        final ZMQ.Socket in, out;
        final byte[] token = Wire.remoteIdentity(); // random: a stray peer's bytes never count as the probe

        Probe() {
            in = Zmq.context().createSocket(SocketType.PAIR);
            in.setLinger(0);
            in.setMsgAllocator(FrameGuard.INSTANCE);
            in.setMaxMsgSize(64);
            int port = in.bindToRandomPort("tcp://127.0.0.1");
            out = Zmq.context().createSocket(SocketType.PAIR);
            out.setLinger(0);
            Zmq.connect(out, "tcp://127.0.0.1:" + port, "the watchdog's own probe listener");
        }

        void send() {
            out.send(token, ZMQ.DONTWAIT);
        }

        boolean arrived() {
            boolean got = false;
            byte[] b;
            while ((b = in.recv(ZMQ.DONTWAIT)) != null) got |= java.util.Arrays.equals(b, token);
            return got;
        }

        void close() {
            Zmq.close(in);
            Zmq.close(out);
        }
    }

    private void run() {
        Probe probe = null;
        long probeSince = System.nanoTime(), lastTurn = System.nanoTime();
        boolean renewed = false, wedgeReported = false;
        try {
            probe = new Probe();
            probe.send();
        } catch (RuntimeException e) {
            LOG.warn("watchdog: cannot open its probe sockets ({}); watching component loops only", e.toString());
        }
        while (!stopped) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                break;
            }
            long now = System.nanoTime();
            long overslept = (now - lastTurn) / 1_000_000 - 1000;
            lastTurn = now;
            if (overslept > 2000) { // this thread did not run either: that time proves nothing about others
                for (Beat b : beats) b.last += overslept * 1_000_000;
                probeSince += overslept * 1_000_000;
            }
            if (probe != null) {
                long waited = (now - probeSince) / 1_000_000;
                if (probe.arrived()) {
                    probeSince = now;
                    renewed = false;
                    probe.send();
                } else if (!renewed && waited > timeoutMs / 2) {
                    // the probe's own connection may be the problem (dropped, its port taken): new sockets once
                    renewed = true;
                    probe.close();
                    probe = new Probe();
                    probe.send();
                } else if (!wedgeReported && waited > timeoutMs) {
                    wedgeReported = true;
                    fail("the ZeroMQ I/O thread passed no probe for " + waited + " ms", ioThreads(), onWedged);
                }
            }
            for (Beat b : beats) {
                long silent = (now - b.last) / 1_000_000;
                if (!b.reported && silent > timeoutMs) {
                    b.reported = true;
                    fail(b.name + ": its loop has not turned for " + silent + " ms (thread " + b.owner.getName() + ")",
                            List.of(b.owner), b.onStuck);
                }
            }
        }
        if (probe != null) probe.close();
    }

    private static List<Thread> ioThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("iothread")).toList();
    }

    private void fail(String why, List<Thread> threads, Consumer<String> callback) {
        StringBuilder dump = new StringBuilder();
        for (Thread t : threads) {
            ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(new long[] {t.getId()}, true, true)[0];
            if (info != null) dump.append(info);
            for (StackTraceElement e : t.getStackTrace()) dump.append("\tat ").append(e).append('\n');
        }
        LOG.error("WATCHDOG: {} (distributed.admin.watchdog-timeout = {} s){}{}", why, timeoutMs / 1000.0,
                exitOnFailure ? "; exiting with status " + EXIT_STATUS : "", dump.length() == 0 ? "" : "\n" + dump);
        try {
            callback.accept(why);
        } catch (RuntimeException e) {
            LOG.warn("watchdog callback failed", e);
        }
        if (exitOnFailure) {
            System.err.println("jdask watchdog: " + why + "; exiting with status " + EXIT_STATUS);
            Thread halt = new Thread(() -> {
                try {
                    Thread.sleep(10_000);
                } catch (InterruptedException ignored) {
                    // exiting anyway
                }
                Runtime.getRuntime().halt(EXIT_STATUS); // shutdown hooks stuck on the wedged component
            }, "jdask-watchdog-halt");
            halt.setDaemon(true);
            halt.start();
            System.exit(EXIT_STATUS);
        }
    }
}

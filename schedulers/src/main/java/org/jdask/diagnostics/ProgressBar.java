package org.jdask.diagnostics;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jdask.graph.Key;
import org.jdask.graph.Listeners;
import org.jdask.graph.SchedulerListener;
import org.jdask.graph.TaskGraph;

/**
 * A console progress bar for every local run while it is open (Dask's {@code ProgressBar}):
 *
 * <pre>{@code
 * try (var bar = new ProgressBar()) {
 *     x.compute();
 * }
 * // [########################################] 100% | 1000/1000 tasks | 1.4 s
 * }</pre>
 *
 * <p>It registers itself with {@link Listeners#register} when built and unregisters on {@link
 * #close()}. Redraws are rate-limited (at most one per {@code minInterval}, 100 ms by default,
 * plus a first and a last one per run). On an interactive console the bar redraws in place with a
 * carriage return; on any other stream (stdout piped to a file, a {@code PrintStream} you pass)
 * each redraw is a plain line, so logs stay readable. A {@code compute()} nested inside a task
 * adds its tasks to the running total instead of starting a new bar.
 *
 * <p>Why not {@code me.tongfei:progressbar} (managed in the parent pom): its bar is built with a
 * fixed maximum and is refreshed by its own scheduled thread, while here the total is only known
 * when a run starts (and grows with nested runs) and redraws are naturally driven by task
 * completions; it also brings JLine for terminal detection, which this class replaces with
 * {@link System#console()}. What is needed fits in this one small class.
 */
public final class ProgressBar implements SchedulerListener, AutoCloseable {
    private static final int WIDTH = 40;

    private final PrintStream out;
    private final long minIntervalNanos;
    private final boolean redrawInPlace;
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong lastDraw = new AtomicLong();
    private final AtomicInteger depth = new AtomicInteger();
    private volatile long startNanos;
    private int lastLength;

    /** A bar on {@code System.out}, redrawn in place on a console, at most 10 times a second. */
    public ProgressBar() {
        this(System.out, Duration.ofMillis(100), System.console() != null);
    }

    /** A bar printing plain lines to {@code out}, at most 10 times a second. */
    public ProgressBar(PrintStream out) {
        this(out, Duration.ofMillis(100));
    }

    /** A bar printing plain lines to {@code out}, at most once per {@code minInterval}. */
    public ProgressBar(PrintStream out, Duration minInterval) {
        this(out, minInterval, false);
    }

    /**
     * A bar on {@code out}, at most once per {@code minInterval}; {@code redrawInPlace} draws with
     * carriage returns (only sensible on a terminal) instead of one line per redraw.
     */
    public ProgressBar(PrintStream out, Duration minInterval, boolean redrawInPlace) {
        this(out, minInterval, redrawInPlace, true);
    }

    private ProgressBar(PrintStream out, Duration minInterval, boolean redrawInPlace, boolean register) {
        this.out = Objects.requireNonNull(out, "out");
        if (minInterval.isNegative()) throw new IllegalArgumentException("minInterval must be >= 0, got " + minInterval);
        this.minIntervalNanos = minInterval.toNanos();
        this.redrawInPlace = redrawInPlace;
        if (register) Listeners.register(this);
    }

    /**
     * A bar that is not registered with {@link Listeners}, so local runs do not move it: its owner
     * reports progress with {@link #update} (as {@code Futures.progress} does for distributed
     * futures). The same drawing as every other bar.
     */
    public static ProgressBar unregistered(PrintStream out, Duration minInterval, boolean redrawInPlace) {
        return new ProgressBar(out, minInterval, redrawInPlace, false);
    }

    /**
     * Sets the bar to {@code doneNow} of {@code totalNow} tasks and redraws it if {@code
     * minInterval} has passed since the last drawing; {@code last} always draws (and ends the line
     * of an in-place bar). The clock starts at the first update.
     */
    public void update(long doneNow, long totalNow, boolean last) {
        if (startNanos == 0) startNanos = System.nanoTime();
        total.set(totalNow);
        done.set(doneNow);
        long now = System.nanoTime();
        long prev = lastDraw.get();
        if (last || (prev == 0 || now - prev >= minIntervalNanos) && lastDraw.compareAndSet(prev, now)) draw(last);
    }

    @Override
    public void start(TaskGraph graph) {
        if (depth.getAndIncrement() == 0) {
            total.set(0);
            done.set(0);
            startNanos = System.nanoTime();
            total.addAndGet(graph.size());
            draw(false);
        } else {
            total.addAndGet(graph.size());
        }
    }

    @Override
    public void posttask(Key key, Object result, int worker, boolean failed) {
        done.incrementAndGet();
        long now = System.nanoTime();
        long last = lastDraw.get();
        if (now - last >= minIntervalNanos && lastDraw.compareAndSet(last, now)) draw(false);
    }

    @Override
    public void finish(Throwable error) {
        if (depth.decrementAndGet() == 0) draw(true);
    }

    /** Fraction done in the current (or last) run, 0..1. */
    public double fraction() {
        long t = total.get();
        return t == 0 ? 1.0 : Math.min(1.0, (double) done.get() / t);
    }

    private synchronized void draw(boolean last) {
        lastDraw.set(System.nanoTime());
        long t = total.get();
        long d = Math.min(done.get(), t);
        double f = t == 0 ? 1.0 : (double) d / t;
        int filled = (int) Math.round(f * WIDTH);
        StringBuilder b = new StringBuilder(WIDTH + 48).append('[');
        for (int i = 0; i < WIDTH; i++) b.append(i < filled ? '#' : ' ');
        b.append("] ").append(String.format("%3d%%", (int) Math.floor(f * 100))).append(" | ").append(d).append('/')
                .append(t).append(" tasks | ")
                .append(String.format("%.1f s", (System.nanoTime() - startNanos) / 1e9));
        String line = b.toString();
        if (redrawInPlace) {
            String pad = line.length() < lastLength ? " ".repeat(lastLength - line.length()) : "";
            out.print('\r' + line + pad);
            if (last) out.println();
            lastLength = line.length();
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Unregisters the bar; later runs are not shown. */
    @Override
    public void close() {
        Listeners.unregister(this);
    }
}

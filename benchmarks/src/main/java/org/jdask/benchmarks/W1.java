package org.jdask.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdask.Delayed;
import org.jdask.Jdask;
import org.jdask.graph.Key;
import org.jdask.graph.RunOptions;
import org.jdask.graph.Scheduler;
import org.jdask.graph.SchedulerListener;
import org.jdask.graph.Schedulers;
import org.jdask.graph.TaskGraph;

/**
 * W1 of shared/BENCHMARKS.md, delayed overhead: (a) 10,000 independent {@code inc} + one {@code
 * sum}; (b) a 10,000-long {@code inc} chain; (c) a 1,000,000-task graph (1,000 chains of 1,000
 * plus a final sum), reporting build, optimize and run times and the scheduler's memory per task.
 */
public final class W1 {
    static final int N = 10_000;

    private W1() {}

    public static int inc(int x) {
        return x + 1;
    }

    public static long sum(List<Integer> xs) {
        long s = 0;
        for (int x : xs) s += x;
        return s;
    }

    public static Delayed<Long> fanIn(int n) {
        List<Delayed<Integer>> parts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) parts.add(Delayed.of(W1::inc).apply(i));
        return Delayed.of(W1::sum).apply(Delayed.all(parts));
    }

    public static Delayed<Integer> chain(int n) {
        Delayed<Integer> x = Delayed.of(W1::inc).apply(0);
        for (int i = 1; i < n; i++) x = Delayed.of(W1::inc).apply(x);
        return x;
    }

    /** {@code chains} chains of {@code length} incs, ends summed: chains*length + 2 tasks. */
    public static Delayed<Long> chains(int chains, int length) {
        List<Delayed<Integer>> ends = new ArrayList<>(chains);
        for (int c = 0; c < chains; c++) {
            Delayed<Integer> x = Delayed.of(W1::inc).apply(c);
            for (int i = 1; i < length; i++) x = Delayed.of(W1::inc).apply(x);
            ends.add(x);
        }
        return Delayed.of(W1::sum).apply(Delayed.all(ends));
    }

    /** One measured part. */
    public record Part(String name, int tasks, double buildS, double optimizeS, double runS, Object result, double bytesPerTask) {
        double tasksPerS() {
            return tasks / runS;
        }
    }

    static Part timeFanIn(String scheduler) {
        return timed("a_fanin", N + 2, () -> fanIn(N), (long) N * (N + 1) / 2, scheduler);
    }

    static Part timeChain(String scheduler) {
        return timed("b_chain", N, () -> chain(N), N, scheduler);
    }

    /** Builds with {@code build}, computes on {@code scheduler} (2 workers), checks the answer. */
    private static <T> Part timed(String part, int tasks, java.util.function.Supplier<Delayed<T>> build, T expected, String scheduler) {
        long t0 = System.nanoTime();
        Delayed<T> g = build.get();
        long t1 = System.nanoTime();
        T r = g.compute(Map.of("scheduler", scheduler, "num-workers", 2));
        long t2 = System.nanoTime();
        if (!expected.equals(r)) throw new AssertionError(part + " result " + r + ", expected " + expected);
        return new Part(part, tasks, s(t1 - t0), 0, s(t2 - t1), r, Double.NaN);
    }

    /**
     * The 1M-task graph. Build = Delayed calls; optimize = {@link Jdask#optimize}; run = the
     * scheduler's {@code get}. Scheduler memory per task = heap used (after GC) when the first
     * task starts minus heap used (after GC) just before {@code get}, over the task count: what
     * the engine holds beyond the graph itself (measured by an untimed run before the timed one).
     */
    static Part timeMillion(String scheduler) {
        return timeMillion(scheduler, true);
    }

    /**
     * The 1M-task graph built, optimized and run once; with {@code probeMemory} an untimed run with
     * a heap probe (and {@code System.gc()} calls) comes first, which a user's one cold run does
     * not do ({@code Runner cold} passes false; its bytes per task is then NaN).
     */
    static Part timeMillion(String scheduler, boolean probeMemory) {
        long t0 = System.nanoTime();
        Delayed<Long> g = chains(1000, 1000);
        long t1 = System.nanoTime();
        TaskGraph opt = Jdask.optimize(g);
        long t2 = System.nanoTime();
        RunOptions plain = RunOptions.of(Map.of("scheduler", scheduler, "num-workers", 2));
        Scheduler sch = Schedulers.resolve(plain);
        double bytesPerTask = probeMemory ? probeBytesPerTask(sch, opt, g.keys(), plain) : Double.NaN;
        long t3 = System.nanoTime();
        Object r = sch.get(opt, g.keys(), new RunOptions(List.of(), plain.config())).get(0);
        long t4 = System.nanoTime();
        long expected = 0;
        for (int c = 0; c < 1000; c++) expected += c + 1000;
        if (!Long.valueOf(expected).equals(r)) throw new AssertionError("1M result " + r + " expected " + expected);
        return new Part("c_million", opt.size(), s(t1 - t0), s(t2 - t1), s(t4 - t3), r, bytesPerTask);
    }

    /** An untimed run with a probe: heap used at the first task minus before the run, over the task count (then a GC). */
    private static double probeBytesPerTask(Scheduler sch, TaskGraph opt, List<Key> outputs, RunOptions plain) {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long[] atFirstTask = {-1};
        SchedulerListener probe = new SchedulerListener() {
            @Override
            public void pretask(Key key, int worker) {
                synchronized (atFirstTask) {
                    if (atFirstTask[0] < 0) {
                        System.gc();
                        atFirstTask[0] = mem.getHeapMemoryUsage().getUsed();
                    }
                }
            }
        };
        System.gc();
        long before = mem.getHeapMemoryUsage().getUsed();
        sch.get(opt, outputs, new RunOptions(List.of(probe), plain.config()));
        System.gc();
        return (atFirstTask[0] - before) / (double) opt.size();
    }

    /** The plain-Java floor: calling {@code inc} n times in a loop, seconds. */
    static double plainLoop(int n) {
        int x = 0;
        long best = Long.MAX_VALUE;
        for (int rep = 0; rep < 20; rep++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) x = inc(x);
            best = Math.min(best, System.nanoTime() - t0);
        }
        if (x == 42) System.out.print("");
        return s(best);
    }

    static double s(long nanos) {
        return nanos / 1e9;
    }
}

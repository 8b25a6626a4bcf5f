package org.jdask.schedulers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdask.Config;
import org.jdask.Delayed;
import org.jdask.TaskFailedException;
import org.jdask.fn.Fn1;
import org.jdask.graph.Key;
import org.jdask.graph.RunOptions;
import org.jdask.graph.SchedulerListener;
import org.jdask.graph.TaskGraph;
import org.jdask.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Behaviour of the local engine beyond the scheduler contract: memory, threads, nesting, load. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LocalEngineTest {
    static final Fn1<Integer, Integer> INC = x -> x + 1;

    static List<Object> run(String scheduler, int workers, TaskGraph g, List<Key> outs, SchedulerListener... ls) {
        Map<String, Object> cfg = new java.util.HashMap<>(Config.snapshot());
        cfg.put("num-workers", workers);
        RunOptions o = new RunOptions(List.of(ls), cfg);
        return org.jdask.graph.Schedulers.provider(scheduler).scheduler(o).get(g, outs, o);
    }

    @Test
    void intermediateChunksAreReleasedOnALongChainOfLargeChunks() {
        for (String s : List.of("sync", "threads")) {
            List<WeakReference<double[]>> made = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger maxAlive = new AtomicInteger();
            Fn1<double[], double[]> step = prev -> {
                if (made.size() % 10 == 9) {
                    System.gc();
                    int alive = 0;
                    synchronized (made) {
                        for (WeakReference<double[]> r : made) if (r.get() != null) alive++;
                    }
                    maxAlive.accumulateAndGet(alive, Math::max);
                }
                double[] next = new double[1 << 20]; // 8 MB
                next[0] = prev[0] + 1;
                made.add(new WeakReference<>(next));
                return next;
            };
            int n = 100;
            TaskGraph.Builder b = TaskGraph.builder(n + 1).data(Key.of("c", 0), new double[1]);
            for (int i = 1; i <= n; i++) b.task(Key.of("c", i), step, Key.of("c", i - 1));
            double[] last = (double[]) run(s, 2, b.build(), List.of(Key.of("c", n))).get(0);
            assertEquals(n, last[0]);
            // the running task's input (and possibly one value in flight) may be alive, never the chain
            assertTrue(maxAlive.get() <= 3, s + ": " + maxAlive.get() + " chunks alive at once");
            assertTrue(maxAlive.get() >= 1, s + ": the check never saw the live input");
        }
    }

    @Test
    void syncRunsEverythingOnTheCallingThread() {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        Fn1<Integer, Integer> where = x -> {
            threads.add(Thread.currentThread().getName());
            return x;
        };
        TaskGraph.Builder b = TaskGraph.builder();
        for (int i = 0; i < 100; i++) b.task(Key.of("w", i), where, i);
        run("sync", 4, b.build(), List.of(Key.of("w", 99)));
        assertEquals(Set.of(Thread.currentThread().getName()), threads);
    }

    @Test
    void threadsRunsAtMostNumWorkersTasksAtOnce() {
        AtomicInteger now = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        Fn1<Integer, Integer> busy = x -> {
            max.accumulateAndGet(now.incrementAndGet(), Math::max);
            Thread.sleep(2);
            now.decrementAndGet();
            return x;
        };
        TaskGraph.Builder b = TaskGraph.builder();
        for (int i = 0; i < 200; i++) b.task(Key.of("b", i), busy, i);
        run("threads", 3, b.build(), List.of(Key.of("b", 0)));
        assertTrue(max.get() <= 3 && max.get() >= 1, "max concurrent " + max.get());
    }

    @Test
    void afterAFailureNoNewTaskStartsAndRunningSiblingsFinish() {
        int n = 2_000;
        AtomicInteger pre = new AtomicInteger();
        AtomicInteger post = new AtomicInteger();
        SchedulerListener counting = new SchedulerListener() {
            @Override
            public void pretask(Key key, int worker) {
                pre.incrementAndGet();
            }

            @Override
            public void posttask(Key key, Object result, int worker, boolean failed) {
                post.incrementAndGet();
            }
        };
        Fn1<Integer, Integer> work = x -> {
            if (x == 50) throw new IllegalStateException("bad " + x);
            Thread.sleep(1);
            return x;
        };
        TaskGraph.Builder b = TaskGraph.builder();
        for (int i = 0; i < n; i++) b.task(Key.of("t", i), work, i);
        TaskFailedException e = assertThrows(TaskFailedException.class,
                () -> run("threads", 2, b.build(), List.of(Key.of("t", 0)), counting));
        assertEquals(Key.of("t", 50), e.key());
        int startedAtThrow = pre.get();
        assertEquals(startedAtThrow, post.get(), "running siblings finished before the caller saw the error");
        assertTrue(startedAtThrow < n, "started " + startedAtThrow);
        awaitHelpersGone();
        assertEquals(startedAtThrow, pre.get(), "no task started after the failure");
    }

    @Test
    void noEngineThreadIsLeftBusyOrNonDaemonAfterRunsAndFailures() {
        Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
        Fn1<Integer, Integer> maybeFail = x -> {
            if (x % 7 == 3) throw new IllegalArgumentException("x=" + x);
            return x;
        };
        for (int r = 0; r < 30; r++) {
            TaskGraph.Builder b = TaskGraph.builder();
            for (int i = 0; i < 50; i++) b.task(Key.of("r" + r, i), r % 2 == 0 ? INC : maybeFail, i);
            List<Key> outs = List.of(Key.of("r" + r, 49));
            if (r % 2 == 0) run("threads", 4, b.build(), outs);
            else assertThrows(TaskFailedException.class, () -> run("threads", 4, b.build(), outs));
        }
        awaitHelpersGone();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (before.contains(t)) continue;
            assertTrue(t.isDaemon(), "non-daemon thread left: " + t);
        }
    }

    @Test
    void nestedComputeInsideTasksOnThreadsDoesNotDeadlock() {
        // every outer task computes an inner graph, which computes another: more runs than workers
        Fn1<Integer, Integer> inner = x -> Delayed.of(INC).apply(x).compute() + Config.getInt("nest-marker", -100);
        Fn1<Integer, Integer> outer = x -> Delayed.of(inner).apply(x).compute();
        List<Delayed<Integer>> parts = new ArrayList<>();
        for (int i = 0; i < 16; i++) parts.add(Delayed.of(outer).apply(i));
        List<Integer> r = org.jdask.Jdask.compute(parts, Map.of("scheduler", "threads", "num-workers", 2, "nest-marker", 1000));
        for (int i = 0; i < 16; i++) assertEquals(i + 1 + 1000, r.get(i));
    }

    @Test
    void manyConcurrentComputesFromSeveralThreads() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(6);
        try {
            List<Future<Integer>> fs = new ArrayList<>();
            for (int c = 0; c < 60; c++) {
                int base = c;
                fs.add(callers.submit(() -> {
                    Delayed<Integer> d = Delayed.value(base);
                    for (int i = 0; i < 100; i++) d = Delayed.of(INC).apply(d);
                    return d.compute(Map.of("scheduler", "threads", "num-workers", 3));
                }));
            }
            for (int c = 0; c < 60; c++) assertEquals(c + 100, fs.get(c).get(60, TimeUnit.SECONDS));
        } finally {
            callers.shutdownNow();
            assertTrue(callers.awaitTermination(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void aListenerThatThrowsDoesNotWedgeTheEngine() {
        SchedulerListener bad = new SchedulerListener() {
            @Override
            public void start(TaskGraph graph) {
                throw new IllegalStateException("start");
            }

            @Override
            public void pretask(Key key, int worker) {
                throw new IllegalStateException("pre");
            }

            @Override
            public void posttask(Key key, Object result, int worker, boolean failed) {
                throw new IllegalStateException("post");
            }

            @Override
            public void finish(Throwable error) {
                throw new IllegalStateException("finish");
            }
        };
        for (String s : List.of("sync", "threads")) {
            TaskGraph.Builder b = TaskGraph.builder().data(Key.of("a", 0), 0);
            for (int i = 1; i < 50; i++) b.task(Key.of("a", i), INC, Key.of("a", i - 1));
            assertEquals(List.of(49), run(s, 2, b.build(), List.of(Key.of("a", 49)), bad));
        }
    }

    @Test
    void millionTaskGraphRuns() {
        int width = 1000;
        int depth = 1000;
        TaskGraph.Builder b = TaskGraph.builder(width * depth);
        for (int i = 0; i < width; i++) b.data(Key.of("m", i), i);
        for (int d = 1; d < depth; d++) {
            for (int i = 0; i < width; i++) b.task(Key.of("m", d * width + i), INC, Key.of("m", (d - 1) * width + i));
        }
        TaskGraph g = b.build();
        List<Key> outs = List.of(Key.of("m", width * depth - 1));
        for (String s : List.of("sync", "threads")) {
            long t0 = System.nanoTime();
            List<Object> r = run(s, 2, g, outs);
            long ns = System.nanoTime() - t0;
            assertEquals(List.of(width - 1 + depth - 1), r);
            System.out.printf("LocalEngineTest: %s ran %,d tasks in %.2f s (%.2f us/task)%n", s, g.size(), ns / 1e9,
                    ns / 1e3 / g.size());
        }
    }

    @Test
    void interruptingACallerThatIsRunningASleepingTaskCancelsInsteadOfFailingTheTask() throws Exception {
        for (String sched : List.of("sync", "threads")) {
            java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
            Thread caller = Thread.currentThread();
            Fn1<Integer, Integer> nap = x -> {
                if (Thread.currentThread() == caller) started.countDown();
                Thread.sleep(5);
                return x + 1;
            };
            // independent tasks, so there is always a ready one and the caller surely runs some
            int n = 4_000;
            TaskGraph.Builder b = TaskGraph.builder(n);
            for (int i = 0; i < n; i++) b.task(Key.of("z", i), nap, i);
            Thread interrupter = new Thread(() -> {
                try {
                    if (started.await(30, TimeUnit.SECONDS)) caller.interrupt();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            interrupter.setDaemon(true);
            interrupter.start();
            try {
                org.jdask.JdaskException e = assertThrows(org.jdask.JdaskException.class,
                        () -> run(sched, 2, b.build(), List.of(Key.of("z", n - 1))));
                assertFalse(e instanceof TaskFailedException, sched + ": " + e);
                assertTrue(e.getMessage().contains("interrupted"), e.getMessage());
                assertTrue(Thread.currentThread().isInterrupted(), sched + ": flag restored");
            } finally {
                Thread.interrupted();
                interrupter.join(30_000);
            }
        }
        awaitHelpersGone();
    }

    @Test
    void numWorkersBlankMeansCoresAndBadValuesFailWithTheKeyNamed() {
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(cores, ThreadsSchedulerProvider.workers(new RunOptions(List.of(), Map.of("num-workers", ""))));
        assertEquals(cores, ThreadsSchedulerProvider.workers(new RunOptions(List.of(), Map.of())));
        assertEquals(5, ThreadsSchedulerProvider.workers(new RunOptions(List.of(), Map.of("num-workers", "5"))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ThreadsSchedulerProvider.workers(new RunOptions(List.of(), Map.of("num-workers", 0))));
        assertTrue(e.getMessage().contains("num-workers"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ThreadsSchedulerProvider.workers(new RunOptions(List.of(), Map.of("num-workers", "many"))));
    }

    @Test
    void randomGraphsMatchTheReferenceScheduler() {
        Fn1<Object, Long> sum = LocalEngineTest::sumAll;
        java.util.Random rnd = new java.util.Random(7);
        for (int round = 0; round < 40; round++) {
            int n = 50 + rnd.nextInt(300);
            TaskGraph.Builder b = TaskGraph.builder(n);
            List<Key> all = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Key k = Key.of("r" + round, i);
                int kind = rnd.nextInt(10);
                if (i == 0 || kind == 0) {
                    b.data(k, (long) i);
                } else if (kind == 1) {
                    b.put(k, new org.jdask.graph.Alias(all.get(rnd.nextInt(i))));
                } else {
                    List<Object> args = new ArrayList<>();
                    args.add((long) i);
                    for (int d = rnd.nextInt(4); d >= 0; d--) args.add(all.get(rnd.nextInt(i)));
                    b.task(k, sum, args);
                }
                all.add(k);
            }
            // shuffle insertion order so index order is not a topological order
            List<Key> keys = new ArrayList<>(all);
            Collections.shuffle(keys, rnd);
            TaskGraph built = b.build();
            TaskGraph.Builder shuffled = TaskGraph.builder(n);
            for (Key k : keys) shuffled.put(k, built.get(k));
            TaskGraph g = shuffled.build();
            List<Key> outs = new ArrayList<>();
            for (int j = rnd.nextInt(8); j >= 0; j--) outs.add(all.get(rnd.nextInt(n)));
            RunOptions o = new RunOptions(List.of(), Map.of());
            List<Object> expected = org.jdask.graph.ReferenceScheduler.INSTANCE.get(g, outs, o);
            assertEquals(expected, run("threads", 4, g, outs), "round " + round);
            assertEquals(expected, run("sync", 1, g, outs), "round " + round);
        }
    }

    static long sumAll(Object o) {
        if (o instanceof Long l) return l;
        long s = 0;
        for (Object x : (List<?>) o) s += sumAll(x);
        return s;
    }

    static void awaitHelpersGone() {
        Await.until(() -> LocalEngine.activeHelpers() == 0, Duration.ofSeconds(20), "every helper thread to leave its run",
                () -> LocalEngine.activeHelpers() + " helpers still inside a run");
    }
}

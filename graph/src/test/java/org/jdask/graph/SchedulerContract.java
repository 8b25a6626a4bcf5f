package org.jdask.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdask.Config;
import org.jdask.CycleException;
import org.jdask.Delayed;
import org.jdask.Jdask;
import org.jdask.JdaskException;
import org.jdask.TaskFailedException;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every scheduler must do, as one test body run against each: a subclass names the
 * scheduler ({@code ReferenceSchedulerContractTest}, {@code SyncSchedulerContractTest}, ...).
 * Graphs go through {@code Schedulers.provider(name).scheduler(options).get(...)} and through
 * {@link Delayed}/{@link Jdask#compute} with {@code scheduler} set in the call's config.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class SchedulerContract {
    static final Fn1<Integer, Integer> INC = x -> x + 1;
    static final Fn2<Integer, Integer, Integer> ADD = Integer::sum;
    static final Fn1<Object, Integer> DEEP_SUM = SchedulerContract::deepSum;
    static final Fn1<Integer, Integer> BOOM = SchedulerContract::boom;

    /** The provider name under test, e.g. {@code "threads"}. */
    protected abstract String schedulerName();

    protected List<Object> run(TaskGraph graph, List<Key> outputs, SchedulerListener... listeners) {
        RunOptions options = new RunOptions(Arrays.asList(listeners), Config.snapshot());
        return Schedulers.provider(schedulerName()).scheduler(options).get(graph, outputs, options);
    }

    static int deepSum(Object o) {
        if (o instanceof Integer i) return i;
        int s = 0;
        if (o instanceof List<?> l) for (Object x : l) s += deepSum(x);
        if (o instanceof Map<?, ?> m) for (Object x : m.values()) s += deepSum(x);
        return s;
    }

    static int boom(int x) {
        throw new ArithmeticException("boom on " + x);
    }

    static Key k(String name, int... index) {
        return Key.of(name, index);
    }

    @Test
    void outputsComeInRequestedOrderWithDuplicates() {
        TaskGraph g = TaskGraph.builder().data(k("a"), 1).task(k("b"), INC, k("a")).task(k("c"), ADD, k("a"), k("b")).build();
        assertEquals(List.of(3, 1, 2, 3, 1), run(g, List.of(k("c"), k("a"), k("b"), k("c"), k("a"))));
    }

    @Test
    void dataNodeAndAliasOutputs() {
        Object big = new double[] {1, 2};
        TaskGraph g = TaskGraph.builder().data(k("d"), big).put(k("al"), new Alias(k("d")))
                .put(k("al2"), new Alias(k("al"))).data(k("n"), null).build();
        List<Object> r = run(g, List.of(k("al2"), k("d"), k("al"), k("n")));
        assertSame(big, r.get(0));
        assertSame(big, r.get(1));
        assertSame(big, r.get(2));
        assertNull(r.get(3));
    }

    @Test
    void nullIsAValueLikeAnyOther() {
        Fn1<Integer, Integer> toNull = x -> null;
        Fn1<Integer, String> describe = x -> "got " + x;
        TaskGraph g = TaskGraph.builder().data(k("a"), 1).task(k("n"), toNull, k("a")).task(k("d"), describe, k("n")).build();
        assertEquals(Arrays.asList("got null", null), run(g, List.of(k("d"), k("n"))));
    }

    @Test
    void nestedTasksAndListsAndMapsOfKeysInArguments() {
        TaskGraph g = TaskGraph.builder().data(k("a"), 1).data(k("b"), 10)
                .task(k("c"), ADD, Task.of(INC, k("a")), k("b"))            // (1+1)+10
                .task(k("d"), DEEP_SUM, List.of(k("a"), List.of(k("b"), k("c")), Map.of("x", k("c"))))
                .build();
        assertEquals(List.of(12, 1 + 10 + 12 + 12), run(g, List.of(k("c"), k("d"))));
    }

    @Test
    void sharedDependencyRunsOnce() {
        AtomicInteger calls = new AtomicInteger();
        Fn1<Integer, Integer> counted = x -> {
            calls.incrementAndGet();
            return x * 2;
        };
        TaskGraph g = TaskGraph.builder().data(k("a"), 5).task(k("s"), counted, k("a"))
                .task(k("x"), INC, k("s")).task(k("y"), INC, k("s")).task(k("z"), ADD, k("x"), k("y")).build();
        assertEquals(List.of(22, 11), run(g, List.of(k("z"), k("x"))));
        assertEquals(1, calls.get());
    }

    @Test
    void fanInOfTenThousand() {
        int n = 10_000;
        TaskGraph.Builder b = TaskGraph.builder(n + 1);
        List<Object> parts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            b.task(k("x", i), INC, i);
            parts.add(k("x", i));
        }
        b.task(k("total"), DEEP_SUM, parts);
        assertEquals(List.of(n * (n + 1) / 2), run(b.build(), List.of(k("total"))));
    }

    /**
     * A stack-depth test, not a speed test: it gets 5 minutes, because on {@code distributed} the
     * chain is 100,000 sequential scheduler round trips and took 90-112 s on a loaded 2-core machine.
     */
    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void chainOfHundredThousandDoesNotOverflowTheStack() {
        int n = 100_000;
        TaskGraph.Builder b = TaskGraph.builder(n).data(k("c", 0), 0);
        for (int i = 1; i < n; i++) b.task(k("c", i), INC, k("c", i - 1));
        assertEquals(List.of(n - 1), run(b.build(), List.of(k("c", n - 1))));
    }

    @Test
    void missingKeyFailsBeforeAnyTaskRunsNamingKeyAndReader() {
        AtomicInteger calls = new AtomicInteger();
        Fn1<Integer, Integer> counted = x -> calls.incrementAndGet();
        TaskGraph g = TaskGraph.builder().task(k("ok"), counted, 1).task(k("a"), INC, k("nope")).build();
        NoSuchElementException e = assertThrows(NoSuchElementException.class, () -> run(g, List.of(k("a"), k("ok"))));
        assertTrue(e.getMessage().contains("'nope'") && e.getMessage().contains("'a'"), e.getMessage());
        assertEquals(0, calls.get());
    }

    @Test
    void cycleFailsBeforeAnyTaskRuns() {
        AtomicInteger calls = new AtomicInteger();
        Fn1<Integer, Integer> counted = x -> calls.incrementAndGet();
        TaskGraph g = TaskGraph.builder().task(k("ok"), counted, 1).task(k("a"), INC, k("b"))
                .task(k("b"), INC, k("a")).task(k("c"), INC, k("a")).build();
        CycleException e = assertThrows(CycleException.class, () -> run(g, List.of(k("c"), k("ok"))));
        assertTrue(e.cycle().contains(k("a")) && e.cycle().contains(k("b")), e.getMessage());
        assertEquals(0, calls.get());
    }

    @Test
    void taskFailureNamesTheKeyWithTheOriginalCause() {
        AtomicInteger after = new AtomicInteger();
        Fn1<Integer, Integer> counted = x -> after.incrementAndGet();
        TaskGraph g = TaskGraph.builder().data(k("a"), 7).task(k("b"), BOOM, k("a")).task(k("c"), counted, k("b")).build();
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> run(g, List.of(k("c"))));
        assertEquals(k("b"), e.key());
        ArithmeticException cause = assertInstanceOf(ArithmeticException.class, e.getCause());
        assertEquals("boom on 7", cause.getMessage());
        assertTrue(Arrays.stream(cause.getStackTrace()).anyMatch(f -> f.getMethodName().equals("boom")));
        assertEquals(0, after.get());
    }

    /** Issue 20 item 4: a JDK exception keeps its class, message and cause chain on every scheduler. */
    static final Fn1<String, Integer> READ_MISSING = path -> {
        throw new UncheckedIOException("cannot read " + path, new FileNotFoundException(path + " (No such file or directory)"));
    };

    @Test
    void jdkExceptionsKeepTheirClassMessageAndCauseChain() {
        TaskGraph g = TaskGraph.builder().task(k("read"), READ_MISSING, "/no/such/file.csv").build();
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> run(g, List.of(k("read"))));
        assertEquals(k("read"), e.key());
        UncheckedIOException cause = assertInstanceOf(UncheckedIOException.class, e.getCause());
        assertEquals("cannot read /no/such/file.csv", cause.getMessage());
        FileNotFoundException root = assertInstanceOf(FileNotFoundException.class, cause.getCause());
        assertEquals("/no/such/file.csv (No such file or directory)", root.getMessage());
    }

    @Test
    void errorsInTasksBecomeTaskFailedException() {
        Fn1<Integer, Integer> overflow = new Fn1<>() {
            @Override
            public Integer apply(Integer x) {
                return apply(x + 1) + 1;
            }
        };
        TaskGraph g = TaskGraph.builder().task(k("deep"), overflow, 0).build();
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> run(g, List.of(k("deep"))));
        assertEquals(k("deep"), e.key());
        assertInstanceOf(StackOverflowError.class, e.getCause());
    }

    @Test
    void listenersSeeStartOnePreAndPostPerTaskAndFinish() {
        int n = 200;
        TaskGraph.Builder b = TaskGraph.builder().data(k("r"), 0);
        for (int i = 0; i < n; i++) b.task(k("x", i), INC, k("r"));
        b.put(k("alias"), new Alias(k("x", 0)));
        TaskGraph g = b.build();
        Recorder rec = new Recorder();
        run(g, List.of(k("alias"), k("x", n - 1)), rec);
        assertEquals(List.of("start:" + g.size()), rec.starts);
        assertEquals(g.keys(), Map.copyOf(rec.pre).keySet());
        assertEquals(g.keys(), Map.copyOf(rec.post).keySet());
        assertTrue(rec.pre.values().stream().allMatch(c -> c == 1), rec.pre.toString());
        assertTrue(rec.post.values().stream().allMatch(c -> c == 1), rec.post.toString());
        assertEquals(Collections.singletonList(null), rec.finishes);
        assertEquals(List.of(), rec.outOfOrder);
    }

    @Test
    void listenersSeeFailedPostTaskAndFinishWithTheError() {
        TaskGraph g = TaskGraph.builder().data(k("a"), 1).task(k("b"), BOOM, k("a")).build();
        Recorder rec = new Recorder();
        assertThrows(TaskFailedException.class, () -> run(g, List.of(k("b")), rec));
        assertEquals(List.of(k("b")), rec.failed);
        assertEquals(1, rec.finishes.size());
        assertInstanceOf(TaskFailedException.class, rec.finishes.get(0));
    }

    @Test
    void aThrowingListenerIsLoggedAndSkippedOnEveryScheduler() {
        // it throws in every callback: the run's results and errors are unchanged, it keeps getting
        // its callbacks, and the listener after it sees everything
        Thrower thrower = new Thrower();
        Recorder rec = new Recorder();
        TaskGraph g = TaskGraph.builder().data(k("a"), 1).task(k("b"), INC, k("a")).task(k("c"), INC, k("b")).build();
        assertEquals(List.of(3, 2), run(g, List.of(k("c"), k("b")), thrower, rec));
        assertEquals(1, thrower.starts.get());
        assertEquals(1, thrower.finishes.get(), "finish is still called after start threw");
        assertTrue(thrower.pre.get() >= 2 && thrower.post.get() >= 2, "pre " + thrower.pre + ", post " + thrower.post);
        assertEquals(List.of("start:" + g.size()), rec.starts);
        assertTrue(rec.post.keySet().containsAll(List.of(k("b"), k("c"))), rec.post.toString());
        assertEquals(Collections.singletonList(null), rec.finishes);

        // a failing task still fails with its own error, not the listener's
        TaskGraph bad = TaskGraph.builder().data(k("a"), 1).task(k("b"), BOOM, k("a")).build();
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> run(bad, List.of(k("b")), thrower));
        assertEquals(k("b"), e.key());
        assertEquals(2, thrower.finishes.get());
    }

    /** Throws from every callback, counting them; thread-safe. */
    static final class Thrower implements SchedulerListener {
        final AtomicInteger starts = new AtomicInteger(), pre = new AtomicInteger(), post = new AtomicInteger(),
                finishes = new AtomicInteger();

        @Override
        public void start(TaskGraph graph) {
            starts.incrementAndGet();
            throw new IllegalStateException("listener boom in start");
        }

        @Override
        public void pretask(Key key, int worker) {
            pre.incrementAndGet();
            throw new IllegalStateException("listener boom in pretask");
        }

        @Override
        public void posttask(Key key, Object result, int worker, boolean failed) {
            post.incrementAndGet();
            throw new IllegalStateException("listener boom in posttask");
        }

        @Override
        public void finish(Throwable error) {
            finishes.incrementAndGet();
            throw new IllegalStateException("listener boom in finish");
        }

        @Override
        public String toString() {
            return "Thrower";
        }
    }

    @Test
    void interruptingTheCallerCancelsTheRun() throws Exception {
        int n = 5_000;
        AtomicInteger ran = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        Fn1<Integer, Integer> spin = x -> {
            started.countDown();
            ran.incrementAndGet();
            long end = System.nanoTime() + 1_000_000;
            while (System.nanoTime() < end) Thread.onSpinWait();
            return x + 1;
        };
        TaskGraph.Builder b = TaskGraph.builder(n).data(k("s", 0), 0);
        for (int i = 1; i < n; i++) b.task(k("s", i), spin, k("s", i - 1));
        Thread caller = Thread.currentThread();
        Thread interrupter = new Thread(() -> {
            try {
                if (started.await(30, TimeUnit.SECONDS)) caller.interrupt();
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        interrupter.setDaemon(true);
        interrupter.start();
        try {
            JdaskException e = assertThrows(JdaskException.class, () -> run(b.build(), List.of(k("s", n - 1))));
            assertTrue(e.getMessage().toLowerCase().contains("interrupt"), e.getMessage());
            assertTrue(Thread.currentThread().isInterrupted(), "interrupt flag restored");
            assertTrue(ran.get() < n - 1, "ran " + ran.get());
        } finally {
            Thread.interrupted();
            interrupter.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    @Test
    void emptyOutputListAndEmptyGraph() {
        assertEquals(List.of(), run(TaskGraph.empty(), List.of()));
        TaskGraph g = TaskGraph.builder().data(k("a"), 1).task(k("b"), INC, k("a")).build();
        assertEquals(List.of(), run(g, List.of()));
    }

    @Test
    void delayedAndJdaskComputeUseTheNamedSchedulerAndItsConfig() {
        Fn1<Integer, String> seen = x -> x + ":" + Config.get("scheduler") + ":" + Config.get("contract-marker");
        Delayed<Integer> x = Delayed.of(INC).apply(1);
        Delayed<Integer> y = Delayed.of(ADD).apply(x, x);
        Delayed<String> z = Delayed.of(seen).apply(y);
        Map<String, Object> cfg = Map.of("scheduler", schedulerName(), "contract-marker", 42);
        assertEquals("4:" + schedulerName() + ":42", z.compute(cfg));
        List<Integer> both = Jdask.compute(List.of(x, y, x), cfg);
        assertEquals(List.of(2, 4, 2), both);
    }

    /** Records callbacks; thread-safe. */
    static final class Recorder implements SchedulerListener {
        final List<String> starts = Collections.synchronizedList(new ArrayList<>());
        final Map<Key, Integer> pre = Collections.synchronizedMap(new HashMap<>());
        final Map<Key, Integer> post = Collections.synchronizedMap(new HashMap<>());
        final List<Key> failed = Collections.synchronizedList(new ArrayList<>());
        final List<Throwable> finishes = Collections.synchronizedList(new ArrayList<>());
        final List<String> outOfOrder = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void start(TaskGraph graph) {
            starts.add("start:" + graph.size());
        }

        @Override
        public void pretask(Key key, int worker) {
            if (starts.isEmpty() || !finishes.isEmpty()) outOfOrder.add("pre " + key);
            pre.merge(key, 1, Integer::sum);
        }

        @Override
        public void posttask(Key key, Object result, int worker, boolean failed) {
            if (!pre.containsKey(key) || !finishes.isEmpty()) outOfOrder.add("post " + key);
            post.merge(key, 1, Integer::sum);
            if (failed) this.failed.add(key);
        }

        @Override
        public void finish(Throwable error) {
            finishes.add(error);
        }
    }
}

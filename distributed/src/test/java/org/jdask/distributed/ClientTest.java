package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.jdask.Config;
import org.jdask.Delayed;
import org.jdask.JdaskException;
import org.jdask.TaskFailedException;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;
import org.jdask.graph.Key;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jdask.testing.Await;

/** The Client API against in-process workers (real ZeroMQ inproc sockets, real threads). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClientTest {
    static LocalCluster cluster;
    static Client client;
    static final Fn1<Integer, Integer> INC = x -> x + 1;
    static final Fn2<Integer, Integer, Integer> ADD = Integer::sum;
    static final Fn1<List<Integer>, Integer> SUM = l -> l.stream().mapToInt(Integer::intValue).sum();

    @RegisterExtension
    static final SharedCluster SHARED = new SharedCluster(LocalCluster.builder().workers(2).threadsPerWorker(1).processes(false));

    @Test
    void submitMapGatherAndSumOfFutures() {
        Future<Integer> one = client.submit(INC, 1);
        assertEquals(2, one.result());
        List<Future<Integer>> fs = client.map(INC, IntStream.range(0, 1000).boxed().toList());
        List<Integer> got = client.gather(fs);
        assertEquals(IntStream.range(1, 1001).boxed().toList(), got);
        Future<Integer> total = client.submit(SUM, fs);
        assertEquals(1000 * 1001 / 2, total.result());
        assertTrue(total.done());
        assertEquals("FINISHED", total.status());
    }

    /**
     * Counts calls of {@link #COUNTED}. Static, not captured: a pure key is the token of the function
     * with what it captures, so a captured counter that the first task already bumped would give the
     * second submit another key (as in Dask, whose tokenize pickles a closure's current state).
     */
    static final AtomicInteger CALLS = new AtomicInteger();
    static final Fn1<Integer, Integer> COUNTED = x -> {
        CALLS.incrementAndGet();
        return x * 10;
    };

    @Test
    void submitIsPureByDefaultAndImpureOnRequest() {
        CALLS.set(0);
        AtomicInteger calls = CALLS;
        Fn1<Integer, Integer> counted = COUNTED;
        Future<Integer> a = client.submit(counted, 7);
        Future<Integer> b = client.submit(counted, 7);
        assertEquals(a.key(), b.key());
        assertEquals(70, a.result());
        assertEquals(70, b.result());
        assertEquals(1, calls.get());
        Future<Integer> c = client.submit(counted, 7, SubmitOptions.pure(false));
        Future<Integer> d = client.submit(counted, 7, SubmitOptions.pure(false));
        assertNotEquals(c.key(), d.key());
        assertEquals(70, c.result());
        assertEquals(70, d.result());
        assertEquals(3, calls.get());
    }

    @Test
    void failureSurfacesAsTaskFailedExceptionWithCauseAndErrsDependents() {
        Fn1<Integer, Integer> boom = x -> {
            throw new IllegalStateException("bad input " + x);
        };
        Future<Integer> f = client.submit(boom, 3);
        TaskFailedException e = assertThrows(TaskFailedException.class, f::result);
        assertEquals(f.key(), e.key());
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertEquals("bad input 3", f.exception().getMessage());
        Future<Integer> g = client.submit(INC, f);
        TaskFailedException ge = assertThrows(TaskFailedException.class, g::result);
        assertEquals(f.key(), ge.key()); // blames the task that actually failed
    }

    @Test
    void retriesRerunAFlakyTask() {
        AtomicInteger tries = new AtomicInteger();
        Fn1<Integer, Integer> flaky = x -> {
            if (tries.incrementAndGet() < 3) throw new IllegalStateException("flaky");
            return x;
        };
        assertEquals(5, client.submit(flaky, 5, SubmitOptions.retries(2).withPure(false)).result());
        assertEquals(3, tries.get());
    }

    @Test
    void scatterBroadcastAndUseInTasks() {
        double[] big = new double[100_000];
        java.util.Arrays.fill(big, 2.0);
        List<Future<double[]>> s = client.scatter(List.of(big), true);
        Fn1<double[], Double> total = a -> java.util.Arrays.stream(a).sum();
        assertEquals(200_000.0, client.submit(total, s.get(0)).result());
        assertEquals(2, client.workers().stream().filter(w -> ((Number) w.get("keys")).intValue() >= 1).count());
        List<Future<String>> strs = client.scatter(List.of("a", "b", "c"));
        assertEquals(List.of("a", "b", "c"), client.gather(strs));
    }

    @Test
    void resultWithTimeoutCancelAndCallbacks() throws Exception {
        Fn1<Integer, Integer> slow = x -> {
            Thread.sleep(3000);
            return x;
        };
        Future<Integer> f = client.submit(slow, 1, SubmitOptions.pure(false));
        assertThrows(TimeoutException.class, () -> f.result(50, TimeUnit.MILLISECONDS));
        CompletableFuture<String> seen = new CompletableFuture<>();
        f.addDoneCallback(x -> seen.complete(x.status()));
        assertTrue(f.cancel());
        assertEquals("CANCELLED", seen.get(10, TimeUnit.SECONDS));
        assertThrows(java.util.concurrent.CancellationException.class, f::result);
        CompletableFuture<Integer> cf = client.submit(INC, 41).toCompletableFuture();
        assertEquals(42, cf.get(10, TimeUnit.SECONDS));
    }

    @Test
    void asCompletedYieldsEveryFutureAndWaitTimesOut() throws Exception {
        Fn1<Integer, Integer> sleepy = x -> {
            Thread.sleep(x);
            return x;
        };
        List<Future<Integer>> fs = client.map(sleepy, List.of(300, 1, 100), SubmitOptions.pure(false));
        Set<Integer> seen = new HashSet<>();
        for (Future<Integer> f : Futures.asCompleted(fs)) seen.add(f.result());
        assertEquals(Set.of(1, 100, 300), seen);
        Futures.wait(fs, 1, TimeUnit.SECONDS);
        Future<Integer> never = client.submit(sleepy, 5000, SubmitOptions.pure(false));
        TimeoutException e = assertThrows(TimeoutException.class, () -> Futures.wait(List.of(never), 100, TimeUnit.MILLISECONDS));
        assertTrue(e.getMessage().contains(never.key().toString()), e.getMessage());
        never.cancel();
    }

    @Test
    void computeAndPersistOfDelayedAndConfigScheduler() {
        Delayed<Integer> x = Delayed.of(INC).apply(1);
        Delayed<Integer> y = Delayed.of(ADD).apply(x, 10);
        assertEquals(12, client.compute(y).result());
        assertEquals(12, client.persist(y).compute(Map.of("scheduler", "sync")));
        try (var s = Config.set("scheduler", "distributed")) {
            assertEquals(12, y.compute());
        }
    }

    @Test
    void runOnEveryWorkerAndExecutorService() throws Exception {
        Map<String, String> names = client.run(() -> Thread.currentThread().getName());
        assertEquals(2, names.size());
        ExecutorService pool = client.executorService();
        List<Callable<Integer>> jobs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int v = i;
            jobs.add(() -> v * v);
        }
        int total = 0;
        for (java.util.concurrent.Future<Integer> f : pool.invokeAll(jobs)) total += f.get();
        assertEquals(IntStream.range(0, 20).map(i -> i * i).sum(), total);
        assertEquals(9, pool.submit(() -> 3 * 3).get(10, TimeUnit.SECONDS));
    }

    @Test
    void releasedFuturesFreeTheirData() throws Exception {
        Fn1<Integer, int[]> alloc = n -> new int[n];
        List<Future<int[]>> fs = client.map(alloc, List.of(1000, 1001, 1002));
        client.gather(fs);
        long held = keysOnWorkers();
        assertTrue(held >= 3, "held " + held);
        List<Key> released = new ArrayList<>();
        for (Future<int[]> f : fs) released.add(f.key());
        for (Future<int[]> f : fs) f.release();
        // the scheduler forgets each key (futures of earlier tests may be collected and freed meanwhile too)
        for (Key k : released) {
            Await.until(() -> {
                List<String> story = client.story(k);
                return !story.isEmpty() && story.get(story.size() - 1).contains("-> FORGOTTEN");
            }, Duration.ofSeconds(10), k + " to be forgotten", () -> String.valueOf(client.story(k)));
        }
        Await.until(() -> keysOnWorkers() <= held - 3, Duration.ofSeconds(10), "the released keys to leave the workers",
                () -> keysOnWorkers() + " keys held, expected at most " + (held - 3));
    }

    @Test
    void storyExplainsAKey() {
        Future<Integer> f = client.submit(INC, 100);
        f.result();
        List<String> story = client.story(f.key());
        assertTrue(story.stream().anyMatch(s -> s.contains("PROCESSING -> MEMORY")), story.toString());
    }

    @Test
    void datasetsOutliveTheirFutures() {
        Future<Integer> f = client.submit(INC, 500);
        client.publishDataset("five-oh-one", List.of(f));
        f.release();
        List<Future<Object>> back = client.getDataset("five-oh-one");
        assertEquals(501, back.get(0).result());
        assertThrows(java.util.NoSuchElementException.class, () -> client.getDataset("nope"));
    }

    @Test
    void unreachableSchedulerFailsWithinTheConnectTimeout() {
        try (var s = Config.set("distributed.comm.timeouts.connect", 0.5)) {
            JdaskException e = assertThrows(JdaskException.class, () -> Client.connect("tcp://127.0.0.1:1"));
            assertTrue(e.getMessage().contains("tcp://127.0.0.1:1"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Client.connect("localhost:8786"));
    }

    static long keysOnWorkers() {
        long n = 0;
        for (Map<String, Object> w : client.workers()) n += ((Number) w.get("keys")).longValue();
        return n;
    }

    static Key k(String s) {
        return Key.of(s);
    }

    @Test
    void workerRestrictions() {
        String target = client.workerAddresses().get(1);
        Fn1<Integer, Integer> f = x -> x;
        Future<Integer> r = client.submit(f, 9, SubmitOptions.defaults().workers(Set.of(target)));
        assertEquals(9, r.result());
        assertTrue(client.story(r.key()).stream().anyMatch(s -> s.contains("on " + target)), client.story(r.key()).toString());
        assertFalse(client.story(r.key()).isEmpty());
    }
}

package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jdask.TaskFailedException;
import org.jdask.distributed.internal.Messages;
import org.jdask.fn.Fn1;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 20 item 0: pure keys resubmitted while the previous round's futures of the same keys are
 * released must never be lost, and a {@code result()} must never wait for a key the scheduler
 * forgot. The 600-round loops of the issue run in profile {@code slow} ({@code -Pslow}, or
 * {@code -Djdask.soak=true}); shorter rounds run always.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class ResubmitSoakTest {
    /** The issue's {@code slow}: 5..23 ms. */
    static final Fn1<Integer, Integer> SLOW = i -> {
        TaskWork.sleep(5 + (i % 7) * 3);
        return i * 2;
    };
    static final Fn1<List<Integer>, Long> SUM = l -> l.stream().mapToLong(Integer::longValue).sum();
    static final Fn1<Integer, Integer> SLEEPY = ms -> {
        TaskWork.sleep(ms);
        return ms;
    };

    /** How each round waits for its sum. */
    interface Wait {
        long result(Future<Long> f) throws Exception;
    }

    /**
     * The issue's loop: each round maps over {@code width} items of which all but one were keys of
     * the previous round (whose futures become garbage meanwhile), then sums them.
     */
    static void rounds(Client client, int rounds, int width, Wait wait) throws Exception {
        for (int round = 0; round < rounds; round++) {
            List<Integer> xs = new ArrayList<>(width);
            long expect = 0;
            for (int i = 0; i < width; i++) {
                xs.add(i + round);
                expect += 2L * (i + round);
            }
            var fs = client.map(SLOW, xs);
            Future<Long> sum = client.submit(SUM, fs);
            int r = round;
            try (AutoCloseable watch = storyIfStuck(client, sum, fs, r)) {
                assertEquals(expect, wait.result(sum), "round " + round);
            }
        }
    }

    /**
     * A round still waiting after 60 s prints what the scheduler knows of its sum and of every
     * unfinished input (their stories), so a hang in CI leaves its cause in the log.
     */
    static AutoCloseable storyIfStuck(Client client, Future<Long> sum, List<Future<Integer>> inputs, int round) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                return;
            }
            StringBuilder b = new StringBuilder("round " + round + " stuck for 60 s; client state of the sum: " + sum.state + "\n");
            try {
                for (String line : client.story(sum.key())) b.append("  ").append(line).append('\n');
                for (Future<Integer> f : inputs) {
                    if (f.state.done.isDone()) continue;
                    b.append(" input ").append(f.state).append('\n');
                    for (String line : client.story(f.key())) b.append("    ").append(line).append('\n');
                }
            } catch (RuntimeException e) {
                b.append("story failed: ").append(e);
            }
            System.err.println(b);
        }, "soak-watch");
        t.setDaemon(true);
        t.start();
        return t::interrupt;
    }

    static final Wait RESULT = Future::result;
    static final Wait WITH_TIMEOUT = f -> f.result(120, TimeUnit.SECONDS);

    /**
     * Collects garbage all the time (futures of earlier rounds are released while later ones wait),
     * but never more than about a tenth of the time: after each full collection it sleeps ten
     * times as long as the collection took (at least 3 ms). A fixed 3 ms sleep made this JVM
     * spend nearly all its time in full collections once the suite had left a large live heap
     * (one {@code System.gc()} took 2 s with 8 M live objects), which is what "hung" this soak in
     * CI on 2026-12-07: nothing was lost, rounds just stopped getting CPU.
     */
    static AutoCloseable gcPressure() {
        AtomicBoolean stop = new AtomicBoolean();
        Thread t = new Thread(() -> {
            while (!stop.get()) {
                byte[][] junk = new byte[64][];
                for (int i = 0; i < junk.length; i++) junk[i] = new byte[16 * 1024];
                long start = System.nanoTime();
                System.gc();
                TaskWork.sleep(Math.max(3, 10 * (System.nanoTime() - start) / 1_000_000));
            }
        }, "gc-pressure");
        t.setDaemon(true);
        t.start();
        return () -> {
            stop.set(true);
            t.join(10_000);
        };
    }

    static LocalCluster threads() {
        return LocalCluster.builder().workers(2).threadsPerWorker(2).processes(false).build();
    }

    // ------------------------------------------------------------------ always

    @Test
    void resubmittingPureKeysWhileTheirOldFuturesAreCollected() throws Exception {
        try (LocalCluster cluster = threads(); Client client = Client.connect(cluster); AutoCloseable gc = gcPressure()) {
            rounds(client, 60, 100, RESULT);
        }
    }

    /** The way out: a key the scheduler forgot fails its waiting future with a message naming it. */
    @Test
    void resultFailsNamingTheKeyWhenTheSchedulerForgotIt() {
        try (LocalCluster cluster = LocalCluster.builder().workers(1).threadsPerWorker(1).processes(false).build();
             Client client = Client.connect(cluster)) {
            Future<Integer> f = client.submit(SLEEPY, 20_000);
            // what a lost reference used to do: the client's interest dropped behind the future's back
            client.conn.send(new Messages.Release(List.of(f.key())));
            TaskFailedException e = assertThrows(TaskFailedException.class, f::result);
            assertEquals(f.key(), e.key());
            assertTrue(e.getCause().getMessage().contains("no longer knows task " + f.key()), e.getCause().getMessage());
        }
    }

    @Test
    void aReleasedFutureRefusesResult() {
        try (LocalCluster cluster = LocalCluster.builder().workers(1).threadsPerWorker(1).processes(false).build();
             Client client = Client.connect(cluster)) {
            Future<Integer> f = client.submit(SLEEPY, 1);
            f.release();
            IllegalStateException e = assertThrows(IllegalStateException.class, f::result);
            assertTrue(e.getMessage().contains(f.key() + " was released"), e.getMessage());
        }
    }

    // ------------------------------------------------------------------ profile slow

    /**
     * Rounds of each variant (the issue's own loop always runs its 600): 150 keep CI's whole run
     * within its budget; {@code -Djdask.soak.variant-rounds=600} for the full soak.
     */
    static final int VARIANT_ROUNDS = Integer.getInteger("jdask.soak.variant-rounds", 150);

    static void assumeSoak() {
        Assumptions.assumeTrue(Boolean.getBoolean("jdask.soak"), "run with -Pslow (or -Djdask.soak=true)");
    }

    @Test
    void soakTheIssuesLoopOnWorkerJvms() throws Exception {
        assumeSoak();
        try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(2).build();
             Client client = Client.connect(cluster)) {
            rounds(client, 600, 400, RESULT);
        }
    }

    @Test
    void soakWithGcPressure() throws Exception {
        assumeSoak();
        try (LocalCluster cluster = threads(); Client client = Client.connect(cluster); AutoCloseable gc = gcPressure()) {
            rounds(client, VARIANT_ROUNDS, 400, RESULT);
        }
    }

    @Test
    void soakWithResultTimeout() throws Exception {
        assumeSoak();
        try (LocalCluster cluster = threads(); Client client = Client.connect(cluster)) {
            rounds(client, VARIANT_ROUNDS, 400, WITH_TIMEOUT);
        }
    }

    /** Two clients resubmit the same pure keys at once: each one's interest is its own. */
    @Test
    void soakWithTwoClients() throws Exception {
        assumeSoak();
        try (LocalCluster cluster = threads(); Client a = Client.connect(cluster); Client b = Client.connect(cluster);
             AutoCloseable gc = gcPressure()) {
            var other = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    rounds(b, VARIANT_ROUNDS / 2, 400, RESULT);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            rounds(a, VARIANT_ROUNDS / 2, 400, RESULT);
            other.get(600, TimeUnit.SECONDS);
        }
    }
}

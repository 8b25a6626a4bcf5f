package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.jdask.Delayed;
import org.jdask.Jdask;
import org.jdask.fn.Fn1;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link Futures#progress} draws the local schedulers' bar for distributed futures. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FuturesProgressTest {
    static LocalCluster cluster;
    static Client client;

    static int slowInc(int x) throws InterruptedException {
        Thread.sleep(50);
        return x + 1;
    }

    static int sleepy(int ms) throws InterruptedException {
        Thread.sleep(ms);
        return ms;
    }

    static int fail(int x) {
        throw new IllegalStateException("no " + x);
    }

    @RegisterExtension
    static final SharedCluster SHARED = new SharedCluster(LocalCluster.builder().workers(2).threadsPerWorker(1).processes(false));

    static List<String> lines(ByteArrayOutputStream b) {
        return b.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void drawsUntilEveryFutureIsDoneAndEndsAt100Percent() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        List<Future<Integer>> fs = client.map(FuturesProgressTest::slowInc, IntStream.range(0, 20).boxed().toList());
        assertTrue(Futures.progress(fs, 60, TimeUnit.SECONDS, new PrintStream(b, true, StandardCharsets.UTF_8)));
        assertTrue(fs.stream().allMatch(Future::done));
        List<String> lines = lines(b);
        assertTrue(lines.size() >= 2, lines.toString()); // a first drawing while running, and the last
        assertTrue(lines.get(0).matches("\\[[# ]{40}\\] +\\d+% \\| \\d+/20 tasks \\| \\d+\\.\\d s"), lines.get(0));
        assertTrue(lines.get(lines.size() - 1).startsWith("[" + "#".repeat(40) + "] 100% | 20/20 tasks | "), lines.toString());
        assertEquals(IntStream.range(1, 21).boxed().toList(), client.gather(fs));
    }

    @Test
    void aComputeFutureCountsEveryTaskOfItsGraph() {
        Fn1<Integer, Integer> inc = FuturesProgressTest::slowInc;
        List<Delayed<Integer>> parts = new ArrayList<>();
        for (int i = 0; i < 12; i++) parts.add(Delayed.of(inc).apply(i));
        Fn1<List<Integer>, Integer> sum = l -> l.stream().mapToInt(Integer::intValue).sum();
        Delayed<Integer> total = Delayed.of(sum).apply(parts);
        int tasks = Jdask.optimize(total).size() + 1; // and the finalize task
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Future<Integer> f = client.compute(total);
        assertTrue(Futures.progress(List.of(f), 60, TimeUnit.SECONDS, new PrintStream(b, true, StandardCharsets.UTF_8)));
        List<String> lines = lines(b);
        assertTrue(lines.get(lines.size() - 1).contains("100% | " + tasks + "/" + tasks + " tasks"), lines.toString());
        assertEquals(IntStream.range(1, 13).sum(), f.result());
    }

    @Test
    void failuresCountAsDoneAndATimeoutReturnsFalseWithThePartialBar() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Future<Integer> bad = client.submit(FuturesProgressTest::fail, 1);
        assertTrue(Futures.progress(List.of(bad), 30, TimeUnit.SECONDS, new PrintStream(b, true, StandardCharsets.UTF_8)));
        assertTrue(lines(b).get(lines(b).size() - 1).contains("100% | 1/1 tasks"));

        ByteArrayOutputStream slow = new ByteArrayOutputStream();
        Future<Integer> quick = client.submit(FuturesProgressTest::sleepy, 0);
        Future<Integer> stuck = client.submit(FuturesProgressTest::sleepy, 3_000);
        quick.result();
        assertFalse(Futures.progress(List.of(quick, stuck), 300, TimeUnit.MILLISECONDS, new PrintStream(slow, true, StandardCharsets.UTF_8)));
        String last = lines(slow).get(lines(slow).size() - 1);
        assertTrue(last.contains(" 50% | 1/2 tasks"), last);
        stuck.cancel();
    }
}

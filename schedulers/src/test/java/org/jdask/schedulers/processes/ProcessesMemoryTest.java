package org.jdask.schedulers.processes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jdask.Delayed;
import org.jdask.TaskFailedException;
import org.jdask.graph.Key;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code processes} pool's memory rules on a worker JVM with a 128 MB heap: results that
 * together outgrow the heap spill to the worker's directory and the run is exact; a task that
 * runs out of heap fails alone, naming its key and the limit, and the worker lives on.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ProcessesMemoryTest {
    static final Map<String, Object> SMALL = Map.of("scheduler", "processes", "num-workers", 1, "processes.retries", 0,
            "processes.worker-jvm-options", "-Xmx128m");
    static final int BLOCK = 1_000_000; // doubles: 8 MB

    static double[] make(int i) {
        double[] a = new double[BLOCK];
        for (int j = 0; j < a.length; j++) a[j] = i + j % 5;
        return a;
    }

    static int len(double[] a) {
        return a.length;
    }

    static int count(List<Integer> lens) {
        int n = 0;
        for (int x : lens) n += x;
        return n;
    }

    /** Sums a block, once every block exists (the gate): so all of them are held at once. */
    static double sumAfter(double[] a, int gate) {
        double s = 0;
        for (double v : a) s += v;
        return s;
    }

    static double expected(int i) {
        double s = 0;
        for (int j = 0; j < BLOCK; j++) s += i + j % 5;
        return s;
    }

    @AfterAll
    static void stopPool() {
        ProcessPool.shutdownShared(); // other tests use the default options
    }

    @Test
    void resultsLargerThanTheWorkersHeapSpillAndTheRunIsExact() {
        int n = 24; // 24 x 8 MB = 192 MB of results held at once on a 128 MB heap
        List<Delayed<double[]>> blocks = new ArrayList<>();
        List<Delayed<Integer>> lens = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Delayed<double[]> b = Delayed.of(ProcessesMemoryTest::make).name("block-" + i).apply(i);
            blocks.add(b);
            lens.add(Delayed.of(ProcessesMemoryTest::len).apply(b));
        }
        Delayed<Integer> gate = Delayed.of(ProcessesMemoryTest::count).name("gate").apply(Delayed.all(lens));
        List<Delayed<Double>> sums = new ArrayList<>();
        for (Delayed<double[]> b : blocks) sums.add(Delayed.of(ProcessesMemoryTest::sumAfter).apply(b, gate));
        List<Double> got = Delayed.all(sums).compute(SMALL);
        for (int i = 0; i < n; i++) assertEquals(expected(i), got.get(i), "block " + i);
    }

    static int allocate(int mb) {
        List<long[]> hog = new ArrayList<>();
        for (int i = 0; i < mb; i++) hog.add(new long[128 * 1024]);
        return hog.size();
    }

    static long pid(int x) {
        return ProcessHandle.current().pid();
    }

    @Test
    void aTaskThatRunsOutOfHeapFailsAloneNamingKeyAndLimitAndTheWorkerLivesOn() {
        long before = Delayed.of(ProcessesMemoryTest::pid).apply(1).compute(SMALL);
        Delayed<Integer> d = Delayed.of(ProcessesMemoryTest::allocate).name("hog").apply(10_000);
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> d.compute(SMALL));
        assertEquals(Key.of("hog"), e.key());
        String msg = e.getMessage() + " " + e.getCause();
        assertTrue(msg.contains("ran out of memory") && msg.matches("(?s).*memory limit of \\d+ bytes.*") && msg.contains("-Xmx"), msg);
        assertEquals(before, Delayed.of(ProcessesMemoryTest::pid).apply(2).compute(SMALL), "the same worker JVM ran the next task");
    }
}

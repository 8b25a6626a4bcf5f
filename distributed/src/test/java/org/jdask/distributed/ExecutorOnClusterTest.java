package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code client.executorService()} on worker JVMs: the JDK's executor methods, with serializable tasks. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ExecutorOnClusterTest {
    static LocalCluster cluster;
    static Client client;
    static final long HERE = ProcessHandle.current().pid();

    /** A compiled, serializable callable: {@code x * x} and the pid of the JVM that ran it. */
    record Square(int x) implements Callable<long[]>, Serializable {
        @Override
        public long[] call() {
            return new long[] {(long) x * x, ProcessHandle.current().pid()};
        }
    }

    /** Sleeps, then returns its value or fails. */
    record Slow(int value, long ms, boolean fail) implements Callable<Integer>, Serializable {
        @Override
        public Integer call() throws InterruptedException {
            Thread.sleep(ms);
            if (fail) throw new IllegalStateException("slow task " + value + " failed");
            return value;
        }
    }

    /** Not serializable: cannot go to a worker JVM. */
    static final class Plain implements Callable<Integer> {
        @Override
        public Integer call() {
            return 1;
        }
    }

    /** Writes a line to a file in the worker JVM (a side effect visible here). */
    record Touch(String path) implements Runnable, Serializable {
        @Override
        public void run() {
            try {
                java.nio.file.Files.writeString(java.nio.file.Path.of(path), "ran in " + ProcessHandle.current().pid());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @RegisterExtension
    static final SharedCluster SHARED = new SharedCluster(LocalCluster.builder().workers(2).threadsPerWorker(2).processes(true));

    @Test
    void invokeAllAndSubmitRunInWorkerJvms() throws Exception {
        ExecutorService pool = client.executorService();
        List<Callable<long[]>> jobs = new ArrayList<>();
        for (int i = 0; i < 12; i++) jobs.add(new Square(i));
        long total = 0;
        for (java.util.concurrent.Future<long[]> f : pool.invokeAll(jobs)) {
            assertTrue(f.isDone());
            total += f.get()[0];
            assertNotEquals(HERE, f.get()[1], "ran in a worker JVM");
        }
        assertEquals(IntStream.range(0, 12).map(i -> i * i).sum(), total);
        Callable<Integer> lambda = (Callable<Integer> & Serializable) () -> 6 * 7;
        assertEquals(42, pool.submit(lambda).get(30, TimeUnit.SECONDS));
        assertEquals(81L, pool.submit(new Square(9)).get(30, TimeUnit.SECONDS)[0]);
    }

    @Test
    void invokeAnyReturnsTheFirstSuccessAndFailsWhenAllFail() throws Exception {
        ExecutorService pool = client.executorService();
        // the fast one fails, a slower one succeeds: invokeAny gives the success
        int got = pool.invokeAny(List.of(new Slow(1, 0, true), new Slow(2, 300, false), new Slow(3, 5_000, false)));
        assertEquals(2, got);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> pool.invokeAny(List.of(new Slow(1, 0, true), new Slow(2, 10, true))));
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertTrue(e.getCause().getMessage().startsWith("slow task"), e.getCause().getMessage());
        assertThrows(TimeoutException.class, () -> pool.invokeAny(List.of(new Slow(1, 5_000, false)), 300, TimeUnit.MILLISECONDS));
        assertThrows(IllegalArgumentException.class, () -> pool.invokeAny(List.of()));
    }

    @Test
    void invokeAllWithATimeoutCancelsWhatIsNotDone() throws Exception {
        ExecutorService pool = client.executorService();
        List<java.util.concurrent.Future<Integer>> fs = pool.invokeAll(List.of(new Slow(1, 0, false), new Slow(2, 10_000, false)),
                3, TimeUnit.SECONDS);
        assertEquals(1, fs.get(0).get());
        assertTrue(fs.get(1).isDone());
        assertTrue(fs.get(1).isCancelled());
    }

    @Test
    void runnablesExecuteAndShutdownWaitsForThem(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        ExecutorService pool = client.executorService();
        java.nio.file.Path a = dir.resolve("a.txt"), b = dir.resolve("b.txt");
        assertEquals(null, pool.submit(new Touch(a.toString())).get(30, TimeUnit.SECONDS));
        assertTrue(java.nio.file.Files.readString(a).startsWith("ran in "));
        assertEquals("done", pool.submit(new Touch(a.toString()), "done").get(30, TimeUnit.SECONDS));
        pool.execute(new Touch(b.toString()));
        pool.shutdown();
        assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
        assertTrue(pool.isTerminated());
        assertTrue(java.nio.file.Files.exists(b));
        assertThrows(RejectedExecutionException.class, () -> pool.submit(new Square(1)));
    }

    @Test
    void aTaskThatIsNotSerializableIsRefusedNamingItsClass() {
        ExecutorService pool = client.executorService();
        RejectedExecutionException plain = assertThrows(RejectedExecutionException.class, () -> pool.submit(new Plain()));
        assertTrue(plain.getMessage().contains(Plain.class.getName()) && plain.getMessage().contains("not Serializable"), plain.getMessage());
        Callable<Integer> lambda = () -> 1; // a lambda of a non-serializable interface
        RejectedExecutionException l = assertThrows(RejectedExecutionException.class, () -> pool.invokeAny(List.of(lambda)));
        assertTrue(l.getMessage().contains("ExecutorOnClusterTest$$Lambda"), l.getMessage());
        Thread notSendable = Thread.currentThread(); // the codec policy refuses threads
        Callable<String> capturing = (Callable<String> & Serializable) () -> String.valueOf(notSendable);
        RejectedExecutionException c = assertThrows(RejectedExecutionException.class, () -> pool.invokeAll(List.of(capturing)));
        assertTrue(c.getMessage().contains("cannot be sent to worker JVMs"), c.getMessage());
        assertThrows(RejectedExecutionException.class, () -> pool.execute(() -> { }));
    }
}

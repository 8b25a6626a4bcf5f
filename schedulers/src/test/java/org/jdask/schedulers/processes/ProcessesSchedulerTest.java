package org.jdask.schedulers.processes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jdask.Config;
import org.jdask.Delayed;
import org.jdask.Jdask;
import org.jdask.JdaskException;
import org.jdask.KilledWorkerException;
import org.jdask.RemoteTaskError;
import org.jdask.SerializationException;
import org.jdask.TaskFailedException;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;
import org.jdask.fn.Fn3;
import org.jdask.graph.Key;
import org.jdask.graph.RunOptions;
import org.jdask.graph.Schedulers;
import org.jdask.graph.TaskGraph;
import org.jdask.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The {@code processes} scheduler with real worker JVMs: pool reuse, data movement and every fault path. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ProcessesSchedulerTest {
    static final Map<String, Object> P2 = Map.of("scheduler", "processes", "num-workers", 2);

    @TempDir
    Path tmp;

    static int inc(int x) {
        return x + 1;
    }

    static long pid(Object ignored) {
        return ProcessHandle.current().pid();
    }

    static int explode(int x) {
        throw new IllegalStateException("exploded on " + x);
    }

    /** Appends a line to a file (how tasks in other JVMs leave traces the test can read). */
    static void append(String file, String line) {
        try {
            Files.writeString(Path.of(file), line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file).size() : 0;
    }

    @Test
    void configSetRunsDelayedOnTwoWorkerJvmsAndReusesThePool() {
        Fn1<Integer, Long> where = x -> ProcessHandle.current().pid();
        List<Delayed<Long>> ds = new ArrayList<>();
        for (int i = 0; i < 8; i++) ds.add(Delayed.of(where).apply(i));
        Set<Long> first;
        try (var scope = Config.set("scheduler", "processes", "num_workers", 2)) {
            first = new HashSet<>(Jdask.compute(ds));
            Delayed<Integer> z = Delayed.of(ProcessesSchedulerTest::inc).apply(Delayed.of(ProcessesSchedulerTest::inc).apply(1));
            assertEquals(3, z.compute());
        }
        assertFalse(first.contains(ProcessHandle.current().pid()), "tasks ran in this JVM");
        assertTrue(ProcessPool.shared().pids().containsAll(first), first + " vs pool " + ProcessPool.shared().pids());
        List<Long> pidsBefore = ProcessPool.shared().pids();
        Jdask.compute(ds, P2);
        assertEquals(pidsBefore, ProcessPool.shared().pids(), "a second compute reuses the same worker JVMs");
    }

    @Test
    void taskExceptionComesBackWithKeyTypeMessageAndRemoteStack() {
        Delayed<Integer> bad = Delayed.of(ProcessesSchedulerTest::explode).name("explode-1").apply(7);
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> bad.compute(P2));
        assertEquals(Key.of("explode-1"), e.key());
        IllegalStateException cause = assertInstanceOf(IllegalStateException.class, e.getCause());
        assertEquals("exploded on 7", cause.getMessage());
        assertTrue(Arrays.stream(cause.getStackTrace()).anyMatch(f -> f.getMethodName().equals("explode")), "remote stack");
        assertTrue(Arrays.stream(cause.getStackTrace()).anyMatch(f -> f.getClassName().equals(WorkerMain.class.getName())),
                "the stack is the worker's");
    }

    /** An exception that cannot cross back (a non-serializable field) arrives as a RemoteTaskError. */
    static final class Unsendable extends RuntimeException {
        final transient Object keep = null;
        final Thread thread = Thread.currentThread();

        Unsendable(String m) {
            super(m);
        }
    }

    static int throwUnsendable(int x) {
        throw new Unsendable("cannot travel " + x);
    }

    @Test
    void unsendableExceptionBecomesRemoteTaskErrorWithTypeMessageAndStack() {
        Delayed<Integer> bad = Delayed.of(ProcessesSchedulerTest::throwUnsendable).name("u").apply(3);
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> bad.compute(P2));
        RemoteTaskError r = assertInstanceOf(RemoteTaskError.class, e.getCause());
        assertEquals(Unsendable.class.getName(), r.originalType());
        assertTrue(r.getMessage().contains("cannot travel 3"), r.getMessage());
        assertTrue(Arrays.stream(r.getStackTrace()).anyMatch(f -> f.getMethodName().equals("throwUnsendable")));
        assertTrue(e.getMessage().contains(Unsendable.class.getName()) && e.getMessage().contains("'u'"), e.getMessage());
    }

    static int recurse(int x) {
        return recurse(x + 1) + 1;
    }

    @Test
    void stackOverflowInATask() {
        Delayed<Integer> deep = Delayed.of(ProcessesSchedulerTest::recurse).name("deep").apply(0);
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> deep.compute(P2));
        assertEquals(Key.of("deep"), e.key());
        assertInstanceOf(StackOverflowError.class, e.getCause());
        // the worker survived and the pool still works
        assertEquals(2, Delayed.of(ProcessesSchedulerTest::inc).apply(1).compute(P2));
    }

    static int exitWorker(int code) {
        System.exit(code);
        return 0;
    }

    @Test
    void workerExitWithoutRetriesNamesKeyAndExitStatus() {
        Delayed<Integer> d = Delayed.of(ProcessesSchedulerTest::exitWorker).name("exit-7").apply(7);
        Map<String, Object> cfg = Map.of("scheduler", "processes", "num-workers", 2, "processes.retries", 0);
        KilledWorkerException e = assertThrows(KilledWorkerException.class, () -> d.compute(cfg));
        assertEquals(Key.of("exit-7"), e.key());
        assertTrue(e.getMessage().contains("exit status 7"), e.getMessage());
        assertEquals(3, Delayed.of(ProcessesSchedulerTest::inc).apply(2).compute(P2), "dead worker replaced");
        assertEquals(2, ProcessPool.shared().pids().size());
    }

    /** Exits the worker the first time (no marker yet), returns x + 1 the second time. */
    static int exitOnce(String marker, int x) throws IOException {
        Path m = Path.of(marker);
        if (!Files.exists(m)) {
            Files.writeString(m, "died once");
            System.exit(5);
        }
        return x + 1;
    }

    @Test
    void workerExitIsRetriedOnAReplacementAndTheResultIsCorrect() {
        String marker = tmp.resolve("exit-once").toString();
        Delayed<Integer> a = Delayed.of(ProcessesSchedulerTest::inc).apply(1);
        Delayed<Integer> b = Delayed.of(ProcessesSchedulerTest::exitOnce).name("exit-once").apply(marker, a);
        Delayed<Integer> c = Delayed.of(ProcessesSchedulerTest::inc).apply(b);
        assertEquals(4, c.compute(P2)); // processes.retries defaults to 1
        assertTrue(Files.exists(Path.of(marker)), "the first attempt really died");
        // without retries the same first death names the task that killed it, not the one before it
        Path marker2 = tmp.resolve("exit-once-2");
        Delayed<Integer> b2 = Delayed.of(ProcessesSchedulerTest::exitOnce).name("exit-once-2").apply(marker2.toString(), a);
        Delayed<Integer> c2 = Delayed.of(ProcessesSchedulerTest::inc).apply(b2);
        KilledWorkerException e = assertThrows(KilledWorkerException.class,
                () -> c2.compute(Map.of("scheduler", "processes", "num-workers", 2, "processes.retries", 0)));
        assertEquals(Key.of("exit-once-2"), e.key());
        assertTrue(e.getMessage().contains("exit status 5"), e.getMessage());
    }

    @Test
    void aTaskThatKillsEveryWorkerFailsAfterTheRetriesNamingKeyAndStatus() {
        Delayed<Integer> d = Delayed.of(ProcessesSchedulerTest::exitWorker).name("always-exits").apply(9);
        KilledWorkerException e = assertThrows(KilledWorkerException.class, () -> d.compute(P2)); // default: 1 retry
        assertEquals(Key.of("always-exits"), e.key());
        assertTrue(e.getMessage().contains("exit status 9"), e.getMessage());
        assertTrue(Arrays.stream(e.getSuppressed()).anyMatch(s -> s.getMessage().contains("gave up after 1 retry")),
                Arrays.toString(e.getSuppressed()));
    }

    static int sleepAfterMarking(String marker, int x) throws Exception {
        Files.writeString(Path.of(marker), Long.toString(ProcessHandle.current().pid()));
        Thread.sleep(60_000);
        return x;
    }

    @Test
    void sigkillOfABusyWorkerNamesKeyAndSignal() throws Exception {
        Path marker = tmp.resolve("busy-pid");
        Delayed<Integer> d = Delayed.of(ProcessesSchedulerTest::sleepAfterMarking).name("sleepy").apply(marker.toString(), 1);
        Thread killer = new Thread(() -> {
            try {
                Await.until(() -> !read(marker).isBlank(), Duration.ofSeconds(60), "the busy worker to write its pid to " + marker);
                ProcessHandle.of(Long.parseLong(Files.readString(marker).trim())).ifPresent(ProcessHandle::destroyForcibly);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        killer.start();
        Map<String, Object> cfg = Map.of("scheduler", "processes", "num-workers", 2, "processes.retries", 0);
        KilledWorkerException e = assertThrows(KilledWorkerException.class, () -> d.compute(cfg));
        killer.join(60_000);
        assertEquals(Key.of("sleepy"), e.key());
        assertTrue(e.getMessage().contains("exit status 137") && e.getMessage().contains("SIGKILL"), e.getMessage());
    }

    static Object socket(int x) {
        return new java.net.Socket();
    }

    @Test
    void unserializableResultNamesKeyAndClass() {
        Delayed<Object> d = Delayed.of(ProcessesSchedulerTest::socket).name("sock").apply(1);
        SerializationException e = assertThrows(SerializationException.class, () -> d.compute(P2));
        assertEquals(Key.of("sock"), e.key());
        assertEquals("java.net.Socket", e.className());
        assertTrue(e.getMessage().contains("'sock'") && e.getMessage().contains("java.net.Socket"), e.getMessage());
        // the same value used only inside the worker never has to travel
        Delayed<Integer> local = Delayed.of((Object s) -> s.getClass().getSimpleName().length()).apply(d);
        assertEquals("Socket".length(), local.compute(P2));
    }

    @Test
    void unserializableCaptureFailsBeforeAnyWorkerRuns() throws IOException {
        Path trace = tmp.resolve("ran");
        String file = trace.toString();
        Thread captured = Thread.currentThread();
        Fn1<Integer, Integer> bad = x -> {
            append(file, "ran");
            return x + captured.getName().length();
        };
        Delayed<Integer> ok = Delayed.of((Integer x) -> {
            append(file, "ok ran");
            return x;
        }).apply(1);
        Delayed<Integer> d = Delayed.of((Integer a, Integer b) -> a + b).apply(ok, Delayed.of(bad).name("captures-thread").apply(1));
        SerializationException e = assertThrows(SerializationException.class, () -> d.compute(P2));
        assertEquals(Key.of("captures-thread"), e.key());
        assertTrue(e.getMessage().contains("java.lang.Thread"), e.getMessage());
        assertEquals(0, lines(trace), "no task ran");
    }

    /** Through shared memory (default: frames over 1 MiB) and through the socket (threshold 0 = off). */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {1 << 20, 0})
    void bigSharedValueIsSentOncePerWorkerAndCachedForTheRun(int shmThreshold) {
        double[] big = new double[2_000_000];
        for (int i = 0; i < big.length; i++) big[i] = i * 0.5;
        long[] longs = new long[300_000];
        for (int i = 0; i < longs.length; i++) longs[i] = -i;
        Delayed<double[]> data = Delayed.value(big);
        Delayed<long[]> more = Delayed.value(longs);
        Fn3<double[], long[], Integer, String> probe = (a, l, i) -> ProcessHandle.current().pid() + ":" + System.identityHashCode(a)
                + ":" + a.length + ":" + a[a.length - 1] + ":" + l[l.length - 1];
        List<Delayed<String>> parts = new ArrayList<>();
        for (int i = 0; i < 20; i++) parts.add(Delayed.of(probe).apply(data, more, i));
        List<String> seen = Jdask.compute(parts, Map.of("scheduler", "processes", "num-workers", 2,
                "processes.shared-memory-threshold-bytes", shmThreshold));
        Set<String> copies = new HashSet<>(seen);
        Set<String> pids = new HashSet<>();
        for (String s : seen) pids.add(s.split(":")[0]);
        assertEquals(pids.size(), copies.size(), "one copy of the array per worker JVM: " + copies);
        assertTrue(seen.stream().allMatch(s -> s.endsWith(":2000000:999999.5:-299999")), seen.get(0));
    }

    @Test
    void dependentsRunWhereTheirInputsAre() {
        Fn2<List<Long>, Integer, List<Long>> step = (acc, i) -> {
            List<Long> out = new ArrayList<>(acc);
            out.add(ProcessHandle.current().pid());
            return out;
        };
        List<Delayed<List<Long>>> chains = new ArrayList<>();
        for (int c = 0; c < 2; c++) { // one chain per worker: with more, a chain may move to a worker left idle
            Delayed<List<Long>> x = Delayed.value(List.<Long>of(), "start-" + c);
            for (int i = 0; i < 30; i++) x = Delayed.of(step).apply(x, i);
            chains.add(x);
        }
        for (List<Long> pids : Jdask.compute(chains, P2)) {
            assertEquals(30, pids.size());
            assertEquals(1, new HashSet<>(pids).size(), "a chain stays on one worker: " + pids);
        }
    }

    static int shout(String text) {
        System.out.println(text);
        System.err.println(text + " (stderr)");
        return text.length();
    }

    @Test
    void workerOutputReachesTheParentPrefixedWithTheWorkerId() throws Exception {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String text = "hello-from-a-worker-" + System.nanoTime();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(text.length(), Delayed.of(ProcessesSchedulerTest::shout).apply(text).compute(P2));
            Await.until(() -> out.toString(StandardCharsets.UTF_8).contains(text) && err.toString(StandardCharsets.UTF_8).contains(text),
                    Duration.ofSeconds(30), "the worker's stdout and stderr lines to reach the parent");
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        assertTrue(out.toString(StandardCharsets.UTF_8).matches("(?s).*\\[worker-[0-9]+\\] " + text + "\\R.*"), out.toString());
        assertTrue(err.toString(StandardCharsets.UTF_8).matches("(?s).*\\[worker-[0-9]+\\] " + text + " \\(stderr\\)\\R.*"), err.toString());
    }

    /** Read the marker file, or "" while it does not exist yet. */
    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** A task that waits (in its worker JVM) for a file the test creates. */
    static boolean waitForFile(String file) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end) {
            if (Files.exists(Path.of(file))) return true;
            Thread.sleep(5);
        }
        return false;
    }

    static int slowish(int x) throws InterruptedException {
        Thread.sleep(50);
        return x;
    }

    /**
     * A finished task is reported while the next queued task still runs: task b (queued behind a on
     * the only worker) waits for a file the parent creates when it hears that a finished; if the
     * worker held a's reply until its queue was empty, b would time out and return false.
     */
    @Test
    void aFinishedTaskIsReportedWhileTheNextQueuedTaskRuns() {
        String release = tmp.resolve("release").toString();
        TaskGraph g = TaskGraph.builder()
                .task(Key.of("a"), (Fn1<Integer, Integer>) ProcessesSchedulerTest::slowish, 1)
                .task(Key.of("b"), (Fn1<String, Boolean>) ProcessesSchedulerTest::waitForFile, release).build();
        org.jdask.graph.SchedulerListener onA = new org.jdask.graph.SchedulerListener() {
            @Override
            public void posttask(Key key, Object result, int worker, boolean failed) {
                if (key.equals(Key.of("a"))) {
                    try {
                        Files.writeString(Path.of(release), "go");
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        };
        RunOptions o = new RunOptions(List.of(onA), Map.of("scheduler", "processes", "num-workers", 1));
        assertEquals(List.of(1, true), Schedulers.provider("processes").scheduler(o).get(g, List.of(Key.of("a"), Key.of("b")), o));
    }

    static int countedDouble(String file, int x) {
        append(file, "ran");
        return 2 * x;
    }

    @Test
    void sharedDependencyRunsOnceAcrossProcesses() throws IOException {
        Path trace = tmp.resolve("calls");
        TaskGraph g = TaskGraph.builder().data(Key.of("a"), 5)
                .task(Key.of("s"), (Fn2<String, Integer, Integer>) ProcessesSchedulerTest::countedDouble, trace.toString(), Key.of("a"))
                .task(Key.of("x"), (Fn1<Integer, Integer>) ProcessesSchedulerTest::inc, Key.of("s"))
                .task(Key.of("y"), (Fn1<Integer, Integer>) ProcessesSchedulerTest::inc, Key.of("s"))
                .task(Key.of("z"), (Fn2<Integer, Integer, Integer>) Integer::sum, Key.of("x"), Key.of("y")).build();
        RunOptions o = RunOptions.of(P2);
        assertEquals(List.of(22, 11), Schedulers.provider("processes").scheduler(o).get(g, List.of(Key.of("z"), Key.of("x")), o));
        assertEquals(1, lines(trace));
    }

    static int spin(String file, int x) {
        append(file, "s");
        long end = System.nanoTime() + 2_000_000;
        while (System.nanoTime() < end) Thread.onSpinWait();
        return x + 1;
    }

    @Test
    void interruptCancelsAndKillsBusyWorkers() throws Exception {
        Path trace = tmp.resolve("spins");
        int n = 3_000;
        Delayed<Integer> x = Delayed.of(ProcessesSchedulerTest::inc).apply(0);
        for (int i = 0; i < n; i++) x = Delayed.of(ProcessesSchedulerTest::spin).apply(trace.toString(), x);
        Delayed<Integer> last = x;
        Thread caller = Thread.currentThread();
        Thread interrupter = new Thread(() -> {
            try {
                Await.until(() -> read(trace).lines().count() >= 20, Duration.ofSeconds(60), "20 spin tasks to start on the workers");
                caller.interrupt();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        interrupter.setDaemon(true);
        interrupter.start();
        try {
            JdaskException e = assertThrows(JdaskException.class, () -> last.compute(P2));
            assertTrue(e.getMessage().contains("interrupt"), e.getMessage());
            assertTrue(Thread.currentThread().isInterrupted(), "interrupt flag restored");
        } finally {
            Thread.interrupted();
            interrupter.join(60_000);
        }
        int ran = lines(trace);
        Thread.sleep(300);
        assertEquals(ran, lines(trace), "nothing runs after the cancel (busy workers were killed)");
        assertTrue(ran < n, "ran " + ran);
        assertEquals(2, Delayed.of(ProcessesSchedulerTest::inc).apply(1).compute(P2), "the pool recovers");
    }

    @Test
    void shutdownStopsTheWorkersAndTheNextComputeStartsNewOnes() throws Exception {
        assertEquals(2, Delayed.of(ProcessesSchedulerTest::inc).apply(1).compute(P2));
        List<Long> pids = ProcessPool.shared().pids();
        ProcessPool.shutdownShared();
        for (long p : pids) {
            ProcessHandle h = ProcessHandle.of(p).orElse(null);
            if (h != null) h.onExit().get(10, TimeUnit.SECONDS);
        }
        assertTrue(pids.stream().noneMatch(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false)));
        assertEquals(3, Delayed.of(ProcessesSchedulerTest::inc).apply(2).compute(P2));
        assertNotEquals(pids, ProcessPool.shared().pids());
    }

    @Test
    void classpathOfWorkersHoldsThisModulesTestClasses() {
        String cp = ProcessPool.classpath();
        String here = Path.of(ProcessesSchedulerTest.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
        assertTrue(Arrays.asList(cp.split(java.io.File.pathSeparator)).contains(here), here + " not in " + cp);
    }

    static String nested(int x) {
        int inner = Delayed.of(ProcessesSchedulerTest::inc).apply(x).compute(); // config says processes here too
        return ProcessHandle.current().pid() + ":" + inner + ":" + ProcessPool.shared().size();
    }

    @Test
    void nestedComputeInsideAWorkerRunsThereOnSync() {
        String r = Delayed.of(ProcessesSchedulerTest::nested).apply(41).compute(P2);
        String[] p = r.split(":");
        assertNotEquals(Long.toString(ProcessHandle.current().pid()), p[0]);
        assertEquals("42", p[1]);
        assertEquals("0", p[2], "the worker started no pool of its own");
    }

    @Test
    void concurrentComputesShareThePoolOneAtATime() throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<Object> results = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 3; t++) {
            int base = t * 1000;
            Thread th = new Thread(() -> {
                List<Delayed<Integer>> ds = new ArrayList<>();
                for (int i = 0; i < 200; i++) ds.add(Delayed.of(ProcessesSchedulerTest::inc).apply(base + i));
                List<Integer> r = Jdask.compute(ds, P2);
                for (int i = 0; i < 200; i++) if (r.get(i) != base + i + 1) results.add("wrong at " + i + ": " + r.get(i));
                results.add("ok");
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) th.join(120_000);
        assertEquals(List.of("ok", "ok", "ok"), results);
    }

    @Test
    void classesOutsideTheAllowListAreRefusedUntilAllowedAndThenWorkInWorkers() {
        // the strict mode keeps the allow-list for every class (checked first: Fory remembers a class it accepted)
        try (var strict = Config.set("serialization.trust-classpath", false)) {
            Delayed<Integer> d = Delayed.of(elsewhere.Outside.twiceFn()).name("outside").apply(21);
            SerializationException e = assertThrows(SerializationException.class, () -> d.compute(P2));
            assertEquals(Key.of("outside"), e.key());
            assertTrue(e.getMessage().contains("elsewhere") && e.getMessage().contains("allowed-packages"), e.getMessage());
        }
        // by default the user's own class path is trusted (issue 16): no allow needed
        assertEquals(42, Delayed.of(elsewhere.Outside.twiceFn()).apply(21).compute(P2));
        org.jdask.serialize.Codecs.allow("elsewhere"); // in this JVM only: the run carries it to the workers
        try (var strict = Config.set("serialization.trust-classpath", false)) {
            assertEquals(42, Delayed.of(elsewhere.Outside.twiceFn()).apply(21).compute(P2));
        }
    }

    @Test
    void aWorkerJvmThatCannotStartFailsWithItsStatusAndCommand() {
        Map<String, Object> cfg = Map.of("scheduler", "processes", "num-workers", 2,
                "processes.worker-jvm-options", "-XX:+NoSuchJdaskFlag");
        try {
            JdaskException e = assertThrows(JdaskException.class, () -> Delayed.of(ProcessesSchedulerTest::inc).apply(1).compute(cfg));
            assertTrue(e.getMessage().contains("exited with status") && e.getMessage().contains("-XX:+NoSuchJdaskFlag"),
                    e.getMessage());
            // the same pool tried again: the failed slots are started again (and fail the same way)
            assertThrows(JdaskException.class, () -> Delayed.of(ProcessesSchedulerTest::inc).apply(1).compute(cfg));
        } finally {
            ProcessPool.shutdownShared();
        }
        assertEquals(2, Delayed.of(ProcessesSchedulerTest::inc).apply(1).compute(P2), "a pool with good options starts afterwards");
    }

    @Test
    void badWorkerCountIsRefusedWithTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Delayed.of(ProcessesSchedulerTest::inc).apply(1).compute(Map.of("scheduler", "processes", "num-workers", 0)));
        assertTrue(e.getMessage().contains("num-workers"), e.getMessage());
    }
}

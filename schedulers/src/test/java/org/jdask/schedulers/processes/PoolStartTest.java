package org.jdask.schedulers.processes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jdask.fn.Fn1;
import org.jdask.graph.IndexedGraph;
import org.jdask.graph.Key;
import org.jdask.graph.ListenerCalls;
import org.jdask.graph.Order;
import org.jdask.graph.RunOptions;
import org.jdask.graph.TaskGraph;
import org.jdask.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Worker JVMs start in parallel, a start begun ahead of a run is the one the run uses, a run begins
 * on the first JVM ready and takes a late one when it connects, and a JVM that fails to start
 * after the run began is reported while the run goes on (no timing asserts: slot 1 is held with
 * HotSpot's {@code -XX:+PauseAtStartup}, which waits until its pause file is deleted).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PoolStartTest {
    @Test
    void jvmsAreAllSpawnedBeforeTheFirstConnectsAndAStartAheadIsReused() {
        try (ProcessPool pool = new ProcessPool(List.of(), 150_000)) {
            pool.ensureInBackground(2); // what a run does before it indexes its graph
            pool.ensure(2); // the run's own call: waits for the start under way
            assertEquals(2, pool.pids().size());
            // the start's thread records its times just after the last JVM joined, which is what ensure waits for
            Await.until(() -> pool.lastStart().size() == 2, Duration.ofSeconds(30), "the start to record its times");
            StartTimes t = pool.lastStart();
            assertEquals(2, t.size(), t.toString());
            assertTrue(t.allSpawnedBeforeFirstConnect(), "a JVM was spawned only after another connected: " + t);
            assertEquals(0, pool.ensure(2), "nothing left to start");
            assertTrue(t == pool.lastStart(), "no second start");
        }
    }

    @Test
    void aRunBeginsOnTheFirstJvmAndAJvmThatConnectsLaterJoinsIt() throws Exception {
        Path dir = Files.createTempDirectory("jdask-pool-test-");
        Path pause = dir.resolve("slot1.paused");
        Path go = dir.resolve("go");
        try (ProcessPool pool = new ProcessPool(List.of(), 150_000, slot -> slot == 1
                ? List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+PauseAtStartup", "-XX:PauseAtStartupFile=" + pause) : List.of())) {
            pool.ensureFirst(2);
            assertEquals(1, pool.pids().size(), "ensureFirst returns with slot 0 while slot 1 is paused");
            // 8 tasks, each marking its worker's slot as started, waiting for the go file and returning the slot;
            // slot 0 takes the first window (2), the rest wait in the ready queue
            TaskGraph.Builder b = TaskGraph.builder();
            List<Key> keys = new ArrayList<>();
            String goFile = go.toString();
            String dirName = dir.toString();
            Fn1<Integer, String> slotOnceGo = i -> {
                String slot = System.getProperty(WorkerMain.WORKER_PROPERTY);
                Files.writeString(Path.of(dirName, "started-" + slot), "");
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (!Files.exists(Path.of(goFile)) && System.nanoTime() < end) Thread.sleep(5);
                return slot;
            };
            for (int i = 0; i < 8; i++) {
                keys.add(Key.of("t", i));
                b.task(keys.get(i), slotOnceGo, i);
            }
            Thread release = new Thread(() -> {
                try {
                    Await.until(() -> Files.exists(pause), Duration.ofSeconds(60), "slot 1's JVM to create its pause file");
                    Files.deleteIfExists(pause); // slot 1 starts now, after the run began on slot 0
                    Await.until(() -> Files.exists(dir.resolve("started-1")), Duration.ofSeconds(90), "slot 1 to join the run and start a task");
                } catch (Exception | AssertionError e) {
                    e.printStackTrace(); // the run still ends: the go file comes below, and the slot assert names what happened
                } finally {
                    try {
                        Files.createFile(go);
                    } catch (java.io.IOException e) {
                        e.printStackTrace();
                    }
                }
            }, "test-release-slot-1");
            release.start();
            List<Object> slots = run(pool, b.build(), keys);
            release.join(90_000);
            assertEquals(Set.of("0", "1"), new HashSet<>(slots), "slot 1 joined the run and took tasks: " + slots);
        }
    }

    @Test
    void aJvmThatFailsToStartAfterTheRunBeganIsReportedAndTheRunGoesOn() {
        try (ProcessPool pool = new ProcessPool(List.of(), 150_000, slot -> slot == 1 ? List.of("-XX:+NoSuchJdaskFlag") : List.of())) {
            pool.ensureFirst(2);
            Fn1<Integer, Integer> inc = x -> x + 1;
            TaskGraph g = TaskGraph.builder().task(Key.of("a"), inc, 1).build();
            assertEquals(List.of(2), run(pool, g, List.of(Key.of("a"))));
            Await.until(() -> pool.startFailures().containsKey(1), Duration.ofSeconds(60), "slot 1's start failure to be recorded",
                    () -> pool.startFailures().toString());
            String why = pool.startFailures().get(1);
            assertNotNull(why, "slot 1's failure is recorded");
            assertTrue(why.contains("worker-1 exited with status") && why.contains("-XX:+NoSuchJdaskFlag"), why);
            assertEquals(1, pool.pids().size());
        }
    }

    private static List<Object> run(ProcessPool pool, TaskGraph graph, List<Key> outputs) {
        IndexedGraph g = IndexedGraph.of(graph);
        RunOptions options = RunOptions.of(Map.of());
        return new RemoteRun(g, Order.priorities(g), g.indicesOf(outputs), pool, pool.workers(2), options,
                new ListenerCalls(options.listeners()), 5_000).execute();
    }
}

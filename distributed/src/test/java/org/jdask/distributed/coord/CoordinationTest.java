package org.jdask.distributed.coord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdask.Config;
import org.jdask.distributed.Client;
import org.jdask.distributed.Future;
import org.jdask.distributed.LocalCluster;
import org.jdask.distributed.SharedCluster;
import org.jdask.distributed.SubmitOptions;
import org.jdask.graph.Key;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

/**
 * Issue 19: the coordination objects between clients (one in-process, one over TCP) and tasks on
 * 2 worker JVMs, real sockets, one cluster for the class. Leases last 3 s here (config
 * {@code distributed.scheduler.locks.lease-timeout}, read by the scheduler in this JVM).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CoordinationTest {
    static final Duration LONG = Duration.ofSeconds(60);
    static LocalCluster cluster;
    static Client a, b;

    @RegisterExtension
    static final SharedCluster SHARED = new SharedCluster(LocalCluster.builder().workers(2).threadsPerWorker(2).dashboardAddress("none"))
            .property("jdask.distributed.scheduler.locks.lease-timeout", "3s");

    /** A second client, over TCP (SHARED's, {@code a}, is in-process). */
    @BeforeAll
    static void secondClient() {
        b = Client.connect(cluster.schedulerAddress());
    }

    @AfterAll
    static void closeSecondClient() {
        if (b != null) b.close();
    }

    @Test
    void producerAndConsumerClientsShareABoundedQueue() throws Exception {
        Queue<Integer> out = a.queue("jobs", 4);
        CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 40; i++) out.put(i, LONG);
        });
        Queue<Integer> in = b.queue("jobs");
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < 40; i++) got.add(in.get(LONG));
        producer.get(60, TimeUnit.SECONDS);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) expected.add(i);
        assertEquals(expected, got);
        assertEquals(0, in.size());
    }

    static int putFromTask(int x) {
        Client.current().queue("from-task").put(x * 10);
        return x;
    }

    @Test
    void aTaskPutsIntoAQueueAClientReads() throws Exception {
        a.submit(CoordinationTest::putFromTask, 4).result(60, TimeUnit.SECONDS);
        assertEquals(40, b.<Integer>queue("from-task").get(LONG));
    }

    static long holdLock(String name) {
        Client.current().lock(name).acquire(LONG); // never released: only the holder's death frees it
        return ProcessHandle.current().pid();
    }

    @Test
    void aLockWhoseHolderJvmIsKilledIsReleasedWithinItsLease() throws Exception {
        long pid = a.submit(CoordinationTest::holdLock, "L", SubmitOptions.pure(false)).result(60, TimeUnit.SECONDS);
        assertFalse(pid == ProcessHandle.current().pid(), "the holder must be a worker JVM");
        Lock mine = b.lock("L");
        assertFalse(mine.tryAcquire(Duration.ofMillis(500)), "held by the task's worker");
        ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // kill -9
        mine.acquire(Duration.ofSeconds(60)); // the 3 s lease expires without the dead JVM's refreshes
        assertTrue(mine.locked());
        mine.release();
        assertFalse(mine.locked());
    }

    @Test
    void aSemaphoreAdmitsItsLeasesAndNoMore() {
        Semaphore s1 = a.semaphore("S", 2), s2 = b.semaphore("S", 2);
        s1.acquire(LONG);
        s2.acquire(LONG);
        assertFalse(s1.tryAcquire(Duration.ofMillis(300)));
        s2.release();
        assertTrue(s1.tryAcquire(LONG));
        s1.release();
        s1.release();
        s1.acquire(LONG); // while a lease is held, the semaphore keeps its count
        Exception wrong = assertThrows(RuntimeException.class, () -> b.semaphore("S", 3).acquire(LONG));
        s1.release();
        assertTrue(wrong.getMessage().contains("Semaphore 'S' acquire refused") || wrong.getMessage().contains("has 2 leases"),
                wrong.getMessage());
    }

    static String awaitEvent(String name) {
        Client.current().event(name).await(LONG);
        return "woke";
    }

    @Test
    void anEventWakesEveryWaiterInClientsAndTasks() throws Exception {
        List<CompletableFuture<String>> waiters = new ArrayList<>();
        for (Client c : List.of(a, b)) {
            Event e = c.event("go");
            waiters.add(CompletableFuture.supplyAsync(() -> {
                e.await(LONG);
                return "woke";
            }));
        }
        Future<String> inTask = a.submit(CoordinationTest::awaitEvent, "go", SubmitOptions.pure(false));
        Thread.sleep(500);
        for (CompletableFuture<String> w : waiters) assertFalse(w.isDone(), "nobody set the event yet");
        assertFalse(a.event("go").isSet());
        b.event("go").set();
        for (CompletableFuture<String> w : waiters) assertEquals("woke", w.get(60, TimeUnit.SECONDS));
        assertEquals("woke", inTask.result(60, TimeUnit.SECONDS));
        assertTrue(a.event("go").isSet());
        a.event("go").clear();
        assertFalse(b.event("go").isSet());
    }

    static int[] bigArray(int n) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) v[i] = i;
        return v;
    }

    @Test
    void aVariableHoldingAFutureKeepsItsDataAfterTheProducerLeaves() throws Exception {
        try (Client producer = Client.connect(cluster.schedulerAddress())) {
            Future<int[]> f = producer.submit(CoordinationTest::bigArray, 100_000, SubmitOptions.pure(false));
            f.result(60, TimeUnit.SECONDS);
            producer.<Future<int[]>>variable("shared").set(f);
        } // goodbye: the scheduler drops everything this client wanted
        Future<int[]> got = a.<Future<int[]>>variable("shared").get(LONG);
        int[] v = got.result(60, TimeUnit.SECONDS);
        assertEquals(100_000, v.length);
        assertEquals(99_999, v[99_999]);
        // over a TCP client's direct link: the link's thread hands the hold on the key to the scheduler thread
        Future<int[]> viaLink = b.<Future<int[]>>variable("shared").get(LONG);
        assertEquals(99_999, viaLink.result(60, TimeUnit.SECONDS)[99_999]);
        a.<Future<int[]>>queue("futures").put(got);
        assertEquals(99_999, b.<Future<int[]>>queue("futures").get(LONG).result(60, TimeUnit.SECONDS)[99_999], "a queued future got over a link");
        b.variable("plain").set("hello");
        assertEquals("hello", a.variable("plain").get(LONG));
    }

    @Test
    void pubSubDeliversInOrderToEverySubscriber() {
        try (Sub<String> s1 = a.sub("news"); Sub<String> s2 = b.sub("news")) {
            Pub<String> p = b.pub("news");
            p.put("one");
            p.put("two");
            assertEquals("one", s1.get(LONG));
            assertEquals("two", s1.get(LONG));
            assertEquals("one", s2.get(LONG));
            assertEquals("two", s2.get(LONG));
        }
    }

    @Test
    void everyWaitsTimeoutNamesThePrimitive() {
        Lock held = a.lock("busy");
        held.acquire(LONG);
        try {
            Duration t = Duration.ofMillis(300);
            Map<String, Executable> waits = Map.of(
                    "Queue 'empty' get timed out after 300 ms", () -> b.queue("empty").get(t),
                    "Variable 'unset' get timed out after 300 ms", () -> b.variable("unset").get(t),
                    "Lock 'busy' acquire timed out after 300 ms", () -> b.lock("busy").acquire(t),
                    "Event 'never' await timed out after 300 ms", () -> b.event("never").await(t),
                    "Sub 'quiet' get timed out after 300 ms", () -> {
                        try (Sub<Object> s = b.sub("quiet")) {
                            s.get(t);
                        }
                    });
            waits.forEach((message, wait) -> {
                CoordinationTimeoutException e = assertThrows(CoordinationTimeoutException.class, wait::execute);
                assertTrue(e.getMessage().startsWith(message), e.getMessage());
            });
        } finally {
            held.release();
        }
    }

    static String value(String v) {
        return v;
    }

    @Test
    void whoHasHasWhatAndReplicate() {
        Future<String> f = a.submit(CoordinationTest::value, "replicated", SubmitOptions.pure(false));
        f.result();
        Map<Key, List<String>> where = a.whoHas(List.of(f));
        assertEquals(1, where.get(f.key()).size(), where.toString());
        a.replicate(List.of(f), 2);
        where = a.whoHas(List.of(f));
        assertEquals(2, where.get(f.key()).size(), where.toString());
        Map<String, List<Key>> has = a.hasWhat();
        for (String w : where.get(f.key())) assertTrue(has.get(w).contains(f.key()), has.toString());
    }

    @Test
    void connectWithoutArgumentsFindsTheSchedulerInConfigOrAFile() throws Exception {
        try (Config.Scope ignored = Config.set("distributed.scheduler-address", cluster.schedulerAddress());
             Client c = Client.connect()) {
            assertEquals(cluster.schedulerAddress(), c.schedulerAddress());
        }
        Path file = Files.createTempFile("scheduler", ".json");
        try {
            Files.writeString(file, "{\"address\": \"" + cluster.schedulerAddress() + "\"}\n");
            try (Config.Scope ignored = Config.set("distributed.scheduler-file", file.toString());
                 Client c = Client.connect()) {
                assertEquals(cluster.schedulerAddress(), c.schedulerAddress());
            }
            Files.writeString(file, "{}");
            try (Config.Scope ignored = Config.set("distributed.scheduler-file", file.toString())) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, Client::connect);
                assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("\"address\""), e.getMessage());
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}

package org.jdask.distributed.actor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jdask.SerializationException;
import org.jdask.distributed.Client;
import org.jdask.distributed.LocalCluster;
import org.jdask.distributed.SharedCluster;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jdask.testing.Await;

/** Actors on worker JVMs under nannies: real processes, real sockets, a real kill -9 (one cluster for the class). */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ActorTest {
    /** A counter: the state lives on the worker, never crosses the network. */
    public static final class Counter {
        private long n;
        private final Object notSerializable = new Object(); // the object itself never travels

        public long increment() {
            return ++n;
        }

        public long add(long k) {
            n += k;
            return n;
        }

        public void reset() {
            n = 0;
        }

        public long value() {
            return n;
        }

        public long divide(long by) {
            return n / by;
        }

        public long slow() throws InterruptedException {
            Thread.sleep(200);
            return ++n;
        }

        @Override
        public String toString() {
            return "Counter(" + n + ", " + notSerializable.hashCode() + ")";
        }
    }

    static LocalCluster cluster;
    static Client client;

    @RegisterExtension
    static final SharedCluster SHARED = new SharedCluster(LocalCluster.builder().workers(2).threadsPerWorker(1).processes(true).dashboardAddress("none"));

    @Test
    @Order(1)
    void aCounterIncrementedTenThousandTimesFromFourClientsEndsAtFortyThousand() throws Exception {
        try (ActorHandle<Counter> counter = client.submitActor(Counter::new)) {
            assertTrue(counter.name().startsWith("Counter-"), counter.name());
            assertTrue(client.workerAddresses().contains(counter.worker()), counter.worker());
            List<CompletableFuture<List<Long>>> runs = new ArrayList<>();
            ExecutorService four = Executors.newFixedThreadPool(4); // the common pool has one thread on 2 cores
            for (int c = 0; c < 4; c++) {
                runs.add(CompletableFuture.supplyAsync(() -> {
                    try (Client other = Client.connect(cluster); ActorHandle<Counter> h = other.actor(counter.ref())) {
                        List<ActorFuture<Long>> fs = new ArrayList<>(10_000);
                        for (int i = 0; i < 10_000; i++) fs.add(h.call(Counter::increment)); // pipelined: nothing waits
                        List<Long> seen = new ArrayList<>(fs.size());
                        for (ActorFuture<Long> f : fs) seen.add(f.result(120, TimeUnit.SECONDS));
                        return seen;
                    } catch (java.util.concurrent.TimeoutException e) {
                        throw new AssertionError(e);
                    }
                }, four));
            }
            four.shutdown();
            for (CompletableFuture<List<Long>> r : runs) {
                List<Long> seen = r.get(180, TimeUnit.SECONDS);
                assertEquals(10_000, seen.size());
                for (int i = 1; i < seen.size(); i++) { // one client's calls run in the order it made them
                    assertTrue(seen.get(i) > seen.get(i - 1), "call " + i + " saw " + seen.get(i) + " after " + seen.get(i - 1));
                }
            }
            assertEquals(40_000L, counter.call(Counter::value).result(60, TimeUnit.SECONDS));
        }
    }

    @Test
    @Order(2)
    void methodsWithArgumentsVoidMethodsAndAFailingMethod() throws Exception {
        try (ActorHandle<Counter> counter = client.submitActor(Counter::new)) {
            assertEquals(5L, counter.call(Counter::add, 5L).result(60, TimeUnit.SECONDS));
            assertEquals(6L, counter.call(c -> c.value() + 1).result(60, TimeUnit.SECONDS));
            ActorException e = assertThrows(ActorException.class, () -> counter.call(Counter::divide, 0L).result(60, TimeUnit.SECONDS));
            assertEquals(counter.name(), e.actor());
            assertTrue(e.getMessage().contains(counter.name()) && e.getMessage().contains("java.lang.ArithmeticException"), e.getMessage());
            assertInstanceOf(ArithmeticException.class, e.getCause()); // a JDK exception keeps its type across JVMs
            assertEquals(5L, counter.call(Counter::value).result(60, TimeUnit.SECONDS), "the actor survives a failing method");
            assertEquals(null, counter.run(Counter::reset).result(60, TimeUnit.SECONDS));
            assertEquals(0L, counter.call(Counter::value).toCompletableFuture().get(60, TimeUnit.SECONDS));
        }
    }

    @Test
    @Order(3)
    void badInputIsRefusedClearly() throws Exception {
        // a constructor capturing something that cannot travel: refused before anything is sent
        Object lock = new Object();
        SerializationException s = assertThrows(SerializationException.class, () -> client.submitActor(() -> new Counter().add(lock.hashCode())));
        assertTrue(s.getMessage().contains("cannot be sent to another process") && s.getMessage().contains("java.lang.Object")
                && s.getMessage().contains("constructor of the actor"), s.getMessage());
        // a constructor that throws: the worker says so
        ActorException failed = assertThrows(ActorException.class, () -> client.submitActor(ActorTest::broken));
        assertTrue(failed.getMessage().contains("java.lang.IllegalStateException: no counter today") && failed.getMessage().contains("tcp://"),
                failed.getMessage());
        IllegalArgumentException noWorker = assertThrows(IllegalArgumentException.class, () -> client.submitActor(Counter::new, "tcp://nowhere:1"));
        assertTrue(noWorker.getMessage().contains("no worker tcp://nowhere:1"), noWorker.getMessage());
        assertThrows(NullPointerException.class, () -> client.submitActor(null));
        // a released handle refuses calls; once no handle holds the actor, it is gone
        String w = client.workerAddresses().get(0);
        ActorHandle<Counter> h = client.submitActor(Counter::new, w);
        assertEquals(w, h.worker());
        ActorRef<Counter> ref = h.ref();
        h.close();
        IllegalStateException released = assertThrows(IllegalStateException.class, () -> h.call(Counter::value));
        assertTrue(released.getMessage().contains(h.name()), released.getMessage());
        ActorException gone = assertThrows(ActorException.class, () -> client.actor(ref));
        assertTrue(gone.getMessage().contains("no actor") && gone.getMessage().contains(w), gone.getMessage());
    }

    static Counter broken() {
        throw new IllegalStateException("no counter today");
    }

    @Test
    @Order(4)
    void anUnreachableHandleReleasesItsActor() throws Exception {
        ActorRef<Counter> ref = client.<Counter>submitActor(Counter::new).ref(); // the handle is garbage at once
        Await.until(() -> {
            System.gc();
            try (ActorHandle<Counter> again = client.actor(ref)) {
                return false; // still held by the unreachable handle: try after the next collection
            } catch (ActorException e) {
                return e.getMessage().contains("no actor");
            }
        }, Duration.ofSeconds(60), "the garbage-collected handle to release actor " + ref.name());
    }

    @Test
    @Order(5) // last: it kills a worker of the shared cluster
    void killingTheWorkerFailsPendingCallsNamingTheActor() throws Exception {
        Map<String, Long> pids = client.run(() -> ProcessHandle.current().pid());
        String victim = client.workerAddresses().get(0);
        ActorHandle<Counter> counter = client.submitActor(Counter::new, victim);
        List<ActorFuture<Long>> pending = new ArrayList<>();
        for (int i = 0; i < 100; i++) pending.add(counter.call(Counter::slow)); // 20 s of work
        assertEquals(1L, pending.get(0).result(60, TimeUnit.SECONDS));
        ProcessHandle.of(pids.get(victim)).orElseThrow().destroyForcibly(); // SIGKILL
        ActorLostException lost = assertThrows(ActorLostException.class, () -> pending.get(99).result(60, TimeUnit.SECONDS));
        assertTrue(lost.getMessage().contains(counter.name()) && lost.getMessage().contains(victim)
                && lost.getMessage().contains("not recovered"), lost.getMessage());
        assertEquals(counter.name(), lost.actor());
        assertEquals(victim, lost.worker());
        // later calls fail at once, the same way
        ActorLostException later = assertThrows(ActorLostException.class, () -> counter.call(Counter::value).result(10, TimeUnit.SECONDS));
        assertTrue(later.getMessage().contains(counter.name()), later.getMessage());
        // the cluster goes on: a new actor on the worker the nanny started
        Await.until(() -> client.workerAddresses().size() >= 2, Duration.ofSeconds(60), "the nanny to restart the worker");
        try (ActorHandle<Counter> fresh = client.submitActor(Counter::new)) {
            assertNotEquals(counter.name(), fresh.name());
            assertEquals(1L, fresh.call(Counter::increment).result(60, TimeUnit.SECONDS));
        }
    }
}

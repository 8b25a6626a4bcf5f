package org.jdask.distributed.coord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jdask.Config;
import org.jdask.distributed.Client;
import org.jdask.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Direct coordination channels (a calling thread's own connection to the scheduler): replies to
 * parked waits go back to the channel that asked, several threads of one client wait at once on
 * their own channels, a client's channels go with it, and a client with
 * {@code distributed.coordination.direct-channels: false} works through its I/O thread. A
 * scheduler without workers (coordination needs none), clients over TCP and in-process.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CoordChannelsTest extends WorkerlessScheduler {
    @Test
    void routesSendEachReplyToTheChannelThatAsked() {
        ChannelRoutes<String> r = new ChannelRoutes<>();
        r.attach("c1", "ch-a");
        r.attach("c1", "ch-b");
        r.request("c1", 7, "ch-a");
        r.request("c1", 8, "ch-b");
        r.request("c1", 0, "ch-b"); // no reply wanted: not recorded
        assertSame("ch-b", r.replyTo("c1", 8));
        assertNull(r.replyTo("c1", 8), "a reply is routed once");
        assertNull(r.replyTo("c1", 0));
        assertNull(r.replyTo("c2", 7), "another client's request of the same id");
        assertEquals(2, r.size());
        assertEquals(List.of("ch-a", "ch-b"), r.removeClient("c1"));
        assertNull(r.replyTo("c1", 7), "a client's pending replies go with it");
        assertEquals(0, r.size());
    }

    @Test
    void threadsOfOneClientWaitAtOnceEachOnItsOwnChannel() throws Exception {
        for (String address : List.of(scheduler.address(), scheduler.inprocAddress())) {
            try (Client waiting = Client.connect(address); Client putting = Client.connect(scheduler.address())) {
                String name = "parked-" + address.hashCode();
                Queue<Integer> in = waiting.queue(name);
                ExecutorService four = Executors.newFixedThreadPool(4);
                try {
                    List<CompletableFuture<Integer>> gets = new ArrayList<>();
                    for (int i = 0; i < 4; i++) gets.add(CompletableFuture.supplyAsync(() -> in.get(LONG), four));
                    Thread.sleep(300); // the gets are parked at the scheduler (none would be lost if they were not)
                    Queue<Integer> out = putting.queue(name);
                    for (int i = 0; i < 4; i++) out.put(i);
                    Set<Integer> got = new HashSet<>();
                    for (CompletableFuture<Integer> g : gets) got.add(g.get(60, TimeUnit.SECONDS));
                    assertEquals(Set.of(0, 1, 2, 3), got, "over " + address);
                } finally {
                    four.shutdownNow();
                }
                Variable<String> v = waiting.variable("v-" + address.hashCode());
                v.set("x");
                assertEquals("x", putting.<String>variable("v-" + address.hashCode()).get(LONG));
            }
        }
    }

    @Test
    void aLockReleasedByItsClientsGoodbyeWakesTheNextWaiter() throws Exception {
        Client holder = Client.connect(scheduler.address());
        try (Client next = Client.connect(scheduler.address())) {
            holder.lock("L").acquire(LONG);
            CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> next.lock("L").tryAcquire(LONG));
            Thread.sleep(200);
            holder.close(); // its leases and channels go with it
            assertTrue(waiting.get(60, TimeUnit.SECONDS));
        } finally {
            holder.close();
        }
    }

    /**
     * The clients of earlier tests are all closed, but the scheduler forgets their channels
     * asynchronously: a count taken at once may still include some that go away mid-test.
     */
    private static int noChannelsLeft() {
        Await.until(() -> scheduler.coordChannels() == 0, Duration.ofSeconds(30), "the channels of earlier tests' closed clients to be forgotten",
                () -> scheduler.coordChannels() + " channels still open");
        return 0;
    }

    /** The scheduler's channel count reaches {@code n} (threads may be slow to start) and is then exactly {@code n}. */
    private static void atLeastThenExactly(int n, String what) {
        Await.until(() -> scheduler.coordChannels() >= n, Duration.ofSeconds(30), what, () -> scheduler.coordChannels() + " channels open");
        assertEquals(n, scheduler.coordChannels(), what);
    }

    /** {@code n} threads of {@code c} parked on gets of queue {@code name} until {@code feeder} puts n items; returns what they got. */
    private static Set<Integer> parkedGets(Client c, Client feeder, String name, int n, Runnable whileParked) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            Queue<Integer> in = c.queue(name);
            List<CompletableFuture<Integer>> gets = new ArrayList<>();
            for (int i = 0; i < n; i++) gets.add(CompletableFuture.supplyAsync(() -> in.get(LONG), pool));
            Thread.sleep(300); // parked (none would be lost if not)
            whileParked.run();
            Queue<Integer> out = feeder.queue(name);
            for (int i = 0; i < n; i++) out.put(i);
            Set<Integer> got = new HashSet<>();
            for (CompletableFuture<Integer> g : gets) got.add(g.get(60, TimeUnit.SECONDS));
            return got;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void idleChannelsAreClosedAndTheSchedulerForgetsThem() throws Exception {
        int before = noChannelsLeft();
        Client c, feeder;
        try (Config.Scope s = Config.set("distributed.coordination.channel-idle-timeout", "300ms")) {
            c = Client.connect(scheduler.address());
            feeder = Client.connect(scheduler.address());
        }
        try (c; feeder) {
            assertEquals(Set.of(0, 1, 2), parkedGets(c, feeder, "idle-sweep", 3,
                    () -> atLeastThenExactly(before + 3, "one channel per waiting thread")));
            // no call after this: the client's I/O thread sweeps, the scheduler forgets
            Await.until(() -> scheduler.coordChannels() <= before, Duration.ofSeconds(20), "idle channels closed",
                    () -> scheduler.coordChannels() + " channels open, " + before + " before");
            assertEquals("x", roundTrip(c), "a call after the sweep opens a fresh channel");
        }
    }

    @Test
    void channelsAreBoundedAndTheRestGoThroughTheClientsConnection() throws Exception {
        int before = noChannelsLeft();
        Client c;
        try (Config.Scope s = Config.set("distributed.coordination.max-channels", 2)) {
            c = Client.connect(scheduler.address());
        }
        try (c; Client feeder = Client.connect(scheduler.address())) {
            assertEquals(Set.of(0, 1, 2, 3, 4), parkedGets(c, feeder, "bounded", 5,
                    () -> atLeastThenExactly(before + 2, "at most 2 channels; 3 waits through the I/O thread")));
        }
    }

    private static String roundTrip(Client c) {
        Variable<String> v = c.variable("after-sweep");
        v.set("x");
        return v.get(LONG);
    }

    @Test
    void withoutDirectChannelsRequestsGoThroughTheClientsConnection() {
        Client c;
        try (Config.Scope s = Config.set("distributed.coordination.direct-channels", false)) {
            c = Client.connect(scheduler.address());
        }
        try (c) {
            Queue<String> q = c.queue("no-channels");
            q.put("a");
            assertEquals(1, q.size());
            assertEquals("a", q.get(LONG));
            Exception e = assertThrows(CoordinationTimeoutException.class, () -> q.get(Duration.ofMillis(100)));
            assertTrue(e.getMessage().contains("Queue 'no-channels' get timed out"), e.getMessage());
        }
    }
}

package org.jdask.distributed.coord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdask.distributed.coord.CoordState.Drop;
import org.jdask.distributed.coord.CoordState.Hold;
import org.jdask.distributed.coord.CoordState.Out;
import org.jdask.distributed.coord.CoordState.Push;
import org.jdask.distributed.coord.CoordState.Reply;
import org.jdask.distributed.internal.Messages.CoordRequest;
import org.jdask.distributed.internal.Payload;
import org.jdask.graph.Key;
import org.junit.jupiter.api.Test;

/** The scheduler's coordination state machine alone: whole outputs for each input, time passed in. */
class CoordStateTest {
    private final CoordState s = new CoordState(3_000);
    private long ids;

    private CoordRequest req(CoordOp op, String name, Object value, long n, long timeoutMs, String lease) {
        return new CoordRequest(++ids, op, name, value == null ? null : Payload.ofValue(value), List.of(), n, timeoutMs, lease);
    }

    /** "client id status [value] [n]" per reply, the other outputs by type. */
    private static List<String> show(List<Out> outs) {
        List<String> l = new ArrayList<>();
        for (Out o : outs) {
            if (o instanceof Reply r) {
                l.add(r.client() + " " + r.reply().id() + " " + r.reply().status() + (r.reply().value() == null ? "" : " " + r.reply().value().value())
                        + (r.reply().n() == 0 ? "" : " n=" + r.reply().n()));
            } else if (o instanceof Push p) {
                l.add("push " + p.client() + " " + p.message().topic() + " " + p.message().value().value());
            } else if (o instanceof Hold h) {
                l.add("hold " + h.holder() + " " + h.keys());
            } else if (o instanceof Drop d) {
                l.add("drop " + d.holder() + " " + d.keys());
            }
        }
        return l;
    }

    @Test
    void aRestartKeepsPlainValuesAndLeasesButTurnsHeldFuturesIntoTheReasonTheyAreGone() {
        Key k = Key.of("inc-1");
        CoordRequest future = new CoordRequest(++ids, CoordOp.VARIABLE_SET, "vf", null, List.of(k), 0, 0, null);
        assertEquals(List.of("hold variable:vf#1 ['inc-1']", "a 1 OK"), show(s.handle("a", future, 0)));
        s.handle("a", req(CoordOp.VARIABLE_SET, "vp", "plain", 0, 0, null), 0);
        s.handle("a", new CoordRequest(++ids, CoordOp.QUEUE_PUT, "q", null, List.of(k), 0, 0, null), 0);
        s.handle("a", req(CoordOp.QUEUE_PUT, "q", "after", 0, 0, null), 0);
        s.handle("a", req(CoordOp.SEMAPHORE_ACQUIRE, "lock:L", null, 1, 0, "lease-1"), 0);
        assertEquals(List.of(), show(s.restart("c-1")), "nothing to drop: the scheduler forgot the holds with the tasks");
        List<Out> got = s.handle("b", req(CoordOp.VARIABLE_GET, "vf", null, 0, 1000, null), 10);
        assertEquals(List.of("b 6 REFUSED"), show(got));
        String why = ((Reply) got.get(0)).reply().error();
        assertTrue(why.contains("it held future 'inc-1'") && why.contains("client.restart() (asked by c-1)"), why);
        assertEquals(List.of("b 7 OK plain"), show(s.handle("b", req(CoordOp.VARIABLE_GET, "vp", null, 0, 1000, null), 10)));
        assertEquals(List.of("b 8 REFUSED"), show(s.handle("b", req(CoordOp.QUEUE_GET, "q", null, 0, 1000, null), 10)));
        assertEquals(List.of("b 9 OK after"), show(s.handle("b", req(CoordOp.QUEUE_GET, "q", null, 0, 1000, null), 10)), "the queue moves on");
        assertEquals(Map.of("lock:L", List.of("lease-1")), s.leases(), "a lease outlives a restart (its client is alive)");
        assertEquals(List.of("hold variable:vf#5 ['inc-1']", "b 10 OK"),
                show(s.handle("b", new CoordRequest(++ids, CoordOp.VARIABLE_SET, "vf", null, List.of(k), 0, 0, null), 20)), "set again: a future again");
    }

    @Test
    void aCancelledParkedRequestGetsNothingAndItsBlockedPutIsDropped() {
        CoordRequest parkedGet = req(CoordOp.QUEUE_GET, "q", null, 0, 10_000, null);
        assertEquals(List.of(), show(s.handle("a", parkedGet, 0)));
        assertEquals(List.of(), show(s.cancel("a", parkedGet.id())), "nothing to drop for a get");
        assertEquals(List.of("b 2 OK n=1"), show(s.handle("b", req(CoordOp.QUEUE_PUT, "q", "x", 0, 0, null), 1)), "the item stays in the queue");
        assertEquals(1, s.queueSize("q"));
        Key k = Key.of("f-1");
        s.handle("b", req(CoordOp.QUEUE_PUT, "full", "first", 1, 0, null), 2);
        CoordRequest blocked = new CoordRequest(++ids, CoordOp.QUEUE_PUT, "full", null, List.of(k), 1, 10_000, null);
        assertEquals(List.of("hold queue:full#3 ['f-1']"), show(s.handle("a", blocked, 3)));
        assertEquals(List.of("drop queue:full#3 ['f-1']"), show(s.cancel("a", blocked.id())));
        assertEquals(List.of("c 5 OK first"), show(s.handle("c", req(CoordOp.QUEUE_GET, "full", null, 0, 0, null), 4)), "no blocked put moves in");
        assertEquals(0, s.queueSize("full"));
    }

    @Test
    void queueIsFifoAndAGetWaitsForAPutOrItsDeadline() {
        assertEquals(List.of("a 1 OK n=1"), show(s.handle("a", req(CoordOp.QUEUE_PUT, "q", "x", 0, 0, null), 0)));
        assertEquals(List.of("a 2 OK n=2"), show(s.handle("a", req(CoordOp.QUEUE_PUT, "q", "y", 0, 0, null), 0)));
        assertEquals(List.of("b 3 OK x"), show(s.handle("b", req(CoordOp.QUEUE_GET, "q", null, 0, 1000, null), 0)));
        assertEquals(List.of("b 4 OK y"), show(s.handle("b", req(CoordOp.QUEUE_GET, "q", null, 0, 1000, null), 0)));
        assertEquals(List.of(), show(s.handle("b", req(CoordOp.QUEUE_GET, "q", null, 0, 1000, null), 0)));
        assertEquals(List.of("a 6 OK n=1", "b 5 OK z"), show(s.handle("a", req(CoordOp.QUEUE_PUT, "q", "z", 0, 0, null), 10)));
        assertEquals(List.of(), show(s.handle("b", req(CoordOp.QUEUE_GET, "q", null, 0, 1000, null), 20)));
        assertEquals(List.of(), show(s.tick(500)));
        assertEquals(List.of("b 7 TIMEOUT"), show(s.tick(1020)));
        assertEquals(List.of("b 8 TIMEOUT"), show(s.handle("b", req(CoordOp.QUEUE_GET, "q", null, 0, 0, null), 2000)));
    }

    @Test
    void aBoundedQueueParksPutsUntilAGetMakesRoom() {
        s.handle("a", req(CoordOp.QUEUE_PUT, "q", 1, 1, 0, null), 0);
        assertEquals(List.of("a 2 TIMEOUT n=1"), show(s.handle("a", req(CoordOp.QUEUE_PUT, "q", 2, 1, 0, null), 0)));
        assertEquals(List.of(), show(s.handle("a", req(CoordOp.QUEUE_PUT, "q", 3, 1, 5000, null), 0)));
        assertEquals(List.of("b 4 OK 1", "a 3 OK n=1"), show(s.handle("b", req(CoordOp.QUEUE_GET, "q", null, 0, 0, null), 1)));
        assertEquals(1, s.queueSize("q"));
    }

    @Test
    void aFutureInAQueueIsHeldUntilTheGetterWantsIt() {
        Key k = Key.of("data-1");
        CoordRequest put = new CoordRequest(1, CoordOp.QUEUE_PUT, "q", null, List.of(k), 0, 0, null);
        assertEquals(List.of("hold queue:q#1 ['data-1']", "a 1 OK n=1"), show(s.handle("a", put, 0)));
        List<Out> got = s.handle("b", req(CoordOp.QUEUE_GET, "q", null, 0, 0, null), 0);
        assertEquals(List.of("hold b ['data-1']", "b 1 OK", "drop queue:q#1 ['data-1']"), show(got));
        assertEquals(List.of(k), ((Reply) got.get(1)).reply().keys());
    }

    @Test
    void aVariableGetWaitsForTheFirstSetAndASetReleasesTheOldFuture() {
        assertEquals(List.of(), show(s.handle("b", req(CoordOp.VARIABLE_GET, "v", null, 0, 1000, null), 0)));
        CoordRequest set1 = new CoordRequest(2, CoordOp.VARIABLE_SET, "v", null, List.of(Key.of("f1")), 0, 0, null);
        assertEquals(List.of("hold variable:v#1 ['f1']", "hold b ['f1']", "b 1 OK", "a 2 OK"), show(s.handle("a", set1, 1)));
        ids = 2;
        assertEquals(List.of("drop variable:v#1 ['f1']", "a 3 OK"), show(s.handle("a", req(CoordOp.VARIABLE_SET, "v", 7, 0, 0, null), 2)));
        assertEquals(List.of("c 4 OK 7"), show(s.handle("c", req(CoordOp.VARIABLE_GET, "v", null, 0, 0, null), 3)));
    }

    @Test
    void aLeaseExpiresWhenItsHolderFallsSilentAndGoesToTheNextWaiter() {
        assertEquals(List.of("a 1 OK n=3000"), show(s.handle("a", req(CoordOp.SEMAPHORE_ACQUIRE, "lock:L", null, 1, 1000, "la"), 0)));
        assertEquals(List.of(), show(s.handle("b", req(CoordOp.SEMAPHORE_ACQUIRE, "lock:L", null, 1, 10_000, "lb"), 100)));
        s.handle("a", req(CoordOp.LEASE_REFRESH, "", null, 0, 0, null), 2000); // alive at 2000: keeps it until 5000
        assertEquals(List.of(), show(s.tick(4000)));
        assertEquals(Map.of("lock:L", List.of("la")), s.leases());
        assertEquals(List.of("b 2 OK n=3000"), show(s.tick(5001)));
        assertEquals(Map.of("lock:L", List.of("lb")), s.leases());
        List<String> late = show(s.handle("a", req(CoordOp.SEMAPHORE_RELEASE, "lock:L", null, 1, 0, "la"), 5002));
        assertTrue(late.get(0).startsWith("a 4 REFUSED"), late.toString());
    }

    @Test
    void aGoodbyeReleasesLeasesAtOnceAndSemaphoresKeepTheirCount() {
        s.handle("a", req(CoordOp.SEMAPHORE_ACQUIRE, "semaphore:S", null, 2, 0, "1"), 0);
        s.handle("a", req(CoordOp.SEMAPHORE_ACQUIRE, "semaphore:S", null, 2, 0, "2"), 0);
        assertEquals(List.of("b 3 TIMEOUT"), show(s.handle("b", req(CoordOp.SEMAPHORE_ACQUIRE, "semaphore:S", null, 2, 0, "3"), 0)));
        assertEquals("b 4 REFUSED n=2", show(s.handle("b", req(CoordOp.SEMAPHORE_ACQUIRE, "semaphore:S", null, 3, 0, "4"), 0)).get(0));
        s.handle("b", req(CoordOp.SEMAPHORE_ACQUIRE, "semaphore:S", null, 2, 1000, "5"), 0);
        assertEquals(List.of("b 5 OK n=3000"), show(s.removeClient("a", 10)));
    }

    @Test
    void anEventWakesEveryWaiterAndClearMakesThemWaitAgain() {
        s.handle("a", req(CoordOp.EVENT_WAIT, "e", null, 0, 1000, null), 0);
        s.handle("b", req(CoordOp.EVENT_WAIT, "e", null, 0, 1000, null), 0);
        assertEquals(List.of("a 1 OK n=1", "b 2 OK n=1", "c 3 OK n=1"), show(s.handle("c", req(CoordOp.EVENT_SET, "e", null, 0, 0, null), 1)));
        assertEquals(List.of("a 4 OK n=1"), show(s.handle("a", req(CoordOp.EVENT_WAIT, "e", null, 0, 1000, null), 2)));
        s.handle("c", req(CoordOp.EVENT_CLEAR, "e", null, 0, 0, null), 3);
        assertEquals(List.of(), show(s.handle("a", req(CoordOp.EVENT_WAIT, "e", null, 0, 1000, null), 4)));
        assertEquals(List.of("a 6 TIMEOUT"), show(s.tick(1004)));
    }

    @Test
    void topicsReachTheClientsSubscribedWhenPublished() {
        s.handle("a", req(CoordOp.SUBSCRIBE, "t", null, 0, 0, null), 0);
        s.handle("b", req(CoordOp.SUBSCRIBE, "t", null, 0, 0, null), 0);
        CoordRequest pub = new CoordRequest(0, CoordOp.PUBLISH, "t", Payload.ofValue("m"), List.of(), 0, 0, null);
        assertEquals(List.of("push a t m", "push b t m"), show(s.handle("c", pub, 1)));
        s.removeClient("a", 2);
        assertEquals(List.of("push b t m"), show(s.handle("c", pub, 3)));
        s.handle("b", new CoordRequest(0, CoordOp.UNSUBSCRIBE, "t", null, List.of(), 0, 0, null), 4);
        assertEquals(List.of(), show(s.handle("c", pub, 5)));
    }
}

package org.jdask.distributed.actor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jdask.distributed.Client;
import org.jdask.distributed.LocalCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Actors on in-process workers: nothing is serialized, objects pass as they are. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ActorInProcessTest {
    /** Holds whatever it is given (not serializable: in-process workers never encode). */
    static final class Box {
        private final List<Object> items = new ArrayList<>();

        int put(Object o) {
            items.add(o);
            return items.size();
        }

        Object get(int i) {
            return items.get(i);
        }
    }

    @Test
    void callsFromTwoClientsRunInOrderAndObjectsPassAsTheyAre() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).processes(false).dashboardAddress("none").build();
             Client a = Client.connect(cluster); Client b = Client.connect(cluster);
             ActorHandle<Box> box = a.submitActor(Box::new)) {
            Object token = new Object();
            ActorHandle<Box> other = b.actor(box.ref());
            List<ActorFuture<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                fs.add(box.call(Box::put, i));
                fs.add(other.call(Box::put, -i));
            }
            for (ActorFuture<Integer> f : fs) f.result(60, TimeUnit.SECONDS); // the two clients' calls interleave: wait for both
            assertEquals(1001, box.call(Box::put, token).result(60, TimeUnit.SECONDS));
            assertSame(token, other.call(Box::get, 1000).result(60, TimeUnit.SECONDS), "the same object, not a copy");
            for (int i = 0; i < 500; i++) assertEquals(i, box.call(Box::get, fs.get(2 * i).result() - 1).result());
            IndexOutOfBoundsException cause = new IndexOutOfBoundsException();
            ActorException e = assertThrows(ActorException.class, () -> box.call(Box::get, 5000).result(60, TimeUnit.SECONDS));
            assertEquals(cause.getClass(), e.getCause().getClass());
            assertEquals(box.name(), e.actor());
            other.close();
        }
    }
}

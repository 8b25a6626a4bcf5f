package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 20: futures behave as Dask users rely on (in-process workers). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DaskBehaviourTest {
    static LocalCluster cluster;
    static Client client;
    static final Fn1<Integer, Integer> SLEEP = ms -> {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ms;
    };
    static final Fn2<Integer, Integer, Integer> ADD = Integer::sum;

    @BeforeAll
    static void up() {
        cluster = LocalCluster.builder().workers(1).threadsPerWorker(1).processes(false).build();
        client = Client.connect(cluster);
    }

    @AfterAll
    static void down() {
        client.close();
        cluster.close();
    }

    /** Item 2: a cancelled future's dependents end cancelled too, and nothing new may depend on it. */
    @Test
    void cancellingAFutureCancelsItsDependentsAndRefusesNewOnes() {
        Future<Integer> slow = client.submit(SLEEP, 5_000);
        Future<Integer> dependent = client.submit(ADD, slow, 1);
        assertTrue(slow.cancel());
        assertThrows(CancellationException.class, slow::result);
        CancellationException e = assertThrows(CancellationException.class, dependent::result);
        assertTrue(e.getMessage().contains(dependent.key().toString()), e.getMessage());
        Await.until(dependent::isCancelled, Duration.ofSeconds(30), "the dependent to be cancelled");
        CancellationException refused = assertThrows(CancellationException.class, () -> client.submit(ADD, slow, 2));
        assertTrue(refused.getMessage().contains("future " + slow.key() + " was cancelled"), refused.getMessage());
        assertEquals(3, client.submit(ADD, 1, 2).result()); // the cluster computes on
    }
}

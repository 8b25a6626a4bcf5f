package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import org.jdask.Config;
import org.jdask.JdaskException;
import org.jdask.fn.Fn1;
import org.jdask.fn.Fn2;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jdask.testing.Await;

/** Issue 20: futures behave as Dask users rely on (in-process workers). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DaskBehaviourTest {
    static LocalCluster cluster;
    static Client client;
    static final Fn1<Integer, Integer> SLEEP = ms -> {
        TaskWork.sleep(ms);
        return ms;
    };
    static final Fn2<Integer, Integer, Integer> ADD = Integer::sum;

    @RegisterExtension
    static final SharedCluster SHARED = new SharedCluster(LocalCluster.builder().workers(1).threadsPerWorker(1).processes(false));

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

    /** Item 5: nothing listens at the address: a catchable "could not connect", refused, with the cause. */
    @Test
    void anUnreachableSchedulerIsACannotConnectExceptionSayingRefusedOrTimedOut() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (var cfg = Config.set("distributed.comm.timeouts.connect", 1)) {
            String refusedAt = "tcp://127.0.0.1:" + closedPort;
            CannotConnectException e = assertThrows(CannotConnectException.class, () -> Client.connect(refusedAt));
            assertEquals(CannotConnectException.Reason.REFUSED, e.reason());
            assertEquals(refusedAt, e.address());
            assertInstanceOf(java.net.ConnectException.class, e.getCause());
            assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
            assertInstanceOf(JdaskException.class, e);
            // something listens but never speaks ZeroMQ: no answer in time
            try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                String silentAt = "tcp://127.0.0.1:" + silent.getLocalPort();
                CannotConnectException t = assertThrows(CannotConnectException.class, () -> Client.connect(silentAt));
                assertEquals(CannotConnectException.Reason.TIMED_OUT, t.reason());
                assertInstanceOf(java.util.concurrent.TimeoutException.class, t.getCause());
                assertTrue(t.getMessage().contains("no answer within"), t.getMessage());
            }
        }
    }
}

package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jdask.Config;
import org.jdask.JdaskException;
import org.jdask.TaskFailedException;
import org.jdask.distributed.internal.Messages;
import org.jdask.distributed.internal.Op;
import org.jdask.distributed.internal.Wire;
import org.jdask.distributed.internal.Zmq;
import org.jdask.fn.Fn1;
import org.jdask.graph.Key;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/** Faults on real sockets: hostile frames, silent workers, a lost scheduler. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FaultTest {
    static final Fn1<Integer, Integer> INC = x -> x + 1;

    @Test
    void malformedWrongVersionAndOversizedFramesDoNotHurtTheScheduler() throws Exception {
        try (var cfg = Config.set("distributed.comm.max-frame-bytes", 4096);
             LocalCluster cluster = LocalCluster.builder().workers(1).threadsPerWorker(1).processes(false).build()) {
            ZMQ.Socket raw = Zmq.socket(SocketType.DEALER, 1 << 20);
            try {
                raw.setIdentity(Wire.remoteIdentity());
                raw.connect(cluster.schedulerAddress());
                raw.setReceiveTimeOut(5000);
                raw.send(new byte[] {1, 2, 3}, 0);                                    // not a jdask header
                assertTrue(new String(raw.recv(0)).contains("not a jdask message"));
                raw.send(new byte[] {'J', 'D', 99, 0}, 0);                            // wrong version
                assertTrue(new String(raw.recv(0)).contains("protocol version 99"));
                byte v = (byte) Wire.VERSION;
                raw.send(new byte[] {'J', 'D', v, 1, (byte) Op.UPDATE_GRAPH.ordinal(), 7, (byte) 0xff}, 0); // truncated
                assertTrue(new String(raw.recv(0)).contains("malformed"));
                raw.send(new byte[] {'J', 'D', v, 1, (byte) Op.FINISHED.ordinal(), 7, 0}, 0); // wrong shape: no fields
                String shape = new String(raw.recv(0));
                assertTrue(shape.contains("FINISHED has 0 fields: field 0 (key) is missing"), shape);
                Wire.send(raw, null, List.of(new Messages.Finished(Key.of("x"), 1, 0.1, null, null).msg()), false); // not registered
                assertTrue(new String(raw.recv(0)).contains("not a registered worker"));
                raw.send(new byte[] {'J', 'D', v, 1, (byte) Op.HELLO_CLIENT.ordinal(), 7, 2, 5, 1, 'c', 3, (byte) 198, 1}, 0); // hello of version 99
                String hello = new String(raw.recv(0));
                assertTrue(hello.contains("client c speaks protocol version 99, this side speaks " + Wire.VERSION), hello);
                raw.sendMore(new byte[] {'J', 'D', v, 0});
                raw.send(new byte[100_000], 0);                                         // over the frame limit
            } finally {
                Zmq.close(raw);
            }
            try (Client c = Client.connect(cluster)) {
                assertEquals(2, c.submit(INC, 1).result(30, TimeUnit.SECONDS)); // still serving
            }
        }
    }

    @Test
    void aSilentWorkerIsRemovedAfterItsHeartbeatTimeoutAndItsTaskRerunsElsewhere() throws Exception {
        try (var cfg = Config.set("distributed.scheduler.worker-ttl", 1.0);
             LocalCluster cluster = LocalCluster.builder().workers(0).processes(false).build();
             Client client = Client.connect(cluster)) {
            Worker a = Worker.start(cluster.inprocAddress(), Worker.Options.defaults().withThreads(1).withName("a"));
            Fn1<Integer, Integer> slow = x -> {
                Thread.sleep(500);
                return x * 2;
            };
            Future<Integer> f = client.submit(slow, 21);
            Thread.sleep(100);
            a.crash(); // stops answering, says no goodbye
            Worker b = Worker.start(cluster.inprocAddress(), Worker.Options.defaults().withThreads(1).withName("b"));
            try {
                assertEquals(42, f.result(60, TimeUnit.SECONDS));
                assertTrue(client.story(f.key()).stream().anyMatch(s -> s.contains("no heartbeat")), client.story(f.key()).toString());
            } finally {
                b.close();
            }
        }
    }

    @Test
    void losingTheSchedulerFailsPendingFuturesInsteadOfHanging() throws Exception {
        LocalCluster cluster = LocalCluster.builder().workers(1).threadsPerWorker(1).processes(false).build();
        try (var cfg = Config.set("distributed.comm.timeouts.scheduler-lost", 1.0);
             Client client = Client.connect(cluster.schedulerAddress())) {
            Fn1<Integer, Integer> forever = x -> {
                Thread.sleep(60_000);
                return x;
            };
            Future<Integer> f = client.submit(forever, 1);
            cluster.close();
            TaskFailedException e = assertThrows(TaskFailedException.class, () -> f.result(30, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof JdaskException && e.getCause().getMessage().contains("lost the connection"),
                    e.getCause().toString());
            assertThrows(JdaskException.class, () -> client.submit(INC, 1));
        } finally {
            cluster.close();
        }
    }

    @Test
    void soakOfManyTasksWhenEnabled() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Boolean.getBoolean("jdask.soak"), "run with -Pslow (or -Djdask.soak=true)");
        try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(2).processes(true).build();
             Client client = Client.connect(cluster)) {
            List<Integer> xs = java.util.stream.IntStream.range(0, 100_000).boxed().toList();
            List<Future<Integer>> fs = client.map(INC, xs);
            long total = 0;
            for (int v : client.gather(fs)) total += v;
            assertEquals(100_000L * 100_001 / 2, total);
        }
    }
}

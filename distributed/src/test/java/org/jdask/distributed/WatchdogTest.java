package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jdask.distributed.internal.Watchdog;
import org.jdask.distributed.internal.Zmq;
import org.jdask.fn.Fn0;
import org.jdask.fn.Fn1;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;
import zmq.Msg;
import zmq.msg.MsgAllocator;

/**
 * The watchdog on real threads and the real shared ZeroMQ I/O thread: a loop that stops beating
 * and a wedged I/O thread are reported, a live loop is not, and a worker JVM whose I/O thread
 * wedges exits so its nanny starts a new one.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class WatchdogTest {
    static final Fn1<Integer, Integer> INC = x -> x + 1;

    @Test
    void aLoopThatStopsBeatingIsReportedAndALiveOneIsNot() throws Exception {
        Watchdog dog = new Watchdog(1500, why -> { });
        AtomicReference<String> stuck = new AtomicReference<>(), live = new AtomicReference<>();
        try {
            Watchdog.Beat dead = dog.register("test loop", Thread.currentThread(), stuck::set);
            dead.beat();
            Thread beater = new Thread(() -> {
                Watchdog.Beat b = dog.register("live loop", Thread.currentThread(), live::set);
                while (!Thread.currentThread().isInterrupted()) {
                    b.beat();
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "live-loop");
            beater.start();
            RawZmtp.await(() -> stuck.get() != null, 60_000, "the stuck loop reported");
            assertTrue(stuck.get().contains("test loop") && stuck.get().contains("has not turned"), stuck.get());
            beater.interrupt();
            beater.join();
            assertNull(live.get(), "a loop that beats is never reported");
        } finally {
            dog.stop();
        }
    }

    /** Blocks the I/O thread that decodes a 777-byte frame until {@code release} (a wedge made on purpose). */
    static final class Blocking implements MsgAllocator {
        final CountDownLatch release;

        Blocking(CountDownLatch release) {
            this.release = release;
        }

        @Override
        public Msg allocate(int size) {
            if (size == 777) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new Msg(size);
        }
    }

    /** Wedges this JVM's ZeroMQ I/O thread until {@code release} counts down. */
    static void wedgeIoThread(CountDownLatch release) {
        ZMQ.Socket in = Zmq.context().createSocket(SocketType.PAIR);
        in.setMsgAllocator(new Blocking(release));
        int port = in.bindToRandomPort("tcp://127.0.0.1");
        ZMQ.Socket out = Zmq.context().createSocket(SocketType.PAIR);
        out.connect("tcp://127.0.0.1:" + port);
        out.send(new byte[777], 0);
    }

    @Test
    void aWedgedZeroMqIoThreadIsReported() throws Exception {
        AtomicReference<String> wedged = new AtomicReference<>();
        Watchdog dog = new Watchdog(3000, wedged::set);
        CountDownLatch release = new CountDownLatch(1);
        try {
            Thread.sleep(1500); // the first probe went through: the I/O thread works
            assertNull(wedged.get());
            wedgeIoThread(release);
            RawZmtp.await(() -> wedged.get() != null, 60_000, "the wedged I/O thread reported");
            assertTrue(wedged.get().contains("ZeroMQ I/O thread passed no probe"), wedged.get());
        } finally {
            release.countDown();
            dog.stop();
        }
    }

    @Test
    void aWorkerJvmWhoseIoThreadWedgesExitsAndItsNannyStartsANewOne() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().workers(1).threadsPerWorker(1).processes(true).build();
             Client client = Client.connect(cluster)) {
            Nanny nanny = cluster.nannies().get(0);
            long pid = nanny.process().pid();
            String before = nanny.workerAddress(10_000);
            Fn0<String> wedge = () -> { // runs inside the worker JVM
                new Watchdog(2000, why -> { }).exitOnFailure(true);
                wedgeIoThread(new CountDownLatch(1)); // never released
                return "wedged";
            };
            Thread runner = new Thread(() -> { // its reply never comes: the worker's I/O thread is wedged
                try {
                    client.run(wedge);
                } catch (RuntimeException expected) {
                    // the worker died
                }
            }, "wedge-runner");
            runner.setDaemon(true);
            runner.start();
            RawZmtp.await(() -> nanny.restarts() == 1 && nanny.process().pid() != pid, 120_000,
                    "the nanny restarted the wedged worker; its output: " + nanny.logs());
            String after = nanny.workerAddress(60_000);
            assertNotEquals(before, after);
            String logs = String.join("\n", nanny.logs());
            assertTrue(logs.contains("jdask watchdog: the ZeroMQ I/O thread passed no probe"), logs);
            RawZmtp.await(() -> cluster.workers().size() == 1 && after.equals(cluster.workers().get(0).get("address")), 60_000,
                    "the new worker registered: " + cluster.workers());
            assertEquals(3, client.submit(INC, 2, SubmitOptions.defaults().withPure(false)).result(60, TimeUnit.SECONDS));
        }
    }
}

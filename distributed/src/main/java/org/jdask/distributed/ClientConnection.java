package org.jdask.distributed;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import org.jdask.distributed.internal.Messages;
import org.jdask.distributed.internal.Messages.Message;
import org.jdask.distributed.internal.Outbox;
import org.jdask.distributed.internal.SocketWait;
import org.jdask.distributed.internal.Wire;
import org.jdask.distributed.internal.Wire.Msg;
import org.jdask.distributed.internal.Watchdog;
import org.jdask.distributed.internal.Zmq;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * The client's I/O thread: owns the DEALER socket to the scheduler and one DEALER per worker it
 * talks to (gather, scatter, run). User threads never touch a socket: they {@link #post} work
 * and wait on {@link CompletableFuture}s this thread completes. The scheduler is pinged every
 * second (the scheduler's I/O thread answers without waiting for graph work); any message counts as
 * an answer. With none for {@code distributed.comm.timeouts.scheduler-lost} (30 s) of time this
 * thread actually spent waiting, the scheduler counts as lost and {@code onLost} fails every pending
 * future, so nothing hangs.
 */
final class ClientConnection {
    private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);
    private static final AtomicInteger COUNTER = new AtomicInteger();

    final String schedulerAddress;
    final boolean local;
    /** CurveZMQ keys for TCP connections, or null. */
    private final Security security;
    private final long maxFrame, lostAfterMs;
    private final Consumer<List<Message>> onScheduler;
    private final Consumer<String> onLost;
    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    private final Map<Long, CompletableFuture<Message>> requests = new HashMap<>();
    private final Map<String, ZMQ.Socket> workers = new HashMap<>();
    private final Outbox toScheduler = new Outbox();
    /** Whether anything came from the scheduler yet (a refusal is reported only before that). */
    private boolean heardAny, refusalReported;
    private volatile Runnable everySecond;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private ZMQ.Socket sched;
    /** Where the I/O thread waits for its sockets and for posted work (not JeroMQ's spinning poller). */
    private final SocketWait waits = new SocketWait();
    private long nextId = 1, lastHeard, nextPing;

    ClientConnection(String schedulerAddress, long maxFrame, long lostAfterMs, Consumer<List<Message>> onScheduler,
                     Consumer<String> onLost, Security security) {
        this.schedulerAddress = schedulerAddress;
        this.local = schedulerAddress.startsWith("inproc://");
        this.security = security;
        this.maxFrame = maxFrame;
        this.lostAfterMs = lostAfterMs;
        this.onScheduler = onScheduler;
        this.onLost = onLost;
        int n = COUNTER.incrementAndGet();
        sched = Zmq.socket(SocketType.DEALER, maxFrame);
        sched.setIdentity(local ? Wire.localIdentity() : Wire.remoteIdentity());
        if (security != null && !local) security.toScheduler(sched);
        // a refusal is reported at once as the scheduler's ERROR instead of a connect timeout
        Zmq.connect(sched, schedulerAddress, schedulerAddress, (why, beforeGreeting) -> post(() -> refused(beforeGreeting ? refusal() : why)));
        thread = new Thread(this::run, "jdask-client-" + n);
        thread.setDaemon(true);
        thread.start();
    }

    /** CurveZMQ keys for TCP connections, or null (for the client's other connections to the scheduler). */
    Security security() {
        return security;
    }

    /** The largest frame this client accepts. */
    long maxFrame() {
        return maxFrame;
    }

    /** Runs {@code r} on the I/O thread about once a second (one hook: the coordination channels' sweep). */
    void everySecond(Runnable r) {
        everySecond = r;
    }

    /** Runs {@code r} on the I/O thread. */
    void post(Runnable r) {
        inbox.add(r);
        waits.wake();
    }

    /** Queues a message for the scheduler (sent in one batch per loop turn). Any thread. */
    void send(Message m) {
        Msg msg = m.msg();
        post(() -> toScheduler.add(msg));
    }

    /** Sends a request built with a fresh request id to the scheduler ({@code worker == null}) or a worker. */
    CompletableFuture<Message> request(String worker, LongFunction<Message> build) {
        CompletableFuture<Message> f = new CompletableFuture<>();
        post(() -> {
            long id = nextId++;
            requests.put(id, f);
            Msg m = build.apply(id).msg();
            if (worker == null) toScheduler.add(m);
            else {
                try {
                    if (!Wire.send(workerSocket(worker), null, List.of(m), worker.startsWith("inproc://"))) {
                        Zmq.close(workers.remove(worker)); // a fresh socket next time
                        requests.remove(id);
                        f.completeExceptionally(new org.jdask.JdaskException("worker " + worker + " refused the connection"
                                + (security == null ? " (does the cluster use security? connect with Security.load(dir))" : " (CurveZMQ handshake failed)")));
                    }
                } catch (RuntimeException e) {
                    requests.remove(id);
                    f.completeExceptionally(e);
                }
            }
        });
        return f;
    }

    private ZMQ.Socket workerSocket(String address) {
        ZMQ.Socket s = workers.get(address);
        if (s == null) {
            s = Zmq.socket(SocketType.DEALER, maxFrame);
            s.setIdentity(address.startsWith("inproc://") ? Wire.localIdentity() : Wire.remoteIdentity());
            if (security != null && !address.startsWith("inproc://")) security.toWorker(s);
            Zmq.connect(s, address, "worker " + address);
            workers.put(address, s);
        }
        return s;
    }

    private void run() {
        lastHeard = System.currentTimeMillis();
        nextPing = lastHeard + 1000;
        Watchdog.Beat beat = Watchdog.watch("client of " + schedulerAddress, why -> { });
        try {
            while (running) {
                beat.beat();
                waits.watchIfChanged(sockets()); // worker sockets are added or replaced by this thread while it handles messages
                long pollStart = System.currentTimeMillis();
                waits.await(toScheduler.pollMillis(200));
                long busyStart = System.currentTimeMillis();
                // a wait that overslept its 200 ms by far means this thread did not run (GC pause,
                // a starved CPU): that time says nothing about the scheduler, so it does not count
                long overslept = busyStart - pollStart - 200;
                if (overslept > 300) lastHeard += overslept;
                waits.woken(); // before draining the inbox: a post after this wakes the next wait
                Runnable r;
                while ((r = inbox.poll()) != null) {
                    waits.progress();
                    r.run();
                }
                receiveScheduler();
                receiveWorkers();
                long now = System.currentTimeMillis();
                // only time spent waiting counts as the scheduler's silence, not our own long turns
                if (now - busyStart > 200) lastHeard += now - busyStart;
                if (now >= nextPing) {
                    toScheduler.add(new Messages.Workers(0).msg());
                    nextPing = now + 1000;
                    Runnable tick = everySecond;
                    if (tick != null) {
                        try {
                            tick.run();
                        } catch (RuntimeException e) {
                            LOG.warn("client of {}: periodic hook failed: {}", schedulerAddress, e.toString());
                        }
                    }
                }
                if (now - lastHeard > lostAfterMs) {
                    String why = "no answer from the scheduler at " + schedulerAddress + " for " + (now - lastHeard) + " ms";
                    failRequests(why);
                    toScheduler.clear();
                    onLost.accept(why);
                    lastHeard = now; // report once per period
                }
                if (!toScheduler.flush(sched, local)) refused(refusal()); // ZeroMQ gave up on the connection

            }
            Runnable r;
            while ((r = inbox.poll()) != null) r.run();
            toScheduler.flush(sched, local); // a goodbye, if the scheduler is there to take it
        } catch (org.zeromq.ZMQException e) {
            if (running) LOG.error("client socket failed", e);
        } catch (RuntimeException | Error e) {
            LOG.error("client loop crashed", e);
        } finally {
            running = false;
            beat.close();
            failRequests("client closed");
            waits.close();
            Zmq.close(sched);
            for (ZMQ.Socket s : workers.values()) Zmq.close(s);
            stopped.countDown();
        }
    }

    /** I/O thread: the sockets it waits on: the scheduler's and every worker's. */
    private List<ZMQ.Socket> sockets() {
        List<ZMQ.Socket> all = new ArrayList<>(workers.size() + 1);
        all.add(sched);
        all.addAll(workers.values());
        return all;
    }

    /** I/O thread: what the scheduler sent (10,000 batches at most per turn), without waiting. */
    private void receiveScheduler() {
        for (int i = 0; ; i++) {
            if (i == 10_000) {
                waits.more(); // the rest next turn, without waiting
                return;
            }
            Wire.Received m = Wire.receive(sched, false, maxFrame);
            if (m == null) return;
            waits.progress();
            lastHeard = System.currentTimeMillis();
            heardAny = true;
            List<Msg> batch;
            try {
                batch = m.decode(local);
            } catch (Wire.WireException e) {
                LOG.warn("refused a message from the scheduler at {}: {}", schedulerAddress, e.getMessage());
                if (e.getMessage().contains("protocol version")) { // tell a waiting connect at once
                    onScheduler.accept(List.of(new Messages.ErrorMsg("the scheduler at " + schedulerAddress + ": " + e.getMessage())));
                }
                continue;
            }
            List<Message> rest = new ArrayList<>(batch.size());
            for (Msg x : batch) {
                Message d = decode(x, "the scheduler at " + schedulerAddress);
                if (d != null && !completeRequest(d)) rest.add(d);
            }
            if (!rest.isEmpty()) onScheduler.accept(rest);
        }
    }

    /** I/O thread: every worker's replies, without waiting. */
    private void receiveWorkers() {
        for (Map.Entry<String, ZMQ.Socket> w : workers.entrySet()) {
            for (int i = 0; ; i++) {
                if (i == 1000) { // the rest next turn, without waiting: the other sockets get their turn
                    waits.more();
                    break;
                }
                Wire.Received m = Wire.receive(w.getValue(), false, maxFrame);
                if (m == null) break;
                waits.progress();
                try {
                    for (Msg x : m.decode(w.getKey().startsWith("inproc://"))) {
                        Message d = decode(x, "worker " + w.getKey());
                        if (d != null && !completeRequest(d)) LOG.warn("unexpected {} from worker {}: {}", x.op(), w.getKey(), d);
                    }
                } catch (Wire.WireException e) {
                    LOG.warn("refused a message from worker {}: {}", w.getKey(), e.getMessage());
                }
            }
        }
    }

    /** I/O thread: reports a refused connection as the scheduler's ERROR, once and only before any answer. */
    private void refused(String why) {
        if (heardAny || refusalReported) return;
        refusalReported = true;
        onScheduler.accept(List.of(new Messages.ErrorMsg(why)));
    }

    /** Why a connection that ZeroMQ gave up on during its handshake failed, and what fixes it. */
    private String refusal() {
        return security == null || local
                ? "the scheduler at " + schedulerAddress + " dropped the connection during the ZeroMQ handshake: it requires CurveZMQ"
                        + " (connect with Client.connect(address, Security.load(dir)) using a copy of the scheduler's --security-dir)"
                : "the CurveZMQ handshake with " + schedulerAddress + " failed: check that the scheduler's public key is "
                        + security.schedulerPublicKey() + " and that the scheduler runs with security";
    }

    /** Decodes one message; a wrong shape is logged naming {@code peer} and dropped (null). */
    private static Message decode(Msg x, String peer) {
        try {
            return Messages.decode(x);
        } catch (Wire.WireException e) {
            LOG.warn("refused {} from {}: {}", x.op(), peer, e.getMessage());
            return null;
        }
    }

    /** Completes the request a reply answers; false for anything else (reports, errors). */
    private boolean completeRequest(Message m) {
        if (!(m instanceof Messages.Reply r)) return false; // an ERROR cannot be matched to a request: the client gets it
        if (r.id() == 0) return true; // a ping's answer
        CompletableFuture<Message> f = requests.remove(r.id());
        if (f != null) f.complete(m);
        return true;
    }

    private void failRequests(String why) {
        for (Iterator<CompletableFuture<Message>> it = requests.values().iterator(); it.hasNext(); ) {
            it.next().completeExceptionally(new org.jdask.JdaskException(why));
            it.remove();
        }
    }

    void close() {
        running = false;
        waits.wake();
        try {
            if (Thread.currentThread() != thread) stopped.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

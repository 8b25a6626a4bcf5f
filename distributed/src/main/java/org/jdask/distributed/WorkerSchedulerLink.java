package org.jdask.distributed;

import java.time.Duration;
import java.util.List;
import org.jdask.Config;
import org.jdask.distributed.internal.Messages;
import org.jdask.distributed.internal.Messages.Message;
import org.jdask.distributed.internal.Outbox;
import org.jdask.distributed.internal.SchedulerInstruction;
import org.jdask.distributed.internal.SchedulerWatch;
import org.jdask.distributed.internal.Wire;
import org.jdask.distributed.internal.Wire.Msg;
import org.jdask.distributed.internal.WorkerEvent;
import org.jdask.distributed.internal.Zmq;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * A worker's connection to its scheduler, driven by the worker's I/O thread: the DEALER socket
 * (a fresh one, with a fresh identity, on every hello), the queue of outgoing messages flushed
 * once per loop turn, the translation of the scheduler's messages into {@link WorkerEvent}s for
 * the worker's state, heartbeats, and the {@link SchedulerWatch}'s verdicts (a lost scheduler:
 * drop the work and say hello again; a death timeout: close). What the worker's life depends on
 * (welcomed, failed, closed) it tells {@link Worker}; the state machine stays there.
 */
final class WorkerSchedulerLink {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerSchedulerLink.class);

    private final Worker w;
    private final String schedulerAddress;
    private final Security security;
    private final boolean local;
    private final long maxFrame;
    /** The worker's state lock: messages leave in the order its state machine produced them. */
    private final Object order;
    /** Messages for the scheduler, flushed by the I/O thread once per loop turn (guarded by {@link #order}). */
    private final Outbox toScheduler = new Outbox();
    private final SchedulerWatch watch;
    final long heartbeatMs;
    private ZMQ.Socket sched;
    /** Whether the scheduler welcomed this worker and has not been lost since (I/O thread). */
    private boolean registered;

    WorkerSchedulerLink(Worker w, String schedulerAddress, Security security, boolean local, long maxFrame, Object order) {
        this.w = w;
        this.schedulerAddress = schedulerAddress;
        this.security = security;
        this.local = local;
        this.maxFrame = maxFrame;
        this.order = order;
        this.heartbeatMs = Config.getDuration("distributed.worker.heartbeat-interval", Duration.ofMillis(500)).toMillis();
        long lostMs = Config.getDuration("distributed.comm.timeouts.scheduler-lost", Duration.ofSeconds(30)).toMillis();
        long retryMs = Math.min(10_000, Config.getDuration("distributed.comm.timeouts.connect", Duration.ofSeconds(10)).toMillis());
        long deathMs = Config.getDuration("distributed.worker.death-timeout", Duration.ZERO).toMillis();
        this.watch = new SchedulerWatch(Math.max(lostMs, 3 * heartbeatMs), retryMs, deathMs, System.currentTimeMillis());
    }

    /** The socket, for the I/O thread's wait. */
    ZMQ.Socket socket() {
        return sched;
    }

    /** Queues {@code m} (any thread). */
    void send(Message m) {
        Msg msg = m.msg();
        synchronized (order) { // messages leave in the order the state machine produced them
            toScheduler.add(msg);
        }
    }

    /** Drops what is queued (the work was dropped: a new scheduler must not hear of it). */
    void clear() {
        toScheduler.clear();
    }

    /** How long the loop may poll: shorter while messages wait for a socket that would not take them. */
    long pollMillis(long max) {
        return toScheduler.pollMillis(max);
    }

    /** The loop did not run for {@code ms} (a GC pause): not the scheduler's silence. */
    void stalled(long ms) {
        watch.stalled(ms);
    }

    /** I/O thread: sends what is queued as one batch (kept for later if it cannot leave now). */
    void flush() {
        if (!toScheduler.flush(sched, local)) w.refused(refusal()); // ZeroMQ gave up on the connection during its handshake
    }

    /** I/O thread: the goodbye of a worker that closes (not after a crash). */
    void goodbye() {
        try {
            send(new Messages.Goodbye());
            flush();
        } catch (RuntimeException ignored) {
            // closing anyway
        }
    }

    void close() {
        Zmq.close(sched);
    }

    /** Why a connection that ZeroMQ gave up on during its handshake failed, and what fixes it. */
    String refusal() {
        return security == null
                ? "the scheduler at " + schedulerAddress + " dropped the connection during the ZeroMQ handshake: it requires CurveZMQ"
                        + " (start the worker with the scheduler's keys: --security-dir DIR)"
                : "the CurveZMQ handshake with " + schedulerAddress + " failed: check that the scheduler's public key is "
                        + security.schedulerPublicKey() + " and that the scheduler runs with security";
    }

    /** I/O thread: a fresh socket to the scheduler (a new identity: nothing of an old connection carries over) and a hello. */
    void connect() {
        Zmq.close(sched);
        sched = Zmq.socket(SocketType.DEALER, maxFrame);
        sched.setIdentity(local ? Wire.localIdentity() : Wire.remoteIdentity());
        if (security != null) security.toScheduler(sched);
        Zmq.connect(sched, schedulerAddress, "scheduler " + schedulerAddress, (why, beforeGreeting) -> w.refused(beforeGreeting ? refusal() : why));
        send(new Messages.HelloWorker(w.address(), w.name(), w.nthreads(), w.resources(), w.memoryLimit(), Wire.VERSION));
        flush();
    }

    /** I/O thread: handles up to {@code max} batches the scheduler sent; returns how many came. */
    int receive(int max) {
        int n = 0;
        for (; n < max; n++) {
            Wire.Received m = Wire.receive(sched, false, maxFrame);
            if (m == null) break;
            fromScheduler(m);
        }
        return n;
    }

    /** I/O thread: a heartbeat when one is due (returns the next due time), then the watch's verdict. */
    long tick(long now, long nextBeat) {
        if (now >= nextBeat) {
            if (registered || w.starting()) w.heartbeat();
            nextBeat = now + heartbeatMs;
        }
        if (registered || watch.lost()) onWatch(watch.check(now), now);
        return nextBeat;
    }

    private void fromScheduler(Wire.Received r) {
        watch.heard(System.currentTimeMillis());
        List<Msg> batch;
        try {
            batch = r.decode(local);
        } catch (Wire.WireException e) {
            LOG.warn("worker {}: refused a message from the scheduler at {}: {}", w.address(), schedulerAddress, e.getMessage());
            if (w.starting() && e.getMessage().contains("protocol version")) { // fail the start-up at once
                w.refused("the scheduler at " + schedulerAddress + ": " + e.getMessage());
            }
            return;
        }
        long now = System.currentTimeMillis();
        for (Msg m : batch) {
            try {
                fromScheduler(m, now);
            } catch (RuntimeException e) {
                LOG.warn("worker {}: cannot handle {} from the scheduler: {}", w.address(), m.op(), e.toString());
            }
        }
    }

    private void fromScheduler(Msg raw, long now) {
        Message m = Messages.decode(raw);
        if (m instanceof Messages.Welcome welcome) {
            w.codeRelay(welcome.codeRelay());
            long gap = watch.registered(now);
            registered = true;
            if (gap < 0) LOG.info("Worker {} registered with scheduler {}", w.address(), schedulerAddress);
            else LOG.warn("Worker {} registered again with scheduler {}, {} ms after losing it", w.address(), schedulerAddress, gap);
            w.welcomed();
        } else if (m instanceof Messages.Heartbeat) {
            // the scheduler's answer to ours: heard (see fromScheduler(Received)), nothing to do
        } else if (m instanceof Messages.Compute c) {
            w.apply(c.task(), now);
        } else if (m instanceof Messages.Free f) {
            w.apply(new WorkerEvent.Free(f.keys()), now);
        } else if (m instanceof Messages.Steal st) {
            w.apply(new WorkerEvent.Steal(st.key()), now);
        } else if (m instanceof Messages.Acquire a) {
            w.apply(new WorkerEvent.Acquire(a.key(), a.from()), now);
        } else if (m instanceof Messages.Close c) {
            if (SchedulerInstruction.RETIRE.equals(c.reason())) LOG.info("Worker {} retired by the scheduler", w.address());
            else LOG.warn("Worker {} closed by the scheduler: {}", w.address(), c.reason());
            w.closedBy(c.reason(), false);
        } else if (m instanceof Messages.ErrorMsg e) {
            LOG.warn("worker {}: scheduler error: {}", w.address(), e.text());
            if (w.starting()) w.refused(e.text());
        } else {
            LOG.warn("worker {}: refused {} from the scheduler at {}: a worker does not take it", w.address(), raw.op(), schedulerAddress);
        }
    }

    /** I/O thread: acts on the scheduler watch's verdict (see {@link SchedulerWatch}). */
    private void onWatch(SchedulerWatch.Verdict v, long now) {
        switch (v) {
            case FINE -> { }
            case LOST -> {
                LOG.warn("worker {}: no message from the scheduler at {} for {} ms (distributed.comm.timeouts.scheduler-lost):"
                        + " dropping its work and connecting again", w.address(), schedulerAddress, watch.silentFor(now));
                registered = false;
                w.dropWork();
                connect();
            }
            case RETRY -> {
                LOG.info("worker {}: still no scheduler at {}; saying hello again", w.address(), schedulerAddress);
                connect();
            }
            case DEAD -> {
                LOG.error("worker {}: no scheduler at {} within distributed.worker.death-timeout; closing", w.address(), schedulerAddress);
                w.closedBy(Worker.DEATH_TIMEOUT, true); // no goodbye: no one to say it to
            }
        }
    }
}

package org.jdask.distributed;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdask.Config;
import org.jdask.distributed.internal.Threads;
import org.jdask.distributed.internal.Zap;
import org.jdask.distributed.internal.Zmq;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * The scheduler's side of code shipping (issue 16): a CurveZMQ port (the cluster key) through which
 * workers fetch a client's code when they cannot reach the client — a client behind NAT, a
 * firewall, or a laptop outside the cluster's network. Clients dial out to it (their code server
 * attaches a DEALER whose identity is the client's code id), workers dial in to it (as they dial
 * the scheduler), and the relay passes each request to the client it names and the reply back.
 * Jars are content-addressed, so the relay keeps the ones it passed on (checked against their
 * SHA-256) in a bounded cache ({@code distributed.scheduler.code-cache-bytes}, 128 MiB) and
 * answers the next worker itself: a jar crosses the client's link once, not once per worker —
 * workers asking for a jar that is on its way wait for it ({@link JarWaiters}) instead of asking
 * the client again.
 *
 * <p>Frames, on the relay's ROUTER (after the routing identity): a worker sends
 * {@code [ask][client id][request id][op][arg]} and receives {@code [request id][status][body]};
 * a client's code server receives {@code [worker][request id][op][arg]} and sends
 * {@code [answer][worker][request id][status][body]}, plus one {@code [hello]} when it attaches
 * (the relay answers {@code [hello]}: from then on workers' requests reach the client).
 * Only with security (the scheduler, workers and clients all prove the cluster key).
 */
final class CodeRelay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CodeRelay.class);
    static final byte[] ASK = CodeServer.bytes("ask"), ANSWER = CodeServer.bytes("answer"), HELLO = CodeServer.bytes("hello");

    private final Thread thread;
    private final long cacheBudget = Config.getBytes("distributed.scheduler.code-cache-bytes", 128L << 20);
    private final Map<String, byte[]> jars = new LinkedHashMap<>(16, 0.75f, true); // hash -> verified jar, least recently used first
    private long cached;
    /** A jar asked of a client for a worker: its hash, and whether the worker wants a bulk ticket rather than the bytes. */
    private record Pending(String hash, boolean bulk, boolean pushed) {}

    private final Map<String, Pending> pendingJars = new LinkedHashMap<>() { // worker+request id -> jar asked for
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Pending> e) {
            return size() > 10_000; // answers that never came
        }
    };
    /** Workers waiting for a jar another worker's request is already fetching from its client. */
    private final JarWaiters waiters = new JarWaiters(Config.getDuration("distributed.comm.timeouts.code-fetch", Duration.ofSeconds(60)).toMillis());
    private final int port;
    private volatile boolean closed;
    private volatile CodeBulk bulk; // the cached jars' bulk port

    private CodeRelay(Security security, String host) {
        CompletableFuture<Integer> bound = new CompletableFuture<>();
        this.thread = new Thread(() -> serve(security, host, bound), "jdask-code-relay");
        thread.setDaemon(true);
        thread.start();
        try {
            this.port = bound.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            closed = true;
            throw new IllegalStateException("cannot start the scheduler's code relay on " + host + ": " + e.getMessage(), e);
        }
        this.bulk = CodeBulk.start(host, this::cachedJar, (hash, jar) -> {
            if (jar.length <= cacheBudget) keep(hash, jar);
        }, "scheduler code relay " + host); // config read here, in the caller's thread
        LOG.info("Code relay at tcp://{}:{}{}", host, port, bulk == null ? "" : " (jars on bulk port " + bulk.port() + ")");
    }

    /** A relay on {@code host} (a random port); null without security (code ships only between authenticated peers). */
    static CodeRelay start(Security security, String host) {
        return security == null ? null : new CodeRelay(security, host);
    }

    /** As {@link #start}, but a relay that cannot start is logged (code then ships only directly), not fatal. */
    static CodeRelay startOrWarn(Security security, String host) {
        try {
            return start(security, host);
        } catch (IllegalStateException e) {
            LOG.warn("{}; workers can fetch client code only from clients they reach directly", e.getMessage());
            return null;
        }
    }

    /** What a scheduler bound on {@code host} tells its clients about {@code relay}: {@code tcp://HOST:PORT}, or null. */
    static String announced(CodeRelay relay, String host) {
        if (relay == null) return null;
        return "tcp://" + (host.equals("0.0.0.0") || host.equals("*") ? "127.0.0.1" : host) + ":" + relay.port;
    }

    int port() {
        return port;
    }

    @Override
    public void close() {
        closed = true;
        CodeBulk b = bulk;
        if (b != null) b.close();
        Threads.joinQuietly(2_000, thread);
    }

    private void serve(Security security, String host, CompletableFuture<Integer> bound) {
        ZMQ.Socket router = Zmq.socket(SocketType.ROUTER, Long.MAX_VALUE);
        Zap.Policy zap = null;
        try {
            zap = security.dataServer(router, "scheduler code relay " + host);
            router.setRouterMandatory(true); // an absent client is told to the worker, not dropped silently
            bound.complete(router.bindToRandomPort("tcp://" + host));
            router.setReceiveTimeOut(200);
            while (!closed) {
                byte[] from = router.recv();
                if (from == null) continue;
                List<byte[]> f = new ArrayList<>();
                while (router.hasReceiveMore()) f.add(router.recv());
                if (f.size() == 5 && is(f.get(0), ASK)) ask(router, from, f);
                else if (f.size() == 5 && is(f.get(0), ANSWER)) answer(router, from, f);
                else if (f.size() == 1 && is(f.get(0), HELLO)) { // answered: the client's code server knows it is reachable here
                    LOG.debug("client code server {} attached", str(from));
                    send(router, from, HELLO);
                }
            }
        } catch (RuntimeException e) {
            if (!bound.isDone()) bound.completeExceptionally(e);
            else if (!closed) LOG.warn("scheduler code relay stopped: {}", e.toString());
        } finally {
            if (zap != null) zap.label("closed code relay");
            Zmq.close(router);
        }
    }

    /**
     * A worker's request {@code [ask][client][rid][op][arg]}: from the cache, else passed to the
     * client. A {@link CodeBulk#OP} request is answered with a bulk ticket once the jar is cached
     * (asking the client for it first, as {@code jar}).
     */
    private void ask(ZMQ.Socket router, byte[] worker, List<byte[]> f) {
        String client = str(f.get(1)), op = str(f.get(3)), arg = str(f.get(4));
        byte[] rid = f.get(2);
        boolean wantsBulk = op.equals(CodeBulk.OP);
        CodeBulk b = bulk;
        if (wantsBulk && b == null) {
            send(router, worker, rid, CodeServer.ERROR, CodeServer.bytes("the scheduler's code relay has no bulk port: ask for 'jar'"));
            return;
        }
        byte[] jar = op.equals("jar") || wantsBulk ? cachedJar(arg) : null;
        if (jar != null) {
            send(router, worker, rid, CodeServer.OK, wantsBulk ? CodeServer.bytes(b.ticket()) : jar);
            return;
        }
        String pendingKey = pendingKey(worker, rid);
        boolean forJar = op.equals("jar") || wantsBulk;
        if (forJar) {
            // another worker's request is already bringing this jar: wait for it (it crosses the client's link once)
            if (!waiters.ask(arg, new JarWaiters.Waiter(worker, rid, wantsBulk), System.currentTimeMillis())) return;
            pendingJars.put(pendingKey, new Pending(arg, wantsBulk, wantsBulk));
        }
        // a jar for a bulk ticket: the client pushes it onto this relay's bulk port (its link, not CurveZMQ's cipher)
        byte[] forward = wantsBulk ? CodeServer.bytes(CodeBulk.PUSH) : f.get(3), forwardArg = wantsBulk ? CodeServer.bytes(arg + " " + b.ticket()) : f.get(4);
        if (!send(router, f.get(1), worker, rid, forward, forwardArg)) {
            pendingJars.remove(pendingKey);
            byte[] why = CodeServer.bytes("client " + client
                    + " has no code connection to the scheduler (it has closed, or its code server never attached to the relay)");
            send(router, worker, rid, CodeServer.ERROR, why);
            if (forJar) release(router, arg, CodeServer.ERROR, why);
        }
    }

    /**
     * Answers the workers that waited for jar {@code hash} while another's request fetched it: from
     * the cache (a ticket or the bytes), else as the client answered ({@code status}, {@code body};
     * a jar too large to keep goes to a ticket-wanting worker inline).
     */
    private void release(ZMQ.Socket router, String hash, byte[] status, byte[] body) {
        for (JarWaiters.Waiter w : waiters.done(hash)) {
            byte[] jar = cachedJar(hash);
            CodeBulk b = bulk;
            if (jar != null && (!w.bulk() || b != null)) send(router, w.worker(), w.requestId(), CodeServer.OK, w.bulk() ? CodeServer.bytes(b.ticket()) : jar);
            else if (is(status, CodeServer.OK) && w.bulk()) send(router, w.worker(), w.requestId(), CodeBulk.INLINE, body);
            else send(router, w.worker(), w.requestId(), status, body);
        }
    }

    /**
     * A client's reply {@code [answer][worker][rid][status][body]}: a verified jar kept, then passed
     * on — as a bulk ticket when the worker asked for one and the jar is now cached, else as it came
     * (with status {@link CodeBulk#INLINE} for a jar that was asked for by ticket but not kept). A
     * {@link CodeBulk#PUSH} that did not leave the jar here is followed by a plain {@code jar} request.
     */
    private void answer(ZMQ.Socket router, byte[] client, List<byte[]> f) {
        byte[] worker = f.get(1), rid = f.get(2), status = f.get(3), body = f.get(4);
        Pending p = pendingJars.remove(pendingKey(worker, rid));
        boolean ok = is(status, CodeServer.OK);
        if (p != null && p.pushed()) {
            CodeBulk b = bulk;
            if (ok && b != null && cachedJar(p.hash()) != null) {
                send(router, worker, rid, CodeServer.OK, CodeServer.bytes(b.ticket()));
                release(router, p.hash(), status, body);
            } else { // an older client ("unknown request"), a failed push, or a jar too large to keep: ask for its bytes
                pendingJars.put(pendingKey(worker, rid), new Pending(p.hash(), true, false));
                if (!send(router, client, worker, rid, CodeServer.bytes("jar"), CodeServer.bytes(p.hash()))) {
                    pendingJars.remove(pendingKey(worker, rid));
                    byte[] why = CodeServer.bytes("the client left before sending jar " + p.hash());
                    send(router, worker, rid, CodeServer.ERROR, why);
                    release(router, p.hash(), CodeServer.ERROR, why);
                }
            }
            return;
        }
        if (p != null && ok && body.length <= cacheBudget && CodeOffer.sha256(body).equals(p.hash())) keep(p.hash(), body);
        if (p != null) release(router, p.hash(), status, body);
        CodeBulk b = bulk;
        if (p != null && p.bulk() && ok) {
            if (b != null && cachedJar(p.hash()) != null) send(router, worker, rid, CodeServer.OK, CodeServer.bytes(b.ticket()));
            else send(router, worker, rid, CodeBulk.INLINE, body);
            return;
        }
        send(router, worker, rid, status, body); // a worker that left meanwhile: dropped
    }

    /** Workers waiting at this relay for jar {@code hash} that another worker's request is fetching (tests). */
    int waiting(String hash) {
        return waiters.waiting(hash);
    }

    /** A jar in the cache (the bulk port's threads read it too), or null. */
    private byte[] cachedJar(String hash) {
        synchronized (jars) {
            return jars.get(hash);
        }
    }

    private void keep(String hash, byte[] jar) {
        synchronized (jars) {
            if (jars.containsKey(hash)) return;
            jars.put(hash, jar);
            cached += jar.length;
            var it = jars.entrySet().iterator();
            while (cached > cacheBudget && it.hasNext()) {
                cached -= it.next().getValue().length;
                it.remove();
            }
        }
    }

    /** Sends the frames to the peer {@code to}; false if no such peer is connected. */
    private static boolean send(ZMQ.Socket router, byte[] to, byte[]... frames) {
        try {
            if (!router.sendMore(to)) return false;
            for (int i = 0; i < frames.length; i++) {
                if (i < frames.length - 1) router.sendMore(frames[i]);
                else router.send(frames[i]);
            }
            return true;
        } catch (ZMQException e) {
            return false; // EHOSTUNREACH: router-mandatory and the peer is not connected
        }
    }

    private static String pendingKey(byte[] worker, byte[] rid) {
        return HexFormat.of().formatHex(worker) + "/" + HexFormat.of().formatHex(rid);
    }

    private static boolean is(byte[] frame, byte[] word) {
        return Arrays.equals(frame, word);
    }

    private static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}

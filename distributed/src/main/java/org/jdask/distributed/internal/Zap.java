package org.jdask.distributed.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * CurveZMQ set-up and the one ZAP handler of this JVM's ZeroMQ context ({@link Zmq#context()}).
 *
 * <p>How it works. ZeroMQ asks a ZAP handler — a REP socket bound to {@code inproc://zeromq.zap.01}
 * in the same context — whether to admit each peer that completed a CURVE handshake with a CURVE
 * server socket that has a ZAP domain. Every secured server socket gets a domain of its own
 * ({@code jdask-N}) mapped to a {@link Policy}: the allowed client public keys and a counter of
 * refused peers. One daemon thread ({@code jdask-zap}) answers the requests ({@code 200} for an
 * allowed key, {@code 400} otherwise), so a peer with an unknown key is dropped during the
 * handshake and none of its frames reach {@link Wire}.
 *
 * <p>Peers that never get as far as ZAP — a plaintext ZeroMQ socket (mechanism mismatch), bytes that
 * are not ZMTP, or a client that has the wrong server key (the server cannot open its HELLO) — are
 * seen through a socket monitor on the server socket, read by the same thread: a connection that
 * closes before any ZMTP greeting completed since it was accepted, or a {@code HANDSHAKE_FAILED}
 * event, counts as refused. (When several handshakes overlap, a plaintext drop may go uncounted;
 * an admitted peer is never counted.) Client sockets can be watched too, to turn the server's
 * refusal into an immediate error instead of a connect timeout.
 */
public final class Zap {
    private static final Logger LOG = LoggerFactory.getLogger(Zap.class);
    private static final String ENDPOINT = "inproc://zeromq.zap.01";
    private static final AtomicInteger DOMAINS = new AtomicInteger();
    private static final Map<String, Policy> POLICIES = new ConcurrentHashMap<>();
    private static final AtomicLong WATCHES_OPENED = new AtomicLong();
    private static final ConcurrentLinkedQueue<Watch> NEW_WATCHES = new ConcurrentLinkedQueue<>();
    private static final int SERVER_EVENTS = ZMQ.EVENT_ACCEPTED | ZMQ.EVENT_DISCONNECTED | ZMQ.EVENT_HANDSHAKE_PROTOCOL
            | ZMQ.HANDSHAKE_FAILED_PROTOCOL | ZMQ.HANDSHAKE_FAILED_NO_DETAIL | ZMQ.EVENT_MONITOR_STOPPED;
    private static final int CLIENT_EVENTS = ZMQ.HANDSHAKE_FAILED_AUTH | ZMQ.HANDSHAKE_FAILED_PROTOCOL
            | ZMQ.HANDSHAKE_FAILED_NO_DETAIL | ZMQ.EVENT_MONITOR_STOPPED | ZMQ.EVENT_CONNECTED | ZMQ.EVENT_DISCONNECTED
            | ZMQ.EVENT_HANDSHAKE_PROTOCOL | ZMQ.EVENT_CONNECT_RETRIED | ZMQ.EVENT_CONNECT_DELAYED;
    /**
     * Connections in a row that the server closed before the ZeroMQ greeting completed: then it
     * refuses this side's mechanism (a CurveZMQ server and a plaintext client; ZeroMQ itself may
     * go on reconnecting for ever). A stalled handshake drops after the greeting, never counts.
     */
    static final int DROPS_BEFORE_GREETING = 3;
    /**
     * After a connection dropped before the greeting, ZeroMQ either retries (a {@code CONNECT_RETRIED}
     * event within its 100 ms reconnect interval) or has given up on a protocol error: no retry for
     * this long means it gave up, which is a refusal too.
     */
    static final long GAVE_UP_MS = 1000;

    /** Hears why a server refused a client socket. */
    public interface Refusal {
        /** {@code beforeGreeting}: the server closed every connection before the greeting (a mechanism mismatch). */
        void refused(String why, boolean beforeGreeting);
    }
    private static Thread thread;
    /** Where the ZAP thread waits; a new watch wakes it, so a connection's events are read from its first one. */
    private static volatile SocketWait waits;

    private Zap() {}

    /** One secured server socket: who it admits, and how many peers it refused. */
    public static final class Policy {
        final String domain;
        final Set<String> allowed;
        volatile String label;
        final AtomicLong refused = new AtomicLong();

        Policy(String domain, String label, Set<String> allowed) {
            this.domain = domain;
            this.label = label;
            this.allowed = Set.copyOf(allowed);
        }

        /** Peers refused so far: unknown keys, plaintext or garbage connections, failed handshakes. */
        public long refused() {
            return refused.get();
        }

        /** Names the socket in logs (once its address is known). */
        public void label(String l) {
            label = l;
        }

        void refuse(String who, String why) {
            refused.incrementAndGet();
            LOG.warn("{} refused a peer{}: {}", label, who == null ? "" : " at " + who, why);
        }
    }

    /** A monitor socket read by the ZAP thread. */
    private static final class Watch {
        final ZMQ.Socket pair;
        final Policy policy;                    // server side; null for a client watch
        final Refusal onRefused;                // client side
        final String peer;
        boolean connected, greeted, reported;   // client side: the current connection
        int drops;
        long droppedAt;                         // client side: when a connection dropped before its greeting, 0 after a retry
        long connectedAt, lastKick;             // client side: the current connection, not greeted yet (0: none); see PollerKick
        int kicks;
        /** Accepted connections and the number of greetings seen when each was accepted. */
        final Map<Object, Long> accepted = new IdentityHashMap<>();
        long greetings;

        Watch(ZMQ.Socket pair, Policy policy, Refusal onRefused, String peer) {
            this.pair = pair;
            this.policy = policy;
            this.onRefused = onRefused;
            this.peer = peer;
        }
    }

    /**
     * Makes {@code s} (before it binds) a CURVE server with the given keypair whose peers must have
     * one of the {@code allowed} public keys; {@code label} names it in logs ("scheduler tcp://...").
     */
    public static Policy serve(ZMQ.Socket s, String label, String publicKey, String secretKey, Set<String> allowed) {
        ensureStarted();
        String domain = "jdask-" + DOMAINS.incrementAndGet();
        Policy p = new Policy(domain, label, allowed);
        POLICIES.put(domain, p);
        s.setZAPDomain(domain);
        s.setCurveServer(true);
        s.setCurvePublicKey(publicKey.getBytes(StandardCharsets.US_ASCII));
        s.setCurveSecretKey(secretKey.getBytes(StandardCharsets.US_ASCII));
        watch(s, SERVER_EVENTS, p, null, null);
        return p;
    }


    /** Makes {@code s} (before it connects) a CURVE client with the given keypair, trusting {@code serverKey}. */
    public static void client(ZMQ.Socket s, String publicKey, String secretKey, String serverKey) {
        s.setCurveServer(false);
        s.setCurvePublicKey(publicKey.getBytes(StandardCharsets.US_ASCII));
        s.setCurveSecretKey(secretKey.getBytes(StandardCharsets.US_ASCII));
        s.setCurveServerKey(serverKey.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Calls {@code onRefused} (on the ZAP thread) when the server {@code peer} refuses the client
     * socket {@code s} during the handshake: its CURVE key, or (plaintext or not) every greeting;
     * set up before {@code s} connects.
     */
    public static void watchClient(ZMQ.Socket s, String peer, Refusal onRefused) {
        ensureStarted();
        watch(s, CLIENT_EVENTS, null, onRefused, peer);
    }

    /** Sockets watched so far in this JVM (tests). */
    static long watchesOpened() {
        return WATCHES_OPENED.get();
    }

    private static void watch(ZMQ.Socket s, int events, Policy p, Refusal onRefused, String peer) {
        WATCHES_OPENED.incrementAndGet();
        String endpoint = "inproc://jdask-zap-monitor-" + DOMAINS.incrementAndGet();
        if (!s.monitor(endpoint, events)) throw new IllegalStateException("cannot monitor a secured socket at " + endpoint);
        // connected here, before the socket is used, so no event is lost; then handed to the ZAP thread
        ZMQ.Socket pair = Zmq.context().createSocket(SocketType.PAIR);
        pair.setLinger(0);
        pair.connect(endpoint);
        NEW_WATCHES.add(new Watch(pair, p, onRefused, peer));
        waits.wake(); // a stalled greeting is kicked within milliseconds, not after the wait's timeout
    }

    /** Secured server sockets whose monitor is still open (a closed socket's entry goes within ~100 ms). */
    public static int activePolicies() {
        return POLICIES.size();
    }

    /** The first 8 hex digits of the SHA-256 of a Z85 public key: names a key in logs. */
    public static String fingerprint(String z85) {
        byte[] raw = ZMQ.Curve.z85Decode(z85);
        return fingerprint(raw);
    }

    static String fingerprint(byte[] raw) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(raw);
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < 4; i++) b.append(String.format("%02x", d[i]));
            return b.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static synchronized void ensureStarted() {
        if (thread != null) return;
        ZMQ.Socket rep = Zmq.context().createSocket(SocketType.REP);
        rep.setLinger(0);
        rep.bind(ENDPOINT); // bound before any CURVE server binds, so every handshake asks it
        waits = new SocketWait();
        thread = new Thread(() -> run(rep), "jdask-zap");
        thread.setDaemon(true);
        thread.start();
    }

    private static void run(ZMQ.Socket rep) {
        List<Watch> watches = new ArrayList<>();
        SocketWait waits = Zap.waits;
        boolean changed = true;
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Watch w;
                while ((w = NEW_WATCHES.poll()) != null) {
                    watches.add(w);
                    changed = true;
                }
                if (changed) {
                    List<ZMQ.Socket> sockets = new ArrayList<>(1 + watches.size());
                    sockets.add(rep);
                    for (Watch x : watches) sockets.add(x.pair);
                    waits.watch(sockets);
                    // a new monitor socket signals only after a read found it empty: read them all first
                    waits.more();
                    changed = false;
                }
                waits.await(kicksPending(watches) ? PollerKick.AFTER_MS / 2 : 100);
                waits.woken(); // a watch added after this wakes the next wait
                for (int i = 0; ; i++) {
                    if (i == 1000) { // the rest next turn, without waiting
                        waits.more();
                        break;
                    }
                    List<byte[]> req = receive(rep);
                    if (req == null) break;
                    waits.progress();
                    answer(rep, req);
                }
                for (int i = watches.size() - 1; i >= 0; i--) {
                    Watch x = watches.get(i);
                    if (x.policy == null) gaveUp(x);
                    if (!drain(x, waits)) {
                        watches.remove(i);
                        x.pair.close();
                        if (x.policy != null) POLICIES.remove(x.policy.domain);
                        changed = true;
                    }
                }
                kick(watches);
            }
        } catch (ZMQException e) {
            LOG.debug("ZAP handler stopped: {}", e.toString()); // the context closed
        } catch (RuntimeException | Error e) {
            LOG.error("ZAP handler crashed: secured sockets now refuse every peer", e);
        }
    }

    private static List<byte[]> receive(ZMQ.Socket rep) {
        byte[] first = rep.recv(ZMQ.DONTWAIT);
        if (first == null) return null;
        List<byte[]> frames = new ArrayList<>();
        frames.add(first);
        while (rep.hasReceiveMore()) frames.add(rep.recv(0));
        return frames;
    }

    /** ZAP 1.0: [version, request id, domain, address, identity, mechanism, credentials...]. */
    private static void answer(ZMQ.Socket rep, List<byte[]> req) {
        byte[] id = req.size() > 1 ? req.get(1) : new byte[0];
        String status = "400", text;
        if (req.size() < 6 || !"1.0".equals(str(req.get(0)))) {
            text = "malformed ZAP request";
            LOG.warn("ZAP handler: malformed request ({} frames)", req.size());
        } else {
            Policy p = POLICIES.get(str(req.get(2)));
            String address = str(req.get(3)), mechanism = str(req.get(5));
            if (p == null) {
                text = "unknown domain";
                LOG.warn("ZAP handler: refused a {} peer at {} for an unknown ZAP domain '{}'", mechanism, address, str(req.get(2)));
            } else if (!"CURVE".equals(mechanism) || req.size() < 7 || req.get(6).length != ZMQ.Curve.KEY_SIZE) {
                text = "CURVE required";
                p.refuse(address, "mechanism " + mechanism + " (CURVE required)");
            } else {
                String key = ZMQ.Curve.z85Encode(req.get(6));
                if (p.allowed.contains(key)) {
                    status = "200";
                    text = "OK";
                } else {
                    text = "key not allowed";
                    p.refuse(address, "its CURVE key " + fingerprint(req.get(6)) + " is not in the allow-list");
                }
            }
        }
        rep.sendMore("1.0");
        rep.sendMore(id);
        rep.sendMore(status);
        rep.sendMore(text);
        rep.sendMore("");
        rep.send("");
    }

    /** A client watch whose connection dropped before its greeting and that ZeroMQ did not retry: refused. */
    private static void gaveUp(Watch w) {
        if (w.droppedAt > 0 && !w.connected && System.currentTimeMillis() - w.droppedAt > GAVE_UP_MS) {
            refuse(w, "the server at " + w.peer + " closed the connection before the ZeroMQ greeting completed, and ZeroMQ gave up on it");
        }
    }

    private static void refuse(Watch w, String why) {
        if (w.reported) return;
        w.reported = true;
        w.onRefused.refused(why, true);
    }

    /** Whether a client connection is open without a completed greeting (the ZAP thread then polls more often). */
    private static boolean kicksPending(List<Watch> watches) {
        for (Watch w : watches) if (w.policy == null && w.connectedAt > 0 && w.kicks < PollerKick.MAX_PER_CONNECTION) return true;
        return false;
    }

    /** Kicks the I/O thread for client connections whose greeting has not started (see {@link PollerKick}). */
    private static void kick(List<Watch> watches) {
        long now = System.currentTimeMillis();
        for (Watch w : watches) {
            if (w.policy != null || !PollerKick.due(w.connectedAt, w.kicks, w.lastKick, now)) continue;
            PollerKick.kick(w.peer);
            w.kicks++;
            w.lastKick = now;
        }
    }

    /** Kicks of the I/O thread's poller done in this JVM (see {@link PollerKick}). */
    public static long pollerKicks() {
        return PollerKick.count();
    }

    /** Reads a watch's events; false once the watched socket is closed. */
    private static boolean drain(Watch w, SocketWait waits) {
        ZMQ.Event e;
        while ((e = ZMQ.Event.recv(w.pair, ZMQ.DONTWAIT)) != null) {
            waits.progress();
            int ev = e.getEvent();
            if (ev == ZMQ.EVENT_MONITOR_STOPPED) return false;
            if (w.policy == null) {
                if (ev == ZMQ.HANDSHAKE_FAILED_AUTH || ev == ZMQ.HANDSHAKE_FAILED_PROTOCOL || ev == ZMQ.HANDSHAKE_FAILED_NO_DETAIL) {
                    String why = ev == ZMQ.HANDSHAKE_FAILED_AUTH
                            ? "the server at " + w.peer + " refused this peer's CURVE key (status " + e.getValue() + "): it is not in the server's allow-list"
                            : "the CURVE handshake with " + w.peer + " failed (" + e.getValue() + ")";
                    w.onRefused.refused(why, false);
                } else if (ev == ZMQ.EVENT_CONNECTED) {
                    w.connected = true;
                    w.greeted = false;
                    w.droppedAt = 0;
                    w.connectedAt = System.currentTimeMillis();
                    w.kicks = 0;
                    w.lastKick = 0;
                } else if (ev == ZMQ.EVENT_CONNECT_RETRIED || ev == ZMQ.EVENT_CONNECT_DELAYED) {
                    w.droppedAt = 0; // ZeroMQ is still trying
                } else if (ev == ZMQ.EVENT_HANDSHAKE_PROTOCOL) {
                    w.greeted = true;
                    w.drops = 0;
                    w.connectedAt = 0;
                } else if (ev == ZMQ.EVENT_DISCONNECTED && w.connected) {
                    w.connected = false;
                    w.connectedAt = 0;
                    if (!w.greeted) {
                        w.droppedAt = System.currentTimeMillis();
                        if (++w.drops == DROPS_BEFORE_GREETING) {
                            refuse(w, "the server at " + w.peer + " closed " + DROPS_BEFORE_GREETING
                                    + " connections in a row before the ZeroMQ greeting completed");
                        }
                    }
                }
                continue;
            }
            Object value = ev == ZMQ.EVENT_ACCEPTED || ev == ZMQ.EVENT_DISCONNECTED ? resolve(e) : null;
            if (ev == ZMQ.EVENT_ACCEPTED) {
                if (value != null) w.accepted.put(value, w.greetings);
            } else if (ev == ZMQ.EVENT_HANDSHAKE_PROTOCOL) {
                w.greetings++;
            } else if (ev == ZMQ.EVENT_DISCONNECTED) {
                Long atAccept = value == null ? null : w.accepted.remove(value);
                // no greeting at all since it was accepted: it surely never spoke ZMTP with CURVE
                if (atAccept != null && atAccept == w.greetings) {
                    w.policy.refuse(remote(value), "closed before the handshake (a plaintext ZeroMQ peer, or not ZeroMQ)");
                }
            } else if (ev == ZMQ.HANDSHAKE_FAILED_PROTOCOL || ev == ZMQ.HANDSHAKE_FAILED_NO_DETAIL) {
                w.policy.refuse(null, "CURVE handshake failed (" + e.getValue() + "; a peer with a wrong server key?)");
            }
        }
        return true;
    }

    private static Object resolve(ZMQ.Event e) {
        try {
            return e.resolveValue();
        } catch (RuntimeException ex) {
            return null;
        }
    }

    private static String remote(Object channel) {
        if (channel instanceof java.nio.channels.SocketChannel sc) {
            java.net.SocketAddress a = sc.socket().getRemoteSocketAddress();
            if (a != null) return a.toString().replaceFirst("^/", "");
        }
        return null;
    }

    private static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}

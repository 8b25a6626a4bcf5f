package org.jdask.distributed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jdask.Config;
import org.jdask.distributed.internal.SocketWait;
import org.jdask.distributed.internal.Threads;
import org.jdask.distributed.internal.Zap;
import org.jdask.distributed.internal.Zmq;
import org.jdask.serialize.Codecs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * The client side of code shipping (issue 16): answers worker JVMs' requests for what this JVM's
 * {@link CodeOffer} holds — by default through the scheduler's {@link CodeRelay} (a DEALER dialing
 * out to it, so workers need not reach this machine), or, with {@code distributed.client.code-route:
 * direct} or a scheduler without a relay, as a CurveZMQ server of its own (the cluster key, as a
 * worker's data port). One
 * per JVM, shared by its clients (they share a class path), started by the first {@link Client}
 * with security and stopped when the last one closes. While it runs, every task config built in
 * this JVM carries {@code jdask.code = ID|ADDRESS|VERSION} ({@link Codecs#carry}), which is how a
 * worker learns where this client's code is; the wire format is in PROTOCOL.md, "Code shipping".
 * Each socket's thread answers pings itself and hands look-ups and jar transfers to {@link
 * CodeRequests} (bounded pools), so one large jar holds up no other worker's request.
 *
 * <p>Only with security: a worker accepts code only from a server that proves the cluster key, so
 * no unauthenticated peer can make a worker run its code.
 */
final class CodeServer {
    private static final Logger LOG = LoggerFactory.getLogger(CodeServer.class);
    static final String CARRIED_KEY = "jdask.code", ROUTE_KEY = "distributed.client.code-route";
    /** How a {@code jdask.code} address names a relay: {@code relay+tcp://HOST:PORT}. */
    static final String RELAY_PREFIX = "relay+";
    static final byte[] OK = bytes("ok"), MISSING = bytes("missing"), ERROR = bytes("error");

    private static CodeServer shared;
    private static int users;

    private final CodeOffer offer;
    private final String id = UUID.randomUUID().toString();
    private final String address;
    private final Security security;
    private final List<Thread> threads = new CopyOnWriteArrayList<>(); // one per socket: the bound port, or each relay
    private final Set<String> relays = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private volatile CodeBulk bulk; // direct route only: the jars' bulk port beside the CurveZMQ one
    private final int transfers = CodeRequests.configuredTransfers(); // config read in the caller's thread
    private final int pushTimeoutMs = WorkerBulk.timeoutMs();
    private final long attachTimeoutMs = Config.getDuration("distributed.comm.timeouts.connect", java.time.Duration.ofSeconds(10)).toMillis();

    private CodeServer(Security security, String host, CodeOffer offer, String relay) {
        this.offer = offer;
        this.security = security;
        this.address = connect(host, relay);
        if (relay == null) bulk = CodeBulk.start(host, this::offeredJar, "client code server " + host); // config read in the caller's thread
        if (relay != null) LOG.info("Client code offered through the scheduler's relay {} (id {})", relay, id);
        else LOG.info("Client code offered at {} (id {})", address, id);
    }

    /** Starts serving on a port of {@code host}, or through {@code relay}; the address that tells workers where. */
    private String connect(String host, String relay) {
        CompletableFuture<String> bound = new CompletableFuture<>();
        Thread t = new Thread(() -> serve(security, host, relay, bound), "jdask-code-server");
        t.setDaemon(true);
        t.start();
        threads.add(t);
        try {
            String a = bound.get(30, TimeUnit.SECONDS);
            if (relay != null) relays.add(relay);
            return a;
        } catch (Exception e) {
            if (threads.size() == 1) closed = true;
            throw new IllegalStateException("cannot start the code server " + (relay != null ? "through the scheduler's relay " + relay
                    : "on " + host) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Also serves through {@code relay} (another scheduler's, used by another client of this JVM),
     * with the same id: a worker asks its own scheduler's relay for this client's code, so one
     * code server per JVM serves the clients of every scheduler.
     */
    synchronized void attach(String relay) {
        if (closed || relays.contains(relay)) return;
        connect(null, relay);
        LOG.info("Client code offered through the scheduler's relay {} too (id {})", relay, id);
    }

    /**
     * The JVM's code server, started if needed for a client of {@code schedulerAddress} with
     * {@code security}; null without security (code is shipped only between authenticated peers).
     */
    static synchronized CodeServer acquire(String schedulerAddress, Security security, String relayAddress) {
        if (security == null) return null;
        if (shared == null) {
            List<ClassLoader> loaders = new ArrayList<>();
            ClassLoader context = Thread.currentThread().getContextClassLoader();
            if (context != null) loaders.add(context);
            loaders.add(ClassLoader.getSystemClassLoader());
            String relay = route(schedulerAddress, relayAddress);
            shared = new CodeServer(security, relay != null ? null : bindHost(schedulerAddress), new CodeOffer(loaders), relay);
            shared.publish();
        } else if (shared.address.startsWith(RELAY_PREFIX)) {
            // one code server per JVM (its tasks carry one jdask.code entry): attached to every scheduler's relay
            String relay = route(schedulerAddress, relayAddress);
            if (relay != null) {
                shared.attach(relay);
            } else {
                LOG.warn("this JVM offers its code through {}; workers of {} (no relay, or code-route direct) fetch it from there",
                        shared.address, schedulerAddress);
            }
        }
        users++;
        return shared;
    }

    /** A server of its own (not the JVM's shared one), for tests of several clients; stop it with {@link #stop}. */
    static CodeServer startPrivate(Security security, String host, CodeOffer offer) {
        return new CodeServer(security, host, offer, null);
    }

    /** A private server attached to the scheduler's code relay at {@code relay} (tests). */
    static CodeServer startRelayed(Security security, String relay, CodeOffer offer) {
        return new CodeServer(security, null, offer, relay);
    }

    /**
     * Where workers fetch this JVM's code: through the scheduler's relay ({@code relayAddress}, from
     * its welcome) unless {@code distributed.client.code-route} is {@code direct} or the scheduler
     * has none (then null: the client serves code itself).
     */
    static String route(String schedulerAddress, String relayAddress) {
        String r = Config.getString(ROUTE_KEY, "scheduler");
        if (!r.equals("scheduler") && !r.equals("direct")) {
            throw new IllegalArgumentException(ROUTE_KEY + " must be 'scheduler' or 'direct', got '" + r + "'");
        }
        if (r.equals("direct") || relayAddress == null) return null;
        return CodeClient.relayAt(relayAddress, schedulerAddress);
    }

    /** The {@code jdask.code} value a task of this server's client carries. */
    String ref() {
        return id + "|" + address + "|" + offer.version();
    }

    /** Stops a {@link #startPrivate} server. */
    void stop() {
        closed = true;
        CodeBulk b = bulk;
        if (b != null) b.close();
        Threads.joinQuietly(2_000, threads);
    }

    /** A client is done with the server; the last one stops it. */
    static synchronized void release(CodeServer s) {
        if (s == null || s != shared) return;
        if (--users > 0) return;
        shared = null;
        Codecs.carry(CARRIED_KEY, null);
        s.stop();
    }

    /** Offers an extra jar ({@link Client#uploadJar}); workers see it from the next task on. */
    void add(java.nio.file.Path jar) {
        offer.add(jar);
        publish();
    }

    private void publish() {
        Codecs.carry(CARRIED_KEY, ref());
    }

    String address() {
        return address;
    }

    /**
     * The address workers reach this JVM at: {@code distributed.client.code-host} if set, else the
     * local address this machine uses to reach the scheduler (127.0.0.1 for a local one).
     */
    static String bindHost(String schedulerAddress) {
        String configured = Config.getString("distributed.client.code-host", null);
        if (configured != null && !configured.isBlank()) return configured;
        if (schedulerAddress == null || !schedulerAddress.startsWith("tcp://")) return "127.0.0.1";
        try {
            return HostAddress.towards(schedulerAddress);
        } catch (RuntimeException e) {
            LOG.warn("{}; offering code on 127.0.0.1 (set distributed.client.code-host)", e.getMessage());
            return "127.0.0.1";
        }
    }

    /**
     * Serves requests {@code [peer][request id][op][arg]}: on a ROUTER bound on {@code host}
     * (workers connect), or on a DEALER attached to the scheduler's relay (identity = this server's
     * id; the relay's worker identity is the peer frame, and replies start with {@code answer}).
     */
    private void serve(Security security, String host, String relay, CompletableFuture<String> bound) {
        ZMQ.Socket socket = Zmq.socket(relay != null ? SocketType.DEALER : SocketType.ROUTER, Long.MAX_VALUE);
        Zap.Policy zap = null;
        CodeRequests requests = null;
        SocketWait wait = null;
        try {
            if (relay != null) {
                socket.setIdentity(bytes(id));
                security.toWorker(socket); // the relay proves the cluster key, as a worker's data port does
                Zmq.connect(socket, relay, "code relay " + relay);
                socket.send(CodeRelay.HELLO);
                awaitAttached(socket, relay);
                bound.complete(RELAY_PREFIX + relay);
            } else {
                zap = security.dataServer(socket, "client code server " + host);
                int port = socket.bindToRandomPort("tcp://" + host);
                bound.complete("tcp://" + host + ":" + port);
            }
            wait = new SocketWait();
            wait.watch(List.of(socket));
            requests = new CodeRequests("jdask-code-server", transfers, wait::wake);
            while (!closed) {
                wait.await(200);
                wait.woken();
                for (CodeRequests.Reply r : requests.drain()) send(socket, relay != null, r);
                for (byte[] peer; (peer = socket.recv(ZMQ.DONTWAIT)) != null; ) {
                    wait.progress();
                    List<byte[]> frames = new ArrayList<>();
                    while (socket.hasReceiveMore()) frames.add(socket.recv());
                    if (frames.size() != 3) continue; // not ours: [request id][op][argument]
                    take(socket, relay, requests, peer, frames.get(0), new String(frames.get(1), StandardCharsets.UTF_8),
                            new String(frames.get(2), StandardCharsets.UTF_8));
                }
            }
        } catch (RuntimeException e) {
            if (!bound.isDone()) bound.completeExceptionally(e);
            else if (!closed) LOG.warn("client code server stopped: {}", e.toString());
        } finally {
            if (zap != null) zap.label("closed code server");
            if (wait != null) wait.close();
            if (requests != null) requests.close();
            Zmq.close(socket);
        }
    }

    /**
     * Waits (at most {@code attachTimeoutMs}) for the relay's answer to {@code [hello]}: until then
     * the relay does not know this server and would tell a worker asking for this client's code
     * that the client has no connection (a client that submits right after connecting raced its
     * own code server's handshake). A relay that does not answer in time is logged, not fatal.
     */
    private void awaitAttached(ZMQ.Socket socket, String relay) {
        socket.setReceiveTimeOut(200);
        for (long end = System.currentTimeMillis() + attachTimeoutMs; System.currentTimeMillis() < end; ) {
            byte[] f = socket.recv();
            if (f == null) continue;
            boolean hello = java.util.Arrays.equals(f, CodeRelay.HELLO) && !socket.hasReceiveMore();
            while (socket.hasReceiveMore()) socket.recv();
            if (hello) return;
        }
        LOG.warn("the scheduler's code relay {} did not answer within {} ms (distributed.comm.timeouts.connect); "
                + "workers may not reach this client's code until it does", relay, attachTimeoutMs);
    }

    private byte[] offeredJar(String hash) {
        try {
            return offer.bytes(hash);
        } catch (IOException e) {
            LOG.warn("cannot read offered jar {} for a worker: {}", hash, e.toString());
            return null;
        }
    }

    /**
     * One request: a ping or a bulk ticket answered at once; look-ups ({@code manifest}, {@code
     * hash}, {@code class}) and transfers ({@code jar}, {@code push}) on {@link CodeRequests}'
     * threads, so a long transfer holds up no other worker's request.
     */
    private void take(ZMQ.Socket socket, String relay, CodeRequests requests, byte[] peer, byte[] requestId, String op, String arg) {
        switch (op) {
            case "jar", CodeBulk.PUSH -> requests.submit(true, peer, requestId, (p, rid) -> answer(relay, p, rid, op, arg));
            case "manifest", "hash", "class" -> requests.submit(false, peer, requestId, (p, rid) -> answer(relay, p, rid, op, arg));
            default -> send(socket, relay != null, answer(relay, peer, requestId, op, arg));
        }
    }

    private CodeRequests.Reply answer(String relay, byte[] peer, byte[] requestId, String op, String arg) {
        boolean relayed = relay != null;
        byte[] status = OK;
        byte[] body;
        try {
            body = switch (op) {
                case "manifest" -> bytes(id + "\n" + offer.manifest());
                case "hash" -> bytes(offer.hash(Integer.parseInt(arg)));
                case "jar" -> offer.bytes(arg);
                case "class" -> offer.classBytes(arg);
                case "ping" -> bytes(id);
                case CodeBulk.PUSH -> { // the relay lacks a jar: put it on the relay's bulk port (its host: where this socket dialed)
                    if (!relayed) throw new IOException("'push' comes only from a relay");
                    int sp = arg.indexOf(' ');
                    if (sp < 0) throw new IOException("'push' needs HASH TICKET, got '" + arg + "'");
                    String hash = arg.substring(0, sp);
                    CodeBulk.push(relay, arg.substring(sp + 1), hash, offer.bytes(hash), pushTimeoutMs);
                    yield bytes("pushed");
                }
                case CodeBulk.OP -> {
                    CodeBulk b = bulk;
                    if (b == null) throw new IOException("no bulk port here (relayed, or distributed.comm.bulk.enabled: false): ask for 'jar'");
                    yield bytes(b.ticket());
                }
                default -> throw new IOException("unknown request '" + op + "'");
            };
            if (body == null) {
                status = MISSING;
                body = bytes("the client has no class " + arg + " in memory");
            }
        } catch (IOException | RuntimeException e) {
            status = ERROR;
            body = bytes(e.getMessage() == null ? e.toString() : e.getMessage());
        }
        return new CodeRequests.Reply(peer, requestId, status, body);
    }

    /** Sends a reply on the server's socket (socket thread only); through a relay it starts with {@code answer}. */
    private static void send(ZMQ.Socket socket, boolean relayed, CodeRequests.Reply r) {
        if (relayed) socket.sendMore(CodeRelay.ANSWER);
        socket.sendMore(r.peer());
        socket.sendMore(r.requestId());
        socket.sendMore(r.status());
        socket.send(r.body());
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

package org.jdask.distributed;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.jdask.distributed.internal.Payload;
import org.jdask.distributed.internal.bulk.BulkClient;
import org.jdask.distributed.internal.bulk.BulkProtocol;
import org.jdask.distributed.internal.bulk.BulkServer;
import org.jdask.distributed.internal.bulk.BulkServer.Ticket;
import org.jdask.graph.Key;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jars over the bulk channel (issues 16 and 17): a code source (the scheduler's {@link CodeRelay},
 * or a client's {@link CodeServer} serving directly) keeps a bulk port beside its CurveZMQ port,
 * and a worker that needs a jar asks on the CurveZMQ connection for a session ({@link #OP}, the
 * jar's hash as argument); the answer, inside CurveZMQ, is a ticket {@code PORT TOKEN KEY} (a
 * single-use token and a fresh AES-256 key, as a worker's data port hands out for values), and
 * the jar's bytes then cross one TCP connection sealed with AES-GCM ({@link BulkServer}) instead
 * of CurveZMQ's slower cipher. Nothing else changes: the port serves only jars the source offers
 * (or has verified), by hash, and refuses writes; the worker still checks the bytes' SHA-256
 * against the offered hash before using them ({@link CodeCache}). A source without a bulk port, an
 * older one, or a connection that fails leaves the jar to the CurveZMQ request {@code jar}.
 * {@code distributed.comm.bulk.enabled: false} turns it off on both sides.
 */
final class CodeBulk implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CodeBulk.class);
    /** The code request that opens a session for a jar: {@code bulk HASH -> ok "PORT TOKEN KEY"}. */
    static final String OP = "bulk";
    /** The relay's answer to {@link #OP} when it passes the jar itself (too large for its cache): the body is the jar. */
    static final byte[] INLINE = CodeServer.bytes("inline");
    /** The relay's request to a client for a jar it lacks: {@code push "HASH PORT TOKEN KEY"}; the client puts the jar on the relay's bulk port. */
    static final String PUSH = "push";
    private static final String JAR_KEY = "jdask-code-jar";

    private final BulkServer server;

    private CodeBulk(BulkServer server) {
        this.server = server;
    }

    /**
     * A bulk port on {@code host} serving the jars {@code jars} finds by hash (null: not offered);
     * null when the bulk channel is off or the port cannot be bound (jars then go over CurveZMQ).
     */
    static CodeBulk start(String host, Function<String, byte[]> jars, String label) {
        return start(host, jars, null, label);
    }

    /**
     * As {@link #start(String, Function, String)}, also taking jars pushed to it ({@link #push}):
     * each is handed to {@code kept} only when its bytes hash to the hash its key names.
     */
    static CodeBulk start(String host, Function<String, byte[]> jars, BiConsumer<String, byte[]> kept, String label) {
        if (!WorkerBulk.enabled()) return null;
        try {
            return new CodeBulk(new BulkServer(host, new BulkServer.Store() {
                @Override
                public Payload get(Key k) {
                    String prefix = JAR_KEY + "/";
                    byte[] jar = k.name().startsWith(prefix) ? jars.apply(k.name().substring(prefix.length())) : null;
                    return jar == null ? null : Payload.ofValue(jar);
                }

                @Override
                public List<Long> put(List<Key> keys, List<Payload> values) {
                    if (kept == null) throw new IllegalArgumentException(label + " takes no values on its bulk port");
                    List<Long> sizes = new ArrayList<>();
                    for (int i = 0; i < keys.size(); i++) {
                        String prefix = JAR_KEY + "/", name = keys.get(i).name();
                        if (!name.startsWith(prefix) || !(values.get(i).value() instanceof byte[] jar)) {
                            throw new IllegalArgumentException(label + " takes only jars on its bulk port, not " + keys.get(i));
                        }
                        String hash = name.substring(prefix.length());
                        if (!CodeOffer.sha256(jar).equals(hash)) throw new IllegalArgumentException("a jar pushed as " + hash + " has another SHA-256: refused");
                        kept.accept(hash, jar);
                        sizes.add((long) jar.length);
                    }
                    return sizes;
                }
            }, true, label, WorkerBulk.timeoutMs()));
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: no bulk port on {} ({}); jars go through CurveZMQ", label, host, e.toString());
            return null;
        }
    }

    /** A session for one jar fetch, as the answer to {@link #OP}: {@code PORT TOKEN KEY}. */
    String ticket() {
        Ticket t = server.open();
        return t.port() + " " + t.token() + " " + t.key();
    }

    int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
    }

    /**
     * Fetches the jar {@code hash} from the bulk port of the source at {@code source} ({@code
     * tcp://host:port}, its CurveZMQ address: the bulk port is on the same host) with {@code
     * ticket}; null when the source no longer has it.
     */
    static byte[] fetch(String source, String ticket, String hash, int timeoutMs) throws IOException {
        Ticket parsed = parse(source, ticket);
        try (BulkClient c = new BulkClient(w -> parsed, timeoutMs)) {
            BulkProtocol.Got got = c.get(source, List.of(Key.of(JAR_KEY + "/" + hash)));
            if (got.found().isEmpty()) return null;
            Object v = got.found().values().iterator().next().value();
            if (!(v instanceof byte[] b)) throw new IOException("the bulk port of " + source + " sent a " + v.getClass().getName() + ", not a jar");
            return b;
        }
    }

    /** Sends the jar {@code hash} to the bulk port of {@code target} (the relay, which checks its hash) with {@code ticket}. */
    static void push(String target, String ticket, String hash, byte[] jar, int timeoutMs) throws IOException {
        Ticket parsed = parse(target, ticket);
        try (BulkClient c = new BulkClient(w -> parsed, timeoutMs)) {
            c.put(target, List.of(Key.of(JAR_KEY + "/" + hash)), List.of(Payload.ofValue(jar)));
        }
    }

    private static Ticket parse(String source, String ticket) throws IOException {
        String[] t = ticket.split(" ");
        if (t.length != 3) throw new IOException("bad bulk ticket from " + source + ": '" + ticket + "'");
        try {
            return new Ticket(Integer.parseInt(t[0]), t[1], t[2].equals("null") ? null : t[2]);
        } catch (NumberFormatException e) {
            throw new IOException("bad bulk ticket from " + source + ": '" + ticket + "'", e);
        }
    }
}

package org.jdask.distributed.internal.bulk;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jdask.distributed.internal.bulk.BulkServer.Ticket;

/**
 * Sessions of a port that admits only peers a ZeroMQ connection vouched for (a worker's bulk port,
 * the scheduler's coordination port): each a single-use random token of {@link BulkProtocol#TOKEN}
 * bytes that expires after a minute, and with security a fresh AES-256 key; both reach the peer
 * over its authenticated (CurveZMQ) connection. {@code T}: what the port remembers about the peer.
 */
public final class BulkSessions<T> {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** How long an unused session stays open. */
    private static final long SESSION_MS = 60_000;

    /** An open session: what it was opened for, and its key (null without security). */
    public record Session<T>(T owner, byte[] key, long expires) {}

    private final boolean secure;
    private final Map<String, Session<T>> sessions = new ConcurrentHashMap<>();

    /** {@code secure}: sessions get a key (the port's process runs with security). */
    public BulkSessions(boolean secure) {
        this.secure = secure;
    }

    /** A new session for {@code owner} on {@code port}: its token and key as hex, for the peer. */
    public Ticket open(int port, T owner) {
        long now = System.currentTimeMillis();
        sessions.values().removeIf(s -> s.expires() < now);
        byte[] token = new byte[BulkProtocol.TOKEN];
        RANDOM.nextBytes(token);
        byte[] key = null;
        if (secure) {
            key = new byte[32];
            RANDOM.nextBytes(key);
        }
        String t = HexFormat.of().formatHex(token);
        sessions.put(t, new Session<>(owner, key, now + SESSION_MS));
        return new Ticket(port, t, key == null ? null : HexFormat.of().formatHex(key));
    }

    /** The session a connection's first bytes name, taken (single use); null if none is open for them. */
    public Session<T> take(byte[] token) {
        Session<T> s = sessions.remove(HexFormat.of().formatHex(token));
        return s == null || s.expires() < System.currentTimeMillis() ? null : s;
    }
}

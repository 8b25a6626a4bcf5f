package org.jdask.distributed;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jdask.distributed.internal.Zmq;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * A worker's connection to one client's {@link CodeServer}: one request at a time (callers
 * serialize on this object), each waiting at most {@code distributed.comm.timeouts.code-fetch}
 * seconds; a late answer to an abandoned request is recognised by its id and dropped.
 */
final class CodeClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CodeClient.class);
    private final String address;
    private final String relayFor; // the client id to ask the relay for; null when talking to the client directly
    private final Security security;
    private final long timeoutMs;
    private ZMQ.Socket socket;
    private long nextId;
    private boolean closed;

    CodeClient(String address, Security security, long timeoutMs) {
        this(address, null, security, timeoutMs);
    }

    /**
     * A connection to the code server at {@code address} (a {@code jdask.code} address), or, when
     * it is {@code relay+tcp://...}, to client {@code clientId} through the scheduler's relay, found
     * at the host of {@code schedulerAddress} (what this worker reaches the scheduler at).
     */
    static CodeClient of(String address, String clientId, String schedulerAddress, Security security, long timeoutMs) {
        if (!address.startsWith(CodeServer.RELAY_PREFIX)) return new CodeClient(address, security, timeoutMs);
        return new CodeClient(relayAt(address.substring(CodeServer.RELAY_PREFIX.length()), schedulerAddress), clientId, security, timeoutMs);
    }

    /**
     * The relay's address as seen from here: the relay runs with the scheduler, so its port at the
     * host this process reaches the scheduler at ({@code schedulerAddress} when it is TCP), else
     * {@code relay} as announced.
     */
    static String relayAt(String relay, String schedulerAddress) {
        if (schedulerAddress == null || !schedulerAddress.startsWith("tcp://")) return relay;
        int schedColon = schedulerAddress.lastIndexOf(':'), relayColon = relay.lastIndexOf(':');
        if (schedColon < "tcp://".length() || relayColon < 0) return relay;
        return schedulerAddress.substring(0, schedColon) + relay.substring(relayColon);
    }

    private CodeClient(String address, String relayFor, Security security, long timeoutMs) {
        this.address = address;
        this.relayFor = relayFor;
        this.security = security;
        this.timeoutMs = timeoutMs;
    }

    String address() {
        return relayFor == null ? address : "the scheduler's code relay " + address;
    }

    /**
     * Sends {@code op arg} and returns the answer's body; null when the client answers "missing";
     * an {@link IOException} naming the client's address when it answers "error", or not in time.
     */
    byte[] request(String op, String arg) throws IOException {
        return request(op, arg, timeoutMs);
    }

    /** {@link #request(String, String)} waiting at most {@code timeoutMs}. */
    synchronized byte[] request(String op, String arg, long timeoutMs) throws IOException {
        Answer a = exchange(op, arg, timeoutMs);
        if (a.is(CodeServer.OK)) return a.body();
        if (a.is(CodeServer.MISSING)) return null;
        throw new IOException("client code server " + address() + " refused '" + op + " " + arg + "': "
                + new String(a.body(), StandardCharsets.UTF_8));
    }

    /**
     * The jar with content hash {@code hash} (null when the client no longer offers it): its bytes
     * over the source's bulk port ({@link CodeBulk}) when it has one, else over this CurveZMQ
     * connection. The caller checks the bytes against the hash either way.
     */
    byte[] jar(String hash) throws IOException {
        if (!WorkerBulk.enabled()) return request("jar", hash);
        Answer a = exchange(CodeBulk.OP, hash, timeoutMs);
        if (a.is(CodeServer.OK)) {
            String ticket = new String(a.body(), StandardCharsets.UTF_8);
            try {
                byte[] jar = CodeBulk.fetch(address, ticket, hash, (int) Math.min(Integer.MAX_VALUE, timeoutMs));
                if (jar != null) return jar;
            } catch (IOException | RuntimeException e) {
                LOG.info("jar {} from the bulk port of {} failed ({}); fetching it over CurveZMQ", hash, address(), e.toString());
            }
        } else if (a.is(CodeBulk.INLINE)) {
            return a.body();
        } else if (a.is(CodeServer.MISSING)) {
            return null;
        }
        return request("jar", hash); // no bulk port there (relayed client, older server, bulk off), or it failed
    }

    /** A reply: its status and body. */
    private record Answer(byte[] status, byte[] body) {
        boolean is(byte[] s) {
            return Arrays.equals(status, s);
        }
    }

    private synchronized Answer exchange(String op, String arg, long timeoutMs) throws IOException {
        if (closed) throw new IOException("the connection to client code server " + address() + " is closed");
        if (socket == null) {
            socket = Zmq.socket(SocketType.DEALER, Long.MAX_VALUE);
            security.toWorker(socket); // the server must prove the cluster key: only authenticated clients ship code
            Zmq.connect(socket, address, "client code server " + address);
        }
        long id = nextId++;
        byte[] idBytes = ByteBuffer.allocate(8).putLong(id).array();
        if (relayFor != null) {
            socket.sendMore(CodeRelay.ASK);
            socket.sendMore(relayFor);
        }
        socket.sendMore(idBytes);
        socket.sendMore(op);
        socket.send(arg == null ? "" : arg);
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (true) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                throw new IOException("client code server " + address() + " did not answer '" + op + " " + arg + "' within "
                        + timeoutMs + " ms (distributed.comm.timeouts.code-fetch; is the client gone, or unreachable from this worker?)");
            }
            socket.setReceiveTimeOut((int) Math.min(left, 1000));
            byte[] rid = socket.recv();
            if (rid == null) continue;
            byte[] status = socket.hasReceiveMore() ? socket.recv() : new byte[0];
            byte[] body = socket.hasReceiveMore() ? socket.recv() : new byte[0];
            while (socket.hasReceiveMore()) socket.recv();
            if (!Arrays.equals(rid, idBytes)) continue; // the answer to a request that timed out
            return new Answer(status, body);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        Zmq.close(socket);
        socket = null;
    }
}

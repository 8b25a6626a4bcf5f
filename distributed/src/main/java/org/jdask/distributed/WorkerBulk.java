package org.jdask.distributed;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.jdask.Config;
import org.jdask.distributed.internal.Messages;
import org.jdask.distributed.internal.Payload;
import org.jdask.distributed.internal.bulk.BulkServer;
import org.jdask.graph.Key;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's hooks for the bulk channel (issue 17): its bulk port next to the data port, and the
 * answer to a {@code BULK_HELLO} on the data port. {@code distributed.comm.bulk.enabled: false}
 * keeps every transfer on ZeroMQ.
 */
final class WorkerBulk {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerBulk.class);

    private WorkerBulk() {}

    /** Scatters stored by the worker: the bytes held per key. */
    interface Put {
        List<Long> put(List<Key> keys, List<Payload> values) throws Exception;
    }

    static boolean enabled() {
        return Config.getBoolean("distributed.comm.bulk.enabled", true);
    }

    /** {@code distributed.comm.timeouts.tcp} (30 s): the longest silence in the middle of a bulk transfer. */
    static int timeoutMs() {
        return (int) Math.min(Integer.MAX_VALUE, Config.getDuration("distributed.comm.timeouts.tcp", Duration.ofSeconds(30)).toMillis());
    }

    /** The bulk port on the worker's host, or null (off, or the port cannot be bound: ZeroMQ carries everything). */
    static BulkServer start(String host, String address, boolean secure, Function<Key, Payload> get, Put put) {
        if (!enabled()) return null;
        try {
            return new BulkServer(host, new BulkServer.Store() {
                @Override
                public Payload get(Key k) {
                    return get.apply(k);
                }

                @Override
                public List<Long> put(List<Key> keys, List<Payload> values) throws Exception {
                    return put.put(keys, values);
                }
            }, secure, address, timeoutMs());
        } catch (IOException | RuntimeException e) {
            LOG.warn("worker {}: no bulk port on {} ({}); large values go through ZeroMQ", address, host, e.toString());
            return null;
        }
    }

    /** The answer to a {@code BULK_HELLO}: a session, or port 0 when this worker has no bulk port. */
    static Messages.BulkWelcome welcome(BulkServer bulk, Messages.BulkHello h) {
        if (bulk == null) return new Messages.BulkWelcome(h.id(), 0, "", null);
        BulkServer.Ticket t = bulk.open();
        return new Messages.BulkWelcome(h.id(), t.port(), t.token(), t.key());
    }
}

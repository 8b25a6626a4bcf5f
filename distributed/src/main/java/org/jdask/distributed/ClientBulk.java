package org.jdask.distributed;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdask.JdaskException;
import org.jdask.distributed.internal.Messages;
import org.jdask.distributed.internal.Payload;
import org.jdask.distributed.internal.bulk.BulkClient;
import org.jdask.distributed.internal.bulk.BulkProtocol;
import org.jdask.distributed.internal.bulk.BulkServer.Ticket;
import org.jdask.graph.Key;

/**
 * The client's use of the bulk channel (issue 17): gathers and scatters with workers on other
 * JVMs go over a direct socket per worker, all workers at once, each on a thread of its own;
 * sessions are opened with a {@code BULK_HELLO} on the worker's data port (CurveZMQ with
 * security, which is how the AES key arrives). In-process workers keep local references; a worker
 * without a bulk port (answering port 0) keeps ZeroMQ.
 */
final class ClientBulk {
    private final Client client;
    private final BulkClient bulk;
    private final boolean enabled = WorkerBulk.enabled();
    /** Workers that answered without a bulk port. */
    private final Set<String> without = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger THREADS = new AtomicInteger();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "jdask-bulk-client-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    ClientBulk(Client client) {
        this.client = client;
        this.bulk = new BulkClient(this::open, WorkerBulk.timeoutMs());
    }

    /** Whether values to and from {@code worker} go over the bulk channel. */
    boolean usable(String worker) {
        return enabled && worker.startsWith("tcp://") && !without.contains(worker);
    }

    private Ticket open(String worker) throws IOException {
        Messages.BulkWelcome w;
        try {
            w = client.waitFor(client.conn.request(worker, Messages.BulkHello::new), Messages.BulkWelcome.class,
                    "bulk session with worker " + worker, client.fetchTimeoutMs);
        } catch (JdaskException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (w.port() <= 0) {
            without.add(worker);
            throw new NoBulkPort(worker);
        }
        return new Ticket(w.port(), w.token(), w.key());
    }

    /** The worker has no bulk port: the caller uses ZeroMQ. */
    static final class NoBulkPort extends IOException {
        NoBulkPort(String worker) {
            super("worker " + worker + " has no bulk port");
        }
    }

    /** Gathers {@code keys} from {@code worker} on a pool thread. */
    CompletableFuture<BulkProtocol.Got> get(String worker, List<Key> keys) {
        return async(() -> bulk.get(worker, keys));
    }

    /** Scatters onto {@code worker} on a pool thread; the bytes held per key. */
    CompletableFuture<List<Long>> put(String worker, List<Key> keys, List<Payload> values) {
        return async(() -> bulk.put(worker, keys, values));
    }

    private interface Io<T> {
        T call() throws IOException;
    }

    private <T> CompletableFuture<T> async(Io<T> io) {
        CompletableFuture<T> f = new CompletableFuture<>();
        pool.execute(() -> {
            try {
                f.complete(io.call());
            } catch (IOException | RuntimeException | Error e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    void close() {
        bulk.close();
        pool.shutdownNow();
    }
}

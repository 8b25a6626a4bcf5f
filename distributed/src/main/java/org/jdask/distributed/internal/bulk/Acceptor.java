package org.jdask.distributed.internal.bulk;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accepting thread of a port of direct links (a worker's bulk port, the scheduler's
 * coordination port): hands each connection to its owner until the owner closes or the port
 * fails (logged, naming the port, unless the owner is closing).
 */
public final class Acceptor {
    private static final Logger LOG = LoggerFactory.getLogger(Acceptor.class);

    private Acceptor() {}

    /**
     * Starts a daemon thread named {@code threadName} accepting on {@code server}.
     *
     * @param what     the port, for the log line if it stops accepting
     * @param closed   whether the owner is closing (then the loop ends quietly)
     * @param accepted takes each new connection (and its thread, or closes it)
     */
    public static void start(ServerSocketChannel server, String threadName, String what, BooleanSupplier closed, Consumer<SocketChannel> accepted) {
        Thread t = new Thread(() -> loop(server, what, closed, accepted), threadName);
        t.setDaemon(true);
        t.start();
    }

    private static void loop(ServerSocketChannel server, String what, BooleanSupplier closed, Consumer<SocketChannel> accepted) {
        while (!closed.getAsBoolean()) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (IOException e) {
                if (!closed.getAsBoolean()) LOG.warn("{} stopped accepting: {}", what, e.toString());
                return;
            }
            accepted.accept(c);
        }
    }
}

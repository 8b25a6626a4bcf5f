package org.jdask.distributed;

import java.io.BufferedReader;
import java.io.IOException;
import org.jdask.distributed.internal.Messages;
import org.jdask.distributed.internal.Wire;
import org.jdask.distributed.internal.Zmq;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * The worker JVM's side of {@link Nanny#launchEarly} (issue 17's cold start): a JVM started before
 * its scheduler exists does the start-up work that needs no address — the ZeroMQ context and its
 * I/O thread, the classes of the worker's start-up path — and then reads the scheduler's address
 * from standard input, where the nanny writes it once the scheduler listens.
 */
final class StartEarly {
    private StartEarly() {}

    /** Gets ready, then returns the address the nanny sends (one line); exits the JVM if none comes. */
    static String awaitScheduler(BufferedReader stdin) {
        prepare();
        StartPhases.mark("prepared");
        String line;
        try {
            line = stdin.readLine();
        } catch (IOException e) {
            line = null;
        }
        StartPhases.mark("address");
        if (line == null || line.isBlank()) {
            System.err.println("worker JVM started with " + WorkerMain.SCHEDULER_ON_STDIN
                    + " as the scheduler's address, but its standard input ended before the address came (is the nanny gone?)");
            System.exit(2);
        }
        return line.strip();
    }

    /** What {@link Worker#start} would do first anyway, and needs no address. */
    static void prepare() {
        ZMQ.Socket s = Zmq.socket(SocketType.DEALER, Zmq.maxFrameBytes()); // the context, its I/O thread, the socket classes
        Zmq.close(s);
        Wire.remoteIdentity();
        Messages.decode(new Messages.Goodbye().msg()); // the message codec's tables, both ways (a scheduler decodes the first hello)
    }
}

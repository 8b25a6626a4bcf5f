package org.jdask.distributed;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;
import org.jdask.distributed.actor.Actors;
import org.jdask.distributed.internal.Messages;
import org.jdask.distributed.internal.Messages.Message;
import org.jdask.distributed.report.ReportSource;
import org.jdask.distributed.report.TaskRecord;

/**
 * The seams between {@link Client} and the actor and report packages (issue 19): what actors and
 * performance reports need from a client (its connection to workers and the scheduler), so that
 * {@code Client} keeps one-line hooks and the logic stays in {@code actor/} and {@code report/}.
 */
final class ClientExtensions {
    private ClientExtensions() {}

    /** The actors of {@code c}: calls go over its connections to worker data ports. */
    static Actors actors(Client c) {
        return new Actors(new Actors.Transport() {
            @Override
            public CompletableFuture<Message> request(String worker, LongFunction<Message> build) {
                return c.conn.request(worker, build);
            }

            @Override
            public List<String> workers() {
                return c.workerAddresses();
            }

            @Override
            public void checkOpen() {
                c.checkOpen();
            }
        });
    }

    /** {@code c}'s scheduler as a performance report's source. */
    static ReportSource reportSource(Client c) {
        return new ReportSource() {
            @Override
            public List<Map<String, Object>> workers() {
                return c.workers();
            }

            @Override
            public Optional<List<TaskRecord>> taskStream(long sinceMs) {
                return ClientExtensions.taskStream(c, sinceMs);
            }

            @Override
            public String schedulerAddress() {
                return c.schedulerAddress();
            }
        };
    }

    /** The scheduler's task stream since {@code sinceMs}; empty when it keeps none (no dashboard). */
    static Optional<List<TaskRecord>> taskStream(Client c, long sinceMs) {
        c.checkOpen();
        Messages.TaskStreamReply r = c.waitFor(c.conn.request(null, id -> new Messages.TaskStream(id, sinceMs)),
                Messages.TaskStreamReply.class, "taskStream", 30_000);
        return r.recorded() ? Optional.of(r.records()) : Optional.empty();
    }
}

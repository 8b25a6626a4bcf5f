package org.jdask.distributed;

import java.util.List;
import org.jdask.Config;
import org.jdask.distributed.internal.Messages;
import org.jdask.distributed.internal.OnceThread;
import org.jdask.distributed.internal.SchedulerEvent.NewTask;
import org.jdask.fn.Fn1;
import org.jdask.graph.Key;
import org.jdask.graph.Task;
import org.jdask.graph.Tokenize;
import org.slf4j.LoggerFactory;

/**
 * The client side's first-use set-up, done once a {@link LocalCluster}'s worker JVMs started
 * (issue 16's first start-up in a fresh JVM, issue 17's cold start). Its JVM otherwise idles
 * until the workers register, and then pays on the critical path what every first
 * {@code submit} needs: building the codecs (Fory, the modules' value codecs) and encoding and
 * decoding a task frame, ~0.3–0.4 s in a fresh JVM (the first of {@code Runner startups}' start-ups
 * had {@code submit} at 284–437 ms, the later ones 1–8 ms, hints under load), plus the client's
 * own classes; and before those the wire messages' tables, which the scheduler of this JVM needs
 * for the first worker's hello.
 *
 * <p>On a daemon thread, once per JVM, after the cluster's worker JVMs registered (not before: on
 * 2 cores its CPU slowed their start by a third, and the scheduler's start is on their critical
 * path too; the first {@code submit} may now find it still running). Codecs pool their Fory instances, so an instance this
 * thread built is the one the first {@code submit} borrows; a {@code submit} that comes while the
 * warm-up still runs builds its own (classes already loaded), no worse than without it. Config
 * {@code distributed.client.warm-up: false} turns it off, to compare.
 */
final class ClientWarmup {
    private static final OnceThread THREAD = new OnceThread("jdask-client-warm-up", Thread.NORM_PRIORITY, ClientWarmup::run);

    private static final Fn1<Object, Object> IDENTITY = x -> x;

    private ClientWarmup() {}

    /** Starts the warm-up thread unless this JVM has started one before or the config turns it off; whether it did. */
    static boolean startOnce() {
        return Config.getBoolean("distributed.client.warm-up", true) && THREAD.start();
    }

    /** A task frame's round trip through the codecs, and the client's class loaded; failures only logged (the first submit meets them); whether it all ran. */
    static boolean run() {
        try {
            // first the message codec's tables (Messages' static set-up), which this JVM's scheduler otherwise builds
            // when the first worker's hello arrives: ~110 ms of a fresh parent's first start-up in a class-load trace
            // (load ~13, a hint), on the workers' registration path; the client's connect needs them too
            Messages.decode(new Messages.Goodbye().msg());
            CodecWarmup.run();
            Class.forName(Client.class.getName(), true, ClientWarmup.class.getClassLoader());
            // the rest of a first submit's path, once: its key's token, its task entry, its UPDATE_GRAPH message
            Key k = Key.of("warm-up-" + Tokenize.tokenize("warm-up", List.of(1)));
            NewTask e = TaskEntries.taskEntry(k, Task.of(IDENTITY, 1), null, 0, 0, SubmitOptions.defaults(), "warm-up", true);
            new Messages.UpdateGraph(List.of(e), List.of(k), false).msg();
            return true;
        } catch (RuntimeException | LinkageError | ClassNotFoundException e) {
            LoggerFactory.getLogger(ClientWarmup.class).debug("client warm-up failed (the first submit does the same work itself)", e);
            return false;
        }
    }
}

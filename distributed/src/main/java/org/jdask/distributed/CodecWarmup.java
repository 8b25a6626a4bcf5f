package org.jdask.distributed;

import org.jdask.fn.Fn1;
import org.jdask.fn.Fns;
import org.jdask.graph.Task;
import org.jdask.serialize.Codecs;
import org.jdask.serialize.FnFrame;
import org.slf4j.LoggerFactory;

/**
 * A task frame and a result frame once through the codecs: the set-up (Fory, the modules' value
 * codecs) a JVM's first task and first result would otherwise pay on the critical path. Run on a
 * side thread by a worker JVM after it registers ({@code distributed.worker.codec-warm-up}) and
 * by the client while a {@link LocalCluster}'s worker JVMs start ({@link ClientWarmup}).
 */
final class CodecWarmup {
    private static final Fn1<Object, Object> IDENTITY = x -> x;

    private CodecWarmup() {}

    /** Failures are only logged (debug): the first real task meets and reports the same problem. */
    static void run() {
        try {
            // in the shape a map's tasks travel in: the function as its own frame, resolved (the lambda decode path)
            Task t = (Task) Codecs.decode(Codecs.encode(Task.ofArray(FnFrame.of(Fns.of(IDENTITY)), new Object[] {1})));
            if (t.function() instanceof FnFrame f) f.resolve();
            Codecs.decode(Codecs.encode(1L));
        } catch (RuntimeException | LinkageError e) {
            LoggerFactory.getLogger(CodecWarmup.class).debug("codec warm-up failed (the first task does the same work itself)", e);
        }
    }
}

package org.jdask.schedulers.processes;

import java.util.List;
import org.jdask.fn.Fn1;
import org.jdask.graph.Key;
import org.jdask.graph.Task;
import org.jdask.graph.cds.CdsWarmup;
import org.jdask.serialize.Codecs;

/**
 * The {@code processes} worker's start-up for the CDS archive ({@link org.jdask.graph.cds.CdsArchive}):
 * what {@link WorkerMain} does for its first run, in process (its real loop halts the JVM, which
 * would write no archive): {@link WorkerWarmup} (config, codecs, a function, a result), a task's and
 * a failure's frames, and the worker's own classes.
 */
public final class ProcessesCdsWarmup implements CdsWarmup {
    @Override
    public void run() throws Exception {
        ClassLoader loader = ProcessesCdsWarmup.class.getClassLoader();
        for (Class<?> c : List.of(WorkerMain.class, Protocol.class, WorkerWarmup.class)) Class.forName(c.getName(), true, loader);
        WorkerWarmup.run(); // config, codecs, a function and a result
        Fn1<Long, Long> inc = x -> x + 1;
        Task t = (Task) Codecs.decode(Codecs.encode(Task.of(inc, Key.of("x", 0))));
        Codecs.decode(Codecs.encode(t.execute(k -> 1L)));
        Codecs.decode(Codecs.encode(new IllegalStateException("warm-up failure")));
    }
}

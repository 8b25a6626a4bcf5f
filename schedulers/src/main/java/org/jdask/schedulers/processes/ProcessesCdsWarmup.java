package org.jdask.schedulers.processes;

import java.util.List;
import org.jdask.graph.cds.CdsWarmup;
import org.jdask.serialize.Codecs;

/**
 * The {@code processes} worker's start-up for the CDS archive ({@link org.jdask.graph.cds.CdsArchive}):
 * what {@link WorkerMain} does for its first run, in process (its real loop halts the JVM, which
 * would write no archive): {@link WorkerWarmup} (config, codecs, a first run's frames), a failure's
 * frame, and the worker's own classes.
 */
public final class ProcessesCdsWarmup implements CdsWarmup {
    @Override
    public void run() throws Exception {
        ClassLoader loader = ProcessesCdsWarmup.class.getClassLoader();
        for (Class<?> c : List.of(WorkerMain.class, Protocol.class, WorkerWarmup.class)) Class.forName(c.getName(), true, loader);
        WorkerWarmup.run();
        Codecs.decode(Codecs.encode(new IllegalStateException("warm-up failure")));
    }
}

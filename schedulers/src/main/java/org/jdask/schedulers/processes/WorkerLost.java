package org.jdask.schedulers.processes;

import java.util.List;
import org.jdask.JdaskException;
import org.jdask.KilledWorkerException;
import org.jdask.graph.Key;

/** A worker JVM of the run died; {@link #failure} is what the user sees when no retry is left. */
final class WorkerLost extends RuntimeException {
    final Key key;
    final String worker;
    final String status;

    WorkerLost(Key key, String worker, String status) {
        super(null, null, false, false);
        this.key = key;
        this.worker = worker;
        this.status = status;
    }

    String describe() {
        return worker + " died (" + status + ")" + (key == null ? "" : " while running task " + key);
    }

    RuntimeException failure(int retries) {
        String w = worker + ", " + status;
        if (key == null) {
            return new JdaskException(describe() + (retries > 0 ? " after " + retries + " retr" + (retries == 1 ? "y" : "ies") : ""));
        }
        KilledWorkerException e = new KilledWorkerException(key, List.of(w));
        if (retries > 0) e.addSuppressed(new JdaskException("gave up after " + retries + " retr" + (retries == 1 ? "y" : "ies")
                + " on replacement workers (config processes.retries)"));
        return e;
    }
}

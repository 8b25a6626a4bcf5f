package org.jdask;

import java.util.List;
import org.jdask.graph.Key;

/** A task was running on workers that died, too many times ({@code allowed-failures}). */
public class KilledWorkerException extends JdaskException {
    private final Key key;
    private final List<String> workers;

    public KilledWorkerException(Key key, List<String> workers) {
        super("task " + key + " was running on " + workers.size() + " worker(s) that died: " + workers);
        this.key = key;
        this.workers = List.copyOf(workers);
    }

    public Key key() {
        return key;
    }

    public List<String> workers() {
        return workers;
    }
}

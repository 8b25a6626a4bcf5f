package org.jdask.distributed;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdask.Config;
import org.jdask.distributed.internal.memory.LocalDirectory;
import org.jdask.distributed.internal.memory.MemoryPolicy;
import org.slf4j.LoggerFactory;

/** What a {@link Nanny} does for its worker's memory manager. */
final class NannyMemory {
    private NannyMemory() {}

    /**
     * {@code -Djdask.distributed.worker.memory.*} for every such setting in force here, so a worker
     * JVM uses the thresholds its cluster was built with ({@code Config.set} in the starting thread,
     * or this JVM's own configuration).
     */
    static List<String> configFlags() {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Object> e : Config.snapshot().entrySet()) {
            if (e.getKey().startsWith(MemoryPolicy.PREFIX) && e.getValue() != null && !(e.getValue() instanceof Map)) {
                out.add("-Djdask." + e.getKey() + "=" + e.getValue());
            }
        }
        return out;
    }

    /** Deletes a dead worker JVM's directory (its spill store), which a killed JVM could not. */
    static void cleanUp(Path dir) {
        try {
            LocalDirectory.delete(dir);
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(Nanny.class).warn("cannot delete the worker directory {}: {}", dir, e.toString());
        }
    }

    /** Why a worker JVM exited, from its exit code. */
    static String explain(int code) {
        return code == WorkerMemory.EXIT_MEMORY ? " (restarting: memory: past " + MemoryPolicy.PREFIX + "terminate)" : "";
    }
}

package org.jdask;

import java.util.List;
import org.jdask.graph.Key;

/** The task graph has a cycle; {@link #cycle()} lists it, first key repeated at the end. */
public class CycleException extends JdaskException {
    private final List<Key> cycle;

    public CycleException(List<Key> cycle) {
        super("Cycle detected: " + render(cycle));
        this.cycle = List.copyOf(cycle);
    }

    public List<Key> cycle() {
        return cycle;
    }

    private static String render(List<Key> cycle) {
        StringBuilder b = new StringBuilder();
        for (Key k : cycle) {
            if (b.length() > 0) b.append(" -> ");
            b.append(k);
        }
        return b.toString();
    }
}

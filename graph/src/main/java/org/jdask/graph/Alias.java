package org.jdask.graph;

import java.util.List;

/** This key's value is the value of {@code target} (no copy, no task). */
public record Alias(Key target) implements Node {
    public Alias {
        java.util.Objects.requireNonNull(target, "alias target");
    }

    @Override
    public List<Key> dependencies() {
        return List.of(target);
    }

    @Override
    public String toString() {
        return "Alias(" + target + ")";
    }
}

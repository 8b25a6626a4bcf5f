package org.jdask.graph;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One layer of the high-level view of a {@link TaskGraph}: all keys that share a name (every
 * block of one array operation, every partition of one bag step, one delayed call), the layers it
 * reads from, and free-form annotations a collection attached to it (for example
 * {@code kind=blockwise}) so later optimizations can work on whole layers.
 */
public record Layer(String name, List<Key> keys, Set<String> dependsOn, Map<String, Object> annotations) {
    public Layer {
        keys = List.copyOf(keys);
        dependsOn = Set.copyOf(dependsOn);
        annotations = Map.copyOf(annotations);
    }
}

package org.jdask.graph;

import java.io.Serializable;
import java.util.List;

/**
 * A node of a {@link TaskGraph}: a {@link Task} to run, a {@link DataNode} holding a value, or an
 * {@link Alias} of another key.
 */
public sealed interface Node extends Serializable permits Task, DataNode, Alias {
    /** The keys this node reads, each once, in first-use order. */
    List<Key> dependencies();
}

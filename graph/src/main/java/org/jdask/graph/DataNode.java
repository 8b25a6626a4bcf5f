package org.jdask.graph;

import java.util.List;
import java.util.Objects;

/** A literal value placed in the graph (Dask's plain data). Its value is never scanned for keys. */
public final class DataNode implements Node {
    private static final long serialVersionUID = 1L;
    private final Object value;

    public DataNode(Object value) {
        this.value = value;
    }

    public Object value() {
        return value;
    }

    @Override
    public List<Key> dependencies() {
        return List.of();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataNode d && Objects.deepEquals(value, d.value);
    }

    @Override
    public int hashCode() {
        return value == null ? 0 : value.hashCode();
    }

    @Override
    public String toString() {
        return "Data(" + Task.shortString(value) + ")";
    }
}

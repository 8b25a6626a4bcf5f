package org.jdask.distributed.internal;

/**
 * A task's priority, smallest first: higher user priority, then earlier submission (generation),
 * then the graph order ({@code Order.priorities}). Dask uses the same triple.
 */
public record Prio(int user, long generation, int order) implements Comparable<Prio> {
    @Override
    public int compareTo(Prio o) {
        int c = Integer.compare(o.user, user);
        if (c != 0) return c;
        c = Long.compare(generation, o.generation);
        return c != 0 ? c : Integer.compare(order, o.order);
    }
}

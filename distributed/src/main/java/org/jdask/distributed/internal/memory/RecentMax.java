package org.jdask.distributed.internal.memory;

import java.util.ArrayDeque;

/**
 * The largest of the readings taken within the last {@code windowMs} (a sliding maximum): what a
 * worker's tasks and transfers held at their peak lately, so its data makes room before the next
 * such task rather than after. Not thread-safe: the memory monitor's thread owns it.
 */
final class RecentMax {
    private record Reading(long atMs, long value) {}

    private final long windowMs;
    /** Readings by time, their values decreasing: a reading that a later, larger one outlasts is never the maximum. */
    private final ArrayDeque<Reading> readings = new ArrayDeque<>();

    RecentMax(long windowMs) {
        this.windowMs = windowMs;
    }

    void add(long atMs, long value) {
        while (!readings.isEmpty() && readings.peekLast().value() <= value) readings.removeLast();
        readings.addLast(new Reading(atMs, value));
    }

    /** The largest reading of the last {@code windowMs} before {@code nowMs}, 0 when there is none. */
    long peak(long nowMs) {
        while (!readings.isEmpty() && nowMs - readings.peekFirst().atMs() > windowMs) readings.removeFirst();
        return readings.isEmpty() ? 0 : Math.max(0, readings.peekFirst().value());
    }
}

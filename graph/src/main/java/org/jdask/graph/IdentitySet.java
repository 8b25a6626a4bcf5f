package org.jdask.graph;

/**
 * A set of objects by identity (open addressing, linear probing on {@link
 * System#identityHashCode}), for walks over object graphs such as {@code Delayed.graph()}. Unlike
 * {@link java.util.IdentityHashMap} it keeps each member's hash in an int array, so growing the
 * table re-reads ints instead of touching a million objects scattered over the heap again.
 */
public final class IdentitySet {
    private Object[] members;
    private int[] hashes;
    private int size;

    public IdentitySet(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected) * 2 - 1) << 1;
        members = new Object[cap];
        hashes = new int[cap];
    }

    /** Adds {@code o}; true when it was not in the set. */
    public boolean add(Object o) {
        int h = System.identityHashCode(o);
        int mask = members.length - 1;
        int i = mix(h) & mask;
        for (Object there; (there = members[i]) != null; i = (i + 1) & mask) {
            if (there == o) return false;
        }
        members[i] = o;
        hashes[i] = h;
        if (++size * 2 > members.length) grow();
        return true;
    }

    public boolean contains(Object o) {
        int mask = members.length - 1;
        for (int i = mix(System.identityHashCode(o)) & mask; members[i] != null; i = (i + 1) & mask) {
            if (members[i] == o) return true;
        }
        return false;
    }

    public int size() {
        return size;
    }

    private void grow() {
        Object[] oldMembers = members;
        int[] oldHashes = hashes;
        members = new Object[oldMembers.length * 2];
        hashes = new int[members.length];
        int mask = members.length - 1;
        for (int j = 0; j < oldMembers.length; j++) {
            if (oldMembers[j] == null) continue;
            int i = mix(oldHashes[j]) & mask;
            while (members[i] != null) i = (i + 1) & mask;
            members[i] = oldMembers[j];
            hashes[i] = oldHashes[j];
        }
    }

    /** identityHashCode's low bits can be regular; spread them over the table. */
    private static int mix(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}

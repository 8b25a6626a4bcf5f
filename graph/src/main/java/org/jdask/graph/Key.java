package org.jdask.graph;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * The name of a task's output: a string name plus an index tuple, printed like Dask's keys —
 * {@code 'x'} for a plain name, {@code ('x', 0, 1)} for block (0, 1) of collection {@code x}.
 *
 * <p>Immutable, with value equality and a total order (name, then index lexicographically) so
 * graphs print and sort deterministically. Keys inside {@link Task} arguments are references to
 * other tasks' outputs.
 */
public final class Key implements Comparable<Key>, Serializable {
    private static final long serialVersionUID = 1L;
    private static final int[] NO_INDEX = new int[0];

    private final String name;
    private final int[] index;
    private transient int hash;

    private Key(String name, int[] index) {
        this.name = Objects.requireNonNull(name, "key name");
        if (name.isEmpty()) throw new IllegalArgumentException("key name must not be empty");
        this.index = index;
        // hashed now, while the name's bytes are in cache (every key is hashed into a graph later,
        // when a million of them are scattered over the heap); a deserialized key hashes lazily
        this.hash = computeHash();
    }

    /** A key with a name and an optional index tuple: {@code Key.of("x", 0, 1)}. */
    public static Key of(String name, int... index) {
        return new Key(name, index == null || index.length == 0 ? NO_INDEX : index.clone());
    }

    public String name() {
        return name;
    }

    /** The index tuple (a copy); empty for a plain name. */
    public int[] index() {
        return index.clone();
    }

    public int indexLength() {
        return index.length;
    }

    public int index(int i) {
        return index[i];
    }

    /** A key with the same name and another index. */
    public Key withIndex(int... idx) {
        return of(name, idx);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof Key k)) return false;
        return hashCode() == k.hashCode() && name.equals(k.name) && Arrays.equals(index, k.index);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) hash = h = computeHash();
        return h;
    }

    private int computeHash() {
        // mix every component: Arrays.hashCode alone collides for block keys like (i, j) and
        // (i + 1, j - 31), which turns big graphs' hash maps into trees
        int h = name.hashCode();
        for (int i : index) h = mix(h) + i;
        h = mix(h);
        return h == 0 ? 1 : h;
    }

    private static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        return h ^ (h >>> 16);
    }

    @Override
    public int compareTo(Key o) {
        int c = name.compareTo(o.name);
        return c != 0 ? c : Arrays.compare(index, o.index);
    }

    @Override
    public String toString() {
        if (index.length == 0) return "'" + name + "'";
        StringBuilder b = new StringBuilder().append("('").append(name).append('\'');
        for (int i : index) b.append(", ").append(i);
        return b.append(')').toString();
    }
}

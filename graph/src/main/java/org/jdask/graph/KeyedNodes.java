package org.jdask.graph;

import java.io.Serializable;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The {@code Map<Key, Node>} inside a {@link TaskGraph}: keys and nodes in two arrays in insertion
 * order (a replaced key keeps its place, like {@link java.util.LinkedHashMap}), found through an
 * open-addressing table of ints (linear probing on {@link Key#hashCode()}, kept in an int array).
 * Per task that is three array slots and about two table ints, instead of a map entry object, so a million-task graph
 * costs the garbage collector a few arrays rather than a million entries, and {@link
 * IndexedGraph#of} reuses the positions as task numbers without hashing every key again.
 *
 * <p>Mutable only through {@link #put} and {@link #remove} while a {@link TaskGraph.Builder} owns
 * it; {@link #freeze()} compacts removed slots and makes it read-only (the {@code Map} mutators
 * then throw {@link UnsupportedOperationException}).
 */
final class KeyedNodes extends AbstractMap<Key, Node> implements Serializable {
    private static final long serialVersionUID = 1L;

    private Key[] keys;
    private Node[] nodes;
    /** keys[p].hashCode(), so a probe compares ints before touching a key object elsewhere in the heap. */
    private int[] hashes;
    /** Position + 1 of the key hashed there; 0 = empty. */
    private int[] table;
    private int size;
    /** Slots in use in keys/nodes, removed ones (null) included. */
    private int used;
    private boolean frozen;

    KeyedNodes(int expected) {
        int cap = Math.max(16, expected);
        keys = new Key[cap];
        nodes = new Node[cap];
        hashes = new int[cap];
        table = new int[tableSizeFor(cap)];
    }

    private static int tableSizeFor(int entries) {
        int t = Integer.highestOneBit(Math.max(8, entries) * 2 - 1) << 1; // load factor <= 1/2
        return t < 0 ? 1 << 30 : t;
    }

    /** Position of {@code key} (0..{@link #slots()}), or -1. */
    int indexOf(Object key) {
        if (!(key instanceof Key k)) return -1;
        int mask = table.length - 1;
        int h = k.hashCode();
        for (int i = h & mask; ; i = (i + 1) & mask) {
            int p = table[i] - 1;
            if (p < 0) return -1;
            if (hashes[p] != h) continue;
            Key there = keys[p];
            if (there == k || there.equals(k)) return p;
        }
    }

    /** Number of positions (equals {@link #size()} once frozen). */
    int slots() {
        return used;
    }

    Key keyAt(int p) {
        return keys[p];
    }

    Node nodeAt(int p) {
        return nodes[p];
    }

    @Override
    public Node put(Key key, Node node) {
        if (frozen) throw new UnsupportedOperationException("a TaskGraph is immutable; use toBuilder()");
        int p = indexOf(key);
        if (p >= 0) {
            Node old = nodes[p];
            nodes[p] = node;
            return old;
        }
        if (used == keys.length) {
            int cap = Math.max(16, used + (used >> 1));
            keys = Arrays.copyOf(keys, cap);
            nodes = Arrays.copyOf(nodes, cap);
            hashes = Arrays.copyOf(hashes, cap);
        }
        if ((size + 1) * 2 > table.length) rehash(table.length * 2);
        keys[used] = key;
        nodes[used] = node;
        hashes[used] = key.hashCode();
        insert(used);
        used++;
        size++;
        return null;
    }

    @Override
    public Node remove(Object key) {
        if (frozen) throw new UnsupportedOperationException("a TaskGraph is immutable; use toBuilder()");
        int p = indexOf(key);
        if (p < 0) return null;
        Node old = nodes[p];
        deleteFromTable(p);
        keys[p] = null;
        nodes[p] = null;
        size--;
        return old;
    }

    /** Drops removed slots, trims the arrays and makes this map read-only. */
    KeyedNodes freeze() {
        if (used != size) {
            int q = 0;
            for (int p = 0; p < used; p++) {
                if (keys[p] == null) continue;
                keys[q] = keys[p];
                nodes[q] = nodes[p];
                hashes[q] = hashes[p];
                q++;
            }
            Arrays.fill(keys, q, used, null);
            Arrays.fill(nodes, q, used, null);
            used = q;
            rehash(tableSizeFor(size));
        }
        if (keys.length > used + 16) {
            keys = Arrays.copyOf(keys, used);
            nodes = Arrays.copyOf(nodes, used);
            hashes = Arrays.copyOf(hashes, used);
        }
        frozen = true;
        return this;
    }

    private void insert(int p) {
        int mask = table.length - 1;
        int i = hashes[p] & mask;
        while (table[i] != 0) i = (i + 1) & mask;
        table[i] = p + 1;
    }

    private void rehash(int tableSize) {
        table = new int[tableSize];
        for (int p = 0; p < used; p++) if (keys[p] != null) insert(p);
    }

    /** Linear probing's backward-shift deletion: no tombstones. */
    private void deleteFromTable(int p) {
        int mask = table.length - 1;
        int i = hashes[p] & mask;
        while (table[i] != p + 1) i = (i + 1) & mask;
        int hole = i;
        for (int j = (hole + 1) & mask; table[j] != 0; j = (j + 1) & mask) {
            int home = hashes[table[j] - 1] & mask;
            // move j into the hole unless its home lies cyclically in (hole, j]
            boolean stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!stays) {
                table[hole] = table[j];
                hole = j;
            }
        }
        table[hole] = 0;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean containsKey(Object key) {
        return indexOf(key) >= 0;
    }

    @Override
    public Node get(Object key) {
        int p = indexOf(key);
        return p < 0 ? null : nodes[p];
    }

    @Override
    public void forEach(BiConsumer<? super Key, ? super Node> action) {
        for (int p = 0; p < used; p++) if (keys[p] != null) action.accept(keys[p], nodes[p]);
    }

    @Override
    public Set<Entry<Key, Node>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<Key, Node>> iterator() {
                return new Positions<>() {
                    @Override
                    Entry<Key, Node> at(int p) {
                        return new SimpleImmutableEntry<>(keys[p], nodes[p]);
                    }
                };
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    @Override
    public Set<Key> keySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Key> iterator() {
                return new Positions<>() {
                    @Override
                    Key at(int p) {
                        return keys[p];
                    }
                };
            }

            @Override
            public int size() {
                return size;
            }

            @Override
            public boolean contains(Object o) {
                return indexOf(o) >= 0;
            }
        };
    }

    /** Walks the occupied positions in insertion order; read-only. */
    private abstract class Positions<T> implements Iterator<T> {
        private int p = skip(0);

        private int skip(int from) {
            while (from < used && keys[from] == null) from++;
            return from;
        }

        abstract T at(int p);

        @Override
        public boolean hasNext() {
            return p < used;
        }

        @Override
        public T next() {
            if (p >= used) throw new NoSuchElementException();
            T t = at(p);
            p = skip(p + 1);
            return t;
        }
    }

    /** Java serialization writes what a TaskGraph's map was before: an unmodifiable LinkedHashMap. */
    private Object writeReplace() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(this));
    }

    /** A frozen copy of {@code m}'s entries in its iteration order. */
    static KeyedNodes copyOf(Map<Key, ? extends Node> m) {
        KeyedNodes k = new KeyedNodes(m.size());
        m.forEach(k::put);
        return k.freeze();
    }
}

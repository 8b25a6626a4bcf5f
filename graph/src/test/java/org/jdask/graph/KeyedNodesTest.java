package org.jdask.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeyedNodesTest {
    /** Random puts, replacements and removals behave exactly like a LinkedHashMap, order included. */
    @Test
    void behavesLikeALinkedHashMap() {
        Random r = new Random(3);
        KeyedNodes m = new KeyedNodes(4);
        Map<Key, Node> expected = new LinkedHashMap<>();
        for (int step = 0; step < 20_000; step++) {
            // few names and indices, so keys repeat and probe chains collide
            Key k = r.nextBoolean() ? Key.of("k" + r.nextInt(50)) : Key.of("x", r.nextInt(40), r.nextInt(3));
            if (r.nextInt(4) == 0) {
                assertEquals(expected.remove(k), m.remove(k), "remove " + k);
            } else {
                Node n = new DataNode(step);
                assertEquals(expected.put(k, n), m.put(k, n), "put " + k);
            }
            if (step % 997 == 0) assertSame(expected, m);
        }
        assertSame(expected, m);
        m.freeze();
        assertSame(expected, m);
        assertEquals(expected, m);
        assertEquals(expected.hashCode(), m.hashCode());
        for (int i = 0; i < m.size(); i++) assertEquals(i, m.indexOf(m.keyAt(i)), "position of " + m.keyAt(i));
    }

    private static void assertSame(Map<Key, Node> expected, KeyedNodes m) {
        assertEquals(expected.size(), m.size());
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(m.keySet()), "iteration order");
        assertEquals(new ArrayList<>(expected.entrySet()), new ArrayList<>(m.entrySet()));
        List<Key> viaForEach = new ArrayList<>();
        m.forEach((k, n) -> {
            viaForEach.add(k);
            assertEquals(expected.get(k), n);
        });
        assertEquals(new ArrayList<>(expected.keySet()), viaForEach);
        for (Key k : expected.keySet()) assertTrue(m.containsKey(k), k.toString());
        assertNull(m.get(Key.of("absent")));
        assertNull(m.get("not a key"));
    }

    @Test
    void aBuiltGraphIsReadOnlyAndSerializesAsAPlainMap() throws Exception {
        TaskGraph g = TaskGraph.builder().data(Key.of("a"), 1).data(Key.of("b"), "two").build(); // data nodes: equal after a round trip
        assertThrows(UnsupportedOperationException.class, () -> g.nodes().put(Key.of("c"), new DataNode(2)));
        assertThrows(UnsupportedOperationException.class, () -> g.nodes().remove(Key.of("a")));
        assertThrows(UnsupportedOperationException.class, () -> g.nodes().clear());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(g.nodes());
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            Object back = in.readObject();
            assertEquals(g.nodes(), back);
            assertEquals(List.of(Key.of("a"), Key.of("b")), new ArrayList<>(((Map<?, ?>) back).keySet()));
        }
    }

    /** A builder's removed keys leave no hole: the graph's positions are its task numbers. */
    @Test
    void removalsAreCompactedWhenBuilt() {
        TaskGraph.Builder b = TaskGraph.builder();
        for (int i = 0; i < 100; i++) b.data(Key.of("x", i), i);
        for (int i = 0; i < 100; i += 3) b.remove(Key.of("x", i));
        TaskGraph g = b.build();
        IndexedGraph ig = IndexedGraph.of(g);
        assertEquals(66, ig.size());
        int pos = 0;
        for (int i = 0; i < 100; i++) {
            if (i % 3 == 0) continue;
            assertEquals(Key.of("x", i), ig.key(pos++));
        }
    }
}

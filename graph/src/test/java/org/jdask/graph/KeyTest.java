package org.jdask.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class KeyTest {
    @Test
    void printsLikeDaskKeys() {
        assertEquals("'x'", Key.of("x").toString());
        assertEquals("('x', 0, 1)", Key.of("x", 0, 1).toString());
        assertEquals("('sum-abc', 7)", Key.of("sum-abc", 7).toString());
    }

    @Test
    void ordersByNameThenIndex() {
        List<Key> sorted = new ArrayList<>(new TreeSet<>(List.of(
                Key.of("y"), Key.of("x", 1), Key.of("x", 0, 5), Key.of("x"), Key.of("x", 0), Key.of("x", 0, 1))));
        assertEquals(List.of(Key.of("x"), Key.of("x", 0), Key.of("x", 0, 1), Key.of("x", 0, 5), Key.of("x", 1), Key.of("y")),
                sorted);
    }

    @Test
    void valueEqualityAndDefensiveCopies() {
        int[] idx = {1, 2};
        Key a = Key.of("x", idx);
        idx[0] = 9;
        assertEquals(Key.of("x", 1, 2), a);
        assertEquals(Key.of("x", 1, 2).hashCode(), a.hashCode());
        assertNotEquals(Key.of("x", 2, 1), a);
        assertNotEquals(Key.of("x"), Key.of("x", 0));
        a.index()[0] = 7;
        assertArrayEquals(new int[] {1, 2}, a.index());
        assertEquals(Key.of("x", 3), a.withIndex(3));
        assertThrows(IllegalArgumentException.class, () -> Key.of(""));
    }

    @Test
    void blockKeysSpreadOverHashCodes() {
        // (i, j) and (i + 1, j - 31) collide under a plain 31-polynomial; they must not here
        Set<Integer> hashes = new HashSet<>();
        for (int i = 0; i < 100; i++) for (int j = 0; j < 100; j++) hashes.add(Key.of("x", i, j).hashCode());
        assertTrue(hashes.size() > 9_990, "distinct hashes " + hashes.size());
    }
}

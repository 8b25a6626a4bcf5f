package org.jdask.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdentitySetTest {
    /** Equal but distinct objects are distinct members; growth keeps every member. */
    @Test
    void membershipIsByIdentityAcrossGrowth() {
        IdentitySet s = new IdentitySet(1);
        List<String> added = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            String a = new String("same"); // equal strings, different objects
            assertTrue(s.add(a));
            assertFalse(s.add(a), "added twice at " + i);
            added.add(a);
        }
        assertEquals(5_000, s.size());
        for (String a : added) assertTrue(s.contains(a));
        assertFalse(s.contains(new String("same")));
        assertFalse(s.contains("same"));
    }
}

package org.jdask.distributed.internal.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jdask.serialize.Codecs;
import org.jdask.testing.Await;
import org.junit.jupiter.api.Test;

class SpillBufferTest {
    static final SpillBuffer.Codec CODECS = new SpillBuffer.Codec() {
        @Override
        public byte[] encode(Object value) {
            return Codecs.encode(value);
        }

        @Override
        public Object decode(byte[] frame) {
            return Codecs.decode(frame);
        }
    };

    static double[] block(int n, double v) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    @Test
    void aSpillByProcessMemoryLeavesTheValuesTasksAreReadingAndTakesTheRest() {
        try (LocalDirectory dir = LocalDirectory.create(null);
             SpillBuffer<String> b = new SpillBuffer<>(Long.MAX_VALUE, dir.path(), 1L << 30, CODECS)) {
            b.inUseNanos = 600_000_000_000L; // "recently" is the last ten minutes here: no clock in the test
            b.prepare();
            b.put("split", block(125_000, 1), 1_000_000); // read by one pick after another
            b.put("piece-0", block(1_000, 2), 8_000);
            b.put("piece-1", block(1_000, 3), 8_000);
            b.read("split");
            assertEquals(16_000, b.spillIdle(Long.MAX_VALUE), "both pieces out");
            assertFalse(b.isSpilled("split"), "the split being picked stays: its next reader would decode it back from disk");
            assertTrue(b.isSpilled("piece-0") && b.isSpilled("piece-1"));
            assertEquals(1_000_000, b.spill(Long.MAX_VALUE), "a spill of everything (before a task's retry) takes it too");
            assertTrue(b.isSpilled("split"));
        }
    }

    @Test
    void aSpillByProcessMemoryBeforeTheStoreExistsStartsItAsideAndSpillsOnceItIsThere() throws Exception {
        try (LocalDirectory dir = LocalDirectory.create(null);
             SpillBuffer<String> b = new SpillBuffer<>(Long.MAX_VALUE, dir.path(), 1L << 20, CODECS)) {
            b.put("a", block(1_000, 1), 8_000);
            assertEquals(0, b.spillIdle(Long.MAX_VALUE), "no store yet: nothing waits for its creation under the lock");
            assertFalse(b.isSpilled("a"));
            assertArrayEquals(block(1_000, 1), (double[]) b.get("a"));
            Await.until(b::prepared, Duration.ofSeconds(60), "the store created aside");
            b.inUseNanos = 0;
            assertEquals(8_000, b.spillIdle(Long.MAX_VALUE));
            assertTrue(b.isSpilled("a"));
        }
    }

    @Test
    void leastRecentlyUsedGoesToDiskPastTargetAndComesBackTransparently() {
        try (LocalDirectory dir = LocalDirectory.create(null);
             SpillBuffer<String> b = new SpillBuffer<>(3_000_000, dir.path(), 1L << 30, CODECS)) {
            for (int i = 0; i < 10; i++) b.put("k" + i, block(125_000, i), 1_000_000); // 1 MB each, target 3 MB
            SpillBuffer.Stats s = b.stats();
            assertEquals(3, s.inMemory());
            assertEquals(7, s.spilled());
            assertEquals(3_000_000, s.memoryBytes());
            assertEquals(7_000_000, s.spilledBytes());
            assertTrue(s.diskBytes() >= 7_000_000, "encoded on disk: " + s.diskBytes());
            assertTrue(b.isSpilled("k0") && !b.isSpilled("k9"), "oldest out first");
            // a spilled value's bytes are served as they are, and it stays on disk
            assertArrayEquals(block(125_000, 1), (double[]) Codecs.decode(b.encoded("k1")));
            assertTrue(b.isSpilled("k1"));
            assertNull(b.encoded("k9"), "in memory: no encoded copy");
            // reading a spilled value brings it back and pushes the least recently used one out
            assertArrayEquals(block(125_000, 0), (double[]) b.get("k0"));
            assertFalse(b.isSpilled("k0"));
            assertTrue(b.isSpilled("k7"), "k7 was the least recently used in memory");
            assertEquals(3_000_000, b.stats().memoryBytes());
            assertEquals(1, b.stats().unspillCount());
            for (int i = 0; i < 10; i++) assertEquals(i, ((double[]) b.get("k" + i))[124_999]);
            b.remove("k3");
            b.remove("k0");
            assertEquals(8, b.size());
            assertFalse(b.containsKey("k3"));
            assertNull(b.get("k3"));
        }
    }

    @Test
    void aValueLargerThanTargetGoesStraightToDiskAndSpillMovesOnDemand() {
        try (LocalDirectory dir = LocalDirectory.create(null);
             SpillBuffer<String> b = new SpillBuffer<>(1_000_000, dir.path(), 1L << 30, CODECS)) {
            b.put("big", block(500_000, 7), 4_000_000); // 4 MB, 5 chunks
            assertTrue(b.isSpilled("big"));
            b.put("a", "x".repeat(1000), 2040);
            b.put("b", "y".repeat(1000), 2040);
            assertEquals(2040, b.spill(1), "one value moves");
            assertTrue(b.isSpilled("a"));
            assertEquals(7.0, ((double[]) b.get("big"))[499_999]);
            assertTrue(b.isSpilled("big"), "back on disk: larger than target");
        }
    }

    @Test
    void aTaskReadingASpilledValueIntoAFullBufferLeavesItOnDiskAndPushesNothingOut() {
        try (LocalDirectory dir = LocalDirectory.create(null);
             SpillBuffer<String> b = new SpillBuffer<>(3_000_000, dir.path(), 1L << 30, CODECS)) {
            for (int i = 0; i < 6; i++) b.put("k" + i, block(125_000, i), 1_000_000); // k0..k2 on disk, k3..k5 in memory
            long written = b.stats().bytesWritten();
            assertEquals(0.0, ((double[]) b.read("k0"))[0]);
            assertTrue(b.isSpilled("k0"), "no room under target: stays on disk");
            assertEquals(written, b.stats().bytesWritten(), "nothing else was pushed out to make room");
            assertEquals(0, b.stats().unspillCount());
            assertEquals(5.0, ((double[]) b.read("k5"))[0], "in memory: as get");
            assertEquals(2.0, ((double[]) b.read("k2"))[0]);
            assertTrue(b.isSpilled("k2"));
            assertEquals(2.0, ((double[]) b.read("k2"))[0], "read again: it has several readers");
            assertFalse(b.isSpilled("k2"), "back in memory (pushing the least recently used out)");
            assertEquals(1, b.stats().unspillCount());
            assertTrue(b.isSpilled("k3"), "k3 made the room");
            written = b.stats().bytesWritten();
            b.remove("k4");
            assertEquals(1.0, ((double[]) b.read("k1"))[0]);
            assertFalse(b.isSpilled("k1"), "room under target: back in memory, as get");
            assertEquals(2, b.stats().unspillCount());
            assertEquals(written, b.stats().bytesWritten());
            assertNull(b.read("absent"));
        }
    }

    @Test
    void unencodableValuesStayInMemoryAndNullIsRefused() {
        try (LocalDirectory dir = LocalDirectory.create(null);
             SpillBuffer<String> b = new SpillBuffer<>(10, dir.path(), 1L << 30, CODECS)) {
            Object lock = new Thread();
            b.put("t", lock, 100);
            assertFalse(b.isSpilled("t"));
            assertTrue(b.get("t") == lock);
            assertThrows(IllegalArgumentException.class, () -> b.put("n", null, 1));
        }
    }

    @Test
    void localDirectoryIsFreshPerWorkerAndBadBasesAreNamed() throws Exception {
        Path base = Files.createTempDirectory("jdask-base");
        try (LocalDirectory one = LocalDirectory.create(base); LocalDirectory two = LocalDirectory.create(base)) {
            assertFalse(one.path().equals(two.path()), "two workers never share a store");
            Files.writeString(one.path().resolve("x"), "y");
            one.close();
            assertFalse(Files.exists(one.path()));
            assertTrue(Files.exists(two.path()));
        }
        Path missing = base.resolve("nope");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LocalDirectory.create(missing));
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("does not exist")
                && e.getMessage().contains("--local-directory"), e.getMessage());
        Path file = Files.writeString(base.resolve("file"), "");
        e = assertThrows(IllegalArgumentException.class, () -> LocalDirectory.create(file));
        assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
        LocalDirectory.delete(base);
        assertFalse(Files.exists(base));
    }
}

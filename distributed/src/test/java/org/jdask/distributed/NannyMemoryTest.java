package org.jdask.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The collector a nanny gives its worker JVM: serial for small heaps, parallel otherwise, never over a chosen one (issue 15). */
class NannyMemoryTest {
    @Test
    void smallHeapsGetTheSerialCollectorLargerOnesTheParallelOneAndAChosenOneStays() {
        assertTrue(NannyMemory.jvmFlags(List.of("java", "-Xmx134217728")).contains("-XX:+UseSerialGC"));
        assertTrue(NannyMemory.jvmFlags(List.of("java", "-Xmx256m")).contains("-XX:+UseSerialGC"));
        assertTrue(NannyMemory.jvmFlags(List.of("java", "-Xmx2g")).contains("-XX:+UseParallelGC"));
        assertTrue(NannyMemory.jvmFlags(List.of("java", "-Xmx64m", "-Xmx1g")).contains("-XX:+UseParallelGC"), "the last -Xmx wins");
        assertTrue(NannyMemory.jvmFlags(List.of("java")).contains("-XX:+UseParallelGC"), "no limit: the parallel collector");
        List<String> chosen = NannyMemory.jvmFlags(List.of("java", "-XX:+UseG1GC", "-Xmx128m"));
        assertFalse(chosen.stream().anyMatch(f -> f.startsWith("-XX:+Use")), chosen.toString());
        assertEquals(3L << 30, NannyMemory.heapBytes("3G"));
        assertEquals(-1, NannyMemory.heapBytes("lots"));
    }
}

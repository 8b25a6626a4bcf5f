package org.jdask.dataframe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading a whole CSV file must not leave the reading thread holding a temporary direct buffer as
 * large as the file (the JDK's per-thread cache for heap-buffer channel reads): a worker counts it
 * as its memory (issue 15).
 */
class CsvReadSliceTest {
    @Test
    void aWholeFileIsReadExactlyWithoutAFileSizedDirectBuffer(@TempDir Path dir) throws Exception {
        StringBuilder text = new StringBuilder("id,x\n");
        for (int i = 0; text.length() < 5 << 20; i++) text.append(i).append(',').append(i * 7 % 1000).append('\n');
        byte[] expected = text.toString().getBytes(StandardCharsets.US_ASCII);
        Path file = dir.resolve("big.csv");
        Files.write(file, expected);

        AtomicReference<byte[]> read = new AtomicReference<>();
        AtomicLong grew = new AtomicLong();
        Thread reader = new Thread(() -> { // a fresh thread: its buffer cache starts empty
            long before = direct();
            read.set(CsvFiles.readAll(file.toString()));
            grew.set(direct() - before);
        });
        reader.start();
        reader.join(60_000);
        assertArrayEquals(expected, read.get(), "the file's bytes, read in slices");
        assertTrue(grew.get() <= 2 << 20, "reading a " + expected.length + "-byte file left " + grew.get()
                + " bytes of direct buffers with the reading thread (a file-sized temporary buffer)");
    }

    private static long direct() {
        for (BufferPoolMXBean p : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (p.getName().equals("direct")) return p.getMemoryUsed();
        }
        throw new AssertionError("no direct buffer pool bean");
    }
}

package org.jdask.distributed.internal.memory;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Creating a spill store compiles Chronicle Map's classes; what javac kept for that (a file manager
 * per class loader, each with a zip index of every jar: ~46,000 entries, ~8 MB of a 128 MiB worker's
 * heap) is gone once the store exists (issue 15: the old release closed a static field that Chronicle
 * Map 3.2x leaves null, so the index stayed for the worker's life).
 */
class CompilerCacheTest {
    @Test
    void javacFileManagersAreClosedAndDroppedAfterTheStoreIsCreated() throws Exception {
        try (LocalDirectory dir = LocalDirectory.create(null)) {
            SpillFile f = new SpillFile(dir.path(), 16L << 20);
            try {
                Class<?> utils = Class.forName("net.openhft.compiler.CompilerUtils");
                Object cached = utils.getField("CACHED_COMPILER").get(null);
                Field managers = cached.getClass().getDeclaredField("fileManagerMap");
                managers.setAccessible(true);
                Map<?, ?> byLoader = (Map<?, ?>) managers.get(cached);
                assertTrue(byLoader.isEmpty(), "javac file managers left after creating the store: " + byLoader.keySet());
                f.write(new byte[] {1, 2, 3}); // the store still works
            } finally {
                f.close();
            }
        }
    }
}

package org.jdask.distributed.internal.memory;

import java.io.IOException;
import java.lang.reflect.Field;
import java.util.Map;
import javax.tools.JavaFileManager;
import org.slf4j.LoggerFactory;

/**
 * Lets go of what javac keeps after Chronicle Map compiled its store's classes. Chronicle's
 * compiler ({@code net.openhft.compiler.CompilerUtils}) holds javac's file manager in a static
 * field for good, and with it a zip file system over every jar of the class path, fully indexed:
 * ~46,000 entries and ~8 MB of a worker's heap for a fat jar, an eighth of what a 128 MiB worker's
 * old generation holds (issue 15). Closing the file manager drops those archives; javac opens them
 * again should anything compile later. Best effort: any failure leaves things as they were.
 */
final class CompilerCache {
    private CompilerCache() {}

    /** Closes Chronicle's cached javac file manager, if there is one. */
    static void release() {
        try {
            Class<?> utils = Class.forName("net.openhft.compiler.CompilerUtils", false, CompilerCache.class.getClassLoader());
            Field f = utils.getDeclaredField("s_standardJavaFileManager");
            f.setAccessible(true);
            if (f.get(null) instanceof JavaFileManager m) m.close();
            // the file managers CompilerUtils.CACHED_COMPILER made, one per class loader (what actually held the
            // ~46,000-entry index in Chronicle Map 3.2x: the static field above stayed null, issue 15)
            Object cached = utils.getField("CACHED_COMPILER").get(null);
            Field managers = cached.getClass().getDeclaredField("fileManagerMap");
            managers.setAccessible(true);
            if (managers.get(cached) instanceof Map<?, ?> byLoader) {
                synchronized (byLoader) {
                    for (Object fm : byLoader.values()) if (fm instanceof JavaFileManager m) m.close();
                    byLoader.clear();
                }
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError | IOException e) {
            LoggerFactory.getLogger(CompilerCache.class).debug("cannot release javac's file manager: {}", e.toString());
        }
    }
}

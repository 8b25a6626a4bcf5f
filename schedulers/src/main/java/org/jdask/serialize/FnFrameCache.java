package org.jdask.serialize;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jdask.fn.FnN;

/**
 * The functions {@link FnFrame}s decoded in this JVM, by class loader and then by their bytes:
 * the last {@value #PER_LOADER} per loader (Dask's {@code cache_loads} keeps 100), frames up to
 * {@value #MAX_FRAME} bytes (bigger ones are decoded each time, as Dask does above 100 kB: a
 * function that big carries data, and holding it would hold the data). By loader because the
 * same bytes name different classes in two clients' code loaders; a loader's entry goes with
 * {@link #forget} when its client leaves (the map holds loaders weakly, but a cached function's
 * class holds its loader, so only {@code forget} frees a client's).
 */
final class FnFrameCache {
    static final int PER_LOADER = 100;
    static final int MAX_FRAME = 100_000;

    private static final Map<ClassLoader, Map<Bytes, FnN>> BY_LOADER = Collections.synchronizedMap(new WeakHashMap<>());
    private static final AtomicLong DECODES = new AtomicLong();

    private FnFrameCache() {}

    /** A frame's bytes as a map key: content equality, hash computed once. */
    private record Bytes(byte[] b, int hash) {
        static Bytes of(byte[] b) {
            return new Bytes(b, Arrays.hashCode(b));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes other && other.hash == hash && Arrays.equals(other.b, b);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** The function in {@code frame}, decoded through this thread's class loader unless that loader decoded the same bytes before. */
    static FnN decode(byte[] frame) {
        if (frame.length > MAX_FRAME) return decodeNow(frame);
        ClassLoader loader = Codecs.currentLoader();
        Map<Bytes, FnN> cache = BY_LOADER.computeIfAbsent(loader, l -> lru());
        Bytes key = Bytes.of(frame);
        FnN f;
        synchronized (cache) {
            f = cache.get(key);
        }
        if (f != null) return f;
        // decoded outside the lock: two threads may both decode the same bytes once, never wait on each other's decode
        f = decodeNow(frame);
        synchronized (cache) {
            FnN first = cache.putIfAbsent(key, f);
            return first != null ? first : f;
        }
    }

    private static FnN decodeNow(byte[] frame) {
        Object v = Codecs.decode(frame);
        DECODES.incrementAndGet();
        if (v instanceof FnN f) return f;
        throw Codecs.corrupt("a task function's frame holds a " + (v == null ? "null" : v.getClass().getName()) + ", not a function");
    }

    private static Map<Bytes, FnN> lru() {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Bytes, FnN> eldest) {
                return size() > PER_LOADER;
            }
        };
    }

    static void forget(ClassLoader loader) {
        BY_LOADER.remove(loader);
    }

    static long decodes() {
        return DECODES.get();
    }

    static int cached(ClassLoader loader) {
        Map<Bytes, FnN> cache = BY_LOADER.get(loader);
        if (cache == null) return 0;
        synchronized (cache) {
            return cache.size();
        }
    }
}

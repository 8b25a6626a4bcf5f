package org.jdask.serialize;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Fory instances built on demand: threads encoding and decoding at once never share one (a shared instance garbles frames). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ForyCodecTest {
    record Point(int x, String label, List<Integer> path) {}

    @Test
    void threadsRoundTripAtOnce() throws Exception {
        ForyCodec codec = new ForyCodec(new ClassPolicy(), Codecs.plugins(), null);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 300; i++) {
                        Object v = Map.of("thread", thread, "i", i, "p", new Point(i, "t" + thread, List.of(thread, i)));
                        Object back = codec.deserialize(ByteBuffer.wrap(codec.serialize(v)));
                        assertEquals(v, back, "thread " + thread + " value " + i);
                    }
                    return thread;
                }));
            }
            for (int t = 0; t < 8; t++) assertEquals(t, done.get(t).get(50, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
    }
}

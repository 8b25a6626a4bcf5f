package org.jdask.bag;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdask.Jdask;
import org.jdask.Lazy;

/** The local schedulers every bag test runs on: sync, threads, and processes when on the classpath. */
final class Schedulers {
    private Schedulers() {}

    static List<String> local() {
        List<String> out = new ArrayList<>(List.of("sync", "threads"));
        if (org.jdask.graph.Schedulers.providers().containsKey("processes")) out.add("processes");
        return out;
    }

    static Map<String, Object> on(String scheduler) {
        return Map.of("scheduler", scheduler, "num_workers", 2);
    }

    static <T> T compute(Lazy<T> x, String scheduler) {
        return x.compute(on(scheduler));
    }

    static List<Object> computeAll(String scheduler, Lazy<?>... xs) {
        return Jdask.computeAll(List.of(xs), on(scheduler));
    }
}

package org.jdask.distributed;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Options of {@link Client#submit} and {@link Client#map}: purity (key by content or fresh key),
 * retries, priority, abstract resources and worker restrictions. Immutable; each method returns a
 * copy: {@code SubmitOptions.retries(2).priority(10).resources(Map.of("GPU", 1.0))}.
 */
public record SubmitOptions(boolean pure, int retries, int priority, Map<String, Double> resources, Set<String> workers,
                            String key) {
    public SubmitOptions {
        if (retries < 0) throw new IllegalArgumentException("retries must be >= 0, got " + retries);
        resources = Map.copyOf(resources);
        workers = Set.copyOf(workers);
        for (Map.Entry<String, Double> e : resources.entrySet()) {
            if (e.getValue() <= 0) throw new IllegalArgumentException("resource " + e.getKey() + " must be > 0, got " + e.getValue());
        }
    }

    /** Pure, no retries, priority 0, no restrictions. */
    public static SubmitOptions defaults() {
        return new SubmitOptions(true, 0, 0, Map.of(), Set.of(), null);
    }

    public static SubmitOptions pure(boolean pure) {
        return defaults().withPure(pure);
    }

    public static SubmitOptions retries(int n) {
        return defaults().withRetries(n);
    }

    public static SubmitOptions priority(int p) {
        return defaults().withPriority(p);
    }

    public SubmitOptions withPure(boolean p) {
        return new SubmitOptions(p, retries, priority, resources, workers, key);
    }

    public SubmitOptions withRetries(int n) {
        return new SubmitOptions(pure, n, priority, resources, workers, key);
    }

    public SubmitOptions withPriority(int p) {
        return new SubmitOptions(pure, retries, p, resources, workers, key);
    }

    /** Abstract resources each run holds on its worker, e.g. {@code Map.of("GPU", 1.0)}. */
    public SubmitOptions resources(Map<String, Double> r) {
        return new SubmitOptions(pure, retries, priority, new LinkedHashMap<>(r), workers, key);
    }

    /** Only these workers (addresses or names) may run the task. */
    public SubmitOptions workers(Set<String> w) {
        return new SubmitOptions(pure, retries, priority, resources, w, key);
    }

    /** An explicit key name for a single submit. */
    public SubmitOptions key(String k) {
        return new SubmitOptions(pure, retries, priority, resources, workers, k);
    }
}

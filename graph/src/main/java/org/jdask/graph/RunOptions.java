package org.jdask.graph;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.jdask.ConfigValues;

/**
 * What a scheduler gets besides the graph: listeners to call (the JVM-wide ones plus per-run
 * ones) and the configuration in force for this run, flattened to dotted keys (a snapshot taken
 * on the calling thread, because {@code Config.set} scopes are thread-confined and the run may
 * happen on other threads or JVMs).
 */
public record RunOptions(List<SchedulerListener> listeners, Map<String, Object> config) {
    public RunOptions {
        listeners = List.copyOf(listeners);
        config = java.util.Collections.unmodifiableMap(new java.util.HashMap<>(config));
    }

    public static RunOptions of(Map<String, Object> config) {
        return new RunOptions(Listeners.active(), config);
    }

    /** A config value by dotted key ({@code _} and {@code -} are the same), or {@code fallback}. */
    public Object config(String key, Object fallback) {
        Object v = config.get(key.replace('_', '-'));
        return v == null ? fallback : v;
    }

    /** An integer setting (unset or blank: {@code fallback}); {@code 2.5} is refused naming the key ({@link ConfigValues#toInt}). */
    public int configInt(String key, int fallback) {
        Object v = config(key, null);
        return ConfigValues.isUnset(v) ? fallback : ConfigValues.toInt(v, key);
    }

    /** A time setting, plain numbers in {@code plainUnit} ({@link ConfigValues#toDuration}). */
    public Duration configDuration(String key, Duration fallback, ChronoUnit plainUnit) {
        Object v = config(key, null);
        return ConfigValues.isUnset(v) ? fallback : ConfigValues.toDuration(v, key, plainUnit);
    }

    /** A size setting in bytes ({@link ConfigValues#toBytes}). */
    public long configBytes(String key, long fallback) {
        Object v = config(key, null);
        return ConfigValues.isUnset(v) ? fallback : ConfigValues.toBytes(v, key);
    }

    /**
     * {@code num-workers} of this run: a whole number >= 1, or the number of cores when unset or
     * blank; anything else ({@code 2.5}, {@code 0}) fails naming the key and the value.
     */
    public int numWorkers() {
        int n = configInt("num-workers", Runtime.getRuntime().availableProcessors());
        if (n < 1) throw new IllegalArgumentException("config num-workers must be >= 1, got " + n);
        return n;
    }
}

package org.jdask.graph;

import java.util.List;
import java.util.Map;

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

    public int configInt(String key, int fallback) {
        Object v = config(key, null);
        if (v == null) return fallback;
        if (v instanceof Number n) return n.intValue();
        try {
            return Integer.parseInt(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("config " + key + " must be an integer, got '" + v + "'");
        }
    }
}

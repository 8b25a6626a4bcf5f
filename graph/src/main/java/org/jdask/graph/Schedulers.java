package org.jdask.graph;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Looks schedulers up by name. The name comes from (first that is set): the per-call argument,
 * config key {@code scheduler}, then the default {@code threads} (or {@code reference} when only
 * {@code jdask-graph} is on the classpath).
 */
public final class Schedulers {
    private static volatile Map<String, SchedulerProvider> providers;

    private Schedulers() {}

    /** All providers on the classpath, by name. Two providers with one name is an error. */
    public static Map<String, SchedulerProvider> providers() {
        Map<String, SchedulerProvider> p = providers;
        if (p == null) {
            synchronized (Schedulers.class) {
                if (providers == null) {
                    Map<String, SchedulerProvider> m = new TreeMap<>();
                    for (SchedulerProvider sp : ServiceLoader.load(SchedulerProvider.class, Schedulers.class.getClassLoader())) {
                        SchedulerProvider old = m.put(sp.name(), sp);
                        if (old != null) {
                            throw new IllegalStateException("two scheduler providers named '" + sp.name() + "': "
                                    + old.getClass().getName() + " and " + sp.getClass().getName());
                        }
                    }
                    providers = java.util.Collections.unmodifiableMap(m);
                }
                p = providers;
            }
        }
        return p;
    }

    /** The name used when neither the call nor the config names one. */
    public static String defaultName() {
        Map<String, SchedulerProvider> p = providers();
        for (String n : List.of("threads", "sync", "reference")) if (p.containsKey(n)) return n;
        return p.keySet().iterator().next();
    }

    /**
     * The provider called {@code name}; an unknown name is a bad config value, so it fails with an
     * {@link IllegalArgumentException} (Dask's {@code ValueError}) listing the known ones.
     */
    public static SchedulerProvider provider(String name) {
        SchedulerProvider sp = providers().get(name);
        if (sp == null) {
            Map<String, String> known = new LinkedHashMap<>();
            providers().forEach((n, v) -> known.put(n, v.description()));
            throw new IllegalArgumentException("unknown scheduler '" + name + "'; known schedulers: " + known.keySet()
                    + (name.equals("processes") || name.equals("distributed")
                            ? " (is jdask-" + (name.equals("processes") ? "schedulers" : "distributed") + " on the classpath?)"
                            : ""));
        }
        return sp;
    }

    /** The scheduler for a run: {@code scheduler} in {@code options.config()}, else the default. */
    public static Scheduler resolve(RunOptions options) {
        return provider(nameFor(options.config().get("scheduler"))).scheduler(options);
    }

    /** The scheduler name a configured value means: itself, or the default when unset/blank. */
    public static String nameFor(Object configured) {
        return configured == null || configured.toString().isBlank() ? defaultName() : configured.toString().trim();
    }
}

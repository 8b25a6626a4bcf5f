package org.jdask;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * jdask's configuration: a tree of settings addressed by dotted keys
 * ({@code distributed.worker.memory.target}), like {@code dask.config}.
 *
 * <p>Sources, lowest precedence first:
 * <ol>
 *   <li>built-in defaults: every {@code jdask/defaults.yaml} resource on the classpath (each
 *       module ships its own);
 *   <li>YAML files in {@code /etc/jdask/}, {@code ~/.config/jdask/} and {@code $JDASK_CONFIG} (a
 *       file or a directory), files of a directory in name order;
 *   <li>environment variables {@code JDASK_X__Y=v} for key {@code x.y} (double underscore nests,
 *       names are lower-cased);
 *   <li>system properties {@code -Djdask.x.y=v};
 *   <li>{@link #set} scopes: thread-confined, nestable, undone on {@code close()}.
 * </ol>
 * Values from the environment and system properties are parsed as Dask parses its environment
 * ({@link ConfigValues#parseLiteral}): Python literals ({@code 0.7}, {@code 4}, {@code 'text'},
 * {@code [1, 2]}, {@code True}, {@code None}), then {@code true/false/null/none} in any case, else
 * the text. Time settings read through {@link #getDuration} take {@code "5s"}, {@code "100ms"},
 * {@code "2 minutes"}; size settings read through {@link #getBytes} take {@code "4GB"}. A
 * {@code $JDASK_CONFIG} naming nothing is logged as a warning. In keys, {@code _} and {@code -} mean the same
 * ({@code num_workers} is {@code num-workers}). A malformed YAML file fails with an error naming
 * the file and line.
 *
 * <p>The settings form a tree kept as a flat map of dotted keys: a later source setting a leaf
 * replaces a whole section of the same name, and a later section replaces a leaf. An empty string
 * (as in {@code num-workers: ""}) means "not set" to the typed getters, which then return their
 * fallback. {@link #get} of an inner key returns the section as nested maps.
 */
public final class Config {
    private static final Logger LOG = LoggerFactory.getLogger(Config.class);
    private static volatile Map<String, Object> base;
    /**
     * Per-thread stack of scopes, innermost first. A concurrent deque because a scope may be
     * closed from another thread than the one that opened it (it then still leaves the opening
     * thread's stack, safely).
     */
    private static final ThreadLocal<Deque<Map<String, Object>>> SCOPES = ThreadLocal.withInitial(ConcurrentLinkedDeque::new);

    private Config() {}

    /** Sets {@code key1=value1, key2=value2, ...} for the current thread until the scope is closed. */
    public static Scope set(Object... keysAndValues) {
        if (keysAndValues == null || keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("Config.set takes key/value pairs (key1, value1, key2, value2, ...), got "
                    + (keysAndValues == null ? "null" : keysAndValues.length + " argument(s)"));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (!(keysAndValues[i] instanceof String k)) {
                Object bad = keysAndValues[i];
                throw new IllegalArgumentException("Config.set: argument " + i + " must be a String key, got "
                        + (bad == null ? "null" : bad + " (" + bad.getClass().getName() + ")"));
            }
            flattenInto(checkedKey(k), keysAndValues[i + 1], m);
        }
        return push(m);
    }

    /** Sets every entry of {@code values} (dotted keys or nested maps) until the scope is closed. */
    public static Scope set(Map<String, ?> values) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : values.entrySet()) {
            Object k = e.getKey();
            if (!(k instanceof String s)) {
                throw new IllegalArgumentException("Config.set: keys must be Strings, got "
                        + (k == null ? "null" : k + " (" + k.getClass().getName() + ")"));
            }
            flattenInto(checkedKey(s), e.getValue(), m);
        }
        return push(m);
    }

    private static Scope push(Map<String, Object> m) {
        Deque<Map<String, Object>> d = SCOPES.get();
        d.push(m);
        return new Scope(d, m);
    }

    /**
     * The value at {@code key}: a leaf value, a nested map for an inner key
     * ({@code get("distributed.worker")}), or null when nothing is set there.
     */
    public static Object get(String key) {
        if (key == null) throw new IllegalArgumentException("Config.get: key must not be null");
        String k = canonical(key);
        Deque<Map<String, Object>> scopes = SCOPES.get();
        if (scopes.isEmpty()) return baseLeaves().get(k); // the common case: no scope on this thread
        for (Map<String, Object> scope : scopes) {
            if (scope.containsKey(k)) return scope.get(k);
            for (int i = k.indexOf('.'); i >= 0; i = k.indexOf('.', i + 1)) {
                if (scope.containsKey(k.substring(0, i))) return null; // a leaf set above k hides it
            }
            String below = k + ".";
            for (String sk : scope.keySet()) {
                if (sk.startsWith(below)) return lookup(snapshot(), k); // a section: merge all layers
            }
        }
        return baseLeaves().get(k);
    }

    /** The base settings' lookups, memoized per base (leaves and absent keys; sections are built each time). */
    private static final class BaseLeaves {
        private static final Object ABSENT = new Object();
        final Map<String, Object> base;
        private final ConcurrentHashMap<String, Object> leaves = new ConcurrentHashMap<>();

        BaseLeaves(Map<String, Object> base) {
            this.base = base;
        }

        Object get(String k) {
            Object v = leaves.get(k);
            if (v != null) return v == ABSENT ? null : v;
            v = lookup(base, k);
            if (!(v instanceof Map)) leaves.put(k, v == null ? ABSENT : v);
            return v;
        }
    }

    private static volatile BaseLeaves baseLeaves;

    private static BaseLeaves baseLeaves() {
        Map<String, Object> b = base();
        BaseLeaves l = baseLeaves;
        if (l == null || l.base != b) baseLeaves = l = new BaseLeaves(b);
        return l;
    }

    private static Object lookup(Map<String, Object> flat, String k) {
        if (flat.containsKey(k)) return flat.get(k);
        if (flat instanceof SortedMap<String, Object> sorted) {
            // unset and not a section (the common case, e.g. delayed-pure on every Delayed call): no scan
            String p = k + ".";
            SortedMap<String, Object> tail = sorted.tailMap(p);
            if (tail.isEmpty() || !tail.firstKey().startsWith(p)) return null;
        }
        Map<String, Object> sub = subtree(flat, k);
        return sub.isEmpty() ? null : sub;
    }

    public static Object get(String key, Object fallback) {
        Object v = get(key);
        return v == null ? fallback : v;
    }

    public static String getString(String key, String fallback) {
        Object v = get(key);
        return v == null ? fallback : v.toString();
    }

    /** An integer setting; a non-integral value ({@code 2.5}) or text fails naming the key (see {@link ConfigValues#toInt}). */
    public static int getInt(String key, int fallback) {
        Object v = get(key);
        return ConfigValues.isUnset(v) ? fallback : ConfigValues.toInt(v, key);
    }

    public static double getDouble(String key, double fallback) {
        Object v = get(key);
        return ConfigValues.isUnset(v) ? fallback : ConfigValues.toDouble(v, key);
    }

    public static boolean getBoolean(String key, boolean fallback) {
        Object v = get(key);
        return ConfigValues.isUnset(v) ? fallback : ConfigValues.toBoolean(v, key);
    }

    /**
     * A time setting: {@code "5s"}, {@code "100ms"}, {@code "2 minutes"}, or a plain number of
     * seconds (as Dask's {@code parse_timedelta}); see {@link ConfigValues#parseDuration}.
     */
    public static Duration getDuration(String key, Duration fallback) {
        return getDuration(key, fallback, ChronoUnit.SECONDS);
    }

    /** Like {@link #getDuration(String, Duration)}, plain numbers in {@code plainUnit} (for keys such as {@code ...-ms}). */
    public static Duration getDuration(String key, Duration fallback, ChronoUnit plainUnit) {
        Object v = get(key);
        return ConfigValues.isUnset(v) ? fallback : ConfigValues.toDuration(v, key, plainUnit);
    }

    /** A size setting in bytes: {@code "4GB"}, {@code "512MiB"}, or a plain number of bytes; see {@link ConfigValues#parseBytes}. */
    public static long getBytes(String key, long fallback) {
        Object v = get(key);
        return ConfigValues.isUnset(v) ? fallback : ConfigValues.toBytes(v, key);
    }

    /** Every setting in force on this thread, flattened to dotted keys, sorted. */
    public static Map<String, Object> snapshot() {
        Map<String, Object> out = new TreeMap<>(base());
        List<Map<String, Object>> scopes = new ArrayList<>(SCOPES.get());
        Collections.reverse(scopes);
        for (Map<String, Object> s : scopes) {
            for (Map.Entry<String, Object> e : s.entrySet()) putLeaf(out, e.getKey(), e.getValue());
        }
        return out;
    }

    /**
     * Runs {@code body} with {@code settings} (a {@link #snapshot()} taken elsewhere) as the
     * innermost scope; how schedulers carry the caller's config onto their worker threads.
     */
    public static Scope apply(Map<String, ?> settings) {
        return set(settings);
    }

    /** Re-reads defaults, files, environment and system properties (after changing them). */
    public static synchronized void refresh() {
        base = null;
    }

    /** Canonical form of a key: {@code _} becomes {@code -}, surrounding blanks removed. */
    public static String canonical(String key) {
        return key.trim().replace('_', '-');
    }

    private static String checkedKey(String key) {
        String k = canonical(key);
        if (k.isEmpty() || k.startsWith(".") || k.endsWith(".") || k.contains("..")) {
            throw new IllegalArgumentException("Config.set: '" + key + "' is not a valid key (dotted names like 'distributed.worker.memory.target')");
        }
        return k;
    }

    private static Map<String, Object> base() {
        Map<String, Object> b = base;
        if (b == null) {
            synchronized (Config.class) {
                if (base == null) {
                    List<String> warnings = new ArrayList<>();
                    // sorted, so lookup() finds out whether a missing key is a section without scanning every key
                    base = Collections.unmodifiableSortedMap(new TreeMap<>(load(System.getenv(), System.getProperties(), Path.of("/etc/jdask"), warnings)));
                    for (String w : warnings) LOG.warn(w);
                }
                b = base;
            }
        }
        return b;
    }

    /** Loads all non-scope sources; visible for tests, which pass their own env and properties. */
    static Map<String, Object> load(Map<String, String> env, java.util.Properties props) {
        return load(env, props, Path.of("/etc/jdask"));
    }

    /** Like {@link #load(Map, java.util.Properties)} with the system-wide directory moved (tests). */
    static Map<String, Object> load(Map<String, String> env, java.util.Properties props, Path etc) {
        return load(env, props, etc, new ArrayList<>());
    }

    /**
     * Like {@link #load(Map, java.util.Properties, Path)}, adding to {@code warnings} what the
     * caller should log: a {@code $JDASK_CONFIG} that names nothing (the other places are optional).
     */
    static Map<String, Object> load(Map<String, String> env, java.util.Properties props, Path etc, List<String> warnings) {
        Map<String, Object> handed = ConfigFiles.fromProperty(props); // a worker JVM: its parent's parse (issue 17)
        Map<String, Object> m = handed != null ? new TreeMap<>(handed) : loadFiles(env, props, etc, warnings);
        if (handed == null && props == System.getProperties()) {
            filesPart = Collections.unmodifiableMap(new TreeMap<>(m));
            filesPartFile = lastParseFile;
        }
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String k = e.getKey();
            if (!k.startsWith("JDASK_") || k.equals("JDASK_CONFIG")) continue;
            String key = canonical(k.substring(6).toLowerCase(java.util.Locale.ROOT).replace("__", "."));
            if (key.isEmpty()) continue;
            flattenInto(key, ConfigValues.parseLiteral(e.getValue()), m);
        }
        for (String name : new TreeMap<>(props.stringPropertyNames().stream()
                .collect(java.util.stream.Collectors.toMap(s -> s, s -> s))).keySet()) {
            if (!name.startsWith("jdask.") || name.length() == 6) continue;
            flattenInto(canonical(name.substring(6)), ConfigValues.parseLiteral(props.getProperty(name)), m);
        }
        return m;
    }

    /** This JVM's base settings from YAML alone (defaults and files), as parsed for {@link #base()}; for {@link ConfigFiles}. */
    static Map<String, Object> filesPart() {
        base();
        Map<String, Object> f = filesPart;
        if (f == null) throw new IllegalArgumentException("this JVM read its config files from " + ConfigFiles.PROPERTY);
        return f;
    }

    private static volatile Map<String, Object> filesPart;
    /** The {@link ConfigCache} file holding {@link #filesPart} (null: none), and that of the last {@link #loadFiles}. */
    private static volatile Path filesPartFile, lastParseFile;

    /** The file holding this JVM's {@link #filesPart} as {@link ConfigFiles} writes it, or null; for {@link ConfigFiles#handOff}. */
    static Path filesPartFile() {
        return filesPartFile;
    }

    /** The YAML sources of {@link #load}: every {@code jdask/defaults.yaml}, then /etc, the user's directory, {@code $JDASK_CONFIG}. */
    private static Map<String, Object> loadFiles(Map<String, String> env, java.util.Properties props, Path etc, List<String> warnings) {
        // every source's text first, in parse order: their parse may be on disk already (ConfigCache)
        List<String> sources = new ArrayList<>(), texts = new ArrayList<>();
        try {
            Enumeration<URL> res = Config.class.getClassLoader().getResources("jdask/defaults.yaml");
            List<URL> urls = Collections.list(res);
            urls.sort((a, c) -> a.toString().compareTo(c.toString()));
            for (URL u : urls) {
                try (InputStream in = u.openStream()) {
                    sources.add(u.toString());
                    texts.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading jdask/defaults.yaml resources", e);
        }
        List<Path> places = new ArrayList<>();
        places.add(etc);
        String home = props.getProperty("user.home");
        if (home != null) places.add(Path.of(home, ".config", "jdask"));
        String cfg = env.get("JDASK_CONFIG");
        if (cfg != null && !cfg.isBlank()) {
            Path p = Path.of(cfg);
            if (Files.exists(p)) places.add(p);
            else warnings.add("JDASK_CONFIG names " + cfg + ", which does not exist (" + p.toAbsolutePath() + "); no config file read from it");
        }
        for (Path p : places) loadPath(p, sources, texts);
        Path cache = ConfigCache.file(texts, env, props);
        lastParseFile = null;
        Map<String, Object> cached = ConfigCache.read(cache);
        if (cached != null) {
            lastParseFile = cache;
            return new TreeMap<>(cached);
        }
        Map<String, Object> m = new TreeMap<>();
        for (int i = 0; i < texts.size(); i++) mergeYaml(texts.get(i), sources.get(i), m);
        ConfigCache.write(cache, m);
        if (cache != null && Files.isRegularFile(cache)) lastParseFile = cache;
        return m;
    }

    private static void loadPath(Path p, List<String> sources, List<String> texts) {
        if (Files.isDirectory(p)) {
            try (Stream<Path> s = Files.list(p)) {
                for (Path f : s.filter(x -> {
                            String n = x.getFileName().toString();
                            return n.endsWith(".yaml") || n.endsWith(".yml");
                        }).sorted().toList()) {
                    readFile(f, sources, texts);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("listing config directory " + p, e);
            }
        } else if (Files.isRegularFile(p)) {
            readFile(p, sources, texts);
        }
    }

    private static void readFile(Path f, List<String> sources, List<String> texts) {
        try {
            texts.add(Files.readString(f));
            sources.add(f.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("reading config file " + f, e);
        }
    }

    /** Parses {@code text} (named {@code source} in errors) and merges it into {@code m}. */
    static void mergeYaml(String text, String source, Map<String, Object> m) {
        Object doc;
        try {
            doc = new Load(LoadSettings.builder().setLabel(source).build()).loadFromString(text);
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().or(e::getContextMark).map(mk -> mk.getLine() + 1).orElse(-1);
            throw new IllegalArgumentException("malformed YAML in " + source + (line > 0 ? " at line " + line : "")
                    + ": " + e.getProblem(), e);
        } catch (YamlEngineException e) {
            throw new IllegalArgumentException("malformed YAML in " + source + ": " + e.getMessage(), e);
        }
        if (doc == null) return;
        if (!(doc instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("config file " + source + " must hold a mapping at the top, found "
                    + doc.getClass().getSimpleName());
        }
        map.forEach((k, v) -> flattenInto(canonical(String.valueOf(k)), v, m));
    }

    @SuppressWarnings("unchecked")
    private static void flattenInto(String key, Object value, Map<String, Object> out) {
        if (value instanceof Map<?, ?> map && !map.isEmpty()) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                flattenInto(key + "." + canonical(String.valueOf(e.getKey())), e.getValue(), out);
            }
        } else {
            putLeaf(out, key, value);
        }
    }

    /**
     * Puts a leaf, keeping the flat map a tree: deeper keys below {@code key} are hidden, and so
     * is a leaf at any prefix of it ({@code a: 5} then {@code a.b: 1} makes {@code a} a section).
     */
    private static void putLeaf(Map<String, Object> out, String key, Object value) {
        String below = key + ".";
        out.keySet().removeIf(k -> k.startsWith(below));
        for (int i = key.indexOf('.'); i >= 0; i = key.indexOf('.', i + 1)) out.remove(key.substring(0, i));
        out.put(key, value);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> subtree(Map<String, Object> flat, String prefix) {
        Map<String, Object> root = new LinkedHashMap<>();
        String p = prefix + ".";
        for (Map.Entry<String, Object> e : flat.entrySet()) {
            if (!e.getKey().startsWith(p)) continue;
            String[] parts = e.getKey().substring(p.length()).split("\\.");
            Map<String, Object> cur = root;
            for (int i = 0; i < parts.length - 1; i++) {
                cur = (Map<String, Object>) cur.computeIfAbsent(parts[i], x -> new LinkedHashMap<>());
            }
            cur.put(parts[parts.length - 1], e.getValue());
        }
        return root;
    }

    /** An active {@link #set} scope; closing it restores what was there before. */
    public static final class Scope implements AutoCloseable {
        private final Deque<Map<String, Object>> stack;
        private final Map<String, Object> values;
        private boolean closed;

        private Scope(Deque<Map<String, Object>> stack, Map<String, Object> values) {
            this.stack = stack;
            this.values = values;
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            if (stack.peek() != values) {
                // closed out of order (or on another thread): remove it wherever it is
                stack.removeIf(s -> s == values);
            } else {
                stack.pop();
            }
        }
    }
}

package org.jdask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {
    @TempDir Path tmp;

    /** Properties with user.home pointing at an empty temp dir, so the real ~/.config is never read. */
    private Properties props() throws Exception {
        Properties p = new Properties();
        Path home = Files.createDirectories(tmp.resolve("home"));
        p.setProperty("user.home", home.toString());
        return p;
    }

    private Path userFile(Properties p, String name, String yaml) throws Exception {
        Path dir = Files.createDirectories(Path.of(p.getProperty("user.home"), ".config", "jdask"));
        return Files.writeString(dir.resolve(name), yaml);
    }

    // ------------------------------------------------------------------ sources and precedence

    @Test
    void defaultsComeFromTheClasspathResource() throws Exception {
        Map<String, Object> m = Config.load(Map.of(), props());
        assertEquals(false, m.get("delayed-pure"));
        assertEquals(1_000_000, m.get("admin.large-object-warning-bytes"));
        assertEquals(false, m.get("tokenize.ensure-deterministic"));
    }

    @Test
    void eachSourceOverridesTheOneBelow() throws Exception {
        Properties p = props();
        userFile(p, "a.yaml", "delayed-pure: true\nk:\n  file: 1\n  env: 1\n  prop: 1\n");
        Map<String, Object> fileOnly = Config.load(Map.of(), p);
        assertEquals(true, fileOnly.get("delayed-pure"), "user file beats defaults");
        assertEquals(1, fileOnly.get("k.env"));

        Path extra = Files.writeString(tmp.resolve("extra.yaml"), "k:\n  file: 2\n");
        Map<String, String> env = Map.of("JDASK_CONFIG", extra.toString(), "JDASK_K__ENV", "2", "JDASK_K__PROP", "2");
        p.setProperty("jdask.k.prop", "3");
        Map<String, Object> m = Config.load(env, p);
        assertEquals(2, m.get("k.file"), "$JDASK_CONFIG beats ~/.config/jdask");
        assertEquals(2, m.get("k.env"), "environment beats files");
        assertEquals(3, m.get("k.prop"), "system properties beat the environment");
    }

    @Test
    void etcThenHomeThenJdaskConfig() throws Exception {
        Path etc = Files.createDirectories(tmp.resolve("etc-jdask"));
        Files.writeString(etc.resolve("site.yaml"), "where:\n  etc: etc\n  home: etc\n  cfg: etc\n");
        Properties p = props();
        userFile(p, "user.yaml", "where:\n  home: home\n  cfg: home\n");
        Path cfg = Files.writeString(tmp.resolve("cfg.yml"), "where:\n  cfg: cfg\n");
        Map<String, Object> m = Config.load(Map.of("JDASK_CONFIG", cfg.toString()), p, etc);
        assertEquals("etc", m.get("where.etc"));
        assertEquals("home", m.get("where.home"));
        assertEquals("cfg", m.get("where.cfg"));
    }

    @Test
    void missingPlacesAreSkippedButAMissingJdaskConfigWarns() throws Exception {
        List<String> warnings = new java.util.ArrayList<>();
        String nope = tmp.resolve("nope.yaml").toString();
        Map<String, Object> m = Config.load(Map.of("JDASK_CONFIG", nope), props(), tmp.resolve("no-etc"), warnings);
        assertEquals(false, m.get("delayed-pure"));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("JDASK_CONFIG names " + nope + ", which does not exist"), warnings.get(0));
        warnings.clear();
        Config.load(Map.of(), props(), tmp.resolve("no-etc"), warnings);
        assertEquals(List.of(), warnings, "the optional places (/etc/jdask, ~/.config/jdask) do not warn");
    }

    @Test
    void jdaskConfigMayBeADirectoryReadInNameOrder() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("conf.d"));
        Files.writeString(dir.resolve("10-first.yaml"), "x: first\ny: only-first\n");
        Files.writeString(dir.resolve("20-second.yml"), "x: second\n");
        Files.writeString(dir.resolve("ignored.txt"), "x: not-yaml-suffix\n");
        Map<String, Object> m = Config.load(Map.of("JDASK_CONFIG", dir.toString()), props());
        assertEquals("second", m.get("x"));
        assertEquals("only-first", m.get("y"));
    }

    @Test
    void environmentValuesAreDaskLiteralsAndDoubleUnderscoreNests() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("JDASK_DISTRIBUTED__WORKER__MEMORY__TARGET", "0.7");
        env.put("JDASK_DELAYED_PURE", "true");
        env.put("JDASK_NUM_WORKERS", "4");
        env.put("JDASK_SCHEDULER", "threads");
        env.put("NOT_JDASK_X", "1");
        env.put("JDASK_", "ignored");
        env.put("JDASK_EMPTY", "");
        env.put("JDASK_NOTHING", "null");
        env.put("JDASK_WORDS", "a plain string");
        // as Dask reads its environment: Python literals, then true/false/null/none in any case
        env.put("JDASK_PY__TRUE", "True");
        env.put("JDASK_PY__FALSE", "False");
        env.put("JDASK_PY__NONE", "None");
        env.put("JDASK_PY__LIST", "[1, 'two', 3.0]");
        env.put("JDASK_PY__QUOTED", "'4'");
        env.put("JDASK_PY__TIME", "5s");
        Map<String, Object> m = Config.load(env, props());
        assertEquals(true, m.get("py.true"));
        assertEquals(false, m.get("py.false"));
        assertTrue(m.containsKey("py.none") && m.get("py.none") == null);
        assertEquals(List.of(1, "two", 3.0), m.get("py.list"));
        assertEquals("4", m.get("py.quoted"));
        assertEquals("5s", m.get("py.time"));
        assertEquals(0.7, m.get("distributed.worker.memory.target"));
        assertEquals(true, m.get("delayed-pure"));
        assertEquals(4, m.get("num-workers"));
        assertEquals("threads", m.get("scheduler"));
        assertFalse(m.containsKey("x"));
        assertFalse(m.containsKey(""));
        assertEquals("", m.get("empty"));
        assertTrue(m.containsKey("nothing") && m.get("nothing") == null, "YAML null is null, not the text 'null'");
        assertEquals("a plain string", m.get("words"));
    }

    @Test
    void systemPropertiesAreParsedAndNest() throws Exception {
        Properties p = props();
        p.setProperty("jdask.optimization.fuse.active", "true");
        p.setProperty("jdask.num_workers", "8");
        p.setProperty("jdask.ratio", "0.25");
        p.setProperty("unrelated.x", "1");
        Map<String, Object> m = Config.load(Map.of(), p);
        assertEquals(true, m.get("optimization.fuse.active"));
        assertEquals(8, m.get("num-workers"));
        assertEquals(0.25, m.get("ratio"));
        assertFalse(m.containsKey("unrelated.x"));
    }

    @Test
    void aLaterLeafReplacesASectionAndALaterSectionReplacesALeaf() throws Exception {
        Properties p = props();
        userFile(p, "a.yaml", "s:\n  a: 1\n  b: 2\nleaf: 5\n");
        p.setProperty("jdask.s", "flat");
        p.setProperty("jdask.leaf.inner", "6");
        Map<String, Object> m = Config.load(Map.of(), p);
        assertEquals("flat", m.get("s"));
        assertFalse(m.containsKey("s.a"), m.toString());
        assertEquals(6, m.get("leaf.inner"));
        assertFalse(m.containsKey("leaf"), "a leaf and a section of the same name cannot both exist: " + m);
    }

    @Test
    void mergeYamlMergesSeveralDefaultsDocumentsDeeply() {
        Map<String, Object> m = new TreeMap<>();
        Config.mergeYaml("distributed:\n  worker:\n    memory:\n      target: 0.6\n      spill: 0.7\nscheduler: ''\n", "graph-defaults", m);
        Config.mergeYaml("distributed:\n  worker:\n    memory:\n      spill: 0.75\n    nthreads: 2\n", "other-defaults", m);
        assertEquals(0.6, m.get("distributed.worker.memory.target"), "a second document keeps keys it does not mention");
        assertEquals(0.75, m.get("distributed.worker.memory.spill"));
        assertEquals(2, m.get("distributed.worker.nthreads"));
        assertEquals("", m.get("scheduler"));
    }

    @Test
    void emptyYamlFileIsFine() {
        Map<String, Object> m = new TreeMap<>();
        Config.mergeYaml("# only a comment\n", "empty.yaml", m);
        assertTrue(m.isEmpty());
    }

    // ------------------------------------------------------------------ bad files

    @Test
    void malformedYamlNamesFileAndLine() throws Exception {
        Properties p = props();
        Path bad = userFile(p, "bad.yaml", "ok: 1\nlist: [1, 2\nnext: 3\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Config.load(Map.of(), p));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        assertTrue(e.getMessage().matches("(?s).*line [2-4].*"), e.getMessage());
    }

    @Test
    void badIndentationNamesTheLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Config.mergeYaml("a:\n  b: 1\n c: 2\n", "/x/indent.yaml", new TreeMap<>()));
        assertTrue(e.getMessage().contains("/x/indent.yaml"), e.getMessage());
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
    }

    @Test
    void duplicateKeysAreAnErrorWithALine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Config.mergeYaml("a: 1\nb: 2\na: 3\n", "dup.yaml", new TreeMap<>()));
        assertTrue(e.getMessage().contains("dup.yaml"), e.getMessage());
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
    }

    @Test
    void topLevelThatIsNotAMappingIsRejected() throws Exception {
        IllegalArgumentException list = assertThrows(IllegalArgumentException.class,
                () -> Config.mergeYaml("- a\n- b\n", "list.yaml", new TreeMap<>()));
        assertTrue(list.getMessage().contains("list.yaml") && list.getMessage().contains("mapping"), list.getMessage());
        Path scalar = Files.writeString(tmp.resolve("scalar.yaml"), "just a string\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Config.load(Map.of("JDASK_CONFIG", scalar.toString()), props()));
        assertTrue(e.getMessage().contains(scalar.toString()) && e.getMessage().contains("mapping"), e.getMessage());
    }

    // ------------------------------------------------------------------ set scopes

    @Test
    void setScopesNestAndRestore() {
        assertNull(Config.get("test-only.a"));
        try (Config.Scope outer = Config.set("test-only.a", 1, "test-only.b", "x")) {
            assertEquals(1, Config.get("test-only.a"));
            try (Config.Scope inner = Config.set("test-only.a", 2)) {
                assertEquals(2, Config.get("test-only.a"));
                assertEquals("x", Config.get("test-only.b"), "inner scope keeps outer values it does not set");
            }
            assertEquals(1, Config.get("test-only.a"));
        }
        assertNull(Config.get("test-only.a"));
        assertNull(Config.get("test-only"));
    }

    @Test
    void closingOutOfOrderStillRestores() {
        Config.Scope outer = Config.set("test-only.a", 1);
        Config.Scope inner = Config.set("test-only.a", 2);
        outer.close();
        assertEquals(2, Config.get("test-only.a"), "the inner scope is still open");
        inner.close();
        assertNull(Config.get("test-only.a"));
        inner.close(); // closing twice is harmless
        assertNull(Config.get("test-only.a"));
    }

    @Test
    void scopesBeatSystemPropertiesAndAreThreadConfined() throws Exception {
        System.setProperty("jdask.test-only.level", "sysprop");
        Config.refresh();
        try {
            assertEquals("sysprop", Config.get("test-only.level"));
            try (Config.Scope s = Config.set("test-only.level", "scope")) {
                assertEquals("scope", Config.get("test-only.level"));
                AtomicReference<Object> seen = new AtomicReference<>("unset");
                Thread t = new Thread(() -> seen.set(Config.get("test-only.level")));
                t.start();
                t.join();
                assertEquals("sysprop", seen.get(), "another thread must not see this thread's scope");
            }
            assertEquals("sysprop", Config.get("test-only.level"));
        } finally {
            System.clearProperty("jdask.test-only.level");
            Config.refresh();
        }
        assertNull(Config.get("test-only.level"), "refresh re-reads the system properties");
    }

    @Test
    void scopeClosedOnAnotherThreadLeavesItsOwnersStack() throws Exception {
        Config.Scope s = Config.set("test-only.a", 1);
        Thread t = new Thread(s::close);
        t.start();
        t.join();
        assertNull(Config.get("test-only.a"));
    }

    @Test
    void underscoreAndDashAreTheSame() {
        try (Config.Scope s = Config.set("num_workers", 3, "test-only.some_key", "v")) {
            assertEquals(3, Config.get("num-workers"));
            assertEquals(3, Config.get("num_workers"));
            assertEquals(3, Config.getInt("num-workers", 1));
            assertEquals("v", Config.get("test_only.some-key"));
        }
    }

    @Test
    void innerKeysReturnNestedMaps() {
        try (Config.Scope s = Config.set("test-only.worker.memory.target", 0.5, "test-only.worker.nthreads", 2)) {
            assertEquals(Map.of("memory", Map.of("target", 0.5), "nthreads", 2), Config.get("test-only.worker"));
            assertEquals(Map.of("target", 0.5), Config.get("test_only.worker.memory"));
        }
        Object opt = Config.get("optimization");
        assertTrue(opt instanceof Map<?, ?> m && m.containsKey("fuse") && m.containsKey("inline"), String.valueOf(opt));
    }

    @Test
    void aScopeLeafHidesDeeperKeysAndAScopeSectionHidesALeaf() {
        try (Config.Scope s = Config.set("optimization.fuse", false)) {
            assertEquals(false, Config.get("optimization.fuse"));
            assertNull(Config.get("optimization.fuse.active"), "the leaf set in the scope hides the default section");
            assertFalse(Config.snapshot().containsKey("optimization.fuse.active"));
        }
        try (Config.Scope s = Config.set("delayed-pure.detail", 1)) {
            assertEquals(Map.of("detail", 1), Config.get("delayed-pure"));
        }
        assertEquals(true, Config.get("optimization.fuse.active") != null);
    }

    @Test
    void setWithMapOfNestedValues() {
        try (Config.Scope s = Config.set(Map.of("test-only", Map.of("x", 1, "y", Map.of("z", true))))) {
            assertEquals(1, Config.get("test-only.x"));
            assertEquals(true, Config.getBoolean("test-only.y.z", false));
        }
    }

    @Test
    void applyCarriesASnapshotToAnotherThread() throws Exception {
        Map<String, Object> snap;
        try (Config.Scope s = Config.set("test-only.carried", 42)) {
            snap = Config.snapshot();
        }
        AtomicReference<Object> seen = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try (Config.Scope s = Config.apply(snap)) {
                seen.set(Config.get("test-only.carried"));
            }
        });
        t.start();
        t.join();
        assertEquals(42, seen.get());
    }

    // ------------------------------------------------------------------ bad arguments

    @Test
    void oddArgumentCountIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Config.set("scheduler", "sync", "num_workers"));
        assertTrue(e.getMessage().contains("key/value pairs") && e.getMessage().contains("3 argument"), e.getMessage());
    }

    @Test
    void nonStringKeyIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Config.set(4, "scheduler"));
        assertTrue(e.getMessage().contains("argument 0") && e.getMessage().contains("java.lang.Integer"), e.getMessage());
        IllegalArgumentException n = assertThrows(IllegalArgumentException.class, () -> Config.set("a", 1, null, 2));
        assertTrue(n.getMessage().contains("argument 2") && n.getMessage().contains("null"), n.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Config.set("", 1));
        assertThrows(IllegalArgumentException.class, () -> Config.set("a..b", 1));
        assertNull(Config.get("a"), "a failed set leaves no scope behind");
    }

    @Test
    void typedGettersConvertAndFailClearly() {
        try (Config.Scope s = Config.set("test-only.n", "12", "test-only.d", "0.5", "test-only.b", "yes",
                "test-only.bad", "many", "test-only.blank", "")) {
            assertEquals(12, Config.getInt("test-only.n", 0));
            assertEquals(0.5, Config.getDouble("test-only.d", 0));
            assertTrue(Config.getBoolean("test-only.b", false));
            assertEquals(7, Config.getInt("test-only.blank", 7), "an empty string means unset");
            assertEquals(7, Config.getInt("test-only.missing", 7));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Config.getInt("test-only.bad", 0));
            assertTrue(e.getMessage().contains("test-only.bad") && e.getMessage().contains("many"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Config.getBoolean("test-only.bad", false));
            assertThrows(IllegalArgumentException.class, () -> Config.getDouble("test-only.bad", 0));
        }
        try (Config.Scope s = Config.set("test-only.big", 1L << 40)) {
            assertThrows(IllegalArgumentException.class, () -> Config.getInt("test-only.big", 0));
        }
    }

    @Test
    void defaultNumWorkersIsBlankSoGetIntFallsBack() {
        assertEquals(3, Config.getInt("num-workers", 3));
    }
}
